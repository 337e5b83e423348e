"""A scoring world for the part 2 tests, made with the ORM and the part 1 builders: the
commune's board on its published plan with a stored rubric (the default five criteria), three
voting members (the staffer heads it), and two accepted registrations assigned to all of them
with their django-guardian grants."""

import datetime
from decimal import Decimal

from django_scopes import scope, scopes_disabled
from guardian.shortcuts import assign_perm

from appraisal import scoring_services as scoring
from appraisal.models import Assignment, Criterion, Scorecard
from appraisal.scoring_services import LineInput, rubric_criteria
from dvk.enums import Role
from tests.appraisal.assignment_builders import accepted, board_for, seat
from tests.campaigns.builders import campaign
from tests.conftest import persona


def scoring_world(tree, commune_staff, *, number="01-KH/ĐU"):
    plan = campaign(tree.commune, number, target_levels=["unit"], registration_due=datetime.date(2026, 3, 5))
    board = board_for(plan, created_by=commune_staff)
    second = persona(f"can-bo-xa-2-{number[:2]}", tree.commune, Role.STAFF)
    third = persona(f"uy-vien-{number[:2]}", tree.mttq, Role.SECRETARY)  # through a seat
    head = seat(board, commune_staff, "head")
    member = seat(board, second, "member")
    deputy = seat(board, third, "deputy")
    registrations = [accepted(plan, tree.unit, "Tủ sách Xóm Một"), accepted(plan, tree.unit, "Đường hoa Xóm Một")]
    with scopes_disabled():
        assignments = {}
        for m in (head, member, deputy):
            for r in registrations:
                a = Assignment.objects.create(board=board, member=m, registration=r)
                assign_perm("appraisal.appraise_assignment", m.user, a)
                assignments[(m.pk, r.pk)] = a
    with scope(org=tree.commune):
        criteria = rubric_criteria(plan)
    return type(
        "ScoringWorld",
        (),
        {
            "plan": plan,
            "board": board,
            "head": head,
            "member": member,
            "deputy": deputy,
            "registrations": registrations,
            "assignments": assignments,
            "criteria": criteria,
            "assignment": lambda self, m, r=0: assignments[(m.pk, registrations[r].pk)],
        },
    )()


def full_lines(criteria, fraction=0.8):
    """Every criterion scored at `fraction` of its maximum."""
    return [LineInput(c.pk, round(c.max_points * fraction, 2)) for c in criteria]


def criteria_count():
    with scopes_disabled():
        return Criterion.objects.count()


def lines_for(criteria, total):
    """Lines whose points add up to `total`, filling the criteria in order."""
    left, lines = Decimal(str(total)), []
    for c in criteria:
        points = min(left, Decimal(c.max_points))
        lines.append(LineInput(c.pk, str(points)))
        left -= points
    assert left == 0
    return lines


def card(w, member, total, r=0, *, submit=True, comment=""):
    assignment = w.assignment(member, r)
    with scope(org=w.board.organization):
        current = Scorecard.objects.filter(assignment=assignment).first()
        return scoring.scorecard_save(
            assignment=assignment,
            lines=lines_for(w.criteria, total),
            comment=comment,
            expected_version=current.version if current else 0,
            user=member.user,
            submit=submit,
        )
