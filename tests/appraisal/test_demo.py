"""The appraisal demo (appraisal/demo.py): Diễn Châu's 2026 and 2027 boards, their members
(the Front's chairman through a seat), dossiers, assignments, visits and conflicts, the 2026
scorecards (one disagreement, scoring closed) and its ended review meeting, and a draft of
today's visit on 2027."""

import datetime
from collections import Counter, defaultdict

import pytest
from django.utils import timezone
from guardian.core import ObjectPermissionChecker

from appraisal import demo
from appraisal.conflicts import conflicts_for
from appraisal.enums import Attendance, Decision, MeetingStatus
from appraisal.meetings import Rules, present_voting
from appraisal.models import (
    Assignment,
    AssignmentChange,
    Ballot,
    Board,
    BoardMember,
    Conflict,
    Meeting,
    MeetingAttendance,
    RecognitionDossier,
    Scorecard,
    ScoreLine,
    Visit,
    Vote,
)
from dvk.demo import DemoContext
from dvk.models import User
from tests.conftest import client_for, table_counts
from tests.registry.test_registration_demo import demo_built, seeded  # noqa: F401  (fixtures)

COMMUNE = "NA-DIENCHAU"


def board_of(year):
    return Board.objects.select_related("campaign", "organization").get(
        organization__code=COMMUNE, campaign__period_end__year=year
    )


@pytest.mark.usefixtures("seeded")
class TestTheAppraisalDemo:
    """Read-only checks of one build (tests/registry's class-scoped demo fixture)."""

    def test_each_plan_has_its_board_with_seed_004s_members(self):
        for year in (2026, 2027):
            members = {
                m.user.username: (m.role, m.voting)
                for m in BoardMember.objects.filter(board=board_of(year)).select_related("user")
            }
            assert members == {
                "demo-thamdinh": ("head", True),
                "demo-uyvien": ("deputy", True),
                "demo-xa": ("member", True),
                "demo-thuky": ("secretary", False),
            }

    def test_a_dozen_2026_dossiers_submitted_with_results_prefilled(self):
        dossiers = RecognitionDossier.objects.filter(registration__campaign=board_of(2026).campaign)
        assert dossiers.count() == 12
        assert set(dossiers.values_list("status", flat=True)) == {"submitted"}
        assert all(d.report_results.strip() and d.opinions.exists() for d in dossiers)
        # The 2027 models being surveyed have theirs, sent before the visits.
        live = RecognitionDossier.objects.filter(registration__campaign=board_of(2027).campaign)
        assert live.count() == 4 and all(d.submitted_at.date() < datetime.date.today() for d in live)

    def test_every_voting_member_is_assigned_with_a_grant(self):
        board = board_of(2026)
        assignments = list(Assignment.objects.filter(board=board).select_related("member__user"))
        assert len(assignments) == 12 * 3
        assert {a.member.user.username for a in assignments} == {"demo-thamdinh", "demo-uyvien", "demo-xa"}
        for a in assignments[:6]:
            assert ObjectPermissionChecker(a.member.user).has_perm("appraise_assignment", a)

    def test_one_declared_conflict_and_the_fronts_own_model_conflicted_by_role(self):
        board = board_of(2026)
        declared = Conflict.objects.filter(board=board).select_related("member__user", "registration__organization")
        assert [(c.member.user.username, c.registration.organization.code, c.kind) for c in declared] == [
            ("demo-xa", "NA-DIENCHAU-CB-XOM02", "declared")
        ]
        front = Assignment.objects.select_related("member", "registration__organization").get(
            board=board, member__user__username="demo-uyvien", registration__organization__code="NA-DIENCHAU-MTTQ"
        )
        reasons = conflicts_for(board, [(front.member, front.registration)])[(front.member_id, front.registration_id)]
        assert [r.kind for r in reasons] == ["role"]

    def test_visits_in_the_survey_windows_two_of_them_today(self):
        today = timezone.localdate()
        past = Visit.objects.filter(board=board_of(2026))
        assert past.count() == 12
        assert all(datetime.date(2026, 9, 15) <= v.visit_on <= datetime.date(2026, 10, 10) for v in past)
        live = list(Visit.objects.filter(board=board_of(2027)).order_by("visit_on"))
        assert [v.visit_on for v in live].count(today) == 2
        assert all(v.visit_on >= today for v in live)

    def test_the_fronts_chairman_reaches_the_board_through_his_seat_and_nothing_else(self):
        board = board_of(2026)
        client = client_for(User.objects.get(username="demo-uyvien"))
        assert client.get(f"/o/{COMMUNE}/appraisal/boards/{board.pk}/").status_code == 200
        assert client.get(f"/o/{COMMUNE}/appraisal/boards/{board.pk}/mine/").status_code == 200
        assert client.get(f"/o/{COMMUNE}/appraisal/boards/{board.pk}/schedule/").status_code == 200
        xom1 = Assignment.objects.get(
            board=board,
            member__user__username="demo-uyvien",
            registration__organization__code="NA-DIENCHAU-CB-XOM01",
        )
        dossier = f"/o/{COMMUNE}/appraisal/boards/{board.pk}/dossiers/{xom1.registration_id}/"
        assert client.get(dossier).status_code == 200
        for url in (
            f"/o/{COMMUNE}/",
            f"/o/{COMMUNE}/registrations/",
            f"/o/{COMMUNE}/campaigns/{board.campaign_id}/compliance/",
        ):
            assert client.get(url).status_code == 404, url

    def test_every_voting_member_submitted_each_2026_model_they_are_not_conflicted_on(self):
        board = board_of(2026)
        assignments = list(
            Assignment.objects.filter(board=board).select_related("member", "registration__organization")
        )
        conflicted = conflicts_for(board, [(a.member, a.registration) for a in assignments])
        expected = {a.pk for a in assignments if (a.member_id, a.registration_id) not in conflicted}
        cards = Scorecard.objects.filter(assignment__board=board)
        assert len(expected) == 12 * 3 - 2  # demo-xa's declaration, the Front's chairman on the Front's model
        assert set(cards.values_list("assignment_id", flat=True)) == expected
        assert set(cards.values_list("status", flat=True)) == {"submitted"}
        totals = list(cards.values_list("total", flat=True))
        assert len(set(totals)) > 10 and all(40 <= t <= 100 for t in totals)
        assert all(c.comment for c in cards)
        lines = ScoreLine.objects.filter(scorecard__assignment__board=board)
        assert lines.count() == len(expected) * 5 and not lines.filter(points__isnull=True).exists()
        assert lines.exclude(comment="").count() >= len(expected) * 2

    def test_one_2026_model_has_its_members_more_than_20_points_apart(self):
        board = board_of(2026)
        totals = defaultdict(list)
        for code, total in Scorecard.objects.filter(assignment__board=board).values_list(
            "assignment__registration__organization__code", "total"
        ):
            totals[code].append(total)
        apart = {code: max(t) - min(t) for code, t in totals.items() if max(t) - min(t) > board.disagreement_points}
        assert list(apart) == ["NA-DIENCHAU-CB-XOM03"]
        assert all(max(t) - min(t) <= 12 for code, t in totals.items() if code not in apart)

    def test_scoring_on_the_2026_board_is_closed_by_its_head(self):
        board = board_of(2026)
        assert board.scoring_closed_at is not None and board.scoring_closed_by.username == "demo-thamdinh"
        closed = AssignmentChange.objects.filter(board=board, kind="scoring_closed")
        assert list(closed.values_list("user", flat=True)) == [None]

    def test_demo_thamdinh_has_a_draft_for_a_model_visited_today_on_2027(self):
        board = board_of(2027)
        card = Scorecard.objects.select_related("assignment__member__user").get(assignment__board=board)
        assert (card.status, card.assignment.member.user.username) == ("draft", "demo-thamdinh")
        today = Visit.objects.filter(board=board, visit_on=timezone.localdate())
        assert card.assignment.registration_id in set(today.values_list("registration_id", flat=True))
        assert card.lines.exclude(points__isnull=True).count() == 3 and card.total > 0

    def test_the_2026_board_held_one_ended_meeting_with_one_written_vote_and_quorum(self):
        board = board_of(2026)
        [meeting] = Meeting.objects.filter(board=board).select_related("chair__user", "secretary__user")
        assert meeting.status == MeetingStatus.ENDED and meeting.opened_at < meeting.ended_at
        assert (meeting.held_on, meeting.place) == (datetime.date(2026, 10, 23), "Hội trường Đảng ủy xã Diễn Châu")
        # After the survey window and the closing of scoring, inside the plan's year.
        assert board.scoring_closed_at.date() < meeting.held_on <= board.campaign.period_end
        assert (meeting.chair.user.username, meeting.secretary.user.username) == ("demo-thamdinh", "demo-thuky")
        roll = dict(
            MeetingAttendance.objects.filter(meeting=meeting).values_list("member__user__username", "attendance")
        )
        assert roll == {
            "demo-thamdinh": Attendance.PRESENT,
            "demo-uyvien": Attendance.WRITTEN,
            "demo-xa": Attendance.PRESENT,
            "demo-thuky": Attendance.PRESENT,
        }
        # Three voting members, two of them present in person: 2/3 of 3 rounded up is 2.
        assert (meeting.rules["voting_members"], meeting.rules["quorum"]) == (3, 2)
        assert present_voting(meeting) >= meeting.rules["quorum"]
        assert not Meeting.objects.filter(board=board_of(2027)).exists()

    def test_a_ballot_on_every_frozen_registration_with_all_three_decisions(self):
        board = board_of(2026)
        meeting = Meeting.objects.get(board=board)
        frozen = [row["registration"] for row in meeting.results]
        assigned = set(Assignment.objects.filter(board=board).values_list("registration_id", flat=True))
        assert len(frozen) == 12 and set(frozen) == assigned
        ballots = list(Ballot.objects.filter(meeting=meeting).select_related("registration__organization"))
        assert sorted(b.registration_id for b in ballots) == sorted(frozen)
        members = list(BoardMember.objects.filter(board=board, voting=True).select_related("user"))
        conflicted = conflicts_for(board, [(m, b.registration) for b in ballots for m in members])
        rules = Rules.frozen(meeting.rules)
        for b in ballots:
            voters = {m.pk for m in members if (m.pk, b.registration_id) not in conflicted}
            votes = list(Vote.objects.filter(ballot=b).select_related("member__user"))
            # Every voter cast a vote (nobody was absent without one), none by a conflicted member;
            # the Front's chairman's in writing.
            assert {v.member_id for v in votes} == voters and b.voters == len(voters)
            assert all(v.written == (v.member.user.username == "demo-uyvien") for v in votes)
            assert b.votes_for + b.votes_against + b.votes_abstain == len(voters)
            assert b.decision == rules.decide(b.result, b.voters, b.votes_for)
            assert b.organization_id == b.registration.organization_id
        decisions = Counter(b.decision for b in ballots)
        assert decisions == {Decision.PROPOSE: 3, Decision.RECOGNISE: 6, Decision.NOT_RECOGNISE: 3}
        proposed = {b.registration.organization.code for b in ballots if b.decision == Decision.PROPOSE}
        assert proposed == {"NA-DIENCHAU-CB-UBND", "NA-DIENCHAU-CB-CONGAN", "NA-DIENCHAU-MTTQ"}
        # The model the members scored far apart was not agreed on.
        xom3 = next(b for b in ballots if b.registration.organization.code == "NA-DIENCHAU-CB-XOM03")
        assert xom3.decision == Decision.NOT_RECOGNISE
        assert all(b.recorded_at.date() == meeting.held_on for b in ballots)

    def test_the_decisions_took_effect_on_the_meeting_day(self):
        from appraisal.models import Proposal, Recognition

        board = board_of(2026)
        recognised = Recognition.objects.all_tenants().filter(ballot__meeting__board=board)
        proposals = Proposal.objects.all_tenants().filter(ballot__meeting__board=board).select_related("to")
        assert recognised.count() == 9  # six recognised, three proposed (recognised too)
        assert {p.to.code for p in proposals} == {"NA"} and proposals.count() == 3
        assert {timezone.localdate(p.sent_at) for p in proposals} == {datetime.date(2026, 10, 23)}
        assert {timezone.localdate(r.issued_at) for r in recognised} == {datetime.date(2026, 10, 23)}

    def test_building_the_meeting_again_writes_nothing(self):
        ctx = DemoContext()
        before = table_counts()
        demo._meeting(ctx, board_of(2026))
        assert table_counts() == before
        assert (ctx.created["meetings"], ctx.existing["meetings"]) == (0, 1)
        assert (ctx.created["ballots"], ctx.existing["ballots"]) == (0, 12)
