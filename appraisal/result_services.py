"""Writes around a board's results: the head closes and reopens scoring; staff of the board's
level set how results are drawn (mean or median, the disagreement that flags a registration).

Each locks the board's row first, so two presses (two tabs, a double tap) are decided one
after the other: the second finds the board already as asked and changes nothing."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .changes import record_change
from .enums import ChangeKind, ResultMethod
from .models import Board

DISAGREEMENT_MAX = 1000


REASON_MAX = 2000


def _lock(board):
    return Board.objects.select_for_update().get(pk=board.pk)


@transaction.atomic
def scoring_close(*, board, user):
    """Closes scoring on `board` (no card may be saved, submitted or reopened any more; the
    results are shown to the board and to staff of its level). Side effects: the board's
    `scoring_closed_at/by` (history), one board-wide entry in the change feed
    (ChangeKind.SCORING_CLOSED, user None). Returns False, changing nothing, when it was
    already closed. The caller checked `appraisal.lead_board`."""
    board = _lock(board)
    if board.scoring_closed_at is not None:
        return False
    board.scoring_closed_at = timezone.now()
    board.scoring_closed_by = user
    board.save(update_fields=["scoring_closed_at", "scoring_closed_by"])
    record_change(board=board, kind=ChangeKind.SCORING_CLOSED, user=None)
    return True


@transaction.atomic
def scoring_reopen(*, board, user, reason):
    """Opens scoring again (members may save and submit, the head may reopen cards), with a
    reason: the results were the board's. Side effects: clears `scoring_closed_at/by`
    (history keeps who closed it), one board-wide feed entry (ChangeKind.SCORING_REOPENED)
    carrying the reason. False, nothing changed, when it was open. Refused (ValidationError)
    without a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do mở lại chấm điểm.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Lý do dài quá %(max)s ký tự.") % {"max": REASON_MAX}})
    board = _lock(board)
    if board.scoring_closed_at is None:
        return False
    board.scoring_closed_at = None
    board.scoring_closed_by = None
    board.save(update_fields=["scoring_closed_at", "scoring_closed_by"])
    record_change(board=board, kind=ChangeKind.SCORING_REOPENED, user=None, detail=reason)
    return True


@transaction.atomic
def result_settings_update(*, board, result_method, disagreement_points, expected_version, user):
    """Sets how `board`'s results are drawn. Refused (ValidationError, nothing changed) when
    the board was saved since `expected_version` was read, or on a bad value. Side effects:
    the board's version, history."""
    board = _lock(board)
    if board.scoring_closed_at is not None:
        raise ValidationError(
            _(
                "Đoàn đã khóa chấm điểm: kết quả đã là của đoàn, cách tính không đổi được nữa. "
                "Trưởng đoàn mở lại chấm điểm trước nếu cần."
            )
        )
    if expected_version != board.version:
        raise ValidationError(
            _("Thông tin đoàn vừa được người khác sửa. Hãy tải lại trang để xem bản mới rồi sửa lại.")
        )
    if result_method not in ResultMethod.values:
        raise ValidationError({"result_method": _("Cách tính kết quả không hợp lệ.")})
    if disagreement_points is None or not 0 <= disagreement_points <= DISAGREEMENT_MAX:
        raise ValidationError(
            {"disagreement_points": _("Chênh lệch điểm phải từ 0 đến %(max)s.") % {"max": DISAGREEMENT_MAX}}
        )
    board.result_method = result_method
    board.disagreement_points = disagreement_points
    board.version += 1
    board.save(update_fields=["result_method", "disagreement_points", "version"])
    return board
