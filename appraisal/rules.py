"""Who may do what with rubrics. Visibility is the scope's job (a rubric is seen where its
campaign is); these predicates answer what a visible rubric allows. The object is always a
Rubric (unsaved while the campaign shows the default), an object of this app, so
dvk.auth_backends.CrossAppPermissionGuard lets django-guardian answer too."""

import rules

from dvk.enums import Role
from dvk.rules import is_staff_here_or_above
from dvk.selectors import has_role_at


@rules.predicate
def sees_campaign_of(user, rubric):
    return rubric is not None and user.has_perm("campaigns.view_campaign", rubric.campaign)


@rules.predicate
def is_staff_of_campaign_level(user, rubric):
    """Staff of the level that issued the campaign: they set how its models are scored."""
    return rubric is not None and has_role_at(user, rubric.campaign.organization, Role.STAFF)


@rules.predicate
def sits_on_board_of(user, rubric):
    """A member of the campaign's board (whatever their role at its level): they score with it."""
    from .seats import board_members_of_user

    return rubric is not None and any(
        m.board.campaign_id == rubric.campaign_id for m in board_members_of_user(user).values()
    )


rules.add_perm("appraisal.view_rubric", sees_campaign_of | sits_on_board_of)
rules.add_perm("appraisal.change_rubric", is_staff_of_campaign_level)


# --------------------------------------------------------------------------------------------
# Boards. The object is a Board (or, for the member predicates, an Assignment), both of this
# app, so CrossAppPermissionGuard lets django-guardian answer `appraise_assignment` too.
# --------------------------------------------------------------------------------------------


def seat_on(user, board):
    """The user's BoardMember row on `board`, or None: read from their seats' rows, which the
    seat source loaded once per request (no query per board)."""
    from .seats import board_members_of_user

    return board_members_of_user(user).get(board.pk)


@rules.predicate
def is_staff_of_board_level(user, board):
    """Staff of the board's level (or above): they form the board, assign, schedule visits."""
    return board is not None and has_role_at(user, board.organization, Role.STAFF)


@rules.predicate
def is_board_member(user, board):
    return board is not None and seat_on(user, board) is not None


@rules.predicate
def is_board_head(user, board):
    member = None if board is None else seat_on(user, board)
    return member is not None and member.role == "head"


@rules.predicate
def has_role_at_board_level(user, board):
    """Any role at the board's level or above: that level and its ancestors see its boards."""
    return board is not None and has_role_at(user, board.organization)


@rules.predicate
def holds_assignment_grant(user, assignment):
    """The django-guardian grant made with the assignment (services.assign), asked of guardian
    alone: the rules backend holds no `appraise_assignment` rule, so this cannot recurse."""
    from guardian.core import ObjectPermissionChecker

    return assignment is not None and ObjectPermissionChecker(user).has_perm("appraise_assignment", assignment)


rules.add_perm("appraisal.view_board", has_role_at_board_level | is_board_member)
rules.add_perm("appraisal.change_board", is_staff_of_board_level)
rules.add_perm("appraisal.lead_board", is_board_head)


# --------------------------------------------------------------------------------------------
# Assignments and conflicts (assignment_services, conflicts). The object is an Assignment.
# Backends OR together, so the bare django-guardian grant (`appraise_assignment`, asked of
# guardian alone by holds_assignment_grant) is never the answer to "may score": the predicate
# checks the conflict itself.
# --------------------------------------------------------------------------------------------


@rules.predicate
def is_assignment_member(user, assignment):
    """The assignment is the user's own (its member is them)."""
    return assignment is not None and user.is_authenticated and assignment.member.user_id == user.pk


@rules.predicate
def scoring_open(user, assignment):
    """The head has not closed scoring, and the campaign is published or closed."""
    from .enums import APPRAISABLE_CAMPAIGN_STATUSES

    if assignment is None:
        return False
    board = assignment.board
    return board.scoring_closed_at is None and board.campaign.status in APPRAISABLE_CAMPAIGN_STATUSES


@rules.predicate
def is_conflicted(user, assignment):
    """The assignment's member is conflicted on its registration (appraisal.conflicts)."""
    from .conflicts import conflicts_of

    return assignment is not None and bool(conflicts_of(assignment))


@rules.predicate
def leads_board_of_assignment(user, assignment):
    return assignment is not None and is_board_head(user, assignment.board)


rules.add_perm(
    "appraisal.score_assignment", is_assignment_member & holds_assignment_grant & scoring_open & ~is_conflicted
)
rules.add_perm("appraisal.declare_conflict", is_assignment_member)
rules.add_perm("appraisal.recuse_assignment", leads_board_of_assignment)


# --------------------------------------------------------------------------------------------
# Recognition dossiers. The object is a RecognitionDossier (unsaved, with its registration,
# while the unit has none yet), an object of this app.
# --------------------------------------------------------------------------------------------


@rules.predicate
def sees_dossier_unit(user, dossier):
    """A role at the registration's unit or above it: who sees the registration sees its dossier."""
    return dossier is not None and has_role_at(user, dossier.registration.organization)


@rules.predicate
def acts_for_dossier_unit(user, dossier):
    """The unit's secretary, or staff at the unit or above it (as models_registry's
    change_registration): they write the dossier, add and remove opinions, submit it."""
    from dvk.rules import is_secretary_here

    if dossier is None:
        return False
    org = dossier.registration.organization
    return is_secretary_here(user, org) or has_role_at(user, org, Role.STAFF)


@rules.predicate
def is_staff_of_dossier_campaign_level(user, dossier):
    """Staff of the level that issued the registration's campaign (or above): they return a
    dossier for revision."""
    return dossier is not None and has_role_at(user, dossier.registration.campaign.organization, Role.STAFF)


rules.add_perm("appraisal.view_dossier", sees_dossier_unit)
rules.add_perm("appraisal.change_dossier", acts_for_dossier_unit)
rules.add_perm("appraisal.return_dossier", is_staff_of_dossier_campaign_level)


# --------------------------------------------------------------------------------------------
# Scoring (part 2). The object is an Assignment. What a member reads of *other* members'
# scores is the blind-scoring rule of scoring_selectors, not a permission on one object.
# --------------------------------------------------------------------------------------------

# The member reads their own assignment, its dossier and their scorecard, even when conflicted
# or after scoring closed (score_assignment says whether they may still write).
rules.add_perm("appraisal.view_assignment", is_assignment_member & holds_assignment_grant)
rules.add_perm("appraisal.reopen_scorecard", leads_board_of_assignment)

# The board's results (result_views): its members and staff of its level open them; what each
# sees of the scores is the blind-scoring rule of appraisal.results (Viewer).
rules.add_perm("appraisal.view_results", is_board_member | is_staff_of_board_level)


# The review meeting (meeting_views): the board's head or secretary records it; whoever opens
# the results reads its minutes (a member through a seat only their own assignments' rows).
@rules.predicate
def is_board_secretary(user, board):
    member = None if board is None else seat_on(user, board)
    return member is not None and member.role == "secretary"


rules.add_perm("appraisal.record_meeting", is_board_head | is_board_secretary)


# Proposals up a level (proposal_views): the receiving level's staff work its queue. The object
# is the acting organisation.
rules.add_perm("appraisal.receive_proposals", is_staff_here_or_above)
