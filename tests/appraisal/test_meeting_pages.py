"""The review meeting's pages (appraisal.meeting_views) in the meeting world
(tests/appraisal/meeting_builders.py): the head records, the roll, opening, ballots, the
minutes; who may do what; a double press; queries that do not grow with the rows."""

import datetime
import uuid

import pytest
from django_scopes import scopes_disabled

from appraisal import meetings
from appraisal.enums import Attendance, Decision, MeetingStatus, VoteChoice
from appraisal.models import Ballot, Meeting, MeetingAttendance
from dvk.enums import Role
from tests.appraisal.assignment_builders import accepted
from tests.appraisal.meeting_builders import fresh, in_scope, meeting_world, opened, roll
from tests.conftest import client_for, persona, table_counts
from tests.test_idempotency import in_parallel

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree, commune_staff):
    return meeting_world(tree, commune_staff)


def base(w):
    return f"/o/COMM/appraisal/boards/{w.board.pk}/meetings/"


def key():
    return uuid.uuid4().hex


def details(**extra):
    return {
        "held_on": "01/12/2026",
        "held_at": "14:00",
        "place": "Hội trường Đảng ủy xã",
        "idempotency_key": key(),
        **extra,
    }


def roll_form(w, meeting, **overrides):
    data = {f"member-{pk}": value for pk, value in roll(w, **overrides).items()}
    return {**data, "version": str(meeting.version), "idempotency_key": key()}


def votes_form(voters, choice, version=0):
    return {**{f"vote-{m.pk}": choice for m in voters}, "version": str(version), "idempotency_key": key()}


def test_the_head_records_a_meeting_from_the_roll_to_the_minutes(w):
    head = client_for(w.head.user)
    board_page = head.get(f"/o/COMM/appraisal/boards/{w.board.pk}/")
    assert "board-meeting-new" in board_page.content.decode()
    created = head.post(f"{base(w)}new/", details(chair=str(w.head.pk), secretary=str(w.secretary.pk)))
    assert created.status_code == 302
    with scopes_disabled():
        meeting = Meeting.objects.get()
    assert created["Location"] == f"{base(w)}{meeting.pk}/"
    saved = head.post(f"{base(w)}{meeting.pk}/attendance/", roll_form(w, meeting, extra0=Attendance.WRITTEN))
    assert saved.status_code == 302
    opened_ = head.post(f"{base(w)}{meeting.pk}/open/", {"version": "2", "idempotency_key": key()}, follow=True)
    assert "Đã khai mạc" in opened_.content.decode()
    assert fresh(meeting).status == MeetingStatus.OPEN

    first, second = w.registrations
    form = head.get(f"{base(w)}{meeting.pk}/ballots/{first.pk}/")
    page = form.content.decode()
    assert form.status_code == 200 and "có xung đột lợi ích" in page and "phiếu bằng văn bản" in page
    voted = head.post(f"{base(w)}{meeting.pk}/ballots/{first.pk}/", votes_form(w.voters[:6], VoteChoice.FOR))
    assert voted.status_code == 302
    head.post(f"{base(w)}{meeting.pk}/ballots/{second.pk}/", votes_form(w.voters, VoteChoice.FOR))
    with scopes_disabled():
        decisions = dict(Ballot.objects.values_list("registration_id", "decision"))
    assert decisions == {first.pk: Decision.PROPOSE, second.pk: Decision.NOT_RECOGNISE}

    minutes = head.get(f"{base(w)}{meeting.pk}/").content.decode()
    assert "Công nhận và đề nghị cấp trên" in minutes and "Không công nhận" in minutes
    assert "Phiếu biểu quyết bằng văn bản" in minutes and w.extra[0].user.display_name in minutes
    assert "Có mặt 6/7" in minutes and "cần ít nhất 5" in minutes
    assert "trên 1/2" in minutes and "từ 4/5" in minutes
    ended = head.post(f"{base(w)}{meeting.pk}/end/", {"version": str(fresh(meeting).version), "idempotency_key": key()})
    assert ended.status_code == 302 and fresh(meeting).status == MeetingStatus.ENDED
    # The minutes are final: no more forms.
    assert "attendance-form" not in head.get(f"{base(w)}{meeting.pk}/").content.decode()


def test_the_secretary_records_and_other_members_read(w, tree):
    secretary = client_for(w.secretary.user)
    assert secretary.post(f"{base(w)}new/", details()).status_code == 302
    with scopes_disabled():
        meeting = Meeting.objects.get()
    member = client_for(w.member.user)
    # Staff of the board's level who are not on the board read the minutes, and record nothing.
    staff = client_for(persona("can-bo-xa-khac", tree.commune, Role.STAFF))
    assert member.get(f"{base(w)}{meeting.pk}/").status_code == 200
    before = table_counts()
    assert member.post(f"{base(w)}new/", details()).status_code == 403
    assert member.post(f"{base(w)}{meeting.pk}/attendance/", roll_form(w, meeting)).status_code == 403
    assert staff.get(f"{base(w)}{meeting.pk}/").status_code == 200
    assert staff.post(f"{base(w)}{meeting.pk}/open/", {"version": "1", "idempotency_key": key()}).status_code == 403
    assert table_counts() == before


def test_bad_input_gets_a_vietnamese_answer_and_changes_nothing(w):
    head = client_for(w.head.user)
    before = table_counts()
    bad = head.post(f"{base(w)}new/", details(held_on="31/02/2026", place=""))
    text = bad.content.decode()
    assert bad.status_code == 400 and "Ngày không hợp lệ" in text and "Hãy nhập địa điểm họp" in text
    assert table_counts() == before
    meeting = opened(w, roll(w, extra0=Attendance.WRITTEN, extra1=Attendance.WRITTEN, extra2=Attendance.ABSENT))
    before = table_counts()
    # Below quorum (4 of 7 present in person): no ballot.
    below = head.post(f"{base(w)}{meeting.pk}/ballots/{w.registrations[1].pk}/", votes_form(w.voters, "for"))
    assert below.status_code == 400 and "không đủ số thành viên có mặt" in below.content.decode()
    # A vote left empty.
    partial = votes_form(w.voters, "for")
    del partial[f"vote-{w.member.pk}"]
    missing = head.post(f"{base(w)}{meeting.pk}/ballots/{w.registrations[1].pk}/", partial)
    assert missing.status_code == 400 and "Hãy ghi biểu quyết của thành viên này" in missing.content.decode()
    assert table_counts() == before


def test_the_roll_must_name_every_member(w):
    head = client_for(w.head.user)
    assert head.post(f"{base(w)}new/", details()).status_code == 302
    with scopes_disabled():
        meeting = Meeting.objects.get()
    form = roll_form(w, meeting)
    del form[f"member-{w.member.pk}"]
    form[f"member-{w.head.pk}"] = "maybe"
    refused = head.post(f"{base(w)}{meeting.pk}/attendance/", form)
    assert refused.status_code == 400 and "Hãy chọn có mặt hay vắng mặt" in refused.content.decode()
    with scopes_disabled():
        assert not MeetingAttendance.objects.exists()


def test_a_registration_not_on_the_meeting_list_is_not_found(w, tree):
    meeting = opened(w)
    other = accepted(w.plan, tree.unit, "Mô hình đăng ký sau khi khai mạc")
    head = client_for(w.head.user)
    assert head.get(f"{base(w)}{meeting.pk}/ballots/{other.pk}/").status_code == 404
    assert head.get(f"{base(w)}{meeting.pk + 1000}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_ten_presses_of_create_make_one_meeting(w):
    form = details()
    clients = [client_for(w.head.user) for _ in range(10)]
    responses = in_parallel(10, lambda i: clients[i].post(f"{base(w)}new/", form))
    assert [r.status_code for r in responses] == [302] * 10
    with scopes_disabled():
        assert Meeting.objects.count() == 1


MINUTES_QUERIES = 12  # the same at both sizes


@pytest.mark.parametrize("more", [0, 8])
def test_the_minutes_page_runs_the_same_queries_with_more_registrations(
    tree, commune_staff, more, django_assert_num_queries
):
    w = meeting_world(tree, commune_staff, more=more)
    meeting = opened(w, roll(w, extra0=Attendance.WRITTEN))
    for i, r in enumerate(w.registrations):
        voters = w.voters[:6] if i == 0 else w.voters
        in_scope(
            w,
            meetings.ballot_record,
            meeting=meeting,
            registration_id=r.pk,
            votes={m.pk: VoteChoice.FOR for m in voters},
            expected_version=0,
            user=w.head.user,
        )
    head = client_for(w.head.user)
    url = f"{base(w)}{meeting.pk}/"
    head.get(url)  # the session's first page reads the user's seats once
    with django_assert_num_queries(MINUTES_QUERIES):
        page = head.get(url)
    assert page.content.decode().count('id="meeting-row-') == 2 + more


def rules_form(board_version, **values):
    data = {"quorum_share": "3/4", "recognise_share": "1/2", "propose_share": "9/10", "proposal_threshold": "85"}
    data.update(values)
    return {**{f"rules-{k}": v for k, v in data.items()}, "rules-version": str(board_version), "idempotency_key": key()}


def test_staff_set_the_decision_rules_and_the_next_meeting_opens_with_them(w):
    from appraisal.models import Board

    staff = client_for(w.head.user)  # the head is also staff of the commune (the board's level)
    url = f"/o/COMM/appraisal/boards/{w.board.pk}/results/rules/"
    before = table_counts()
    bad = staff.post(url, rules_form(w.board.version, quorum_share="4/3", propose_share="80%"))
    assert bad.status_code == 400 and bad.content.decode().count("Hãy ghi một phân số dạng a/b") == 2
    assert table_counts() == before
    assert staff.post(url, rules_form(w.board.version, recognise_share="6/12")).status_code == 302
    board = Board.objects.all_tenants().get(pk=w.board.pk)
    assert (board.quorum_share, board.recognise_share, board.propose_share, board.proposal_threshold) == (
        "3/4",
        "1/2",
        "9/10",
        85,
    )
    meeting = opened(w)
    assert meeting.rules["quorum"] == 6 and meeting.rules["proposal_threshold"] == "85"
    # While it is open the rules it opened with hold: no change.
    refused = staff.post(url, rules_form(board.version), follow=True)
    assert "Đoàn đang họp bình xét" in refused.content.decode()
    assert Board.objects.all_tenants().get(pk=w.board.pk).version == board.version


def test_the_unit_sees_its_decision_on_the_registration_page_once_the_meeting_ended(w, tree, secretary):
    from tests.conftest import add_child

    meeting = opened(w, roll(w, extra0=Attendance.WRITTEN))
    first = w.registrations[0]
    in_scope(
        w,
        meetings.ballot_record,
        meeting=meeting,
        registration_id=first.pk,
        votes={m.pk: VoteChoice.FOR for m in w.voters[:6]},
        expected_version=0,
        user=w.head.user,
    )
    unit = client_for(secretary)
    page_url = f"/o/UNIT/registrations/{first.pk}/"
    assert 'id="decision-panel"' not in unit.get(page_url).content.decode()  # still open: not final
    in_scope(w, meetings.meeting_end, meeting=meeting, expected_version=fresh(meeting).version, user=w.head.user)
    page = unit.get(page_url).content.decode()
    assert 'id="decision-panel"' in page and "Công nhận và đề nghị cấp trên" in page
    assert "6 tán thành, 0 không tán thành, 0 không biểu quyết / 6" in page and "01/12/2026" in page
    assert w.extra[0].user.display_name not in page  # who voted how stays with the board
    # A sibling unit of the same commune sees none of it.
    sibling = add_child(tree.commune, "UNI2", "Chi bộ Xóm 2")
    other = client_for(persona("bi-thu-xom-2", sibling, Role.SECRETARY))
    assert other.get(f"/o/UNI2/registrations/{first.pk}/").status_code == 404
    with scopes_disabled():
        from models_registry.models import Registration

        assert Registration.objects.filter(pk=first.pk, organization=tree.unit).exists()


def _proposed(w, tree):
    meeting = opened(w)
    in_scope(
        w,
        meetings.ballot_record,
        meeting=meeting,
        registration_id=w.registrations[0].pk,
        votes={m.pk: VoteChoice.FOR for m in w.voters[:6]},
        expected_version=0,
        user=w.head.user,
    )
    in_scope(w, meetings.meeting_end, meeting=meeting, expected_version=fresh(meeting).version, user=w.head.user)
    return meeting


def test_the_level_above_lists_the_proposals_it_received(w, tree, province_staff, commune_staff):
    _proposed(w, tree)
    province = client_for(province_staff)
    home = province.get("/o/PROV/").content.decode()
    assert 'id="nav-proposals"' in home
    page = province.get("/o/PROV/appraisal/proposals/").content.decode()
    assert w.registrations[0].name in page and "Diễn Châu" in page and "6/6 tán thành" in page
    assert "Đã gửi lên cấp trên" in page
    assert w.registrations[0].name not in province.get("/o/PROV/appraisal/proposals/?status=accepted").content.decode()
    # The commune proposed it; its own queue (from its units' levels) is empty.
    commune = client_for(commune_staff).get("/o/COMM/appraisal/proposals/").content.decode()
    assert w.registrations[0].name not in commune and "Chưa có đề nghị nào" in commune


def test_only_staff_open_the_queue(w, tree, secretary, province_staff):
    assert client_for(secretary).get("/o/UNIT/appraisal/proposals/").status_code == 403
    assert client_for(province_staff).get("/o/SIBL/appraisal/proposals/").status_code == 200  # staff above


@pytest.mark.parametrize("more", [0, 5])
def test_the_queue_runs_the_same_queries_with_more_proposals(
    tree, commune_staff, province_staff, more, django_assert_num_queries
):
    w = meeting_world(tree, commune_staff, more=more)
    meeting = opened(w)
    for i, r in enumerate(w.registrations):
        in_scope(
            w,
            meetings.ballot_record,
            meeting=meeting,
            registration_id=r.pk,
            votes={m.pk: VoteChoice.FOR for m in (w.voters[:6] if i == 0 else w.voters)},
            expected_version=0,
            user=w.head.user,
        )
    in_scope(w, meetings.meeting_end, meeting=meeting, expected_version=fresh(meeting).version, user=w.head.user)
    province = client_for(province_staff)
    province.get("/o/PROV/appraisal/proposals/")
    with django_assert_num_queries(QUEUE_QUERIES):
        page = province.get("/o/PROV/appraisal/proposals/").content.decode()
    assert page.count('<tr id="proposal-') == 1 + more  # 75 with every vote for: proposed too


QUEUE_QUERIES = 8  # the same at both sizes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("step", ["edit", "attendance", "open", "end", "rules", "ballot"])
def test_each_recording_step_pressed_ten_times_at_once_is_applied_once(w, step):
    """A double tap, a retry, a second tab: ten presses with one key all land on the one
    change; the meeting's (or the board's) version moves once."""
    from appraisal.models import Board

    meeting = in_scope(
        w,
        meetings.meeting_create,
        board=Board.objects.all_tenants().get(pk=w.board.pk),
        held_on=datetime.date(2026, 12, 1),
        place="Hội trường",
        user=w.head.user,
    )
    if step in ("open", "end", "ballot"):
        meeting = in_scope(
            w, meetings.attendance_set, meeting=meeting, attendance=roll(w), expected_version=1, user=w.head.user
        )
    if step in ("end", "ballot"):
        meeting = in_scope(
            w, meetings.meeting_open, meeting=meeting, expected_version=meeting.version, user=w.head.user
        )
    version = fresh(meeting).version
    board_version = Board.objects.all_tenants().get(pk=w.board.pk).version
    if step == "edit":
        address, form = f"{base(w)}{meeting.pk}/edit/", details(version=str(version), place="Nhà văn hóa xã")
    elif step == "attendance":
        address, form = f"{base(w)}{meeting.pk}/attendance/", roll_form(w, fresh(meeting))
    elif step == "rules":
        address, form = f"/o/COMM/appraisal/boards/{w.board.pk}/results/rules/", rules_form(board_version)
    elif step == "ballot":
        address, form = f"{base(w)}{meeting.pk}/ballots/{w.registrations[1].pk}/", votes_form(w.voters, "for")
    else:
        address, form = f"{base(w)}{meeting.pk}/{step}/", {"version": str(version), "idempotency_key": key()}
    clients = [client_for(w.head.user) for _ in range(10)]
    responses = in_parallel(10, lambda i: clients[i].post(address, form))
    assert [r.status_code for r in responses] == [302] * 10
    if step == "rules":
        assert Board.objects.all_tenants().get(pk=w.board.pk).version == board_version + 1
        return
    if step == "ballot":
        with scopes_disabled():
            assert list(Ballot.objects.values_list("version", flat=True)) == [1]
        return
    assert fresh(meeting).version == version + 1
    if step == "edit":
        return
    with scopes_disabled():
        assert MeetingAttendance.objects.filter(meeting=meeting).count() == 8
