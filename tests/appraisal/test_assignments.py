"""Which registrations a board takes, assignments with their django-guardian grants, and the
scoring predicate (appraisal.assignment_selectors, assignment_services, rules)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled
from guardian.core import ObjectPermissionChecker

from appraisal import assignment_selectors as selectors
from appraisal import assignment_services as services
from appraisal.models import Assignment, Board, Conflict
from campaigns.enums import RegistrationStatus as S
from campaigns.enums import SubjectType
from campaigns.models import Campaign, Field
from dvk.enums import Role
from dvk.models import User
from models_registry.selectors import registrations_for_list
from tests.appraisal.assignment_builders import (
    accepted,
    assignments_count,
    board_for,
    grants_count,
    in_scope,
    seat,
)
from tests.campaigns.builders import campaign
from tests.conftest import add_child, client_for, persona, table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(tree):
    return campaign(tree.commune, "01-KH/ĐU", target_levels=["unit"])


@pytest.fixture
def world(tree, plan, commune_staff):
    """The commune's board on its published plan: the staffer heads it, a second staffer is a
    member, a guest does not vote; registrations of every kind the board must sort out."""
    board = board_for(plan, created_by=commune_staff)
    other = persona("can-bo-xa-2", tree.commune, Role.STAFF)
    guest = persona("khach-moi", None, None)
    head = seat(board, commune_staff, "head")
    member = seat(board, other, "member")
    guest_seat = seat(board, guest, "guest")
    sibling_plan = campaign(tree.sibling, "05-KH/ĐU", target_levels=["unit"])
    rows = {
        "unit": accepted(plan, tree.unit, "Tủ sách Xóm Một"),
        "front": accepted(plan, tree.mttq, "Mặt trận lắng nghe", status=S.IN_PROGRESS),
        "done": accepted(plan, tree.unit, "Đường hoa", status=S.COMPLETED),
        "draft": accepted(plan, tree.unit, "Nháp", status=S.DRAFT),
        "submitted": accepted(plan, tree.unit, "Chờ duyệt", status=S.SUBMITTED),
        "own": accepted(plan, tree.commune, "Mô hình của Đảng ủy xã"),
        "sibling": accepted(sibling_plan, tree.sibling_unit, "Một giúp một"),
    }
    return type(
        "World",
        (),
        {"board": board, "head": head, "member": member, "guest": guest_seat, "plan": plan, "r": rows, "other": other},
    )


def _status(plan, status):
    with scopes_disabled():
        Campaign.objects.filter(pk=plan.pk).update(status=status)


def _eligible(board, **filters):
    with in_scope(board.organization):
        return [r.pk for r in selectors.eligible_registrations(board, **filters)]


# --- which registrations a board takes ------------------------------------------------------


def test_a_board_takes_its_campaigns_accepted_in_progress_and_completed_registrations(world, tree):
    r = world.r
    assert set(_eligible(world.board)) == {r["unit"].pk, r["front"].pk, r["done"].pk}
    with in_scope(tree.commune):
        assert [x.pk for x in selectors.for_upper_level(world.board)] == [r["own"].pk]


def test_closing_the_campaign_keeps_appraisal_archiving_or_a_draft_stops_it(world, tree):
    _status(world.plan, "closed")
    board = _board(world)
    assert len(_eligible(board)) == 3
    for status in ("archived", "draft"):
        _status(world.plan, status)
        board = _board(world)
        assert _eligible(board) == []
        with in_scope(tree.commune):
            assert list(selectors.for_upper_level(board)) == []


def _board(world):
    with scopes_disabled():
        return Board.objects.select_related("campaign", "organization").get(pk=world.board.pk)


def test_the_registration_lists_filters_apply(world, tree):
    r = world.r
    assert _eligible(world.board, status=S.IN_PROGRESS) == [r["front"].pk]
    # A status the board does not take filters nothing in.
    assert set(_eligible(world.board, status=S.DRAFT)) == {r["unit"].pk, r["front"].pk, r["done"].pk}
    assert set(_eligible(world.board, subtree=tree.unit)) == {r["unit"].pk, r["done"].pk}
    assert _eligible(world.board, search="mat tran") == [r["front"].pk]
    other_field = Field.objects.exclude(code="van-hoa-xa-hoi").first()
    assert _eligible(world.board, field=other_field) == []


def test_registrations_under_a_derived_plan_belong_to_the_derived_levels_board(tree):
    province_plan = campaign(tree.province, "10-KH/TU", target_levels=["commune", "unit"])
    derived = campaign(tree.commune, "11-KH/ĐU", derived_from=province_plan, status="published")
    direct = accepted(province_plan, tree.commune, "Dân vận khéo của xã")
    below = accepted(derived, tree.unit, "Theo kế hoạch của xã")
    board = board_for(province_plan)
    assert _eligible(board) == [direct.pk]
    # The registration list keeps counting the derived plan's registrations (unchanged); the
    # exact filter is the board's.
    with in_scope(tree.province):
        assert {x.pk for x in registrations_for_list(tree.province, campaign=province_plan)} == {direct.pk, below.pk}
        exact = registrations_for_list(tree.province, campaign=province_plan, campaign_exact=True)
        assert [x.pk for x in exact] == [direct.pk]
    commune_board = board_for(derived)
    assert _eligible(commune_board) == [below.pk]


# --- assigning and the grants -----------------------------------------------------------------


def _assign(world, keys, member_ids=None, user=None):
    with in_scope(world.board.organization):
        return services.assign(
            board=world.board,
            registration_ids=[world.r[k].pk for k in keys],
            member_ids=member_ids,
            user=user,
        )


def _granted(user, assignment):
    return ObjectPermissionChecker(User.objects.get(pk=user.pk)).has_perm("appraise_assignment", assignment)


def test_assigning_gives_every_voting_member_the_registration_with_a_grant(world, commune_staff):
    created = _assign(world, ["unit", "front"], user=commune_staff)
    assert len(created) == 4  # 2 registrations × the 2 voting members (the guest does not vote)
    with scopes_disabled():
        rows = list(Assignment.objects.select_related("member__user"))
    assert {(a.member_id, a.registration_id) for a in rows} == {
        (m.pk, world.r[k].pk) for m in (world.head, world.member) for k in ("unit", "front")
    }
    for a in rows:
        assert _granted(a.member.user, a)
        assert a.assigned_by == commune_staff
    assert grants_count() == 4
    # Someone else holds no grant on them.
    assert not _granted(world.guest.user, rows[0])


def test_assigning_again_changes_nothing_and_chosen_members_get_only_theirs(world):
    _assign(world, ["unit"])
    before = table_counts()
    assert _assign(world, ["unit"]) == []
    assert table_counts() == before
    created = _assign(world, ["unit", "done"], member_ids=[world.guest.pk])
    assert {(a.member_id, a.registration_id) for a in created} == {
        (world.guest.pk, world.r["unit"].pk),
        (world.guest.pk, world.r["done"].pk),
    }


def test_unassigning_removes_the_grant_and_the_row(world):
    _assign(world, ["unit", "front"])
    with scopes_disabled():
        kept = Assignment.objects.get(member=world.member, registration=world.r["front"])
        gone = Assignment.objects.get(member=world.member, registration=world.r["unit"])
    with in_scope(world.board.organization):
        removed = services.unassign(
            board=world.board, registration_ids=[world.r["unit"].pk], member_ids=[world.member.pk]
        )
    assert removed == 1
    assert not _granted(world.member.user, gone)
    assert _granted(world.member.user, kept)
    with scopes_disabled():
        assert not Assignment.objects.filter(pk=gone.pk).exists()
        assert Assignment.objects.filter(registration=world.r["unit"], member=world.head).exists()
    assert grants_count() == 3
    # Again: nothing to remove.
    with in_scope(world.board.organization):
        again = services.unassign(
            board=world.board, registration_ids=[world.r["unit"].pk], member_ids=[world.member.pk]
        )
    assert again == 0


def test_leaving_the_board_removes_every_assignment_and_grant_of_the_member(world):
    _assign(world, ["unit", "front", "done"])
    with scopes_disabled():
        theirs = list(Assignment.objects.filter(member=world.member))
    with in_scope(world.board.organization):
        assert services.unassign_member(world.member) == 3
    for a in theirs:
        assert not _granted(world.member.user, a)
    with scopes_disabled():
        assert not Assignment.objects.filter(member=world.member).exists()
        assert Assignment.objects.filter(member=world.head).count() == 3
    assert grants_count() == 3


@pytest.mark.parametrize("which", ["sibling", "draft", "submitted", "own"])
def test_a_registration_the_board_may_not_take_is_refused_and_nothing_changes(world, which):
    before = table_counts()
    with pytest.raises(ValidationError) as refused:
        _assign(world, ["unit", which])
    assert table_counts() == before
    text = " ".join(refused.value.messages)
    expected = {
        "sibling": "Không tìm thấy 1 đăng ký",
        "draft": "chưa được duyệt",
        "submitted": "chưa được duyệt",
        "own": "để cấp trên thẩm định",
    }[which]
    assert expected in text
    if which != "sibling":  # a registration outside the scope is never named
        assert world.r[which].initiative.name in text
    else:
        assert "Một giúp một" not in text


def test_a_derived_levels_registration_is_refused_with_the_reason(tree):
    province_plan = campaign(tree.province, "10-KH/TU", target_levels=["commune", "unit"])
    derived = campaign(tree.commune, "11-KH/ĐU", derived_from=province_plan, status="published")
    below = accepted(derived, tree.unit, "Theo kế hoạch của xã")
    board = board_for(province_plan)
    member = seat(board, persona("can-bo-tinh-2", tree.province, Role.STAFF), "head")
    before = table_counts()
    with in_scope(tree.province), pytest.raises(ValidationError, match="kế hoạch cấp dưới 11-KH/ĐU"):
        services.assign(board=board, registration_ids=[below.pk], member_ids=[member.pk])
    assert table_counts() == before


def test_a_member_of_another_board_and_an_archived_campaign_are_refused(world, tree, outsider):
    closed_plan = campaign(tree.commune, "02-KH/ĐU", target_levels=["unit"])
    stranger = seat(board_for(closed_plan), outsider, "member")
    before = table_counts()
    with pytest.raises(ValidationError, match="không thuộc đoàn thẩm định này"):
        _assign(world, ["unit"], member_ids=[world.head.pk, stranger.pk])
    _status(world.plan, "archived")
    world.board = _board(world)
    with pytest.raises(ValidationError, match="Lưu trữ"):
        _assign(world, ["unit"])
    assert table_counts() == before


# --- the scoring predicate ----------------------------------------------------------------------


def _may_score(user, assignment):
    user = User.objects.get(pk=user.pk)  # a fresh user: no cached permissions
    with in_scope(assignment.board.organization):
        with scopes_disabled():
            related = ("member", "registration__organization", "board__campaign")
            assignment = Assignment.objects.select_related(*related).get(pk=assignment.pk)
        return user.has_perm("appraisal.score_assignment", assignment)


def test_a_member_with_the_grant_may_score_and_no_one_else(world, commune_staff):
    (a, *_rest) = [x for x in _assign(world, ["unit"]) if x.member_id == world.head.pk]
    assert _may_score(commune_staff, a)
    # The other member holds no grant on the head's assignment, nor is it theirs.
    assert not _may_score(world.other, a)


def test_a_conflict_wins_over_the_grant(world, commune_staff):
    (a,) = [x for x in _assign(world, ["unit"]) if x.member_id == world.head.pk]
    with scopes_disabled():
        Conflict.objects.create(
            board=world.board, member=world.head, registration=a.registration, kind="declared", reason="Người nhà"
        )
    # Guardian alone still answers yes to the bare grant; the predicate says no.
    assert _granted(commune_staff, a)
    assert commune_staff.has_perm("appraisal.appraise_assignment", a)
    assert not _may_score(commune_staff, a)


def test_no_grant_no_scoring(world, commune_staff):
    with scopes_disabled():
        a = Assignment.objects.create(board=world.board, member=world.head, registration=world.r["unit"])
    assert not _may_score(commune_staff, a)


def test_closing_scoring_or_archiving_the_campaign_stops_scoring(world, commune_staff):
    (a,) = [x for x in _assign(world, ["unit"]) if x.member_id == world.head.pk]
    with scopes_disabled():
        Board.objects.filter(pk=world.board.pk).update(scoring_closed_at=timezone.now())
    assert not _may_score(commune_staff, a)
    with scopes_disabled():
        Board.objects.filter(pk=world.board.pk).update(scoring_closed_at=None)
    assert _may_score(commune_staff, a)
    _status(world.plan, "archived")
    assert not _may_score(commune_staff, a)


# --- the page -----------------------------------------------------------------------------------


def _url(world, rest="assignments/"):
    return f"/o/COMM/appraisal/boards/{world.board.pk}/{rest}"


def test_staff_see_the_eligible_registrations_with_members_and_conflicts(world, commune_staff, tree):
    unit_secretary = persona("bi-thu-xom-1", tree.unit, Role.SECRETARY)
    conflicted = seat(world.board, unit_secretary, "member")
    _assign(world, ["unit"])
    response = client_for(commune_staff).get(_url(world))
    assert response.status_code == 200
    text = response.content.decode()
    for k in ("unit", "front", "done"):
        assert world.r[k].initiative.name in text
    for k in ("draft", "submitted", "sibling"):
        assert world.r[k].initiative.name not in text
    # The board's own model is listed for the level above.
    assert "Để cấp trên thẩm định" in text and "Mô hình của Đảng ủy xã" in text
    assert "3 mô hình thuộc diện thẩm định" in text
    # The unit's secretary is conflicted with the unit's models and the screen says why.
    assert f"{conflicted.user.display_name}</strong>: Giữ vai trò" in text
    assert "Chi bộ Xóm 1" in text
    # Voting members are ticked by default, the guest is not.
    assert f'value="{world.head.pk}" id="member-{world.head.pk}" checked' in text
    assert f'value="{world.guest.pk}" id="member-{world.guest.pk}">' in text


def test_the_page_filters_by_organisation_and_an_unknown_code_empties_it(world, commune_staff):
    client = client_for(commune_staff)
    text = client.get(_url(world) + "?org=MTTQ").content.decode()
    assert "Mặt trận lắng nghe" in text and "Tủ sách Xóm Một" not in text
    text = client.get(_url(world) + "?org=SIBU").content.decode()
    assert "0 mô hình thuộc diện thẩm định" in text and "Không có tổ chức mã SIBU" in text
    text = client.get(_url(world) + "?status=completed&q=duong").content.decode()
    assert "Đường hoa" in text and "Tủ sách Xóm Một" not in text


def test_a_unit_and_a_seat_holder_may_not_open_it(world, tree, secretary):
    front = persona("chu-tich-mttq", tree.mttq, Role.SECRETARY)
    seat(world.board, front, "deputy")
    assert client_for(front).get(_url(world)).status_code == 404  # a seat does not open it
    assert client_for(secretary).get(f"/o/UNIT/appraisal/boards/{world.board.pk}/assignments/").status_code == 404
    province_staff = persona("can-bo-tinh", tree.province, Role.STAFF)
    assert client_for(province_staff).get(_url(world)).status_code == 200  # above the level


def _post(world, keys, members, action="assign", **extra):
    data = {"action": action, "ids": [str(world.r[k].pk) for k in keys], "members": [str(m.pk) for m in members]}
    data.update(extra)
    return data


def test_bulk_assign_and_unassign_through_the_page(world, commune_staff):
    client = client_for(commune_staff)
    response = client.post(_url(world) + "?org=UNIT", _post(world, ["unit", "done"], [world.head, world.member]))
    assert response.status_code == 302 and response["Location"] == _url(world) + "?org=UNIT"
    assert assignments_count() == 4 and grants_count() == 4
    response = client.post(_url(world), _post(world, ["done"], [world.member], action="unassign"))
    assert response.status_code == 302
    assert assignments_count() == 3 and grants_count() == 3
    text = client.get(_url(world)).content.decode()
    assert text.count('class="badge text-bg-light border me-1 assigned-member"') == 3


@pytest.mark.parametrize("which", ["sibling", "draft", "own"])
def test_the_page_refuses_what_the_board_may_not_take_and_changes_nothing(world, commune_staff, which):
    client = client_for(commune_staff)
    before = table_counts()
    response = client.post(_url(world), _post(world, ["unit", which], [world.head], idempotency_key="k" * 20))
    assert response.status_code == 400
    assert "Đoàn không thẩm định được" in response.content.decode() or "Không tìm thấy" in response.content.decode()
    assert table_counts() == before


def test_the_page_refuses_another_boards_member_and_an_archived_campaign(world, commune_staff, tree, outsider):
    stranger = seat(board_for(campaign(tree.commune, "02-KH/ĐU")), outsider, "member")
    client = client_for(commune_staff)
    before = table_counts()
    response = client.post(_url(world), _post(world, ["unit"], [stranger]))
    assert response.status_code == 400 and "không thuộc đoàn thẩm định này" in response.content.decode()
    response = client.post(_url(world), _post(world, ["unit"], []))
    assert response.status_code == 400 and "Chưa chọn thành viên nào" in response.content.decode()
    _status(world.plan, "archived")
    response = client.post(_url(world), _post(world, ["unit"], [world.head]))
    assert response.status_code == 400 and "không phân công" in response.content.decode()
    assert table_counts() == before


def test_a_double_tap_assigns_once(world, commune_staff):
    client = client_for(commune_staff)
    data = _post(world, ["unit", "front"], [world.head, world.member], idempotency_key="tap-" + "a" * 16)
    assert client.post(_url(world), data).status_code == 302
    counts = table_counts()
    assert client.post(_url(world), data).status_code == 302
    assert table_counts() == counts
    assert assignments_count() == 4


def _more_registrations(tree, plan, n, start):
    for i in range(n):
        unit = add_child(tree.commune, f"XOM{start + i}", f"Chi bộ Xóm {start + i}")
        accepted(plan, unit, f"Mô hình thêm {start + i}", subject_type=SubjectType.COLLECTIVE)


def test_page_queries_do_not_grow_with_rows_or_members(world, commune_staff, tree, django_assert_num_queries):
    client = client_for(commune_staff)
    _assign(world, ["unit", "front"])
    client.get(_url(world))  # warm caches (content types, fields)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(_url(world))
    n = len(first)
    _more_registrations(tree, world.plan, 12, 10)
    for i in range(4):
        seat(world.board, persona(f"tv-{i}", tree.unit if i % 2 else tree.commune, Role.SECRETARY), "member")
    _assign_all(world)
    with django_assert_num_queries(n):
        response = client.get(_url(world))
    text = response.content.decode()
    assert "15 mô hình thuộc diện thẩm định" in text
    assert text.count('class="badge text-bg-light border me-1 assigned-member"') == 15 * 6


def _assign_all(world):
    with in_scope(world.board.organization):
        ids = [r.pk for r in selectors.eligible_registrations(world.board)]
        services.assign(board=world.board, registration_ids=ids)


# --- in parallel, on PostgreSQL -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_key", [True, False])
def test_two_identical_bulk_assigns_in_parallel_create_each_row_once(world, commune_staff, same_key):
    from tests.test_idempotency import in_parallel

    clients = [client_for(commune_staff) for _ in range(2)]
    keys = ["same-key-0123456789"] * 2 if same_key else ["key-a-0123456789", "key-b-0123456789"]

    def send(i):
        data = _post(world, ["unit", "front", "done"], [world.head, world.member], idempotency_key=keys[i])
        return clients[i].post(_url(world), data)

    responses = in_parallel(2, send)
    assert [r.status_code for r in responses] == [302, 302]
    assert assignments_count() == 6
    assert grants_count() == 6
