"""Progress and result reports and evidence files, under /o/<org_code>/registrations/<pk>/.

The tenancy middleware has checked the user's role at the acting organisation and runs each
view in its scope: a registration (or a file of it) outside the scope is not found (404); a
visible one the user may not report on is refused (403). Files are served only through
these views, as attachments, with the type sniffed at upload. Oversize uploads are answered
413 by dvk.uploads before the view runs, or here when a registration's total is reached.

The registration detail page renders `_reports.html` with `reports_context`:

    context.update(reports_context(request, registration))
    {% include "models_registry/_reports.html" %}
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.enums import RegistrationStatus as S
from dvk.access import object_or_404
from dvk.files import stored_file_response
from dvk.forms import attach_errors
from dvk.idempotency import idempotent
from dvk.uploads import too_large_response, upload_view

from . import evidence as evidence_services
from . import reports as report_services
from .enums import ReportKind
from .evidence import UPLOAD_STATUSES, EvidenceTooLarge, attach_evidence, files_removed_on_error
from .models import Evidence, ProgressReport, ReportEntry
from .report_forms import EvidenceUploadForm, ReportForm
from .views import detail_page
from .views import registration_or_404 as _registration

VIEW = "models_registry.view_registration"
REPORT = "models_registry.report_registration"


def _evidence(request, pk, evidence_id, perm=VIEW):
    """An evidence file of the registration `pk`, both in scope (else 404), for a user who
    holds `perm` on the registration (else 403)."""
    registration = _registration(request, pk, perm)
    evidence = object_or_404(request, Evidence.objects.all(), pk=evidence_id, registration=registration)
    evidence.registration = registration
    return evidence


def _to_detail(request, registration, anchor="reports"):
    url = reverse("registration_detail", kwargs={"org_code": request.organization.code, "pk": registration.pk})
    return redirect(f"{url}#{anchor}")


def latest_entries(registration):
    """{target id: its latest ReportEntry (with its report)}: the figure reached so far."""
    latest = {}
    entries = (
        ReportEntry.objects.filter(report__registration=registration)
        .select_related("report")
        .order_by("report__reported_on", "report__pk")
    )
    for entry in entries:
        latest[entry.target_id] = entry
    return latest


def _percent(achieved, value):
    return int(achieved * 100 / value) if value else None


def reports_context(request, registration, upload_form=None):
    """What `_reports.html` needs, under the one key `reports_section`.

    A fixed number of queries however many reports, entries and files there are: the
    reports, their entries (with targets), the files, the targets, and the permission check."""
    user = request.user
    entries = ReportEntry.objects.select_related("target").order_by("target__position", "target__pk")
    reports = list(
        ProgressReport.objects.filter(registration=registration)
        .select_related("created_by")
        .prefetch_related(Prefetch("entries", queryset=entries))
    )
    files = list(Evidence.objects.filter(registration=registration).select_related("uploaded_by", "report"))
    targets = list(registration.targets.all())
    by_report = {}
    for item in files:
        by_report.setdefault(item.report_id, []).append(item)
    latest = {}
    for report in reports:  # in date order: the last figure per target wins
        report.files = by_report.get(report.pk, [])
        report.entry_rows = [
            {"entry": e, "target": e.target, "percent": _percent(e.achieved, e.target.value)}
            for e in report.entries.all()
        ]
        for e in report.entries.all():
            latest[e.target_id] = {"entry": e, "report": report}
    progress = []
    for target in targets:
        found = latest.get(target.pk)
        progress.append(
            {
                "target": target,
                "achieved": found["entry"].achieved if found else None,
                "reported_on": found["report"].reported_on if found else None,
                "percent": _percent(found["entry"].achieved, target.value) if found else None,
            }
        )
    may_report = user.has_perm(REPORT, registration)
    status = registration.status
    can_upload = may_report and status in UPLOAD_STATUSES
    return {
        "reports_section": {
            "registration": registration,
            "org": request.organization,
            "reports": reports,
            "progress": progress,
            "files": files,
            "can_report": may_report and status in report_services.REPORTABLE,
            "can_upload": can_upload,
            "can_delete": may_report and status != S.COMPLETED,
            "has_result": status == S.COMPLETED,
            "upload_form": (upload_form or EvidenceUploadForm(reports=reports, auto_id="id_evidence_%s"))
            if can_upload
            else None,
        }
    }


@upload_view
@require_http_methods(["GET", "POST"])
@idempotent
def report_create(request, org_code, pk):
    """A report with its figures and files, in one submit: all of it is written, or none."""
    registration = _registration(request, pk, REPORT)
    kind = request.GET.get("kind")
    if kind not in ReportKind.values:
        kind = ReportKind.PROGRESS
    if registration.status not in report_services.REPORTABLE:
        if registration.status == S.COMPLETED:
            messages.error(request, _("Mô hình đã hoàn thành; không thêm báo cáo được nữa."))
        else:
            messages.error(request, _("Chỉ báo cáo được khi đăng ký đã được duyệt."))
        return _to_detail(request, registration)
    targets = list(registration.targets.all())
    latest = latest_entries(registration)
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        kind=kind,
        targets=targets,
        initial={"reported_on": timezone.localdate()},
    )
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with files_removed_on_error(), transaction.atomic():
                report = report_services.report_create(
                    registration=registration,
                    user=request.user,
                    kind=kind,
                    reported_on=data["reported_on"],
                    summary=data["summary"],
                    entries=form.entries(),
                )
                for upload in data["files"]:
                    attach_evidence(
                        registration=report.registration,
                        uploaded_file=upload,
                        user=request.user,
                        report=report,
                        caption=data["caption"],
                    )
        except EvidenceTooLarge as exc:
            form.add_error(None, exc.messages)
            status = 413
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if kind == ReportKind.RESULT:
                messages.success(request, _("Đã gửi báo cáo kết quả; mô hình đã hoàn thành."))
            else:
                messages.success(request, _("Đã gửi báo cáo tiến độ."))
            return _to_detail(request, registration)
    if form.errors and request.FILES:
        # A browser cannot refill a file input: say so, and that nothing was kept.
        form.add_error("files", _("Chưa lưu gì cả; hãy chọn lại tệp minh chứng rồi gửi lại."))
    context = {
        "org": request.organization,
        "registration": registration,
        "form": form,
        "kind": kind,
        "is_result": kind == ReportKind.RESULT,
        "target_rows": [
            {"target": t, "achieved": a, "note": n, "latest": latest.get(t.pk)} for t, a, n in form.target_rows()
        ],
    }
    return render(request, "models_registry/report_form.html", context, status=status)


@upload_view
@require_POST
@idempotent
def evidence_upload(request, org_code, pk):
    """Adds files (to the registration, or to one of its reports): all of them, or none."""
    registration = _registration(request, pk, REPORT)
    reports = list(ProgressReport.objects.filter(registration=registration))
    form = EvidenceUploadForm(request.POST, request.FILES, reports=reports, auto_id="id_evidence_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            with files_removed_on_error(), transaction.atomic():
                for upload in data["files"]:
                    attach_evidence(
                        registration=registration,
                        uploaded_file=upload,
                        user=request.user,
                        report=data["report"],
                        caption=data["caption"],
                    )
        except EvidenceTooLarge as exc:
            return too_large_response(request, " ".join(exc.messages))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            count = len(data["files"])
            text = ngettext("Đã thêm %(n)s tệp minh chứng.", "Đã thêm %(n)s tệp minh chứng.", count)
            messages.success(request, text % {"n": count})
            return _to_detail(request, registration, "evidence")
    # Refused: the page again with the reasons next to the form; nothing was kept.
    form.add_error(None, _("Chưa tệp nào được lưu; hãy chọn lại tệp rồi tải lên lại."))
    return detail_page(request, registration, upload_form=form, status=400)


@require_GET
def evidence_download(request, org_code, pk, evidence_id):
    evidence = _evidence(request, pk, evidence_id)
    return stored_file_response(evidence.file, filename=evidence.download_name, content_type=evidence.content_type)


@require_GET
def evidence_thumbnail(request, org_code, pk, evidence_id):
    evidence = _evidence(request, pk, evidence_id)
    if not evidence.thumbnail:
        raise Http404
    return stored_file_response(evidence.thumbnail, content_type="image/jpeg")


@require_POST
@idempotent
def evidence_delete(request, org_code, pk, evidence_id):
    evidence = _evidence(request, pk, evidence_id, REPORT)
    name = evidence.original_name
    try:
        evidence_services.evidence_delete(evidence=evidence)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã xóa tệp “%s”.") % name)
    return _to_detail(request, evidence.registration, "evidence")
