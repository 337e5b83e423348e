"""Registration lists under /o/<org_code>/registrations/: the filtered list, bulk accept and
return, and annex 01 in Excel (export, import of paper registrations, the import template).

The tenancy middleware has already checked the user's role at the acting organisation and
runs each view in its scope: a registration outside the scope does not exist here (404);
a visible one the user may not act on is skipped or refused (403)."""

import contextlib
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.enums import RegistrationStatus as S
from dvk.access import ids_or_404, require_perm
from dvk.enums import Level
from dvk.excel import xlsx_response
from dvk.idempotency import idempotent
from dvk.models import Organization
from dvk.text import ascii_filename

from . import imports, selectors, services
from .exports import COLUMNS, annex01_row, annex01_title, annex01_workbook, example_row
from .list_forms import ALL_STATUSES, BulkReviewForm, ImportConfirmForm, RegistrationFilterForm, RegistrationImportForm
from .models import Registration

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
PENDING_KEY = "dvk_pending_registration_import"
MAX_SKIPPED_LISTED = 10
MAX_ERRORS_SHOWN = 500


def _filtered(request, org):
    form = RegistrationFilterForm(request.GET, organization=org)
    if form.subtree_missing:
        # An organisation code outside the scope (or none at all) must not widen the list.
        return form, Registration.objects.none()
    return form, selectors.registrations_for_list(org, **form.filters())


@require_GET
def registration_list(request, org_code):
    org = request.organization
    require_perm(request, "models_registry.list_registrations", org)
    form, rows = _filtered(request, org)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    reviewable = {r.pk for r in page if user.has_perm("models_registry.review_registration", r)}
    query = form.query()
    context = {
        "org": org,
        "form": form,
        "page": page,
        "reviewable": reviewable,
        "export_url": reverse("registration_export", args=[org.code]) + ("?" + urlencode(query) if query else ""),
        "can_import": user.has_perm("models_registry.import_registrations", org),
        "can_register": user.has_perm("models_registry.add_registration", org),
        "filtered": bool(query.keys() - {"sort"}),
        "counted_only": form.filters()["statuses"] is not None,
        "all_statuses_url": "?" + urlencode({**query, "status": ALL_STATUSES}),
        "back": request.get_full_path(),
    }
    return render(request, "models_registry/registration_list.html", context)


def _selected_ids(request):
    """The ids of the rows ticked on the list."""
    return ids_or_404(request.POST.getlist("ids"))


def _back(request, org):
    target = request.POST.get("next", "")
    list_url = reverse("registration_list", args=[org.code])
    if target.startswith(list_url) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(list_url)


def _label(registration):
    return f"“{registration.initiative.name}” ({registration.organization.name})"


@require_POST
@idempotent
def registration_bulk(request, org_code):
    """Accepts or returns the selected registrations, each in its own transaction (a row is
    changed whole or not at all). Rows the user may not review, or that no longer wait for
    review, are skipped and listed with the reason; a user who may review none of them is
    refused (403). A selection naming any registration outside the scope, or anything that
    is not an id, is not found (404) and nothing is done."""
    org = request.organization
    require_perm(request, "models_registry.list_registrations", org)
    ids = _selected_ids(request)
    found = list(selectors.registrations_here().filter(pk__in=ids).order_by("organization__path", "pk"))
    if len(found) != len(ids):
        raise Http404
    if not found:
        messages.error(request, _("Chưa chọn đăng ký nào."))
        return _back(request, org)
    form = BulkReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, org)
    if not any(request.user.has_perm("models_registry.review_registration", r) for r in found):
        raise PermissionDenied(_("Bạn không có quyền duyệt các đăng ký đã chọn."))
    accept = form.cleaned_data["action"] == BulkReviewForm.ACCEPT
    comment = form.cleaned_data["comment"]
    done, skipped = [], []
    for registration in found:
        if not request.user.has_perm("models_registry.review_registration", registration):
            skipped.append((registration, _("bạn không có quyền duyệt đăng ký theo kế hoạch này")))
            continue
        if registration.status != S.SUBMITTED:
            skipped.append(
                (registration, _("đang ở trạng thái “%s”, không chờ duyệt") % registration.get_status_display())
            )
            continue
        try:
            if accept:
                services.registration_accept(registration=registration, user=request.user, comment=comment)
            else:
                services.registration_return(registration=registration, user=request.user, comment=comment)
        except ValidationError as exc:
            skipped.append((registration, " ".join(exc.messages)))
        else:
            done.append(registration)
    if done:
        if accept:
            text = ngettext("Đã duyệt %(n)s đăng ký.", "Đã duyệt %(n)s đăng ký.", len(done))
        else:
            text = ngettext("Đã trả lại %(n)s đăng ký để sửa.", "Đã trả lại %(n)s đăng ký để sửa.", len(done))
        messages.success(request, text % {"n": len(done)})
    if skipped:
        listed = "; ".join(f"{_label(r)}: {reason}" for r, reason in skipped[:MAX_SKIPPED_LISTED])
        more = len(skipped) - MAX_SKIPPED_LISTED
        if more > 0:
            listed += "; " + _("và %s đăng ký khác") % more
        messages.warning(
            request,
            ngettext("Bỏ qua %(n)s đăng ký: %(list)s.", "Bỏ qua %(n)s đăng ký: %(list)s.", len(skipped))
            % {"n": len(skipped), "list": listed},
        )
    return _back(request, org)


@require_GET
def registration_export(request, org_code):
    """Annex 01 of the list as filtered, in a fixed number of queries per 2,000 rows."""
    org = request.organization
    require_perm(request, "models_registry.list_registrations", org)
    form, rows = _filtered(request, org)
    rows = rows.prefetch_related("targets").iterator(chunk_size=EXPORT_CHUNK)
    content = annex01_workbook(
        (annex01_row(number, r) for number, r in enumerate(rows, start=1)), title=annex01_title(org, form.campaign)
    )
    suffix = f"-{form.campaign.number}" if form.campaign else ""
    return xlsx_response(content, ascii_filename(f"phu-luc-01-{org.code}{suffix}.xlsx"))


def _require_import(request, org):
    require_perm(
        request,
        "models_registry.import_registrations",
        org,
        _("Chỉ cán bộ phụ trách mới nhập danh sách đăng ký từ Excel."),
    )


@require_GET
def registration_import_template(request, org_code):
    org = request.organization
    _require_import(request, org)
    # The example names a real unit below the acting level, so the template imports as it is.
    example_org = (
        Organization.objects.filter(
            path__startswith=org.path, depth__gt=org.depth, level=Level.UNIT, archived_at__isnull=True
        )
        .order_by("path")
        .first()
        or org
    )
    content = annex01_workbook([example_row(example_org)], title=annex01_title(org))
    return xlsx_response(content, ascii_filename(f"mau-phu-luc-01-{org.code}.xlsx"))


PENDING_MAX_AGE_SECONDS = 24 * 60 * 60


def _pending_dir():
    path = Path(settings.MEDIA_ROOT) / "imports" / "pending"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pending_path(token):
    return _pending_dir() / f"registrations-{token}.json"


def _forget_abandoned_previews():
    """Rows of previews nobody confirmed within a day are dropped (their session is long gone)."""
    cutoff = time.time() - PENDING_MAX_AGE_SECONDS
    for stale in _pending_dir().glob("registrations-*.json"):
        with contextlib.suppress(FileNotFoundError):
            if stale.stat().st_mtime < cutoff:
                stale.unlink()


def _discard_pending(request):
    """Forgets the previewed import of this session, and its rows kept on the server."""
    pending = request.session.pop(PENDING_KEY, None)
    if pending:
        _pending_path(pending["token"]).unlink(missing_ok=True)


def _claim_pending(request):
    """The kept rows of this session's preview, taken once: of two confirms sent together
    (a double click, two tabs) only the one that removes the file goes on."""
    pending = request.session.pop(PENDING_KEY, None)
    if not pending:
        return None
    stored = _pending_path(pending["token"])
    try:
        text = stored.read_text(encoding="utf-8")
        stored.unlink()
    except FileNotFoundError:
        return None
    return imports.rows_from_json(text)


def _expired(request, org):
    messages.error(request, _("Phiên nhập đã hết hạn; hãy tải tệp lên lại."))
    return redirect("registration_import", org_code=org.code)


@require_http_methods(["GET", "POST"])
@idempotent
def registration_import(request, org_code):
    """Upload → preview (nothing written) → confirm → written whole, or not at all.

    The file is read once, on upload; the rows read are kept on the server under a token
    held in the session, and the confirm step checks them again against the database
    before writing. Nothing the browser sends back is taken for a row."""
    org = request.organization
    _require_import(request, org)
    form = RegistrationImportForm(organization=org)
    report = confirm_form = campaign = None
    late_reason = ""
    status = 200
    if request.method == "POST" and "token" in request.POST:
        confirm = ImportConfirmForm(request.POST)
        pending = request.session.get(PENDING_KEY) or {}
        if (
            not confirm.is_valid()
            or pending.get("token") != confirm.cleaned_data["token"]
            or (pending.get("org") != org.code)
        ):
            return _expired(request, org)
        campaign = form.fields["campaign"].queryset.filter(pk=pending.get("campaign")).first()
        if campaign is None:
            return _expired(request, org)
        rows = _claim_pending(request)
        if rows is None:
            # Another confirm of the same preview (a double click, a retry, a second tab) took it.
            messages.info(request, _("Danh sách này đã được nhập từ lần xác nhận trước; không nhập lại."))
            return redirect("registration_list", org_code=org.code)
        late_reason = pending.get("late_reason", "")
        report = imports.registration_import(
            org=org, campaign=campaign, rows=rows, user=request.user, dry_run=False, late_reason=late_reason
        )
        if report.written:
            messages.success(
                request,
                ngettext(
                    "Đã nhập %(n)s đăng ký theo kế hoạch %(number)s.",
                    "Đã nhập %(n)s đăng ký theo kế hoạch %(number)s.",
                    report.created,
                )
                % {"n": report.created, "number": campaign.number},
            )
            return redirect(reverse("registration_list", args=[org.code]) + f"?campaign={campaign.pk}")
    elif request.method == "POST":
        form = RegistrationImportForm(request.POST, request.FILES, organization=org)
        if form.is_valid():
            campaign = form.cleaned_data["campaign"]
            late_reason = form.cleaned_data["late_reason"]
            rows, file_error = imports.read_annex01(form.cleaned_data["file"])
            if file_error:
                report = imports.ImportReport(error=file_error)
            else:
                report = imports.registration_import(
                    org=org, campaign=campaign, rows=rows, user=request.user, dry_run=True, late_reason=late_reason
                )
            if not report.has_errors:
                _discard_pending(request)
                _forget_abandoned_previews()
                token = uuid.uuid4().hex
                _pending_path(token).write_text(imports.rows_to_json(rows), encoding="utf-8")
                request.session[PENDING_KEY] = {
                    "token": token,
                    "org": org.code,
                    "campaign": campaign.pk,
                    "late_reason": late_reason,
                }
                confirm_form = ImportConfirmForm(initial={"token": token})
        else:
            status = 400
    if report is not None and report.has_errors:
        status = 400
    context = {
        "org": org,
        "form": form,
        "confirm_form": confirm_form,
        "report": report,
        "campaign": campaign,
        "late_reason": late_reason,
        "columns": COLUMNS,
        "required_columns": imports.REQUIRED_COLUMNS,
        "preview_rows": report.rows[: imports.PREVIEW_ROWS] if report and not report.has_errors else [],
        "error_rows": report.error_rows[:MAX_ERRORS_SHOWN] if report else [],
    }
    return render(request, "models_registry/registration_import.html", context, status=status)
