"""Writes of assignments and stored conflicts. Each function is one user action, atomic,
audited by history; bad input raises ValidationError (Vietnamese) and changes nothing.

An assignment gives a member a registration to appraise, with the django-guardian grant
`appraisal.appraise_assignment` on the Assignment row (AssignmentUserObjectPermission, a
direct foreign key); unassigning removes the grant and the row, and with the row its draft
scorecard. An assignment whose scorecard is submitted is never removed (unassigning it, or
its member leaving the board, is refused): the head reopens the card first. Whether the
member may score is the rules predicate `appraisal.score_assignment` (grant, not conflicted,
scoring open), never the bare grant.

Assigning and unassigning lock the board's row first, so two identical requests (a double
tap with two keys, two tabs) run one after the other and the second finds the work done.

Each change of what a member may do on an assignment (assigned, unassigned, a conflict
recorded) appends an entry to the member's change feed (appraisal.changes), in the same
transaction, so a tablet that was offline catches up with it."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from guardian.shortcuts import assign_perm, remove_perm
from simple_history.utils import bulk_create_with_history

from models_registry.selectors import registrations_here

from . import assignment_selectors as selectors
from .changes import record_change, record_changes
from .conflicts import local_date
from .enums import ChangeKind, ConflictKind, ScorecardStatus
from .models import Assignment, Board, BoardMember, Conflict, Scorecard

GRANT = "appraisal.appraise_assignment"
REASON_MAX = 2000


def _lock_board(board):
    locked = Board.objects.select_for_update(of=("self",)).select_related("campaign", "organization")
    return locked.get(pk=board.pk)


def _check_open(board):
    if not selectors.board_is_open(board):
        raise ValidationError(
            _("Kế hoạch %(number)s đang ở trạng thái “%(status)s”: không phân công, khai báo gì thêm được.")
            % {"number": board.campaign.number, "status": board.campaign.get_status_display()}
        )


def _label(registration):
    return f"“{registration.initiative.name}” ({registration.organization.name})"


def _registrations(board, registration_ids):
    """The registrations `registration_ids` names, all of which `board` may take; otherwise
    a ValidationError that says why for each visible one and "not found" for the rest (a
    registration outside the scope is not named, as if it did not exist)."""
    ids = set(registration_ids)
    if not ids:
        raise ValidationError(_("Chưa chọn đăng ký nào."))
    found = list(selectors.eligible_registrations(board).filter(pk__in=ids).order_by("organization__path", "pk"))
    missing = ids - {r.pk for r in found}
    if missing:
        errors = []
        visible = registrations_here().filter(pk__in=missing).order_by("organization__path", "pk")
        for r in visible:
            errors.append(
                _("Đoàn không thẩm định được %(label)s: %(why)s.")
                % {"label": _label(r), "why": selectors.why_not_eligible(board, r) or _("không thuộc diện của đoàn")}
            )
        unseen = len(missing) - len(errors)
        if unseen:
            errors.append(
                ngettext(
                    "Không tìm thấy %(n)s đăng ký đã chọn trong phạm vi của đoàn.",
                    "Không tìm thấy %(n)s đăng ký đã chọn trong phạm vi của đoàn.",
                    unseen,
                )
                % {"n": unseen}
            )
        raise ValidationError(errors)
    return found


def _members(board, member_ids):
    """The board's members `member_ids` names (None: every voting member)."""
    if member_ids is None:
        members = list(BoardMember.objects.filter(board=board, voting=True).select_related("user"))
        if not members:
            raise ValidationError(_("Đoàn chưa có thành viên có quyền biểu quyết để phân công."))
        return members
    ids = set(member_ids)
    if not ids:
        raise ValidationError(_("Chưa chọn thành viên nào."))
    members = list(BoardMember.objects.filter(board=board, pk__in=ids).select_related("user"))
    if len(members) != len(ids):
        raise ValidationError(_("Có thành viên đã chọn không thuộc đoàn thẩm định này."))
    return members


@transaction.atomic
def assign(*, board, registration_ids, member_ids=None, user=None):
    """Gives each registration of `registration_ids` to each member of `member_ids` (None:
    the board's voting members), with the grant; pairs already assigned are left as they are.
    Returns the new Assignment rows. All or nothing: one registration the board may not take,
    one member of another board, a campaign that is not published or closed refuses it all.
    Side effects: the grants; one ASSIGNED feed entry per new assignment, told to its member."""
    board = _lock_board(board)
    _check_open(board)
    registrations = _registrations(board, registration_ids)
    members = _members(board, member_ids)
    existing = set(
        Assignment.objects.filter(board=board, member__in=members, registration__in=registrations).values_list(
            "member_id", "registration_id"
        )
    )
    new = [
        Assignment(board=board, member=m, registration=r, assigned_by=user)
        for r in registrations
        for m in members
        if (m.pk, r.pk) not in existing
    ]
    if not new:
        return []
    created = bulk_create_with_history(new, Assignment, default_user=user)
    by_member = {}
    for a in created:
        by_member.setdefault(a.member_id, []).append(a)
    members_by_pk = {m.pk: m for m in members}
    for member_pk, rows in by_member.items():
        assign_perm(GRANT, members_by_pk[member_pk].user, rows)
    by_pk = {r.pk: r for r in registrations}
    record_changes(
        [(board, ChangeKind.ASSIGNED, members_by_pk[a.member_id].user, by_pk[a.registration_id], "") for a in created]
    )
    return created


def _locked_for_removal(rows):
    """The assignments of `rows` (a queryset), locked: a scorecard write locks its assignment
    first (scoring_services), so a card cannot be submitted between the check and the removal."""
    return list(rows.select_related("member__user", "registration").select_for_update(of=("self",)).order_by("pk"))


def _refuse_submitted(assignments, *, leaving=None):
    """Refuses (ValidationError naming each) to remove assignments whose scorecard is
    submitted: the scores would go with them. `leaving`: the member leaving the board."""
    submitted = list(
        Scorecard.objects.filter(assignment__in=assignments, status=ScorecardStatus.SUBMITTED)
        .select_related("assignment__member__user", "assignment__registration__initiative")
        .select_related("assignment__registration__organization")
        .order_by("assignment__registration__organization__path", "assignment_id")
    )
    if not submitted:
        return
    if leaving is not None:
        raise ValidationError(
            ngettext(
                "Không đưa %(name)s ra khỏi đoàn được: đã gửi phiếu chấm %(n)s mô hình (%(labels)s). "
                "Trưởng đoàn mở lại phiếu chấm trước nếu cần.",
                "Không đưa %(name)s ra khỏi đoàn được: đã gửi phiếu chấm %(n)s mô hình (%(labels)s). "
                "Trưởng đoàn mở lại các phiếu chấm trước nếu cần.",
                len(submitted),
            )
            % {
                "name": leaving.user.display_name,
                "n": len(submitted),
                "labels": ", ".join(_label(c.assignment.registration) for c in submitted),
            }
        )
    raise ValidationError(
        [
            _(
                "Không bỏ phân công được: %(name)s đã gửi phiếu chấm mô hình %(label)s. "
                "Trưởng đoàn mở lại phiếu chấm trước nếu cần."
            )
            % {"name": c.assignment.member.user.display_name, "label": _label(c.assignment.registration)}
            for c in submitted
        ]
    )


def _remove(board, assignments):
    """Removes the grants of `assignments` (one bulk removal per member), then the rows (and
    with them their draft scorecards), and tells each member (an UNASSIGNED feed entry: the
    entry outlives the row)."""
    by_user = {}
    for a in assignments:
        by_user.setdefault(a.member.user_id, (a.member.user, []))[1].append(a)
    for member_user, rows in by_user.values():
        remove_perm(GRANT, member_user, rows)
    record_changes([(board, ChangeKind.UNASSIGNED, a.member.user, a.registration, "") for a in assignments])
    for a in assignments:
        a.delete()
    return len(assignments)


@transaction.atomic
def unassign(*, board, registration_ids, member_ids=None, user=None):
    """Takes each registration of `registration_ids` away from each member of `member_ids`
    (None: from every member), with the grants and the draft scorecards. Pairs not assigned
    are skipped (a repeat does nothing). Refused, nothing changed, when any of them has a
    submitted scorecard. Returns how many assignments were removed."""
    board = _lock_board(board)
    _check_open(board)
    ids = set(registration_ids)
    if not ids:
        raise ValidationError(_("Chưa chọn đăng ký nào."))
    visible = set(registrations_here().filter(pk__in=ids).values_list("pk", flat=True))
    if visible != ids:
        raise ValidationError(_("Không tìm thấy đăng ký đã chọn trong phạm vi của đoàn."))
    rows = Assignment.objects.filter(board=board, registration_id__in=ids)
    if member_ids is not None:
        members = _members(board, member_ids)
        rows = rows.filter(member__in=members)
    rows = _locked_for_removal(rows)
    _refuse_submitted(rows)
    return _remove(board, rows)


@transaction.atomic
def unassign_member(member):
    """Removes every assignment of `member`, its grant and its draft scorecard: what leaving
    the board does (the board's "remove member" calls it before deleting the BoardMember row).
    Refused, nothing changed, when the member has submitted a scorecard. Returns how many."""
    board = Board.objects.select_for_update(of=("self",)).filter(pk=member.board_id).first()
    rows = _locked_for_removal(Assignment.objects.filter(member=member))
    _refuse_submitted(rows, leaving=member)
    return _remove(board, rows)


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Lý do dài quá %(n)s ký tự.") % {"n": REASON_MAX}})
    return reason


def _existing_refusal(conflict, *, own):
    if conflict.kind == ConflictKind.DECLARED:
        message = (
            _("Bạn đã khai xung đột lợi ích với mô hình này ngày %(date)s: “%(reason)s”.")
            if own
            else _("Thành viên này đã tự khai xung đột lợi ích với mô hình này ngày %(date)s: “%(reason)s”.")
        )
    else:
        message = _("Trưởng đoàn đã ghi nhận không tham gia chấm mô hình này ngày %(date)s: “%(reason)s”.")
    return ValidationError(message % {"date": local_date(conflict.recorded_at), "reason": conflict.reason})


def _record(*, assignment, kind, reason, user, own):
    board = _lock_board(assignment.board)
    _check_open(board)
    reason = _reason(reason)
    member = BoardMember.objects.select_for_update().get(pk=assignment.member_id)
    earlier = Conflict.objects.filter(member=member, registration_id=assignment.registration_id).first()
    if earlier is not None:
        raise _existing_refusal(earlier, own=own)
    try:
        with transaction.atomic():
            conflict = Conflict.objects.create(
                board=board,
                member=member,
                registration_id=assignment.registration_id,
                kind=kind,
                reason=reason,
                recorded_by=user,
            )
    except IntegrityError:
        earlier = Conflict.objects.get(member=member, registration_id=assignment.registration_id)
        raise _existing_refusal(earlier, own=own) from None
    # The member's device learns that they no longer score it.
    record_change(
        board=board,
        kind=ChangeKind.CONFLICT,
        user=member.user,
        registration=assignment.registration,
        detail=f"{ConflictKind(kind).label}: {reason}",
    )
    return conflict


@transaction.atomic
def conflict_declare(*, assignment, user, reason):
    """The member of `assignment` declares a conflict of interest on its registration, with a
    reason. Only the member themself; a second declaration (or one after a recusal) is refused.
    Side effect: a CONFLICT feed entry told to the member."""
    if assignment.member.user_id != user.pk:
        raise ValidationError(_("Chỉ thành viên được phân công mới tự khai xung đột lợi ích được."))
    return _record(assignment=assignment, kind=ConflictKind.DECLARED, reason=reason, user=user, own=True)


@transaction.atomic
def recusal_record(*, assignment, user, reason):
    """The head records that the member of `assignment` does not score its registration
    (recusal), with a reason. Refused when a conflict is already stored for the pair.
    Side effect: a CONFLICT feed entry told to the member."""
    return _record(assignment=assignment, kind=ConflictKind.RECUSAL, reason=reason, user=user, own=False)
