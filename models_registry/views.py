"""One registration's pages under /o/<org_code>/registrations/: the open campaigns a unit
registers under, the phone-first form (with autosave), the detail page and the workflow.

The tenancy middleware has already checked the user's role at the acting organisation and
runs each view in its scope: a registration or campaign outside the scope is not found
(404); a visible one the user may not act on is refused (403). Writes go through
models_registry.services."""

import copy
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Window
from django.db.models.functions import Lag
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.compliance import ORG_FIELDS, Tally, evaluate, registration_deadline
from campaigns.enums import COUNTED_STATUSES, SubjectType
from campaigns.enums import RegistrationStatus as S
from campaigns.selectors import campaigns_here, campaigns_open_to
from dvk.access import object_or_404, require_perm
from dvk.forms import attach_errors
from dvk.idempotency import idempotent
from dvk.selectors import subtree_of

from . import services
from .enums import EDITABLE
from .forms import (
    PERSON_FIELDS,
    PLAN_FIELDS,
    SIX_CLEAR_FIELDS,
    RegisteringUnitForm,
    RegistrationCreateForm,
    RegistrationForm,
    ReviewForm,
)
from .models import Registration, RegistrationTarget
from .panels import registration_panels
from .selectors import registering_units, registrations_here
from .validation import submission_errors

REVIEWS = {
    "accept": (services.registration_accept, _lazy("Đã duyệt đăng ký “%s”.")),
    "return": (services.registration_return, _lazy("Đã trả lại đăng ký “%s” để đơn vị sửa.")),
    "reject": (services.registration_reject, _lazy("Đã không duyệt đăng ký “%s”.")),
}


def registration_or_404(request, pk, perm="models_registry.view_registration"):
    return object_or_404(request, registrations_here(), perm, pk=pk)


def _to_detail(registration, org):
    return redirect("registration_detail", org_code=org.code, pk=registration.pk)


def _to_edit(registration, org, query=""):
    return redirect(reverse("registration_edit", args=[org.code, registration.pk]) + query)


def _registering_org(request, code):
    """The organisation that registers: the acting one, or `code` inside its subtree (a
    staff member acting for a unit). A code outside the subtree is not found. Codes are
    upper case; one typed in lower case (the picker's plain field, without JavaScript) is
    the same code."""
    org = request.organization
    code = (code or "").strip().upper()
    if not code or code == org.code:
        return org
    found = subtree_of(org).filter(code=code, archived_at__isnull=True).first()
    if found is None:
        raise Http404
    return found


def _due_text(due, today):
    if due is None:
        return ""
    days = (due - today).days
    day = formats.date_format(due, "SHORT_DATE_FORMAT")
    if days < 0:
        return _("Hạn đăng ký %(day)s: đã quá hạn %(n)s ngày.") % {"day": day, "n": -days}
    if days == 0:
        return _("Hạn đăng ký %(day)s: hôm nay là ngày cuối.") % {"day": day}
    return _("Hạn đăng ký %(day)s: còn %(n)s ngày.") % {"day": day, "n": days}


# The open campaigns.


def _counted_by_campaign(campaigns, org):
    """{campaign id: {organisation id: Tally}} of the counted registrations in `org`'s
    subtree under each campaign or one derived from it (one query)."""
    if not campaigns:
        return {}
    lineage = Q()
    for c in campaigns:
        lineage |= Q(campaign__lineage__startswith=c.lineage)
    rows = (
        Registration.objects.filter(lineage, status__in=COUNTED_STATUSES, organization__path__startswith=org.path)
        .values("campaign__lineage", "organization_id", "subject_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    counted = {c.pk: defaultdict(Tally) for c in campaigns}
    for row in rows:
        for c in campaigns:
            if row["campaign__lineage"].startswith(c.lineage):
                tally = counted[c.pk][row["organization_id"]]
                if row["subject_type"] == SubjectType.COLLECTIVE:
                    tally.collective += row["n"]
                else:
                    tally.individual += row["n"]
    return counted


def _quota_row(campaign, org, orgs, own, today, due):
    """What the quota asks of `org` under `campaign`, what counts already and what is left."""
    report = evaluate(
        campaign,
        orgs,
        own,
        quotas=list(campaign.quotas.all()),
        picked_ids={o.pk for o in campaign.target_organizations.all()},
        today=today,
        registration_due=due,
        root_path=org.path,
        campaign_path=campaign.organization.path,
    )
    row = report.root.target_row
    if row is None:
        return None
    required, registered = row.required, row.registered
    if required.total == 0:
        return None
    left = {
        "collective": max(required.collective - registered.collective, 0),
        "individual": max(required.individual - registered.individual, 0),
    }
    left["total"] = max(required.total - registered.total, left["collective"] + left["individual"])
    return {
        "required": required,
        "registered": registered,
        "left": left,
        "met": left["total"] == 0,
        "distinguishes": bool(required.collective or required.individual),
    }


def _picker(request, acting, registering):
    """The unit picker when the user may register for more than one unit of the acting
    organisation's subtree (a staff member acting for a unit), or None: a secretary of one
    unit registers for it without choosing."""
    if registering_units(request.user, acting)[:2].count() < 2:
        return None
    return RegisteringUnitForm(acting=acting, registering=registering)


@require_GET
def open_campaigns(request, org_code):
    acting = request.organization
    org = _registering_org(request, request.GET.get("org"))
    require_perm(request, "models_registry.add_registration", org)
    today = timezone.localdate()
    campaigns = campaigns_open_to(org)
    orgs = list(subtree_of(org).filter(archived_at__isnull=True).order_by("path").values(*ORG_FIELDS))
    counted = _counted_by_campaign(campaigns, org)
    mine = defaultdict(list)
    for r in (
        Registration.objects.filter(organization=org, campaign__in=campaigns)
        .select_related("initiative")
        .order_by("-updated_at")
    ):
        mine[r.campaign_id].append(r)
    rows = []
    for c in campaigns:
        due = registration_deadline(c, list(c.milestones.all()))
        late = due is not None and today > due
        reviewer = request.user.has_perm("models_registry.register_late", c)
        rows.append(
            {
                "campaign": c,
                "due": due,
                "due_text": _due_text(due, today),
                "late": late,
                "may_register": not late or reviewer,
                "quota": _quota_row(c, org, orgs, counted[c.pk], today, due),
                "mine": mine[c.pk],
            }
        )
    context = {
        "org": acting,
        "registering": org,
        "rows": rows,
        "picker": _picker(request, acting, org),
        "org_query": "" if org.pk == acting.pk else org.code,
    }
    return render(request, "models_registry/open_campaigns.html", context)


# Creating a draft.


@require_http_methods(["GET", "POST"])
@idempotent
def registration_create(request, org_code, campaign_id):
    acting = request.organization
    campaign = object_or_404(request, campaigns_here(), pk=campaign_id)
    org = _registering_org(request, request.POST.get("org") or request.GET.get("org"))
    require_perm(request, "models_registry.add_registration", org)
    late = services.registration_is_late(campaign)
    reviewer = request.user.has_perm("models_registry.register_late", campaign)
    subject = request.GET.get("subject")
    initial = {"subject_type": subject if subject in SubjectType.values else SubjectType.COLLECTIVE}
    form = RegistrationCreateForm(request.POST or None, initial=initial, late=late and reviewer)
    refusal = services.registration_refusal(campaign=campaign, organization=org, user=request.user)
    status = 200
    if request.method == "POST":
        if refusal:
            status = 400
        elif form.is_valid():
            data = form.cleaned_data
            try:
                registration = services.registration_create(
                    campaign=campaign,
                    organization=org,
                    user=request.user,
                    subject_type=data["subject_type"],
                    name=data["name"],
                    late_reason=data.get("late_reason", ""),
                )
            except ValidationError as exc:
                attach_errors(form, exc)
                status = 400
            else:
                messages.success(
                    request, _("Đã tạo bản nháp “%s”. Hãy điền tiếp; nội dung được lưu khi bạn gõ.") % registration.name
                )
                return _to_edit(registration, acting)
        else:
            status = 400
    due = registration_deadline(campaign)
    context = {
        "org": acting,
        "registering": org,
        "campaign": campaign,
        "form": form,
        "refusal": refusal,
        "late": late,
        "due_text": _due_text(due, timezone.localdate()),
    }
    # The first step shares the form page's template (a short form, before there is a draft).
    return render(request, "models_registry/registration_form.html", {**context, "creating": True}, status=status)


# The form: edit, autosave, and the submit button on it.


def _edit_context(request, registration, form, check=False):
    return {
        "org": request.organization,
        "registration": registration,
        "campaign": registration.campaign,
        "form": form,
        "individual": registration.subject_type == SubjectType.INDIVIDUAL,
        "six_clear": [form[name] for name in SIX_CLEAR_FIELDS],
        "person": [form[name] for name in [*PERSON_FIELDS, "person_account"] if name in form.fields],
        "plan": [form[name] for name in PLAN_FIELDS],
        "plan_open": any(form[name].value() for name in PLAN_FIELDS) or any(n in form.errors for n in PLAN_FIELDS),
        "checked": check,
    }


def _submission_preview(registration, form):
    """Submission errors of what the form holds, checked on an unsaved copy: a refused
    submission writes nothing."""
    data = form.service_kwargs()
    candidate = copy.copy(registration)
    candidate.initiative = copy.copy(registration.initiative)
    candidate.initiative.name = data.pop("name")
    targets = [RegistrationTarget(**t) for t in data.pop("targets")]
    for key, value in data.items():
        setattr(candidate, key, value)
    return submission_errors(candidate, targets)


def _refuse_not_editable(request, registration, submitting=False):
    if registration.status in EDITABLE:
        return None
    if submitting and registration.status != S.WITHDRAWN:
        messages.warning(request, _("Đăng ký này đã được gửi rồi."))
    else:
        messages.info(request, _("Đăng ký đã được gửi; chỉ sửa được khi còn là bản nháp hoặc bị trả lại."))
    return _to_detail(registration, request.organization)


@require_http_methods(["GET", "POST"])
@idempotent
def registration_edit(request, org_code, pk):
    org = request.organization
    registration = registration_or_404(request, pk, "models_registry.change_registration")
    submitting = request.POST.get("action") == "submit"
    if refused := _refuse_not_editable(request, registration, submitting):
        return refused
    if request.method == "GET":
        form = RegistrationForm(registration=registration)
        check = request.GET.get("check") == "1"
        if check:
            form.add_submission_errors(submission_errors(registration, list(registration.targets.all())))
        return render(
            request, "models_registry/registration_form.html", _edit_context(request, registration, form, check)
        )

    form = RegistrationForm(request.POST, registration=registration)
    if not form.is_valid():
        if not submitting and form.only_targets_unfinished():
            return _save_without_targets(request, registration, form)
        return render(
            request, "models_registry/registration_form.html", _edit_context(request, registration, form), status=400
        )
    if submitting and (errors := _submission_preview(registration, form)):
        form.add_submission_errors(errors)
        messages.error(request, _("Chưa gửi được: hãy bổ sung các ô được đánh dấu bên dưới."))
        return render(
            request,
            "models_registry/registration_form.html",
            _edit_context(request, registration, form, check=True),
            status=400,
        )
    try:
        registration = _update(registration, form)
    except ValidationError as exc:
        # A stale version or a status changed meanwhile: what was typed stays in the form.
        form.add_error(None, exc.messages)
        return render(
            request, "models_registry/registration_form.html", _edit_context(request, registration, form), status=409
        )
    if not submitting:
        messages.success(request, _("Đã lưu bản nháp lúc %s.") % timezone.localtime().strftime("%H:%M"))
        return _to_edit(registration, org)
    return _submit(request, registration)


def _update(registration, form, *, with_targets=True):
    """The service's update with what the form holds. The expected results are replaced only
    when they changed (each replacement is new rows and history: autosave runs often)."""
    data = form.service_kwargs()
    stored = [(t.indicator, t.value, t.unit) for t in registration.targets.all()]
    if not with_targets or [(t["indicator"], t["value"], t["unit"]) for t in data["targets"]] == stored:
        data["targets"] = None
    return services.registration_update(
        registration=registration, expected_version=form.cleaned_data["version"], **data
    )


def _save_without_targets(request, registration, form):
    """ "Lưu nháp" with a row of expected results half typed: the rest is saved and the form
    comes back as typed, the unfinished row marked."""
    try:
        registration = _update(registration, form, with_targets=False)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return render(
            request, "models_registry/registration_form.html", _edit_context(request, registration, form), status=409
        )
    data = request.POST.copy()
    data["version"] = registration.version
    form = RegistrationForm(data, registration=registration)
    form.is_valid()
    messages.warning(request, _("Đã lưu bản nháp, trừ bảng kết quả cần đạt: hãy ghi đủ các dòng được đánh dấu."))
    return render(request, "models_registry/registration_form.html", _edit_context(request, registration, form))


def _submit(request, registration):
    org = request.organization
    try:
        registration = services.registration_submit(registration=registration, user=request.user)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            messages.error(request, _("Chưa gửi được: hãy bổ sung các ô được đánh dấu bên dưới."))
            return _to_edit(registration, org, "?check=1")
        messages.error(request, " ".join(exc.messages))
        return _to_detail(registration, org)
    messages.success(request, _("Đã gửi đăng ký “%s” tới cấp duyệt.") % registration.name)
    return _to_detail(registration, org)


@require_POST
def registration_autosave(request, org_code, pk):
    """Saves the form as typed (no submission checks). Answers JSON: the new version and
    "Đã lưu lúc HH:MM", or the reason nothing was saved (400: a value is not valid; 409:
    stale or no longer a draft). A row of expected results still being typed does not stop
    the rest from saving; the stored table is then left as it was (`complete`: false)."""
    registration = registration_or_404(request, pk, "models_registry.change_registration")
    if registration.status not in EDITABLE:
        message = _("Đăng ký đã được gửi; chỉ sửa được khi còn là bản nháp hoặc bị trả lại.")
        return JsonResponse({"ok": False, "message": _("Chưa lưu: %s") % message, "errors": {}}, status=409)
    form = RegistrationForm(request.POST, registration=registration)
    complete = form.is_valid()
    if not complete and not form.only_targets_unfinished():
        errors = form.all_errors()
        first = " ".join(dict.fromkeys(m for messages_ in errors.values() for m in messages_))
        return JsonResponse({"ok": False, "message": _("Chưa lưu: %s") % first, "errors": errors}, status=400)
    try:
        # A row still being typed: the stored table stays as it was.
        registration = _update(registration, form, with_targets=complete)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        return JsonResponse({"ok": False, "message": _("Chưa lưu: %s") % message, "errors": {}}, status=409)
    saved_at = timezone.localtime().strftime("%H:%M")
    message = _("Đã lưu lúc %s") % saved_at
    if not complete:
        message = _("Đã lưu lúc %(time)s, trừ bảng kết quả cần đạt: %(why)s") % {
            "time": saved_at,
            "why": " ".join(form.target_errors),
        }
    return JsonResponse(
        {"ok": True, "complete": complete, "version": registration.version, "saved_at": saved_at, "message": message}
    )


# The detail page and the workflow.


def _audit_trail(registration):
    """Who moved the registration from which status to which, and when (one query,
    whatever the number of autosaved versions in between)."""
    History = registration.history.model
    rows = (
        History.objects.filter(id=registration.pk)
        .annotate(previous=Window(Lag("status"), order_by=[F("history_date").asc(), F("history_id").asc()]))
        .filter(Q(previous__isnull=True) | ~Q(previous=F("status")))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    labels = dict(S.choices)
    return [
        {
            "date": h.history_date,
            "user": h.history_user,
            "from": labels.get(h.previous, "") if h.previous else "",
            "to": labels.get(h.status, h.status),
            "to_code": h.status,
            "comment": h.review_comment if h.status in (S.RETURNED, S.REJECTED, S.ACCEPTED) else "",
        }
        for h in rows
    ]


def _fields_for_display(registration):
    meta = Registration._meta

    def rows(names):
        out = []
        for name in names:
            value = getattr(registration, name)
            if hasattr(value, "strftime"):
                value = formats.date_format(value, "SHORT_DATE_FORMAT")
            out.append({"name": name, "label": meta.get_field(name).verbose_name, "value": value})
        return out

    general = [
        {"name": "field", "label": _("Lĩnh vực"), "value": registration.field.name if registration.field else ""},
        *rows(["location", "starts_on", "completes_on", "contact_phone"]),
    ]
    sections = [{"kind": "general", "title": _("Thông tin đăng ký"), "rows": general}]
    if registration.subject_type == SubjectType.INDIVIDUAL:
        person = rows(PERSON_FIELDS)
        if registration.person_user_id:
            label = _("Tài khoản DVK của người được đề nghị")
            person.append({"name": "person_user", "label": label, "value": registration.person_user.username})
        sections.append({"kind": "person", "title": _("Người đăng ký"), "rows": person})
    sections.append({"kind": "six_clear", "title": _("06 rõ"), "rows": rows(SIX_CLEAR_FIELDS)})
    plan = rows(PLAN_FIELDS)
    if any(r["value"] for r in plan):
        sections.append({"kind": "plan", "title": _("Kế hoạch triển khai mô hình"), "rows": plan})
    return sections


@require_GET
def registration_detail(request, org_code, pk):
    return detail_page(request, registration_or_404(request, pk))


def detail_page(request, registration, *, upload_form=None, status=200):
    """The registration's page; `upload_form` brings back a refused upload with its errors."""
    user = request.user
    registration = (
        Registration.objects.select_related(
            "initiative",
            "organization",
            "campaign__organization",
            "field",
            "continues__initiative",
            "continues__campaign",
            "reviewed_by",
            "created_by",
            "person_user",
        )
        .prefetch_related("targets")
        .get(pk=registration.pk)
    )
    can_change = user.has_perm("models_registry.change_registration", registration)
    editable = registration.status in EDITABLE
    context = {
        "org": request.organization,
        "registration": registration,
        "campaign": registration.campaign,
        "sections": _fields_for_display(registration),
        "targets": list(registration.targets.all()),
        "continued_by": list(registration.continued_by.select_related("initiative", "campaign").order_by("pk")),
        "trail": _audit_trail(registration),
        "can_edit": can_change and editable,
        "can_submit": can_change and editable,
        "can_withdraw": user.has_perm("models_registry.withdraw_registration", registration),
        "can_review": registration.status == S.SUBMITTED
        and user.has_perm("models_registry.review_registration", registration),
    }
    # Reports and evidence have their own pages (report_views, which builds on this module);
    # the detail page shows them.
    from .report_views import reports_context

    context.update(reports_context(request, registration, upload_form=upload_form))
    context["panels"] = registration_panels(request, registration)
    return render(request, "models_registry/registration_detail.html", context, status=status)


@require_POST
@idempotent
def registration_submit(request, org_code, pk):
    registration = registration_or_404(request, pk, "models_registry.change_registration")
    return _submit(request, registration)


@require_POST
@idempotent
def registration_withdraw(request, org_code, pk):
    registration = registration_or_404(request, pk, "models_registry.change_registration")
    try:
        services.registration_withdraw(registration=registration)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã rút đăng ký “%s”.") % registration.name)
    return _to_detail(registration, request.organization)


@require_POST
@idempotent
def registration_review(request, org_code, pk):
    registration = registration_or_404(request, pk, "models_registry.review_registration")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn duyệt, trả lại hoặc không duyệt."))
        return _to_detail(registration, request.organization)
    action, done = REVIEWS[form.cleaned_data["action"]]
    try:
        action(registration=registration, user=request.user, comment=form.cleaned_data["comment"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, str(done) % registration.name)
    return _to_detail(registration, request.organization)
