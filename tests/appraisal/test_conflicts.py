"""Conflicts of interest (appraisal.conflicts): each kind, the batch's constant queries, the
pages where a member declares one and the head records a recusal, and "Việc của tôi"."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm

from appraisal.conflicts import conflicts_for
from appraisal.models import Assignment, Conflict
from campaigns.enums import SubjectType
from dvk.enums import Level, Role
from dvk.models import User
from models_registry.models import Registration
from tests.appraisal.assignment_builders import accepted, board_for, conflicts_count, in_scope, seat
from tests.campaigns.builders import campaign
from tests.conftest import add_child, client_for, persona, table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(tree):
    return campaign(tree.commune, "01-KH/ĐU", target_levels=["unit"])


def _loaded(*registrations):
    with scopes_disabled():
        found = Registration.objects.select_related("organization").in_bulk([r.pk for r in registrations])
    return [found[r.pk] for r in registrations]


def _kinds(board, member, registration):
    with in_scope(board.organization):
        return [c.kind for c in conflicts_for(board, [(member, registration)]).get((member.pk, registration.pk), [])]


# --- each kind --------------------------------------------------------------------------------


def test_a_role_at_the_unit_conflicts_a_role_at_the_boards_level_does_not(tree, plan, commune_staff):
    xom, front, own = _loaded(
        accepted(plan, tree.unit, "Tủ sách Xóm Một"),
        accepted(plan, tree.mttq, "Mặt trận lắng nghe"),
        accepted(plan, tree.commune, "Mô hình của Đảng ủy xã"),
    )
    board = board_for(plan)
    staff = seat(board, commune_staff, "head")
    unit_secretary = seat(board, persona("bi-thu-xom-1", tree.unit, Role.SECRETARY))
    chairman = seat(board, persona("chu-tich-mttq", tree.mttq, Role.SECRETARY), "deputy")
    # A commune staffer is not conflicted with every unit of the commune.
    assert _kinds(board, staff, xom) == [] and _kinds(board, staff, front) == []
    # The secretary of Xóm 1 is, with Xóm 1's models; the Front's chairman with the Front's.
    assert _kinds(board, unit_secretary, xom) == ["role"]
    assert _kinds(board, unit_secretary, front) == []
    assert _kinds(board, chairman, front) == ["role"]
    assert _kinds(board, chairman, xom) == []
    # The board's own organisation is no path between (and its models are the level above's).
    assert _kinds(board, staff, own) == []


def test_a_role_between_the_unit_and_the_board_conflicts(tree, province_staff):
    province_plan = campaign(tree.province, "10-KH/TU", target_levels=["commune", "unit"])
    village = add_child(tree.unit, "TO1A", "Tổ dân cư 1A", level=Level.VILLAGE)
    (registration,) = _loaded(accepted(province_plan, village, "Tổ tự quản"))
    board = board_for(province_plan)
    at_province = seat(board, province_staff, "head")
    at_commune = seat(board, persona("can-bo-xa", tree.commune, Role.STAFF))
    at_unit = seat(board, persona("bi-thu", tree.unit, Role.SECRETARY))
    at_sibling = seat(board, persona("can-bo-xa-ben", tree.sibling, Role.STAFF))
    assert _kinds(board, at_province, registration) == []
    assert _kinds(board, at_commune, registration) == ["role"]
    assert _kinds(board, at_unit, registration) == ["role"]
    assert _kinds(board, at_sibling, registration) == []
    with in_scope(tree.province):
        (reason,) = conflicts_for(board, [(at_commune, registration)])[(at_commune.pk, registration.pk)]
    assert reason.text == "Giữ vai trò “Cán bộ phụ trách” tại Xã Diễn Châu."


def test_an_individual_registration_about_the_member_conflicts(tree, plan, commune_staff):
    board = board_for(plan)
    member = seat(board, commune_staff, "head")
    about, other = _loaded(
        accepted(plan, tree.unit, "Người tốt việc tốt", subject_type=SubjectType.INDIVIDUAL, person_user=commune_staff),
        accepted(plan, tree.unit, "Người khác", subject_type=SubjectType.INDIVIDUAL),
    )
    assert _kinds(board, member, about) == ["subject"]
    assert _kinds(board, member, other) == []


def test_stored_conflicts_give_their_reason(tree, plan, commune_staff):
    board = board_for(plan)
    head = seat(board, commune_staff, "head")
    member = seat(board, persona("can-bo-xa-2", tree.commune, Role.STAFF))
    declared, recused = _loaded(accepted(plan, tree.unit, "A"), accepted(plan, tree.mttq, "B"))
    with scopes_disabled():
        Conflict.objects.create(board=board, member=member, registration=declared, kind="declared", reason="Người nhà")
        Conflict.objects.create(
            board=board, member=member, registration=recused, kind="recusal", reason="Vắng", recorded_by=commune_staff
        )
    assert _kinds(board, member, declared) == ["declared"]
    assert _kinds(board, member, recused) == ["recusal"]
    assert _kinds(board, head, declared) == []
    with in_scope(tree.commune):
        found = conflicts_for(board, [(member, declared), (member, recused)])
    assert "Người nhà" in found[(member.pk, declared.pk)][0].text
    recusal = found[(member.pk, recused.pk)][0]
    assert recusal.label == "Trưởng đoàn ghi nhận không tham gia chấm" and recusal.text.endswith(": Vắng")


def test_the_batch_runs_two_queries_whatever_the_pairs(tree, plan, commune_staff):
    board = board_for(plan)

    def pairs(n_members, n_units, start):
        members = [seat(board, persona(f"tv-{start}-{i}", tree.unit, Role.SECRETARY)) for i in range(n_members)]
        units = [add_child(tree.commune, f"X{start}{i}", f"Chi bộ {start}-{i}") for i in range(n_units)]
        regs = _loaded(*[accepted(plan, u, f"Mô hình {u.code}") for u in units])
        return [(m, r) for m in members for r in regs]

    small = pairs(1, 1, 1)
    large = pairs(4, 6, 2)
    for batch in (small, large):
        with in_scope(tree.commune), CaptureQueriesContext(connection) as queries:
            conflicts_for(board, batch)
        assert len(queries) == 2
    with in_scope(tree.commune), CaptureQueriesContext(connection) as queries:
        assert conflicts_for(board, []) == {}
    assert len(queries) == 0


# --- the pages ----------------------------------------------------------------------------------


@pytest.fixture
def work(tree, plan, commune_staff):
    """The commune's board: the staffer heads it; the Front's chairman (a role at the Front's
    unit only) is deputy through a seat; both are assigned the Xóm 1 model, the chairman
    also the Front's own."""
    board = board_for(plan)
    head = seat(board, commune_staff, "head")
    chairman_user = persona("chu-tich-mttq", tree.mttq, Role.SECRETARY)
    chairman = seat(board, chairman_user, "deputy")
    xom = accepted(plan, tree.unit, "Tủ sách Xóm Một")
    front = accepted(plan, tree.mttq, "Mặt trận lắng nghe")
    other = accepted(plan, tree.unit, "Đường hoa")
    with scopes_disabled():
        rows = {}
        for key, member, registration in (
            ("head", head, xom),
            ("head_other", head, other),
            ("chairman", chairman, xom),
            ("chairman_front", chairman, front),
        ):
            rows[key] = Assignment.objects.create(board=board, member=member, registration=registration)
            assign_perm("appraisal.appraise_assignment", member.user, rows[key])
    return type("Work", (), {"board": board, "head": head, "chairman": chairman, "a": rows})


def _mine(work):
    return f"/o/COMM/appraisal/boards/{work.board.pk}/mine/"


def _declare(work, key):
    return f"/o/COMM/appraisal/boards/{work.board.pk}/mine/{work.a[key].pk}/conflict/"


def _recuse(work, key):
    return f"/o/COMM/appraisal/boards/{work.board.pk}/assignments/{work.a[key].pk}/recuse/"


def test_through_a_seat_the_member_sees_only_their_assignments_and_why_they_are_conflicted(work):
    client = client_for(work.chairman.user)
    response = client.get(_mine(work))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Tủ sách Xóm Một" in text and "Mặt trận lắng nghe" in text
    assert "Đường hoa" not in text  # the head's, not his
    assert "Giữ vai trò “Bí thư, người đăng ký” tại Ủy ban MTTQ xã Diễn Châu." in text
    # Through a seat the registration page is closed: no link to it.
    assert "/registrations/" not in text
    # His seat opens nothing else of the commune.
    assert client.get("/o/COMM/registrations/").status_code == 404


def _section(text, table_id):
    start = text.index(f'id="{table_id}"')
    return text[start : text.index("</table>", start)]


def test_staff_see_their_own_work_too_and_a_non_member_is_told(work, tree):
    text = client_for(work.head.user).get(_mine(work)).content.decode()
    mine = _section(text, "my-assignments")
    assert "Tủ sách Xóm Một" in mine and "Đường hoa" in mine and "Mặt trận lắng nghe" not in mine
    stranger = persona("can-bo-xa-2", tree.commune, Role.STAFF)
    response = client_for(stranger).get(_mine(work))
    assert response.status_code == 200 and "Bạn không phải thành viên đoàn thẩm định này" in response.content.decode()


def test_the_head_sees_every_assignment_of_the_board_to_record_recusals(work):
    text = client_for(work.head.user).get(_mine(work)).content.decode()
    board = _section(text, "board-assignments")
    for name in ("Tủ sách Xóm Một", "Đường hoa", "Mặt trận lắng nghe"):
        assert name in board
    # The chairman is conflicted on the Front's model (his role): no recusal is offered there;
    # on Xóm 1's model it is.
    assert _recuse(work, "chairman") in board and _recuse(work, "chairman_front") not in board
    assert f"/dossiers/{work.a['chairman'].registration_id}/" in board
    # A member who is not the head sees only their own work, never the board's list.
    deputy = client_for(work.chairman.user).get(_mine(work)).content.decode()
    assert 'id="board-assignments"' not in deputy
    assert f"/dossiers/{work.a['chairman'].registration_id}/" in deputy


def test_my_work_queries_do_not_grow(work, tree, plan, django_assert_num_queries):
    client = client_for(work.head.user)
    client.get(_mine(work))
    with CaptureQueriesContext(connection) as first:
        client.get(_mine(work))
    with scopes_disabled():
        for i in range(8):
            unit = add_child(tree.commune, f"XM{i}", f"Chi bộ Xóm M{i}")
            a = Assignment.objects.create(
                board=work.board, member=work.head, registration=accepted(plan, unit, f"Mô hình M{i}")
            )
            assign_perm("appraisal.appraise_assignment", work.head.user, a)
    with django_assert_num_queries(len(first)):
        response = client.get(_mine(work))
    assert response.content.decode().count('class="my-assignment"') == 10


def test_a_member_declares_a_conflict_once_and_may_no_longer_score(work):
    client = client_for(work.head.user)
    assert client.get(_declare(work, "head")).status_code == 200
    response = client.post(_declare(work, "head"), {"reason": "Vợ tôi là bí thư chi bộ", "idempotency_key": "d" * 20})
    assert response.status_code == 302 and response["Location"] == _mine(work)
    with scopes_disabled():
        (conflict,) = Conflict.objects.all()
    assert (conflict.kind, conflict.member_id, conflict.recorded_by_id) == ("declared", work.head.pk, work.head.user_id)
    # The same tap again: applied once.
    before = table_counts()
    assert (
        client.post(
            _declare(work, "head"), {"reason": "Vợ tôi là bí thư chi bộ", "idempotency_key": "d" * 20}
        ).status_code
        == 302
    )
    assert table_counts() == before
    # A second declaration: refused, clearly, nothing changed.
    response = client.post(_declare(work, "head"), {"reason": "Lần nữa", "idempotency_key": "e" * 20})
    assert response.status_code == 400
    assert "Bạn đã khai xung đột lợi ích với mô hình này ngày" in response.content.decode()
    assert table_counts() == before
    user = User.objects.get(pk=work.head.user_id)
    with in_scope(work.board.organization), scopes_disabled():
        a = Assignment.objects.select_related("member", "registration__organization", "board__campaign").get(
            pk=work.a["head"].pk
        )
    with in_scope(work.board.organization):
        assert not user.has_perm("appraisal.score_assignment", a)
    text = client.get(_mine(work)).content.decode()
    assert "Tự khai có xung đột lợi ích</span> ngày" in text and "Vợ tôi là bí thư chi bộ" in text


def test_a_reason_is_required_and_only_the_member_declares(work, tree):
    head, chairman = client_for(work.head.user), client_for(work.chairman.user)
    before = table_counts()
    response = head.post(_declare(work, "head"), {"reason": "  "})
    assert response.status_code == 400
    # Someone else's assignment: another staffer sees the board (403), a seat holder does not (404).
    assert head.post(_declare(work, "chairman"), {"reason": "x"}).status_code == 403
    assert chairman.post(_declare(work, "head"), {"reason": "x"}).status_code == 404
    assert table_counts() == before


def test_the_seat_holder_declares_through_his_seat(work):
    client = client_for(work.chairman.user)
    response = client.post(_declare(work, "chairman"), {"reason": "Con tôi ở xóm này"})
    assert response.status_code == 302
    assert conflicts_count() == 1


def test_the_head_records_a_recusal_and_no_one_else_may(work):
    deputy, client = client_for(work.chairman.user), client_for(work.head.user)
    before = table_counts()
    # A deputy through a seat: another member's assignment is not found; his own, not his to recuse.
    assert deputy.get(_recuse(work, "head")).status_code == 404
    assert deputy.post(_recuse(work, "head"), {"reason": "x"}).status_code == 404
    assert deputy.post(_recuse(work, "chairman"), {"reason": "x"}).status_code == 403
    assert table_counts() == before
    assert client.get(_recuse(work, "chairman")).status_code == 200
    response = client.post(_recuse(work, "chairman"), {"reason": "Đi công tác", "idempotency_key": "r" * 20})
    assert response.status_code == 302
    with scopes_disabled():
        (conflict,) = Conflict.objects.all()
    assert (conflict.kind, conflict.member_id, conflict.recorded_by_id) == (
        "recusal",
        work.chairman.pk,
        work.head.user_id,
    )
    before = table_counts()
    response = client.post(_recuse(work, "chairman"), {"reason": "Lần nữa"})
    assert response.status_code == 400 and "Trưởng đoàn đã ghi nhận không tham gia chấm" in response.content.decode()
    # The member may not declare over the head's recusal either.
    response = deputy.post(_declare(work, "chairman"), {"reason": "Tôi cũng khai"})
    assert response.status_code == 400 and "Trưởng đoàn đã ghi nhận" in response.content.decode()
    assert table_counts() == before


def test_a_head_through_a_seat_records_a_recusal(work, tree):
    with scopes_disabled():
        type(work.head).objects.filter(pk=work.head.pk).update(role="member")
        type(work.chairman).objects.filter(pk=work.chairman.pk).update(role="head")
    response = client_for(work.chairman.user).post(_recuse(work, "head"), {"reason": "Vắng"})
    assert response.status_code == 302
    assert conflicts_count() == 1


def test_archived_campaign_refuses_declarations(work, plan):
    from campaigns.models import Campaign

    with scopes_disabled():
        Campaign.objects.filter(pk=plan.pk).update(status="archived")
    client = client_for(work.head.user)
    before = table_counts()
    response = client.post(_declare(work, "head"), {"reason": "x"})
    assert response.status_code == 400 and "Lưu trữ" in response.content.decode()
    assert table_counts() == before


@pytest.mark.django_db(transaction=True)
def test_two_declarations_in_parallel_store_one_and_refuse_the_other_clearly(work):
    from tests.test_idempotency import in_parallel

    clients = [client_for(work.head.user) for _ in range(2)]

    def send(i):
        return clients[i].post(
            _declare(work, "head"), {"reason": f"Lý do {i}", "idempotency_key": f"par-{i}-0123456789"}
        )

    responses = in_parallel(2, send)
    assert sorted(r.status_code for r in responses) == [302, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert "Bạn đã khai xung đột lợi ích" in refused.content.decode()
    assert conflicts_count() == 1


@pytest.mark.django_db(transaction=True)
def test_presses_of_a_recusal_record_it_once(work):
    """The head's recusal, pressed six times at once with the same form (a double tap, a retry)
    or from two tabs with different keys: one row; a second tab is told it exists."""
    from tests.test_idempotency import in_parallel

    clients = [client_for(work.head.user) for _ in range(6)]
    same = {"reason": "Đi công tác", "idempotency_key": "recuse-same-0123456789"}
    responses = in_parallel(6, lambda i: clients[i].post(_recuse(work, "chairman"), same))
    assert [r.status_code for r in responses] == [302] * 6
    assert conflicts_count() == 1
    other = in_parallel(2, lambda i: clients[i].post(_recuse(work, "chairman"), {"reason": f"Tab {i}"}))
    assert [r.status_code for r in other] == [400, 400]
    assert conflicts_count() == 1
