"""The review meeting (appraisal.meetings): the roll, quorum, ballots and the decision rules.

The world (tests/appraisal/meeting_builders.py): seven voting members and a non-voting
secretary; registration 0 scored 80 (threshold 70), registration 1 scored 60; the seventh
voting member declared a conflict on registration 0, so its ballot has six voters."""

import datetime
import threading
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_scopes import scope, scopes_disabled

from appraisal import meetings
from appraisal.enums import Attendance, Decision, MeetingStatus, VoteChoice
from appraisal.meetings import Rules, at_least, parse_share
from appraisal.models import Ballot, Board, MeetingAttendance, Vote
from campaigns.enums import CampaignStatus
from campaigns.models import Campaign
from tests.appraisal.meeting_builders import fresh, in_scope, meeting_world, opened, planned, roll
from tests.conftest import table_counts

pytestmark = pytest.mark.django_db

FOR, AGAINST, ABSTAIN = VoteChoice.FOR, VoteChoice.AGAINST, VoteChoice.ABSTAIN


@pytest.fixture
def w(tree, commune_staff):
    return meeting_world(tree, commune_staff)


def vote(w, meeting, r, votes, expected_version=0):
    return in_scope(
        w,
        meetings.ballot_record,
        meeting=meeting,
        registration_id=w.registrations[r].pk,
        votes=votes,
        expected_version=expected_version,
        user=w.head.user,
    )


def everyone(w, r, choices):
    """The ballot's voters (less the conflicted on registration 0) with `choices` in order."""
    voters = w.voters if r else w.voters[:6]
    return {m.pk: c for m, c in zip(voters, choices, strict=True)}


# --- the rules ------------------------------------------------------------------------------


def test_shares_are_exact_fractions_and_rounded_up():
    assert parse_share("2/3") == Fraction(2, 3) and parse_share(" 4 / 5 ") == Fraction(4, 5)
    for bad in ("", "0/3", "4/3", "2:3", "a/b", "1/0", "2/3/4"):
        with pytest.raises(ValueError):
            parse_share(bad)
    assert [at_least(Fraction(2, 3), n) for n in (3, 6, 7, 9)] == [2, 4, 5, 6]
    assert at_least(Fraction(4, 5), 7) == 6 and at_least(Fraction(4, 5), 5) == 4


def test_the_decision_table_compares_the_unrounded_result():
    rules = Rules(Fraction(2, 3), Fraction(1, 2), Fraction(4, 5), Decimal(70), Decimal(70))
    assert rules.decide(Decimal("80"), 7, 6) == Decision.PROPOSE  # 6 of 7 is 80% rounded up
    assert rules.decide(Decimal("80"), 7, 5) == Decision.RECOGNISE
    assert rules.decide(Decimal("80"), 6, 3) == Decision.NOT_RECOGNISE  # not more than half
    assert rules.decide(Decimal("80"), 6, 4) == Decision.RECOGNISE
    assert rules.decide(Decimal("69.996"), 7, 7) == Decision.NOT_RECOGNISE  # reads "70,0"
    assert rules.decide(None, 7, 7) == Decision.NOT_RECOGNISE
    assert rules.decide(Decimal("80"), 0, 0) == Decision.NOT_RECOGNISE
    higher = Rules(Fraction(2, 3), Fraction(1, 2), Fraction(4, 5), Decimal(70), Decimal(85))
    assert higher.decide(Decimal("80"), 7, 7) == Decision.RECOGNISE


# --- the meeting ------------------------------------------------------------------------------


def test_a_meeting_opens_with_its_results_and_rules_frozen(w):
    meeting = opened(w, roll(w, extra0=Attendance.WRITTEN))
    assert meeting.status == MeetingStatus.OPEN and meeting.opened_at
    assert [(r["registration"], r["result"], r["rank"], r["reached"]) for r in meeting.results] == [
        (w.registrations[0].pk, "80.00", 1, True),
        (w.registrations[1].pk, "60.00", 2, False),
    ]
    assert meeting.rules == {
        "quorum_share": "2/3",
        "recognise_share": "1/2",
        "propose_share": "4/5",
        "threshold": "70",
        "proposal_threshold": "70",
        "voting_members": 7,
        "quorum": 5,
    }


def test_ballots_draw_their_decisions_and_written_votes_are_marked(w):
    meeting = opened(w, roll(w, extra0=Attendance.WRITTEN))
    proposed = vote(w, meeting, 0, everyone(w, 0, [FOR, FOR, FOR, FOR, FOR, AGAINST]))
    assert (proposed.voters, proposed.votes_for, proposed.votes_against) == (6, 5, 1)
    assert proposed.decision == Decision.PROPOSE  # 5 of 6 ≥ 4/5 of 6 rounded up (5)
    assert proposed.organization_id == w.registrations[0].organization_id  # the unit's
    with scopes_disabled():
        written = Vote.objects.get(ballot=proposed, member=w.extra[0])
    assert written.written and written.choice == FOR
    not_reached = vote(w, meeting, 1, everyone(w, 1, [FOR] * 7))
    assert not_reached.decision == Decision.NOT_RECOGNISE  # 60 < 70, however many vote for
    # Corrected while the meeting is open: the same ballot, its version moved on.
    corrected = vote(w, meeting, 0, everyone(w, 0, [FOR, FOR, FOR, FOR, AGAINST, AGAINST]), expected_version=1)
    assert (corrected.pk, corrected.version, corrected.decision) == (proposed.pk, 2, Decision.RECOGNISE)
    with scopes_disabled():
        assert Vote.objects.filter(ballot=corrected).count() == 6


def test_an_absent_member_without_a_written_vote_counts_among_the_voters_but_casts_nothing(w):
    meeting = opened(w, roll(w, extra0=Attendance.ABSENT))
    votes = everyone(w, 1, [FOR] * 7)
    del votes[w.extra[0].pk]
    ballot = vote(w, meeting, 1, votes)
    assert (ballot.voters, ballot.votes_for) == (7, 6)


def refused(fn, *needles):
    before = table_counts()
    with pytest.raises(ValidationError) as caught:
        fn()
    text = " ".join(caught.value.messages)
    for needle in needles:
        assert needle in text, text
    assert table_counts() == before
    return text


def test_bad_ballots_are_refused_and_change_nothing(w, tree):
    meeting = opened(w, roll(w, extra1=Attendance.ABSENT))
    six = everyone(w, 0, [FOR] * 6)
    del six[w.extra[1].pk]
    # A vote by the conflicted member.
    refused(lambda: vote(w, meeting, 0, {**six, w.extra[3].pk: FOR}), "xung đột lợi ích")
    # More votes than the ballot's voting members: the absent member's, the secretary's.
    refused(lambda: vote(w, meeting, 0, {**six, w.extra[1].pk: FOR}), "vắng mặt, không có phiếu bằng văn bản")
    refused(lambda: vote(w, meeting, 0, {**six, w.secretary.pk: FOR}), "không có quyền biểu quyết")
    # Someone not on the board; a vote left out; a value that is no vote.
    refused(lambda: vote(w, meeting, 0, {**six, 999999: FOR}), "không thuộc đoàn")
    missing = dict(six)
    del missing[w.member.pk]
    refused(lambda: vote(w, meeting, 0, missing), "Chưa ghi biểu quyết")
    refused(lambda: vote(w, meeting, 0, {**six, w.member.pk: "maybe"}), "không hợp lệ")
    # A registration not on the meeting's list; a stale version.
    refused(
        lambda: in_scope(
            w,
            meetings.ballot_record,
            meeting=meeting,
            registration_id=999999,
            votes=six,
            expected_version=0,
            user=w.head.user,
        ),
        "không có trong danh sách",
    )
    refused(lambda: vote(w, meeting, 0, six, expected_version=3), "vừa được người khác ghi")
    with scopes_disabled():
        assert not Ballot.objects.exists()


def test_a_meeting_below_quorum_records_no_ballot(w):
    # Five of seven present in person is the quorum; two absent with written votes leave four.
    meeting = opened(w, roll(w, extra0=Attendance.WRITTEN, extra1=Attendance.WRITTEN, extra2=Attendance.ABSENT))
    refused(lambda: vote(w, meeting, 1, everyone(w, 1, [FOR] * 7)), "không đủ số thành viên có mặt", "4/7", "5")


def test_a_meeting_needs_scoring_closed_and_the_whole_roll_before_it_opens(w):
    with scopes_disabled():
        Board.objects.filter(pk=w.board.pk).update(scoring_closed_at=None)
    meeting = planned(w)
    meeting = in_scope(
        w, meetings.attendance_set, meeting=meeting, attendance=roll(w), expected_version=1, user=w.head.user
    )
    refused(lambda: in_scope(w, meetings.meeting_open, meeting=meeting, expected_version=2, user=w.head.user), "khóa")
    partial = roll(w)
    del partial[w.member.pk]
    refused(
        lambda: in_scope(
            w, meetings.attendance_set, meeting=meeting, attendance=partial, expected_version=2, user=w.head.user
        ),
        "còn thiếu",
    )
    assert fresh(meeting).status == MeetingStatus.PLANNED


def test_an_archived_campaign_is_read_only(w):
    meeting = opened(w)
    with scopes_disabled():
        Campaign.objects.filter(pk=w.plan.pk).update(status=CampaignStatus.ARCHIVED)
    refused(lambda: vote(w, meeting, 1, everyone(w, 1, [FOR] * 7)), "lưu trữ")
    refused(lambda: planned(w), "lưu trữ")


def test_an_ended_meeting_takes_no_more_ballots_nor_roll(w):
    meeting = opened(w)
    vote(w, meeting, 1, everyone(w, 1, [AGAINST] * 7))
    ended = in_scope(
        w, meetings.meeting_end, meeting=meeting, expected_version=fresh(meeting).version, user=w.head.user
    )
    assert ended.status == MeetingStatus.ENDED
    refused(lambda: vote(w, ended, 0, everyone(w, 0, [FOR] * 6)), "đang diễn ra")
    refused(
        lambda: in_scope(
            w, meetings.attendance_set, meeting=ended, attendance=roll(w), expected_version=ended.version, user=None
        ),
        "kết thúc",
    )


def test_a_registration_voted_at_one_meeting_is_not_voted_again_at_another(w):
    first = opened(w)
    vote(w, first, 1, everyone(w, 1, [AGAINST] * 7))
    second = opened(w)
    refused(lambda: vote(w, second, 1, everyone(w, 1, [FOR] * 7)), "cuộc họp khác")


def test_the_roll_is_fixed_once_a_ballot_is_recorded(w):
    meeting = opened(w)
    vote(w, meeting, 1, everyone(w, 1, [FOR] * 7))
    refused(
        lambda: in_scope(
            w,
            meetings.attendance_set,
            meeting=meeting,
            attendance=roll(w, member=Attendance.ABSENT),
            expected_version=fresh(meeting).version,
            user=w.head.user,
        ),
        "Đã có phiếu biểu quyết",
    )
    with scopes_disabled():
        assert MeetingAttendance.objects.filter(meeting=meeting, attendance=Attendance.PRESENT).count() == 8


def test_chair_and_secretary_are_members_of_the_board(w, tree, commune_staff):
    from tests.appraisal.scoring_builders import scoring_world

    other = scoring_world(tree, commune_staff, number="02-KH/ĐU")
    refused(
        lambda: in_scope(
            w,
            meetings.meeting_create,
            board=Board.objects.all_tenants().get(pk=w.board.pk),
            held_on=datetime.date(2026, 12, 1),
            place="Hội trường",
            chair=other.head,
            user=w.head.user,
        ),
        "thành viên của đoàn",
    )
    refused(
        lambda: in_scope(
            w,
            meetings.meeting_create,
            board=Board.objects.all_tenants().get(pk=w.board.pk),
            held_on=None,
            place=" ",
            user=w.head.user,
        ),
        "ngày họp",
    )


@pytest.mark.django_db(transaction=True)
def test_two_ballots_recorded_at_once_on_one_registration_make_one(w):
    """Two secretaries' tablets (or a double tap) record the first ballot at the same moment:
    the meeting's row lock orders them, the second finds the ballot made and is refused."""
    meeting = opened(w)
    outcomes = []
    barrier = threading.Barrier(2)

    def record(choice):
        try:
            barrier.wait()
            vote(w, meeting, 1, everyone(w, 1, [choice] * 7))
            outcomes.append("recorded")
        except ValidationError as refusal:
            outcomes.append(" ".join(refusal.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(c,)) for c in (FOR, AGAINST)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[-1] == "recorded" and "vừa được người khác ghi" in sorted(outcomes)[0], outcomes
    with scopes_disabled():
        assert Ballot.objects.count() == 1
        assert Vote.objects.count() == 7


def test_a_member_named_in_the_minutes_is_not_removed_from_the_board(w):
    from appraisal.board_services import member_remove

    opened(w)
    with scope(org=w.board.organization):
        refused(lambda: member_remove(w.extra[0], by=w.head.user), "biên bản họp bình xét")


def test_ending_the_meeting_recognises_proposes_and_tells_the_units(w, tree, province_staff, secretary):
    from appraisal.models import Proposal, Recognition
    from dvk.models import Notification

    meeting = opened(w)
    vote(w, meeting, 0, everyone(w, 0, [FOR] * 6))  # proposed (and so recognised)
    vote(w, meeting, 1, everyone(w, 1, [FOR] * 7))  # 60 < 70: not recognised
    in_scope(w, meetings.meeting_end, meeting=meeting, expected_version=fresh(meeting).version, user=w.head.user)
    with scopes_disabled():
        (recognition,) = Recognition.objects.all()
        (proposal,) = Proposal.objects.all()
        notes = list(Notification.objects.filter(user=secretary).order_by("pk"))
    assert (recognition.registration_id, recognition.organization_id) == (w.registrations[0].pk, tree.commune.pk)
    assert recognition.issued_at is not None
    assert (proposal.to_id, proposal.proposed_by_id, proposal.organization_id) == (
        tree.province.pk,
        tree.commune.pk,
        tree.unit.pk,
    )
    assert proposal.status == "sent"
    assert [n.title for n in notes] == [
        f"Kết quả bình xét: {w.registrations[0].name} – Công nhận và đề nghị cấp trên",
        f"Kết quả bình xét: {w.registrations[1].name} – Không công nhận",
    ]
    assert notes[0].url == f"/o/UNIT/registrations/{w.registrations[0].pk}/"
    # Ending again is refused: nothing is made twice.
    refused(
        lambda: in_scope(
            w, meetings.meeting_end, meeting=meeting, expected_version=fresh(meeting).version, user=w.head.user
        ),
        "đang diễn ra",
    )
