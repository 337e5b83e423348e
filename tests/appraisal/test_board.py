"""Forming a campaign's board (Đoàn thẩm định) and its members: who forms it and when, the
campaign page's panel, adding, changing and removing members (with their assignments and
grants), what bad input is told, the board page for staff and through a seat, seats end to
end, double presses and parallel writes, and the page's queries."""

import datetime
import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm, get_perms
from rest_framework.test import APIClient

from appraisal import board_services
from appraisal.models import Assignment, AssignmentUserObjectPermission, Board, BoardMember
from campaigns.enums import CampaignStatus
from campaigns.models import Campaign
from dvk.enums import Role
from dvk.models import User
from tests.campaigns.builders import campaign
from tests.conftest import client_for, persona, table_counts
from tests.registry.builders import complete_registration

D = datetime.date


def key():
    return uuid.uuid4().hex


@pytest.fixture
def plan(tree):
    return campaign(tree.commune, "01-KH/ĐU", registration_due=D(2026, 3, 5), target_levels=["unit"])


@pytest.fixture
def chairman(tree):
    """The Front's chairman: his only role is at the Front's unit under the commune."""
    user = persona("chu-tich-mttq", tree.mttq, Role.SECRETARY)
    user.full_name = "Trần Văn Mặttrận"
    user.save()
    return user


def make_board(plan, user=None):
    with scope(org=plan.organization):
        return board_services.board_create(plan, user)[0]


def add(board, user, role, **kwargs):
    with scope(org=board.organization):
        return board_services.member_add(board, user, role, **kwargs)


def members(board):
    with scopes_disabled():
        return [(m.user.username, m.role, m.voting, m.position) for m in BoardMember.objects.filter(board=board)]


def board_url(board, code="COMM", rest=""):
    return f"/o/{code}/appraisal/boards/{board.pk}/{rest}"


def create_url(plan, code="COMM"):
    return f"/o/{code}/appraisal/campaigns/{plan.pk}/board/new/"


def add_form(username, role="member", voting="", position="", **extra):
    return {"add-username": username, "add-role": role, "add-voting": voting, "add-position": position, **extra}


# --- creating the board -------------------------------------------------------------------------


def test_staff_form_the_board_from_the_campaign_page(tree, plan, as_commune_staff):
    page = as_commune_staff.get(f"/o/COMM/campaigns/{plan.pk}/").content.decode()
    assert 'id="board-panel"' in page and "Thành lập đoàn thẩm định" in page and create_url(plan) in page
    response = as_commune_staff.post(create_url(plan), {"idempotency_key": key()})
    with scopes_disabled():
        board = Board.objects.get(campaign=plan)
    assert response.status_code == 302 and response["Location"] == board_url(board)
    assert (board.organization_id, board.created_by.username) == (tree.commune.pk, "can-bo-xa")
    assert "Đã thành lập đoàn thẩm định" in as_commune_staff.get(board_url(board)).content.decode()
    add(board, "can-bo-xa", "head")
    page = as_commune_staff.get(f"/o/COMM/campaigns/{plan.pk}/").content.decode()
    assert "Thành lập đoàn thẩm định" not in page
    assert board_url(board) in page and "1 thành viên" in page


def test_a_second_press_lands_on_the_one_board(plan, as_commune_staff):
    first = as_commune_staff.post(create_url(plan), {"idempotency_key": key()})
    second = as_commune_staff.post(create_url(plan), {"idempotency_key": key()})
    assert first["Location"] == second["Location"]
    with scopes_disabled():
        assert Board.objects.filter(campaign=plan).count() == 1


def test_a_closed_campaign_gets_its_board_a_draft_or_archived_one_is_told_why(tree, as_commune_staff):
    closed = campaign(tree.commune, "02-KH/ĐU", status=CampaignStatus.CLOSED)
    assert as_commune_staff.post(create_url(closed)).status_code == 302
    for status, told in (("draft", "còn là dự thảo"), ("archived", "đã lưu trữ")):
        plan = campaign(tree.commune, f"0{len(status)}-KH/ĐU", status=status)
        page = as_commune_staff.get(f"/o/COMM/campaigns/{plan.pk}/").content.decode()
        assert told in page and create_url(plan) not in page
        before = table_counts()
        response = as_commune_staff.post(create_url(plan), {"idempotency_key": key()})
        assert response.status_code == 400
        assert told in response.content.decode() and "Chưa thành lập được đoàn thẩm định" in response.content.decode()
        assert table_counts() == before


def test_only_staff_of_the_campaigns_level_or_above_form_it(tree, plan, secretary, province_staff):
    unit = client_for(secretary)
    assert 'id="board-panel"' not in unit.get(f"/o/UNIT/campaigns/{plan.pk}/").content.decode()
    before = table_counts()
    assert unit.post(create_url(plan, "UNIT")).status_code == 403
    assert table_counts() == before
    # The province's staff may form a commune's board (its level or above).
    assert client_for(province_staff).post(create_url(plan, "PROV")).status_code == 302
    upper = campaign(tree.province, "12-HD/BCĐ", target_levels=["commune"])
    commune = persona("can-bo-xa-2", tree.commune, Role.STAFF)
    assert client_for(commune).post(create_url(upper)).status_code == 403


def test_a_unit_sees_no_board_of_its_commune(tree, plan, secretary):
    board = make_board(plan)
    unit = client_for(secretary)
    assert unit.get(board_url(board, "UNIT")).status_code == 404
    assert 'id="board-panel"' not in unit.get(f"/o/UNIT/campaigns/{plan.pk}/").content.decode()


# --- editing the board --------------------------------------------------------------------------


def board_form(board, **data):
    form = {
        "board-name": board.name,
        "board-decision_number": "",
        "board-decided_on": "",
        "board-version": str(board.version),
        "idempotency_key": key(),
    }
    form.update({f"board-{k}": v for k, v in data.items()})
    return form


def test_staff_record_the_decision_and_two_tabs_never_overwrite(plan, as_commune_staff):
    board = make_board(plan)
    tab = board_form(board, decision_number="125-QĐ/ĐU", decided_on="15/09/2026")
    stale = board_form(board, name="Đoàn khác")
    response = as_commune_staff.post(board_url(board, rest="edit/"), tab)
    assert response.status_code == 302
    with scopes_disabled():
        board.refresh_from_db()
    assert (board.decision_number, board.decided_on, board.version) == ("125-QĐ/ĐU", D(2026, 9, 15), 2)
    page = as_commune_staff.get(board_url(board)).content.decode()
    assert "Quyết định thành lập số 125-QĐ/ĐU ngày 15/09/2026" in page
    before = table_counts()
    response = as_commune_staff.post(board_url(board, rest="edit/"), stale)
    assert response.status_code == 400 and "vừa được người khác sửa" in response.content.decode()
    blank = as_commune_staff.post(board_url(board, rest="edit/"), board_form(board, name=" "))
    assert blank.status_code == 400
    assert table_counts() == before


# --- members ------------------------------------------------------------------------------------


def test_members_are_picked_by_name_and_listed_head_first(tree, plan, as_commune_staff, chairman, secretary):
    board = make_board(plan)
    page = as_commune_staff.get(board_url(board)).content.decode()
    # The picker searches the people of the board's level (the Front's unit included).
    assert "/o/COMM/pick/people/" in page
    picked = as_commune_staff.get("/o/COMM/pick/people/?q=tran+van+mattran").content.decode()
    assert "chu-tich-mttq" in picked
    guest = persona("khach-moi", tree.unit, Role.MEMBER)
    clerk = persona("thu-ky", tree.commune, Role.STAFF)
    forms = [
        add_form("khach-moi", "guest", position="Trưởng thôn"),
        add_form("thu-ky", "secretary"),
        add_form("bi-thu", "member"),
        add_form("chu-tich-mttq", "deputy", position="Chủ tịch Ủy ban MTTQ xã"),
        add_form("can-bo-xa", "head"),
    ]
    for form in forms:
        response = as_commune_staff.post(board_url(board, rest="members/add/"), {**form, "idempotency_key": key()})
        assert response.status_code == 302, response.content.decode()[:3000]
    assert members(board) == [
        ("can-bo-xa", "head", True, ""),
        ("chu-tich-mttq", "deputy", True, "Chủ tịch Ủy ban MTTQ xã"),
        ("bi-thu", "member", True, ""),
        ("thu-ky", "secretary", False, ""),
        ("khach-moi", "guest", False, "Trưởng thôn"),
    ]
    page = as_commune_staff.get(board_url(board)).content.decode()
    order = [page.index(f"<strong>{u.display_name}</strong>") for u in (chairman, secretary, clerk, guest)]
    assert order == sorted(order)
    assert "Trưởng đoàn" in page and "Không biểu quyết" in page and "5 thành viên, 3 có quyền biểu quyết" in page
    assert guest and clerk


def test_a_guest_or_secretary_marked_voting_votes_and_a_member_may_be_marked_not(tree, plan, chairman, secretary):
    board = make_board(plan)
    add(board, chairman, "guest", voting=True)
    add(board, secretary, "member", voting=False)
    assert [m[2] for m in members(board)] == [False, True]
    assert BoardMember.votes_by_default("secretary") is False and BoardMember.votes_by_default("deputy") is True


@pytest.mark.parametrize(
    "case, form, told",
    [
        ("twice", add_form("chu-tich-mttq", "member"), "đã là thành viên của đoàn"),
        ("second head", add_form("bi-thu", "head"), "mỗi đoàn chỉ có một Trưởng đoàn"),
        ("outside", add_form("can-bo-xa-ben", "member"), "Không tìm thấy người có tên đăng nhập “can-bo-xa-ben”"),
        ("nobody", add_form("khong-co-ai", "member"), "Không tìm thấy người có tên đăng nhập “khong-co-ai”"),
        ("no one picked", add_form("", "member"), "This field is required|Trường này là bắt buộc|bắt buộc"),
        ("bad role", add_form("bi-thu", "chairman"), "chairman|lựa chọn|choice"),
    ],
)
def test_a_bad_member_is_told_why_and_changes_nothing(
    tree, plan, as_commune_staff, chairman, secretary, outsider, case, form, told
):
    board = make_board(plan)
    add(board, chairman, "deputy")
    add(board, "can-bo-xa", "head")
    before = table_counts()
    response = as_commune_staff.post(board_url(board, rest="members/add/"), {**form, "idempotency_key": key()})
    assert response.status_code == 400
    assert re.search(told, response.content.decode()), response.content.decode()[:4000]
    assert table_counts() == before


def test_a_members_role_vote_and_position_change_and_a_second_head_is_refused(tree, plan, as_commune_staff, chairman):
    board = make_board(plan)
    head = add(board, "can-bo-xa", "head")
    deputy = add(board, chairman, "deputy")
    url = board_url(board, rest=f"members/{deputy.pk}/edit/")
    prefix = f"m{deputy.pk}"
    form = {f"{prefix}-role": "guest", f"{prefix}-voting": "", f"{prefix}-position": "Chủ tịch MTTQ"}
    assert as_commune_staff.post(url, {**form, "idempotency_key": key()}).status_code == 302
    assert members(board)[1] == ("chu-tich-mttq", "guest", False, "Chủ tịch MTTQ")
    form = {f"{prefix}-role": "member", f"{prefix}-voting": "no", f"{prefix}-position": ""}
    assert as_commune_staff.post(url, {**form, "idempotency_key": key()}).status_code == 302
    assert members(board)[1] == ("chu-tich-mttq", "member", False, "")
    before = table_counts()
    form = {f"{prefix}-role": "head", f"{prefix}-voting": "yes", f"{prefix}-position": ""}
    response = as_commune_staff.post(url, {**form, "idempotency_key": key()})
    assert response.status_code == 400 and "mỗi đoàn chỉ có một Trưởng đoàn" in response.content.decode()
    assert table_counts() == before
    # The head may stay head when changing their own line.
    prefix = f"m{head.pk}"
    form = {f"{prefix}-role": "head", f"{prefix}-voting": "", f"{prefix}-position": "Phó Bí thư"}
    assert as_commune_staff.post(board_url(board, rest=f"members/{head.pk}/edit/"), form).status_code == 302


def _assign(board, member, registration):
    with scopes_disabled():
        assignment = Assignment.objects.create(board=board, member=member, registration=registration)
        assign_perm("appraisal.appraise_assignment", member.user, assignment)
    return assignment


def test_leaving_the_board_takes_the_assignments_and_their_grants(tree, plan, as_commune_staff, chairman):
    board = make_board(plan)
    head = add(board, "can-bo-xa", "head")
    deputy = add(board, chairman, "deputy")
    registration = complete_registration(plan, tree.unit, status="accepted")
    mine = _assign(board, deputy, registration)
    kept = _assign(board, head, registration)
    with scopes_disabled():
        assert "appraise_assignment" in get_perms(User.objects.get(pk=chairman.pk), mine)
    response = as_commune_staff.post(board_url(board, rest=f"members/{deputy.pk}/remove/"), {"idempotency_key": key()})
    assert response.status_code == 302
    assert "đã rời đoàn" in as_commune_staff.get(board_url(board)).content.decode()
    with scopes_disabled():
        assert [m[0] for m in members(board)] == ["can-bo-xa"]
        assert not Assignment.objects.filter(pk=mine.pk).exists()
        assert not AssignmentUserObjectPermission.objects.filter(user=chairman).exists()
        mine.pk = mine.pk  # the row is gone; guardian answers nothing for it
        assert not ObjectPermissionChecker(User.objects.get(pk=chairman.pk)).has_perm("appraise_assignment", mine)
        # The head's assignment and grant stay.
        assert ObjectPermissionChecker(User.objects.get(pk=head.user_id)).has_perm("appraise_assignment", kept)
    # Removed again (another tab): told, nothing changes.
    before = table_counts()
    again = as_commune_staff.post(board_url(board, rest=f"members/{deputy.pk}/remove/"), {"idempotency_key": key()})
    assert again.status_code == 404
    assert table_counts() == before


def test_member_remove_explicitly_deletes_the_grants(tree, plan, chairman):
    """The service deletes the grant rows itself (not only through the cascade): a grant
    whose assignment survived a bug would still be gone."""
    board = make_board(plan)
    deputy = add(board, chairman, "deputy")
    assignment = _assign(board, deputy, complete_registration(plan, tree.unit, status="accepted"))
    deleted = []
    from django.db.models.signals import post_delete

    def seen(sender, instance, **kwargs):
        deleted.append(type(instance).__name__)

    post_delete.connect(seen, sender=AssignmentUserObjectPermission)
    try:
        with scope(org=tree.commune):
            assert board_services.member_remove(deputy) is True
            assert board_services.member_remove(deputy) is False
    finally:
        post_delete.disconnect(seen, sender=AssignmentUserObjectPermission)
    assert deleted == ["AssignmentUserObjectPermission"]
    with scopes_disabled():
        assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_only_staff_change_members(tree, plan, commune_staff, chairman, secretary):
    board = make_board(plan)
    add(board, chairman, "deputy")
    head = add(board, "can-bo-xa", "head")
    seat = client_for(chairman)
    before = table_counts()
    for rest, data in (
        ("edit/", {"board-name": "X", "board-version": "1"}),
        ("members/add/", add_form("bi-thu")),
        (f"members/{head.pk}/edit/", {f"m{head.pk}-role": "member"}),
        (f"members/{head.pk}/remove/", {}),
    ):
        assert seat.post(board_url(board, rest=rest), data).status_code == 404, rest
    assert table_counts() == before
    page = seat.get(board_url(board)).content.decode()
    assert 'id="board-member-add"' not in page and "Đưa ra khỏi đoàn" not in page and 'id="board-edit"' not in page


# --- seats end to end ---------------------------------------------------------------------------


def test_a_seat_holder_reaches_the_board_and_nothing_else_of_the_commune(tree, plan, commune_staff, chairman):
    board = make_board(plan)
    add(board, "can-bo-xa", "head")
    add(board, chairman, "deputy", position="Chủ tịch Ủy ban MTTQ xã")
    client = client_for(chairman)
    api = APIClient()
    api.force_authenticate(chairman)
    seats = api.get("/api/v1/me/").json()["seats"]
    assert [(s["organization"]["code"], s["url"]) for s in seats] == [("COMM", board_url(board))]
    assert "01-KH/ĐU" in seats[0]["label"]
    picker = client.get("/orgs/").content.decode()
    assert f'href="{board_url(board)}"' in picker and "Đoàn thẩm định – 01-KH/ĐU" in picker
    page = client.get(board_url(board))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="board-my-seat"' in text and "Phó Trưởng đoàn" in text and "can-bo-xa" in text
    assert f"/o/COMM/campaigns/{plan.pk}/" not in text  # no link to the commune's pages
    for url in ("/o/COMM/", "/o/COMM/registrations/", f"/o/COMM/campaigns/{plan.pk}/compliance/"):
        assert client.get(url).status_code == 404, url
    # His own unit stays his.
    assert client.get("/o/MTTQ/").status_code == 200
    # Once he has left the board, the board is not found.
    with scope(org=tree.commune):
        board_services.member_remove(BoardMember.objects.get(user=chairman))
    assert client_for(chairman).get(board_url(board)).status_code == 404
    api.force_authenticate(User.objects.get(pk=chairman.pk))  # a new request's user (seats are cached on it)
    assert api.get("/api/v1/me/").json()["seats"] == []


def test_a_seat_on_an_archived_campaigns_board_gives_nothing(tree, plan, chairman):
    board = make_board(plan)
    add(board, chairman, "deputy")
    with scopes_disabled():
        Campaign.objects.filter(pk=plan.pk).update(status=CampaignStatus.ARCHIVED)
    api = APIClient()
    api.force_authenticate(chairman)
    assert api.get("/api/v1/me/").json()["seats"] == []
    assert board_url(board) not in client_for(chairman).get("/orgs/").content.decode()
    assert client_for(chairman).get(board_url(board)).status_code == 404


def test_a_seat_opens_only_its_own_board(tree, plan, chairman):
    other_plan = campaign(tree.commune, "03-KH/ĐU")
    mine, other = make_board(plan), make_board(other_plan)
    add(mine, chairman, "member")
    client = client_for(chairman)
    assert client.get(board_url(mine)).status_code == 200
    assert client.get(board_url(other)).status_code == 404


# --- double presses and parallel writes ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_key", [True, False], ids=["a double press", "two staff at once"])
def test_ten_presses_of_create_make_one_board(tree, plan, commune_staff, same_key):
    from tests.test_idempotency import in_parallel

    the_key = key()
    clients = [client_for(commune_staff) for _ in range(10)]
    responses = in_parallel(
        10, lambda i: clients[i].post(create_url(plan), {"idempotency_key": the_key if same_key else key()})
    )
    with scopes_disabled():
        board = Board.objects.get(campaign=plan)
        assert board.history.count() == 1
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, board_url(board))}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_key", [True, False], ids=["a double press", "two tabs"])
def test_ten_presses_of_add_member_add_one(tree, plan, commune_staff, chairman, same_key):
    from tests.test_idempotency import in_parallel

    board = make_board(plan)
    the_key = key()
    clients = [client_for(commune_staff) for _ in range(10)]
    url = board_url(board, rest="members/add/")
    form = add_form("chu-tich-mttq", "deputy")
    keys = [the_key if same_key else key() for _ in clients]
    responses = in_parallel(10, lambda i: clients[i].post(url, {**form, "idempotency_key": keys[i]}))
    codes = sorted(r.status_code for r in responses)
    assert codes == ([302] * 10 if same_key else [302] + [400] * 9)
    if not same_key:
        refused = next(r for r in responses if r.status_code == 400)
        assert "đã là thành viên của đoàn" in refused.content.decode()
    assert members(board) == [("chu-tich-mttq", "deputy", True, "")]


@pytest.mark.django_db(transaction=True)
def test_two_heads_added_at_once_make_one_head(tree, plan, commune_staff):
    from tests.test_idempotency import in_parallel

    board = make_board(plan)
    people = [persona(f"can-bo-{i}", tree.commune, Role.STAFF) for i in range(6)]
    clients = [client_for(commune_staff) for _ in people]
    url = board_url(board, rest="members/add/")
    responses = in_parallel(
        len(people), lambda i: clients[i].post(url, {**add_form(people[i].username, "head"), "idempotency_key": key()})
    )
    assert sorted(r.status_code for r in responses) == [302] + [400] * (len(people) - 1)
    assert [m[1] for m in members(board)] == ["head"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_key", [True, False], ids=["a double press", "two tabs"])
def test_ten_presses_of_remove_remove_once(tree, plan, commune_staff, chairman, same_key):
    from tests.test_idempotency import in_parallel

    board = make_board(plan)
    deputy = add(board, chairman, "deputy")
    _assign(board, deputy, complete_registration(plan, tree.unit, status="accepted"))
    the_key = key()
    clients = [client_for(commune_staff) for _ in range(10)]
    url = board_url(board, rest=f"members/{deputy.pk}/remove/")
    responses = in_parallel(10, lambda i: clients[i].post(url, {"idempotency_key": the_key if same_key else key()}))
    # A press that found the member gone before it looked is told so (404); the others land on the board.
    assert {r.status_code for r in responses} <= {302, 404} and any(r.status_code == 302 for r in responses)
    with scopes_disabled():
        assert members(board) == []
        assert BoardMember.history.filter(history_type="-").count() == 1
        assert not AssignmentUserObjectPermission.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_ten_presses_of_edit_and_of_change_apply_once(tree, plan, commune_staff, chairman):
    from tests.test_idempotency import in_parallel

    board = make_board(plan)
    deputy = add(board, chairman, "deputy")
    clients = [client_for(commune_staff) for _ in range(10)]
    form = board_form(board, decision_number="125-QĐ/ĐU")
    responses = in_parallel(10, lambda i: clients[i].post(board_url(board, rest="edit/"), form))
    assert {r.status_code for r in responses} == {302}
    prefix = f"m{deputy.pk}"
    change = {f"{prefix}-role": "member", f"{prefix}-voting": "", f"{prefix}-position": "X", "idempotency_key": key()}
    url = board_url(board, rest=f"members/{deputy.pk}/edit/")
    assert {r.status_code for r in in_parallel(10, lambda i: clients[i].post(url, change))} == {302}
    with scopes_disabled():
        board.refresh_from_db()
        assert (board.version, board.history.count()) == (2, 2)
        assert BoardMember.objects.get(pk=deputy.pk).history.count() == 2


# --- queries ------------------------------------------------------------------------------------


def test_the_board_and_campaign_pages_queries_do_not_grow_with_members(tree, as_commune_staff, chairman):
    counts = {}
    for size in (2, 8):
        plan = campaign(tree.commune, f"{size}-KH/ĐU")
        board = make_board(plan)
        add(board, chairman, "deputy")
        for i in range(size - 1):
            add(board, persona(f"tv-{size}-{i}", tree.unit, Role.MEMBER), "member")
        seat = client_for(chairman)
        for who, client, url in (
            ("staff", as_commune_staff, board_url(board)),
            ("seat", seat, board_url(board)),
            ("campaign", as_commune_staff, f"/o/COMM/campaigns/{plan.pk}/"),
        ):
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[size, who] = len(queries.captured_queries)
    for who in ("staff", "seat", "campaign"):
        assert counts[2, who] == counts[8, who], (who, counts)


def test_below_the_campaigns_level_there_is_no_board_to_form(tree, plan, commune_staff):
    """Commune staff acting for a unit: the commune's board is not seen there, so neither the
    panel nor the creation is offered (a second board can never be made that way)."""
    make_board(plan)
    client = client_for(commune_staff)
    assert 'id="board-panel"' not in client.get(f"/o/UNIT/campaigns/{plan.pk}/").content.decode()
    before = table_counts()
    assert client.post(create_url(plan, "UNIT"), {"idempotency_key": key()}).status_code == 403
    assert table_counts() == before
    with scope(org=tree.unit), pytest.raises(ValidationError, match="đã có đoàn thẩm định"):
        board_services.board_create(plan, commune_staff)


def test_a_vote_as_the_role_gives_it_follows_a_new_role(tree, plan, chairman, secretary):
    """The change form shows a default vote as the default, so a secretary made a member
    votes; a vote set apart from the role's default is shown (and kept) as set."""
    from appraisal.forms import MemberChangeForm

    board = make_board(plan)
    clerk = add(board, chairman, "secretary")
    marked = add(board, secretary, "guest", voting=True)
    assert MemberChangeForm(member=clerk).initial["voting"] == ""
    assert MemberChangeForm(member=marked).initial["voting"] == "yes"
    form = MemberChangeForm({f"m{clerk.pk}-role": "member", f"m{clerk.pk}-voting": ""}, member=clerk)
    assert form.is_valid()
    with scope(org=tree.commune):
        assert board_services.member_change(clerk, **form.service_kwargs()).voting is True


def test_a_member_reads_the_rubric_through_his_seat_and_nothing_else_of_the_campaign(tree, commune_staff):
    """The members score with the rubric: the Front's chairman, seated on the board only, reads
    it (not edits it) from the board page; another plan's rubric and the plan page stay closed."""
    plan = campaign(tree.commune, "01-KH/ĐU")
    other = campaign(tree.commune, "02-KH/ĐU")
    chairman = persona("chu-tich-mttq-rubric", tree.mttq, Role.SECRETARY)
    with scopes_disabled():
        board = Board.objects.create(organization=tree.commune, campaign=plan)
        BoardMember.objects.create(board=board, user=chairman, role="deputy")
    client = client_for(chairman)
    page = client.get(f"/o/COMM/appraisal/boards/{board.pk}/").content.decode()
    assert f"/o/COMM/appraisal/campaigns/{plan.pk}/rubric/" in page
    rubric = client.get(f"/o/COMM/appraisal/campaigns/{plan.pk}/rubric/")
    assert rubric.status_code == 200 and "Hiệu quả" in rubric.content.decode()
    assert 'id="rubric-form"' not in rubric.content.decode()
    assert f'href="/o/COMM/appraisal/boards/{board.pk}/"' in rubric.content.decode()
    assert client.post(f"/o/COMM/appraisal/campaigns/{plan.pk}/rubric/", {"threshold": "50"}).status_code == 403
    assert client.get(f"/o/COMM/appraisal/campaigns/{other.pk}/rubric/").status_code == 404
    assert client.get(f"/o/COMM/campaigns/{plan.pk}/").status_code == 404
