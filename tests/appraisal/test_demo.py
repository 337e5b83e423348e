"""The appraisal demo (appraisal/demo.py): Diễn Châu's 2026 and 2027 boards, their members
(the Front's chairman through a seat), dossiers, assignments, visits and conflicts, the 2026
scorecards (one disagreement, scoring closed) and a draft of today's visit on 2027."""

import datetime
from collections import defaultdict

import pytest
from django.utils import timezone
from guardian.core import ObjectPermissionChecker

from appraisal.conflicts import conflicts_for
from appraisal.models import (
    Assignment,
    AssignmentChange,
    Board,
    BoardMember,
    Conflict,
    RecognitionDossier,
    Scorecard,
    ScoreLine,
    Visit,
)
from dvk.models import User
from tests.conftest import client_for
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
