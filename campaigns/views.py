"""Campaign pages under /o/<org_code>/campaigns/.

The tenancy middleware has already checked the user's role at the acting organisation and
runs each view in its scope: a campaign outside the scope is not found (404); a visible one
the user may not act on is refused (403). Writes go through campaigns.services."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dvk.access import object_or_404, require_perm
from dvk.enums import Kind, Level
from dvk.excel import xlsx_response
from dvk.forms import attach_errors, form_status
from dvk.idempotency import idempotent
from dvk.models import Organization
from dvk.selectors import memberships_of

from . import panels, selectors, services
from .compliance import FINISHED, compliance_report
from .enums import CampaignStatus, ComplianceStatus, QuotaScope
from .exports import compliance_workbook
from .forms import (
    CampaignEditForm,
    CampaignForm,
    CopyForm,
    DeriveForm,
    MilestoneForm,
    MilestoneKindForm,
    QuotaForm,
)

PAGE_SIZE = 50


def _campaign(request, pk, perm="campaigns.view_campaign"):
    return object_or_404(request, selectors.campaigns_here(), perm, pk=pk)


def _to_detail(campaign, org):
    return redirect("campaign_detail", org_code=org.code, pk=campaign.pk)


def _warn(request, campaign):
    """Registration dates that look mistyped, said after a save (campaigns.services)."""
    if campaign.status in FINISHED:
        return
    for warning in services.campaign_warnings(campaign):
        messages.warning(request, warning)


def _refuse_finished(request, campaign):
    """A closed campaign's quotas and milestones are its history: its snapshot is read with them."""
    if campaign.status in FINISHED:
        messages.error(request, _("Kế hoạch đã kết thúc, không sửa được nữa."))
        return _to_detail(campaign, request.organization)
    return None


@require_GET
def campaign_list(request, org_code):
    org = request.organization
    can_add = request.user.has_perm("campaigns.add_campaign", org)
    status = request.GET.get("status", "")
    if status not in CampaignStatus.values:
        status = ""
    rows = selectors.campaigns_for_list(org, status=status or None, include_drafts=can_add)
    context = {
        "org": org,
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "status": status,
        "statuses": CampaignStatus.choices,
        "can_add": can_add,
    }
    return render(request, "campaigns/campaign_list.html", context)


@require_http_methods(["GET", "POST"])
@idempotent
def campaign_create(request, org_code):
    org = request.organization
    require_perm(request, "campaigns.add_campaign", org)
    form = CampaignForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(organization=org, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo dự thảo kế hoạch “%s”.") % campaign.number)
            return _to_detail(campaign, org)
    context = {"org": org, "form": form, "title": _("Tạo kế hoạch"), "campaign": None}
    return render(request, "campaigns/campaign_form.html", context, status=form_status(request))


@require_http_methods(["GET", "POST"])
@idempotent
def campaign_edit(request, org_code, pk):
    org = request.organization
    campaign = _campaign(request, pk, "campaigns.change_campaign")
    if refused := _refuse_finished(request, campaign):
        return refused
    form = CampaignEditForm(request.POST or None, instance=campaign, organization=campaign.organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                campaign=campaign, expected_version=form.cleaned_data["version"], **form.service_kwargs()
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            _warn(request, campaign)
            return _to_detail(campaign, org)
    context = {"org": org, "form": form, "title": _("Sửa kế hoạch %s") % campaign.number, "campaign": campaign}
    return render(request, "campaigns/campaign_form.html", context, status=form_status(request))


def _describe_targets(campaign):
    levels = [Level(v).label for v in campaign.target_levels if v in Level.values]
    kinds = [Kind(v).label for v in campaign.target_kinds if v in Kind.values]
    return {"levels": levels, "kinds": kinds, "picked": list(campaign.target_organizations.all())}


def _describe_quota(quota):
    return {
        "quota": quota,
        "is_total": quota.scope == QuotaScope.TOTAL,
        "levels": [Level(v).label for v in quota.levels if v in Level.values],
        "kinds": [Kind(v).label for v in quota.kinds if v in Kind.values],
        "picked": list(quota.organizations.all()),
        "excluded": list(quota.excluded.all()),
    }


def _detail_context(request, campaign, derive_form=None):
    org = request.organization
    user = request.user
    prefetch_related_objects([campaign], *selectors.detail_lookups())
    derived = list(selectors.campaigns_here().filter(derived_from=campaign).order_by("organization__path", "number"))
    can_change = user.has_perm("campaigns.change_campaign", campaign)
    below_level = org.path.startswith(campaign.organization.path) and org.pk != campaign.organization_id
    can_derive = (
        campaign.status == CampaignStatus.PUBLISHED and below_level and user.has_perm("campaigns.derive_campaign", org)
    )
    own_derived = [c for c in derived if c.organization_id == org.pk]
    if can_derive and derive_form is None:
        derive_form = DeriveForm(parent=campaign, organization=org)
    milestones = [{"milestone": m, "occurrences": m.occurrences()} for m in campaign.milestones.all()]
    can_publish = can_change and campaign.status == CampaignStatus.DRAFT
    # While a draft, the staff who will publish it see what looks wrong before they do.
    warnings = services.registration_warnings(campaign, campaign.milestones.all()) if can_publish else []
    publish_confirm = _("Ban hành kế hoạch này? Mọi tổ chức được giao sẽ thấy kế hoạch.")
    if warnings:
        publish_confirm = "\n\n".join([publish_confirm, _("Lưu ý:"), *warnings])
    return {
        "org": org,
        "campaign": campaign,
        "legal_bases": [line.strip() for line in campaign.legal_bases.splitlines() if line.strip()],
        "targets": _describe_targets(campaign),
        "quotas": [_describe_quota(q) for q in campaign.quotas.all()],
        "milestones": milestones,
        "derived": derived,
        "own_derived": own_derived,
        "derive_form": derive_form if can_derive else None,
        "editable": can_change and campaign.status not in FINISHED,
        "can_publish": can_publish,
        "warnings": warnings,
        "publish_confirm": publish_confirm,
        "can_close": can_change and campaign.status == CampaignStatus.PUBLISHED,
        "can_archive": can_change and campaign.status in (CampaignStatus.PUBLISHED, CampaignStatus.CLOSED),
        "can_delete": campaign.status == CampaignStatus.DRAFT and user.has_perm("campaigns.delete_campaign", campaign),
        "can_view_compliance": user.has_perm("campaigns.view_compliance", org),
        "history": selectors.campaign_history(campaign) if can_change else None,
        "can_copy": user.has_perm("campaigns.copy_campaign", campaign),
        "copy_review": _copy_review(request, campaign, can_change),
        "panels": panels.campaign_panels(request, campaign),
    }


@require_GET
def campaign_detail(request, org_code, pk):
    campaign = _campaign(request, pk)
    return render(request, "campaigns/campaign_detail.html", _detail_context(request, campaign))


def _status_action(request, pk, perm, action, done, *, warn=False):
    campaign = _campaign(request, pk, perm)
    try:
        action(campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % campaign.number)
        if warn:
            _warn(request, campaign)
    return _to_detail(campaign, request.organization)


@require_POST
@idempotent
def campaign_publish(request, org_code, pk):
    return _status_action(
        request,
        pk,
        "campaigns.change_campaign",
        services.campaign_publish,
        _("Đã ban hành kế hoạch “%s”."),
        warn=True,
    )


@require_POST
@idempotent
def campaign_close(request, org_code, pk):
    return _status_action(
        request,
        pk,
        "campaigns.change_campaign",
        services.campaign_close,
        _("Đã kết thúc kế hoạch “%s”; kết quả thực hiện đã được chốt."),
    )


@require_POST
@idempotent
def campaign_archive(request, org_code, pk):
    return _status_action(
        request, pk, "campaigns.change_campaign", services.campaign_archive, _("Đã lưu trữ kế hoạch “%s”.")
    )


@require_POST
@idempotent
def campaign_delete(request, org_code, pk):
    campaign = _campaign(request, pk, "campaigns.delete_campaign")
    number = campaign.number
    try:
        services.campaign_delete(campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _to_detail(campaign, request.organization)
    messages.success(request, _("Đã xóa dự thảo kế hoạch “%s”.") % number)
    return redirect("campaign_list", org_code=request.organization.code)


@require_POST
@idempotent
def campaign_derive(request, org_code, pk):
    """The acting organisation implements campaign `pk` with a draft of its own."""
    org = request.organization
    parent = _campaign(request, pk)
    require_perm(request, "campaigns.derive_campaign", org)
    form = DeriveForm(request.POST, parent=parent, organization=org)
    if form.is_valid():
        try:
            campaign = services.campaign_derive(parent=parent, organization=org, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _to_detail(parent, org)
        messages.success(
            request, _("Đã tạo dự thảo kế hoạch thực hiện “%s”; hãy rà soát rồi ban hành.") % campaign.number
        )
        return redirect("campaign_edit", org_code=org.code, pk=campaign.pk)
    context = _detail_context(request, parent, derive_form=form)
    return render(request, "campaigns/campaign_detail.html", context, status=400)


def _review_rows(user, rows):
    """The organisations a copy leaves out (CopyReview.as_record rows), as the pages list them.
    Whether each is archived and where a moved one is now are read as they stand today; where
    it is now is said only to someone holding a role there or above it (three queries)."""
    if not rows:
        return []
    now = {o.pk: o for o in Organization.objects.filter(pk__in=[row["id"] for row in rows])}
    roles = memberships_of(user)
    seen = {pk for pk, o in now.items() if any(o.path.startswith(m.organization.path) for m in roles)}
    parent_paths = [now[pk].path[: -Organization.steplen] for pk in seen]
    parents = {o.path: o.name for o in Organization.objects.filter(path__in=parent_paths)} if seen else {}
    shown = []
    for row in rows:
        org = now.get(row["id"])
        shown.append(
            {
                "name": row["name"],
                "code": row["code"],
                "archived": org.archived_at is not None if org else row["archived"],
                "now_under": parents.get(org.path[: -Organization.steplen], "") if row["id"] in seen else "",
                "places": row["places"],
            }
        )
    return shown


def _copy_review(request, campaign, can_change):
    """What the copy that made this draft left out, for everyone who may edit it, until they
    dismiss it or the draft is published."""
    record = campaign.copy_review
    if not (record and can_change and campaign.status == CampaignStatus.DRAFT):
        return None
    return {
        "original": record["original"],
        "rows": _review_rows(request.user, record["rows"]),
        "quotas": record["quotas"],
    }


@require_http_methods(["GET", "POST"])
@idempotent
def campaign_copy(request, org_code, pk):
    """ "Sao chép kế hoạch": a new draft at campaign `pk`'s level from it, whatever its status.
    The draft's page then lists what the copy left out (kept on the draft) for its staff."""
    org = request.organization
    original = _campaign(request, pk, "campaigns.copy_campaign")
    form = CopyForm(request.POST or None, original=original)
    if request.method == "POST" and form.is_valid():
        try:
            copied = services.campaign_copy(original=original, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã tạo dự thảo kế hoạch “%(new)s” từ kế hoạch số %(old)s; hãy rà soát rồi ban hành.")
                % {"new": copied.campaign.number, "old": original.number},
            )
            return _to_detail(copied.campaign, org)
    record = services.copy_review(original).as_record()
    context = {
        "org": org,
        "campaign": original,
        "form": form,
        "review_rows": _review_rows(request.user, record.get("rows")),
        "quotas_left_out": record.get("quotas"),
    }
    return render(request, "campaigns/campaign_copy.html", context, status=form_status(request))


@require_POST
@idempotent
def campaign_copy_review_dismiss(request, org_code, pk):
    """ "Đã rà soát": staff have reviewed what the copy left out; it is no longer listed."""
    campaign = _campaign(request, pk, "campaigns.change_campaign")
    if services.copy_review_dismiss(campaign=campaign):
        messages.success(request, _("Đã ghi nhận: danh sách cần rà soát của bản sao đã được rà soát."))
    else:
        messages.info(request, _("Danh sách cần rà soát của bản sao này đã được rà soát trước đó."))
    return _to_detail(campaign, request.organization)


def _quota_page(request, campaign, quota):
    if refused := _refuse_finished(request, campaign):
        return refused
    form = QuotaForm(request.POST or None, instance=quota, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.quota_save(campaign=campaign, quota=quota, **form.service_kwargs())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu chỉ tiêu."))
            return _to_detail(campaign, request.organization)
    title = _("Sửa chỉ tiêu") if quota else _("Thêm chỉ tiêu")
    context = {"org": request.organization, "campaign": campaign, "form": form, "title": title}
    return render(request, "campaigns/quota_form.html", context, status=form_status(request))


def _quota(request, campaign, quota_id):
    return object_or_404(request, campaign.quotas.all(), pk=quota_id)


@require_http_methods(["GET", "POST"])
@idempotent
def quota_add(request, org_code, pk):
    return _quota_page(request, _campaign(request, pk, "campaigns.change_campaign"), None)


@require_http_methods(["GET", "POST"])
@idempotent
def quota_edit(request, org_code, pk, quota_id):
    campaign = _campaign(request, pk, "campaigns.change_campaign")
    return _quota_page(request, campaign, _quota(request, campaign, quota_id))


@require_POST
@idempotent
def quota_delete(request, org_code, pk, quota_id):
    campaign = _campaign(request, pk, "campaigns.change_campaign")
    quota = _quota(request, campaign, quota_id)
    if refused := _refuse_finished(request, campaign):
        return refused
    services.quota_delete(quota=quota)
    messages.success(request, _("Đã xóa chỉ tiêu “%s”.") % quota.label)
    return _to_detail(campaign, request.organization)


def _milestone_page(request, campaign, milestone):
    if refused := _refuse_finished(request, campaign):
        return refused
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_save(campaign=campaign, milestone=milestone, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu mốc thời gian."))
            _warn(request, campaign)
            return _to_detail(campaign, request.organization)
    context = {
        "org": request.organization,
        "campaign": campaign,
        "form": form,
        "title": _("Sửa mốc thời gian") if milestone else _("Thêm mốc thời gian"),
        "can_add_kind": request.user.has_perm("campaigns.add_campaign", request.organization),
    }
    return render(request, "campaigns/milestone_form.html", context, status=form_status(request))


def _milestone(request, campaign, milestone_id):
    return object_or_404(request, campaign.milestones.select_related("kind"), pk=milestone_id)


@require_http_methods(["GET", "POST"])
@idempotent
def milestone_add(request, org_code, pk):
    return _milestone_page(request, _campaign(request, pk, "campaigns.change_campaign"), None)


@require_http_methods(["GET", "POST"])
@idempotent
def milestone_edit(request, org_code, pk, milestone_id):
    campaign = _campaign(request, pk, "campaigns.change_campaign")
    return _milestone_page(request, campaign, _milestone(request, campaign, milestone_id))


@require_POST
@idempotent
def milestone_delete(request, org_code, pk, milestone_id):
    campaign = _campaign(request, pk, "campaigns.change_campaign")
    milestone = _milestone(request, campaign, milestone_id)
    if refused := _refuse_finished(request, campaign):
        return refused
    try:
        services.milestone_delete(milestone=milestone)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã xóa mốc thời gian “%s”.") % milestone)
    return _to_detail(campaign, request.organization)


@require_http_methods(["GET", "POST"])
@idempotent
def milestone_kind_add(request, org_code):
    """Staff extend the shared list of milestone kinds; `next` brings them back to their form."""
    org = request.organization
    require_perm(request, "campaigns.add_campaign", org)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    form = MilestoneKindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kind = services.milestone_kind_create(**form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm loại mốc thời gian “%s”.") % kind.name)
            return redirect(next_url or reverse("campaign_list", kwargs={"org_code": org.code}))
    return render(
        request,
        "campaigns/milestone_kind_form.html",
        {"org": org, "form": form, "next": next_url},
        status=form_status(request),
    )


# ?status=behind: only the rows that do not meet their quota (late ones included).
BEHIND_FILTER = "behind"
NOT_MET = (ComplianceStatus.BEHIND, ComplianceStatus.OVERDUE)


def _status_filter(request):
    return BEHIND_FILTER if request.GET.get("status") == BEHIND_FILTER else ""


def _compliance(request, pk):
    """The campaign, the drill-down start and node (?node=), and the report for the node."""
    org = request.organization
    campaign = _campaign(request, pk)
    require_perm(request, "campaigns.view_compliance", org)
    found = selectors.compliance_root(org, campaign, request.GET.get("node", "").strip())
    if found is None:
        raise Http404
    start, node = found
    return campaign, start, node, compliance_report(campaign, node, acting=org, today=timezone.localdate())


def _percent(part, whole):
    return round(100 * part / whole) if whole else 0


@require_GET
def campaign_compliance(request, org_code, pk):
    campaign, start, node, report = _compliance(request, pk)
    today = timezone.localdate()
    due = report.registration_due
    # Bars per child when the children hold several targets each (a province's communes);
    # when each is one unit, one doughnut for the node says more than a row of full bars.
    children = [c for c in report.children if c.targets]
    if not any(c.targets > 1 for c in children):
        children = []
    root = report.root
    chart = {
        "labels": [c.org["name"] for c in children],
        "met": [c.met for c in children],
        "behind": [c.behind - c.overdue for c in children],
        "overdue": [c.overdue for c in children],
        "root": {"met": root.met, "behind": root.behind - root.overdue, "overdue": root.overdue},
        "text": {"met": _("Đạt"), "behind": _("Chưa đạt"), "overdue": _("Quá hạn")},
    }
    status = _status_filter(request)
    # A unit's row opens its registrations in the list, filtered by this campaign (the list
    # counts what the compliance counts: the campaign and the plans implementing it). By URL
    # name: campaigns does not import the registry.
    registrations = reverse("registration_list", args=[request.organization.code]) + f"?campaign={campaign.pk}&org="
    rows = [_child_row(c, registrations) for c in report.children]
    shown = [r for r in rows if r["node"].status in NOT_MET] if status else rows
    context = {
        "org": request.organization,
        "campaign": campaign,
        "start": start,
        "node": node,
        "crumbs": selectors.drill_path(start, node),
        "report": report,
        "root": report.root,
        "percent": report.root.percent or 0,
        "children": shown,
        "all_children": len(rows),
        "behind_children": sum(r["node"].status in NOT_MET for r in rows),
        "status": status,
        "any_drill": any(r["drill"] for r in shown),
        "any_unit_link": any(not r["drill"] for r in shown),
        "node_query": f"node={quote(node.code)}&" if node.pk != start.pk else "",
        "own_row": report.root.target_row,
        "due": due,
        "days_left": (due - today).days if due else None,
        "days_overdue": (today - due).days if due else None,
        "chart": chart,
        "snapshot_taken_at": campaign.snapshot.taken_at if report.from_snapshot else None,
    }
    return render(request, "campaigns/compliance.html", context)


BADGES = {
    ComplianceStatus.MET: ("text-bg-success", _lazy("Đạt")),
    ComplianceStatus.BEHIND: ("text-bg-warning", _lazy("Chưa đạt")),
    ComplianceStatus.OVERDUE: ("text-bg-danger", _lazy("Quá hạn")),
    ComplianceStatus.NOT_TARGETED: ("text-bg-light border", _lazy("Không giao chỉ tiêu")),
}


def _child_row(node, registrations):
    """One drill-down row, its texts prepared here: a commune has dozens of rows, and
    per-row template translation tags cost more than everything else on the page.
    `registrations`: the registration list's address, ending where the row's code goes."""
    summary = _("đăng ký %(t)s (%(rc)s TT, %(ri)s CN) / yêu cầu %(need)s") % {
        "t": node.registered.total,
        "rc": node.registered.collective,
        "ri": node.registered.individual,
        "need": node.required.total,
    }
    if node.targets > 1:
        summary = _("Đạt %(met)s/%(n)s tổ chức") % {"met": node.met, "n": node.targets} + " · " + summary
    badge_class, badge_label = BADGES[node.status]
    return {
        "node": node,
        "percent": _percent(node.met, node.targets),
        "drill": node.org["numchild"] > 0,
        "registrations_url": registrations + quote(node.org["code"]),
        "summary": summary,
        "badge_class": badge_class,
        "badge_label": badge_label,
    }


@require_GET
def campaign_compliance_export(request, org_code, pk):
    campaign, _start, node, report = _compliance(request, pk)
    behind = _status_filter(request) == BEHIND_FILTER
    content = compliance_workbook(report, node=node, statuses=NOT_MET if behind else None)
    stamp = timezone.localdate().strftime("%Y%m%d")
    suffix = "-chua-dat" if behind else ""
    return xlsx_response(content, f"ket-qua-{campaign.pk}-{node.code}{suffix}-{stamp}.xlsx")
