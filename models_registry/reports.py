"""Progress and result reports on a registration.

An accepted registration takes reports while the model runs; the first report moves it to
in progress, the result report completes it, and a completed one takes no more. Each
function is atomic and locks the registration row, re-reading its state, so two reports
sent at once cannot both complete it."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.enums import RegistrationStatus as S

from .enums import ReportKind
from .models import ProgressReport, ReportEntry
from .services import locked_registration

REPORTABLE = (S.ACCEPTED, S.IN_PROGRESS)


def _check_state(current):
    if current.status == S.COMPLETED:
        raise ValidationError(_("Mô hình đã có báo cáo kết quả và đã hoàn thành; không thêm báo cáo được nữa."))
    if current.status not in REPORTABLE:
        raise ValidationError(
            _("Chỉ báo cáo được khi đăng ký đã được duyệt (trạng thái hiện tại: %(status)s).")
            % {"status": S(current.status).label}
        )


def _clean_entries(current, entries):
    """The entries as (target, achieved, note), each for one of the registration's own targets."""
    own = {t.pk: t for t in current.targets.all()}
    cleaned = []
    seen = set()
    for entry in entries:
        target = entry.get("target")
        if target is None or target.pk not in own:
            raise ValidationError(_("Số liệu báo cáo phải theo đúng các kết quả cần đạt của đăng ký này."))
        if target.pk in seen:
            raise ValidationError(_("Mỗi kết quả cần đạt chỉ ghi một số liệu trong một báo cáo."))
        seen.add(target.pk)
        try:
            achieved = Decimal(str(entry.get("achieved")))
        except (InvalidOperation, ValueError, TypeError):
            achieved = None
        if achieved is None or not achieved.is_finite():
            raise ValidationError(_("Số liệu “%(indicator)s” không hợp lệ.") % {"indicator": target.indicator})
        if achieved < 0:
            raise ValidationError(_("Số liệu “%(indicator)s” không được âm.") % {"indicator": target.indicator})
        cleaned.append((own[target.pk], achieved, (entry.get("note") or "").strip()[:500]))
    return cleaned


@transaction.atomic
def report_create(*, registration, user, kind, reported_on, summary="", entries=()):
    """Adds a progress or result report with its entries (dicts: target, achieved, note).

    Side effects: an accepted registration moves to in progress; a result report moves it to
    completed. A status change bumps the registration's version and is recorded in its
    history. Raises ValidationError (Vietnamese) when the registration does not take
    reports, the date is in the future, or an entry is not for one of its targets."""
    if kind not in ReportKind.values:
        raise ValidationError(_("Loại báo cáo không hợp lệ."))
    if not isinstance(reported_on, datetime.date):
        raise ValidationError({"reported_on": _("Hãy nhập ngày báo cáo.")})
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("Ngày báo cáo không được sau hôm nay.")})
    current = locked_registration(registration)
    _check_state(current)
    cleaned = _clean_entries(current, entries)
    report = ProgressReport.objects.create(
        organization=current.organization,
        registration=current,
        kind=kind,
        reported_on=reported_on,
        summary=(summary or "").strip(),
        created_by=user,
    )
    for target, achieved, note in cleaned:
        ReportEntry.objects.create(report=report, target=target, achieved=achieved, note=note)
    new_status = S.COMPLETED if kind == ReportKind.RESULT else S.IN_PROGRESS
    if current.status != new_status:
        current.status = new_status
        current.version += 1
        current.save()
    report.registration = current
    return report
