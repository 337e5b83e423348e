"""The recognition dossier's pages.

Under the unit (or any level above it that sees the registration):
/o/<org_code>/appraisal/registrations/<pk>/dossier/ shows the dossier and, for who may act for
the unit, edits it (POST saves the draft); submit, return, opinions have their own POSTs.

Under the board: /o/<board org>/appraisal/boards/<pk>/dossiers/<registration_pk>/ shows the
dossier to staff of the board's level and to a member assigned that registration (the
django-guardian grant on their Assignment); these accept a seat, and through a seat a
registration not assigned to the member is not found. Files of an assigned dossier (its
evidence, its opinions) are served here under the same check, as models_registry serves
evidence: an attachment with the sniffed type, nosniff, a sandboxing CSP."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dvk.access import object_or_404, require_perm
from dvk.files import stored_file_response
from dvk.forms import attach_errors
from dvk.idempotency import idempotent
from dvk.seats import accepts_seat
from dvk.uploads import too_large_response, upload_view
from models_registry.models import Evidence
from models_registry.selectors import registrations_here

from . import dossier_services as services
from .board_views import board_or_404
from .dossier_forms import DossierForm, OpinionForm, ReturnForm, VersionForm
from .enums import REPORT_CHARACTER_BUDGET, DossierStatus
from .models import Assignment, DossierOpinion
from .rules import holds_assignment_grant, seat_on

VIEW_REGISTRATION = "models_registry.view_registration"


def _registration(request, pk):
    return object_or_404(request, registrations_here(), VIEW_REGISTRATION, pk=pk)


def _with_urls(items, name, kwargs, key):
    """Gives each file row its download address (and an opinion its download name)."""
    for item in items:
        item.download_url = reverse(name, kwargs={**kwargs, key: item.pk})
        if isinstance(item, DossierOpinion):
            item.download_name = services.opinion_download_name(item)
    return items


def _to_dossier(request, registration, anchor=""):
    url = reverse("appraisal:dossier", kwargs={"org_code": request.organization.code, "pk": registration.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _page(
    request, registration, dossier, *, form=None, return_form=None, opinion_form=None, submit_errors=None, status=200
):
    """The dossier page: the form for who may change it (a bound `form` brings back what was
    posted), else the dossier read-only; the registration's evidence; the opinions. A fixed
    number of queries however many files and opinions."""
    user = request.user
    eligible = services.registration_eligible(registration)
    may_change = user.has_perm("appraisal.change_dossier", dossier)
    editable = may_change and eligible and dossier.status in services.EDITABLE_STATUSES
    if editable and form is None:
        prefill = "" if dossier.report_results else services.results_prefill(registration)
        form = DossierForm(dossier=dossier, prefill_results=prefill)
    stored = dossier.pk is not None
    may_return = (
        stored and dossier.status == DossierStatus.SUBMITTED and user.has_perm("appraisal.return_dossier", dossier)
    )
    context = {
        "org": request.organization,
        "registration": registration,
        "campaign": registration.campaign,
        "dossier": dossier,
        "stored": stored,
        "eligible": eligible,
        "may_change": may_change,
        "editable": editable,
        # A refused POST shows what was typed even if the dossier meanwhile left the editable
        # states (another tab submitted it): nothing typed is lost.
        "form": form if editable or (may_change and form is not None and form.is_bound) else None,
        "submit_errors": submit_errors or [],
        "return_form": (return_form or ReturnForm(auto_id="id_return_%s")) if may_return else None,
        "opinion_form": (opinion_form or OpinionForm()) if editable and stored else None,
        "can_remove_opinions": editable and stored,
        "opinions": _with_urls(
            services.opinions_of(dossier),
            "appraisal:dossier_opinion_file",
            {"org_code": request.organization.code, "pk": registration.pk},
            "opinion_id",
        ),
        "evidence": _with_urls(
            services.evidence_of(registration),
            "evidence_download",
            {"org_code": request.organization.code, "pk": registration.pk},
            "evidence_id",
        ),
        "budget": REPORT_CHARACTER_BUDGET,
        "budget_display": services.thousands(REPORT_CHARACTER_BUDGET),
        "budget_text": services.budget_text(),
        "length": dossier.report_length,
    }
    return render(request, "appraisal/dossier.html", context, status=status)


@require_http_methods(["GET", "POST"])
@idempotent
def dossier(request, org_code, pk):
    """The dossier of registration `pk`: read by whoever sees the registration, written (POST:
    save the draft) by the unit's secretary or staff at the unit or above."""
    registration = _registration(request, pk)
    dossier = services.dossier_or_new(registration)
    require_perm(request, "appraisal.view_dossier", dossier)
    if request.method == "GET":
        return _page(request, registration, dossier)
    require_perm(request, "appraisal.change_dossier", dossier)
    form = DossierForm(request.POST, dossier=dossier)
    if form.is_valid():
        try:
            saved = services.dossier_save(registration, request.user, **form.service_kwargs())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if request.POST.get("then_submit"):
                # "Lưu và gửi": what is on the screen is saved, then sent, so nothing typed is
                # left behind. A refused sending still keeps the saved draft (a redirect: the
                # idempotent wrapper rolls back any other answer) and says why.
                try:
                    services.dossier_submit(registration, request.user, expected_version=saved.version)
                except ValidationError as exc:
                    messages.error(request, _("Đã lưu bản nháp nhưng chưa gửi được: %s") % " ".join(_messages(exc)))
                else:
                    messages.success(request, _("Đã lưu và gửi hồ sơ đề nghị công nhận."))
                return _to_dossier(request, registration)
            messages.success(request, _("Đã lưu hồ sơ đề nghị công nhận (bản nháp)."))
            return _to_dossier(request, registration)
    # Refused: the page again with what was typed, nothing saved. A stale or over-budget form
    # is shown even if the dossier meanwhile left the editable states, so no text is lost.
    return _page(request, registration, dossier, form=form, status=400)


def _messages(exc):
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return exc.messages


@require_POST
@idempotent
def dossier_submit(request, org_code, pk):
    registration = _registration(request, pk)
    dossier = services.dossier_or_new(registration)
    require_perm(request, "appraisal.change_dossier", dossier)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.dossier_submit(registration, request.user, expected_version=version)
    except ValidationError as exc:
        return _page(request, registration, dossier, submit_errors=_messages(exc), status=400)
    messages.success(request, _("Đã gửi hồ sơ đề nghị công nhận."))
    return _to_dossier(request, registration)


@require_POST
@idempotent
def dossier_return(request, org_code, pk):
    registration = _registration(request, pk)
    dossier = services.dossier_or_new(registration)
    require_perm(request, "appraisal.return_dossier", dossier)
    form = ReturnForm(request.POST, auto_id="id_return_%s")
    if form.is_valid():
        try:
            services.dossier_return(registration, request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã trả lại hồ sơ để đơn vị bổ sung."))
            return _to_dossier(request, registration)
    return _page(request, registration, dossier, return_form=form, status=400)


@upload_view
@require_POST
@idempotent
def opinion_add(request, org_code, pk):
    registration = _registration(request, pk)
    dossier = services.dossier_or_new(registration)
    require_perm(request, "appraisal.change_dossier", dossier)
    form = OpinionForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.opinion_add(
                registration,
                request.user,
                body=data["body"],
                author=data["author"],
                text=data["text"],
                uploaded_file=data["file"],
            )
        except services.EvidenceTooLarge as exc:
            return too_large_response(request, " ".join(exc.messages))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm ý kiến."))
            return _to_dossier(request, registration, "opinions")
    if request.FILES:
        form.add_error("file", _("Chưa lưu gì cả; hãy chọn lại tệp rồi gửi lại."))
    return _page(request, registration, dossier, opinion_form=form, status=status)


def _opinion(request, registration, opinion_id):
    dossier = services.dossier_of(registration)
    if dossier is None:
        raise Http404
    opinion = object_or_404(request, DossierOpinion.objects.all(), pk=opinion_id, dossier=dossier)
    opinion.dossier = dossier
    dossier.registration = registration
    return opinion


@require_POST
@idempotent
def opinion_delete(request, org_code, pk, opinion_id):
    registration = _registration(request, pk)
    opinion = _opinion(request, registration, opinion_id)
    require_perm(request, "appraisal.change_dossier", opinion.dossier)
    try:
        services.opinion_delete(opinion, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã xóa ý kiến."))
    return _to_dossier(request, registration, "opinions")


def _serve_opinion(opinion):
    if not opinion.file:
        raise Http404
    return stored_file_response(
        opinion.file,
        filename=services.opinion_download_name(opinion),
        content_type=opinion.content_type or "application/octet-stream",
    )


@require_GET
def opinion_file(request, org_code, pk, opinion_id):
    registration = _registration(request, pk)
    opinion = _opinion(request, registration, opinion_id)
    require_perm(request, "appraisal.view_dossier", opinion.dossier)
    return _serve_opinion(opinion)


def dossier_panel(request, registration):
    """The registration page's panel (models_registry.panels): the dossier's state, its page,
    and the button to start one for who may. One query (the dossier)."""
    dossier = services.dossier_or_new(registration)
    user = request.user
    if not user.has_perm("appraisal.view_dossier", dossier):
        return None
    eligible = services.registration_eligible(registration)
    may_change = user.has_perm("appraisal.change_dossier", dossier)
    return "appraisal/_dossier_panel.html", {
        "dossier": dossier,
        "stored": dossier.pk is not None,
        "eligible": eligible,
        "can_start": eligible and may_change and dossier.pk is None,
        "can_edit": eligible and may_change and dossier.pk is not None and dossier.status in services.EDITABLE_STATUSES,
    }


# --- the board reads the dossier ----------------------------------------------------------------


def _board_registration(request, pk, registration_pk):
    """The board `pk` and its registration `registration_pk` (made directly under its
    campaign), for staff of the board's level or a member holding the grant on their
    assignment of it. Through a seat, anything else is not found; for a member of the level
    without either, refused."""
    board = board_or_404(request, pk, perm=None)
    registration = object_or_404(request, registrations_here(), pk=registration_pk, campaign_id=board.campaign_id)
    user = request.user
    if user.has_perm("appraisal.change_board", board):
        return board, registration
    member = seat_on(user, board)
    assignment = (
        Assignment.objects.filter(board=board, member=member, registration=registration).first() if member else None
    )
    if assignment is not None and holds_assignment_grant(user, assignment):
        return board, registration
    if getattr(request, "via_seat", False):
        raise Http404
    require_perm(request, "appraisal.change_board", board)
    return board, registration


def _submitted_dossier(registration):
    dossier = services.dossier_of(registration)
    if dossier is not None:
        dossier.registration = registration
    return dossier if dossier is not None and dossier.status == DossierStatus.SUBMITTED else None


@require_GET
@accepts_seat
def board_dossier(request, org_code, pk, registration_pk):
    """What the board reads: the dossier (once submitted), the registration's plan and
    targets, its evidence. A fixed number of queries however many files and opinions."""
    board, registration = _board_registration(request, pk, registration_pk)
    stored = services.dossier_of(registration)
    dossier = stored if stored is not None and stored.status == DossierStatus.SUBMITTED else None
    where = {"org_code": request.organization.code, "pk": board.pk, "registration_pk": registration.pk}
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "registration": registration,
        "dossier": dossier,
        "stored_status": stored.get_status_display() if stored is not None else None,
        "opinions": _with_urls(
            services.opinions_of(dossier), "appraisal:board_dossier_opinion_file", where, "opinion_id"
        ),
        "evidence": _with_urls(
            services.evidence_of(registration), "appraisal:board_dossier_evidence", where, "evidence_id"
        ),
        "targets": list(registration.targets.all()),
        "via_seat": getattr(request, "via_seat", False),
    }
    return render(request, "appraisal/dossier_board.html", context)


@require_GET
@accepts_seat
def board_dossier_evidence(request, org_code, pk, registration_pk, evidence_id):
    _board, registration = _board_registration(request, pk, registration_pk)
    evidence = object_or_404(request, Evidence.objects.all(), pk=evidence_id, registration=registration)
    return stored_file_response(evidence.file, filename=evidence.download_name, content_type=evidence.content_type)


@require_GET
@accepts_seat
def board_dossier_opinion_file(request, org_code, pk, registration_pk, opinion_id):
    _board, registration = _board_registration(request, pk, registration_pk)
    dossier = _submitted_dossier(registration)
    if dossier is None:
        raise Http404
    opinion = object_or_404(request, DossierOpinion.objects.all(), pk=opinion_id, dossier=dossier)
    return _serve_opinion(opinion)
