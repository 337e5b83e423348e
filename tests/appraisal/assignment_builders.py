"""Boards and members for the assignment and conflict tests, made with the ORM (the board and
member services are built elsewhere; these tests must not depend on them)."""

from django_scopes import scope, scopes_disabled

from appraisal.models import Assignment, Board, BoardMember, Conflict
from campaigns.enums import RegistrationStatus as S
from tests.registry.builders import complete_registration


def board_for(plan, **extra):
    with scopes_disabled():
        return Board.objects.create(organization=plan.organization, campaign=plan, **extra)


def seat(board, user, role="member", voting=None, order=None):
    with scopes_disabled():
        n = BoardMember.objects.filter(board=board).count()
        return BoardMember.objects.create(
            board=board,
            user=user,
            role=role,
            voting=BoardMember.votes_by_default(role) if voting is None else voting,
            position_order=n if order is None else order,
        )


def accepted(plan, org, name, status=S.ACCEPTED, **extra):
    return complete_registration(plan, org, name=name, status=status, **extra)


def assignments_count():
    with scopes_disabled():
        return Assignment.objects.count()


def conflicts_count():
    with scopes_disabled():
        return Conflict.objects.count()


def grants_count():
    from appraisal.models import AssignmentUserObjectPermission

    return AssignmentUserObjectPermission.objects.count()


def in_scope(org):
    """The scope a request acting for `org` runs in."""
    return scope(org=org)
