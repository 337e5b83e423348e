"""Reads of a member's scoring work for the scoring API (appraisal/api.py) and the tablet
page built on it: their own assignments with the dossier they read, their own scorecard, and
the feed of what changed. Inside the request's scope (the tenant managers apply the rules).

Only the member's own rows are read here: an assignment is theirs when its member is them and
they hold its django-guardian grant (`appraisal.view_assignment`, asked in the query so a
list costs the same whatever its length). Other members' scores are never read here (blind
scoring: results.py)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from models_registry.models import Evidence, ProgressReport, RegistrationTarget

from .conflicts import conflicts_for
from .enums import APPRAISABLE_CAMPAIGN_STATUSES, ScorecardStatus
from .models import (
    Assignment,
    AssignmentChange,
    AssignmentUserObjectPermission,
    RecognitionDossier,
    Scorecard,
    ScorePhoto,
    Visit,
)

GRANT = "appraise_assignment"
# The feed answers at most this many entries at a time (`more` says there is the rest).
FEED_LIMIT = 500


class State:
    """Where a member's assignment stands, as the member's list shows it."""

    TODO = "todo"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CONFLICTED = "conflicted"
    CLOSED = "closed"
    ALL = (TODO, DRAFT, SUBMITTED, CONFLICTED, CLOSED)


@dataclass(frozen=True)
class NextVisit:
    visit_on: date
    visit_at: object
    place: str


def _own(user):
    """Assignments that are `user`'s own and carry their grant (appraisal.view_assignment)."""
    grant = AssignmentUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user, permission__codename=GRANT
    )
    return Assignment.objects.filter(member__user=user).filter(Exists(grant))


def _with_dossier_parts(queryset):
    # Few joins: planning a query of many joins costs more than running it. The board's
    # organisation is the acting one (attached by _fill), the member's user is the caller.
    return queryset.select_related(
        "board__campaign",
        "member",
        "registration__organization",
        "registration__initiative",
        "registration__field",
        "scorecard",
    ).prefetch_related(
        Prefetch("registration__targets", queryset=RegistrationTarget.objects.order_by("position", "pk")),
        Prefetch("registration__reports", queryset=ProgressReport.objects.order_by("reported_on", "pk")),
    )


def scoring_open(board):
    return board.scoring_closed_at is None and board.campaign.status in APPRAISABLE_CAMPAIGN_STATUSES


def why_not_scoring(assignment, conflicts, card):
    """Why the member may not write their scorecard now (Vietnamese), or "" when they may:
    the checks of `appraisal.score_assignment` and of the services, from rows already read."""
    if conflicts:
        return _("Bạn có xung đột lợi ích với mô hình này nên không chấm điểm: %(why)s.") % {
            "why": "; ".join(f"{r.label} ({r.text.rstrip('.')})" for r in conflicts)
        }
    board = assignment.board
    if board.scoring_closed_at is not None:
        return _("Trưởng đoàn đã khóa chấm điểm: không sửa, nộp phiếu được nữa.")
    if board.campaign.status not in APPRAISABLE_CAMPAIGN_STATUSES:
        return _("Kế hoạch %(number)s đang ở trạng thái “%(status)s”: không chấm điểm được.") % {
            "number": board.campaign.number,
            "status": board.campaign.get_status_display(),
        }
    if card is not None and card.status == ScorecardStatus.SUBMITTED:
        return _("Phiếu chấm đã nộp và đã khóa; chỉ Trưởng đoàn mở lại được (kèm lý do).")
    return ""


def _state(assignment, conflicts, card):
    if conflicts:
        return State.CONFLICTED
    if card is not None and card.status == ScorecardStatus.SUBMITTED:
        return State.SUBMITTED
    if not scoring_open(assignment.board):
        return State.CLOSED
    return State.DRAFT if card is not None else State.TODO


def _card_of(assignment):
    try:
        return assignment.scorecard
    except Scorecard.DoesNotExist:
        return None


def _fill(rows, today, organization):
    """Gives each assignment of `rows` what the member's list shows: conflicts, next visit,
    dossier, evidence, scorecard, state and may_score. A fixed number of queries: evidence,
    dossiers, visits, and two per board for the conflicts."""
    if not rows:
        return rows
    for a in rows:
        a.board.organization = organization
    registration_ids = {a.registration_id for a in rows}
    evidence = {}
    for e in Evidence.objects.filter(registration_id__in=registration_ids).order_by("uploaded_at", "pk"):
        evidence.setdefault(e.registration_id, []).append(e)
    dossiers = {d.registration_id: d for d in RecognitionDossier.objects.filter(registration_id__in=registration_ids)}
    # The visits each member goes on: the next one from today, else the latest one past.
    visits = {}
    going = (
        Visit.objects.filter(registration_id__in=registration_ids, going__member_id__in={a.member_id for a in rows})
        .values_list("registration_id", "going__member_id", "visit_on", "visit_at", "place")
        .order_by("visit_on", "visit_at", "pk")
    )
    for registration_id, member_id, visit_on, visit_at, place in going:
        key = (member_id, registration_id)
        earlier = visits.get(key)
        if earlier is None or earlier.visit_on < today:
            visits[key] = NextVisit(visit_on, visit_at, place)
    by_board = {}
    for a in rows:
        by_board.setdefault(a.board_id, []).append(a)
    conflicts = {}
    for members_rows in by_board.values():
        board = members_rows[0].board
        conflicts.update(conflicts_for(board, [(a.member, a.registration) for a in members_rows]))
    for a in rows:
        a.conflict_reasons = conflicts.get((a.member_id, a.registration_id), [])
        a.card = _card_of(a)
        a.next_visit = visits.get((a.member_id, a.registration_id))
        a.evidence_rows = evidence.get(a.registration_id, [])
        for e in a.evidence_rows:
            e.assignment_pk = a.pk  # its address is under the assignment (one per member and registration)
        a.dossier_row = dossiers.get(a.registration_id)
        a.why_not = why_not_scoring(a, a.conflict_reasons, a.card)
        a.may_score = a.why_not == ""
        a.state = _state(a, a.conflict_reasons, a.card)
    return rows


def _order(a, today):
    """The next visit first (soonest first), then visits past (latest first), then none;
    within each, the unit's place in the tree."""
    visit = a.next_visit
    if visit is None:
        group, day = 2, 0
    elif visit.visit_on >= today:
        group, day = 0, visit.visit_on.toordinal()
    else:
        group, day = 1, -visit.visit_on.toordinal()
    return (group, day, a.registration.organization.path, a.registration_id, a.pk)


def member_assignments(user, organization, board=None):
    """`user`'s own assignments on the boards of `organization` (of `board` only, when given),
    each with its registration (unit, field, targets, reports), evidence, recognition dossier,
    the next visit the member goes on, their scorecard and conflicts; ordered by next visit,
    then unit. A fixed number of queries whatever the count (two more per board)."""
    rows = _own(user).filter(board__organization=organization)
    if board is not None:
        rows = rows.filter(board_id=board)
    today = timezone.localdate()
    rows = _fill(list(_with_dossier_parts(rows)), today, organization)
    return sorted(rows, key=lambda a: _order(a, today))


def member_assignment(user, organization, pk):
    """`user`'s own assignment `pk` on a board of `organization`, filled as in
    member_assignments, or None."""
    row = _with_dossier_parts(_own(user).filter(board__organization=organization, pk=pk)).first()
    return _fill([row], timezone.localdate(), organization)[0] if row is not None else None


def own_assignments(user, organization, pks):
    """{pk: Assignment} of `user`'s own assignments among `pks` on the boards of `organization`,
    with what the writes read (board, campaign, member, registration): one query, for a batch."""
    rows = _own(user).filter(board__organization=organization, pk__in=pks)
    rows = rows.select_related("board__campaign", "board__organization", "member__user", "registration__organization")
    return {a.pk: a for a in rows}


def counts(assignments):
    """{"total", "submitted", "draft", "todo", "conflicted", "closed"} of a member's list."""
    found = {state: 0 for state in State.ALL}
    for a in assignments:
        found[a.state] += 1
    return {"total": len(assignments), **found}


# --- the scorecard ------------------------------------------------------------------------------


def scorecard_parts(card):
    """(lines, photos) of a stored scorecard: two queries; ([], []) for none."""
    if card is None or card.pk is None:
        return [], []
    lines = list(card.lines.order_by("criterion__position", "criterion_id"))
    photos = list(ScorePhoto.objects.filter(scorecard=card).order_by("added_at", "pk"))
    return lines, photos


def own_photo(assignment, pk):
    """The photo `pk` of the member's scorecard on `assignment`, or None."""
    return ScorePhoto.objects.filter(scorecard__assignment=assignment, pk=pk).select_related("scorecard").first()


def own_evidence(assignment, pk):
    """The evidence file `pk` of `assignment`'s registration (and only of it), or None."""
    return Evidence.objects.filter(registration_id=assignment.registration_id, pk=pk).first()


# --- the change feed ---------------------------------------------------------------------------


def changes_for(user, organization, since=0):
    """(entries, more): the feed entries since `since` (ids above it, oldest first) for
    `user`, or for the whole board, on the boards of `organization` where the user sits; at
    most FEED_LIMIT, `more` when cut. Each entry carries `assignment_id`: the user's
    assignment of its registration on that board today, or None (removed, or never had)."""
    from .seats import board_members_of_user

    seats = {m.board_id: m for m in board_members_of_user(user).values() if m.board.organization_id == organization.pk}
    if not seats:
        return [], False
    rows = list(
        AssignmentChange.objects.filter(board_id__in=seats.keys(), pk__gt=since)
        .filter(Q(user=user) | Q(user__isnull=True))
        .order_by("pk")[: FEED_LIMIT + 1]
    )
    more = len(rows) > FEED_LIMIT
    rows = rows[:FEED_LIMIT]
    registrations = {r.registration_id for r in rows if r.registration_id is not None}
    current = {}
    if registrations:
        for pk, board_id, registration_id in (
            _own(user)
            .filter(board_id__in=seats.keys(), registration_id__in=registrations)
            .values_list("pk", "board_id", "registration_id")
        ):
            current[(board_id, registration_id)] = pk
    for r in rows:
        r.assignment_id = current.get((r.board_id, r.registration_id))
    return rows, more
