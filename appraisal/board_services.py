"""Writes of the board (Đoàn thẩm định) and its members. Each function is one user action,
atomic, audited by history; bad input raises ValidationError (Vietnamese) and changes nothing.

Every write on a board locks the board's row first, so two staff adding a head at once, or a
person added twice from two tabs, are decided one after the other (the database constraints
board_member_once and board_one_head stand behind the checks)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from dvk.pickers import people_from_usernames

from .assignment_services import unassign_member
from .enums import APPRAISABLE_CAMPAIGN_STATUSES, BoardRole
from .models import Board, BoardMember

# The board's list reads head, deputies, members, secretary, guests (then in order of joining).
ROLE_ORDER = {
    BoardRole.HEAD: 0,
    BoardRole.DEPUTY: 1,
    BoardRole.MEMBER: 2,
    BoardRole.SECRETARY: 3,
    BoardRole.GUEST: 4,
}


def board_refusal(campaign):
    """Why `campaign` cannot have its board formed now, or None."""
    if campaign.status in APPRAISABLE_CAMPAIGN_STATUSES:
        return None
    if campaign.status == "draft":
        return _("Kế hoạch %(number)s còn là dự thảo: chỉ thành lập đoàn thẩm định khi kế hoạch đã ban hành.") % {
            "number": campaign.number
        }
    return _("Kế hoạch %(number)s đã lưu trữ: không thành lập đoàn thẩm định được nữa.") % {"number": campaign.number}


@transaction.atomic
def board_create(campaign, user=None):
    """The board of `campaign`, made if it has none: (board, created). One per campaign: the
    campaign's row is locked first, so two staff pressing at once make one board and both
    land on it. Refused (ValidationError) while the campaign is a draft or archived. Call it
    in a scope that sees boards of the campaign's level (at it or above)."""
    locked = Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    if locked is None:
        raise ValidationError(_("Không tìm thấy kế hoạch."))
    existing = Board.objects.filter(campaign=locked).first()
    if existing is not None:
        return existing, False
    refusal = board_refusal(locked)
    if refusal:
        raise ValidationError(refusal)
    try:
        with transaction.atomic():
            board = Board.objects.create(organization=locked.organization, campaign=locked, created_by=user)
    except IntegrityError:
        # The board exists but the caller's scope does not see it (acting below its level).
        raise ValidationError(_("Kế hoạch %(number)s đã có đoàn thẩm định.") % {"number": locked.number}) from None
    return board, True


def _lock(board):
    return Board.objects.select_for_update().get(pk=board.pk)


@transaction.atomic
def board_update(board, *, name, decision_number="", decided_on=None, expected_version=None, user=None):
    """Renames the board and records the decision that formed it (number, date). A save made
    since `expected_version` was read refuses this one (two tabs never overwrite each other)."""
    board = _lock(board)
    if expected_version is not None and expected_version != board.version:
        raise ValidationError(
            _("Thông tin đoàn vừa được người khác sửa. Hãy tải lại trang để xem bản mới rồi sửa lại.")
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Hãy nhập tên đoàn thẩm định.")})
    board.name = name
    board.decision_number = (decision_number or "").strip()
    board.decided_on = decided_on
    board.version += 1
    board.save()
    return board


def _check_role(board, role, *, member=None):
    if role not in BoardRole.values:
        raise ValidationError({"role": _("Vai trò trong đoàn không hợp lệ.")})
    if role == BoardRole.HEAD:
        heads = BoardMember.objects.filter(board=board, role=BoardRole.HEAD)
        if member is not None:
            heads = heads.exclude(pk=member.pk)
        head = heads.select_related("user").first()
        if head is not None:
            raise ValidationError(
                {
                    "role": _("Đoàn đã có Trưởng đoàn (%(name)s): mỗi đoàn chỉ có một Trưởng đoàn.")
                    % {"name": head.user.display_name}
                }
            )


@transaction.atomic
def member_add(board, user, role, voting=None, position="", by=None):
    """Seats `user` on `board` as `role`. `voting` None gives the role's default (the
    secretary and guests do not vote unless marked). `user` is a User, or a username; they
    must hold a role in the subtree of the board's level (the people the picker offers).
    Refused: someone already on the board, a second head, a person outside the subtree."""
    board = _lock(board)
    username = user if isinstance(user, str) else user.username
    try:
        [person] = people_from_usernames(board.organization, [username])
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from None
    if BoardMember.objects.filter(board=board, user=person).exists():
        raise ValidationError({"username": _("%(name)s đã là thành viên của đoàn.") % {"name": person.display_name}})
    _check_role(board, role)
    if voting is None:
        voting = BoardMember.votes_by_default(role)
    return BoardMember.objects.create(
        board=board,
        user=person,
        role=role,
        voting=bool(voting),
        position=(position or "").strip(),
        position_order=ROLE_ORDER[role],
        added_by=by,
    )


@transaction.atomic
def member_change(member, *, role, voting=None, position="", by=None):
    """Changes a member's role, vote and position; `voting` None gives the new role's
    default. Refused: a second head."""
    board = _lock(member.board)
    member = BoardMember.objects.select_for_update().filter(pk=member.pk, board=board).first()
    if member is None:
        raise ValidationError(_("Người này không còn trong đoàn."))
    _check_role(board, role, member=member)
    member.role = role
    member.voting = BoardMember.votes_by_default(role) if voting is None else bool(voting)
    member.position = (position or "").strip()
    member.position_order = ROLE_ORDER[role]
    member.save()
    return member


@transaction.atomic
def member_remove(member, by=None):
    """The member leaves the board (rời đoàn): their assignments go, and with them, removed
    explicitly here, their django-guardian `appraise_assignment` grants, so no grant outlives
    the work it was made for, and their draft scorecards. Their visits and stored conflicts go
    with the member's row (history keeps every one). Refused (ValidationError, nothing
    changed) when the member has submitted a scorecard, or is named in a review meeting's
    minutes (its roll, chair or secretary). Returns False when they had left already (a
    second press)."""
    from .models import Meeting, MeetingAttendance

    board = _lock(member.board)
    member = BoardMember.objects.select_for_update().filter(pk=member.pk, board=board).first()
    if member is None:
        return False
    named = (
        MeetingAttendance.objects.filter(member=member).exists()
        or Meeting.objects.filter(board=board).filter(Q(chair=member) | Q(secretary=member)).exists()
    )
    if named:
        raise ValidationError(
            _("%(name)s có tên trong biên bản họp bình xét của đoàn: không đưa ra khỏi đoàn được.")
            % {"name": member.user.display_name}
        )
    unassign_member(member)
    member.delete()
    return True
