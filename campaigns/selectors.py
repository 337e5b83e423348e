"""Reads of campaigns, inside the acting organisation's scope."""

from django.db.models import Count, Prefetch, Q

from dvk.models import Organization
from dvk.selectors import find_in_subtree

from .enums import CampaignStatus
from .models import Campaign, Milestone, Quota


def campaigns_here():
    """Campaigns visible in the current scope (the tenant manager applies the rule)."""
    return Campaign.objects.select_related("organization", "derived_from", "phase")


def campaigns_for_list(org, *, status=None, include_drafts=True):
    """Campaigns issued at or above `org`, or below it, with their counts (one query).

    `include_drafts=False` for a viewer who is not staff here: the scope shows the drafts of
    the subtree, but only staff may open them."""
    qs = campaigns_here().annotate(
        quota_count=Count("quotas", distinct=True), milestone_count=Count("milestones", distinct=True)
    )
    if status:
        qs = qs.filter(status=status)
    if not include_drafts:
        qs = qs.exclude(status=CampaignStatus.DRAFT)
    return qs.order_by("-period_start", "organization__path", "number")


def campaigns_open_to(org):
    """Where a unit registers (DOMAIN.md): the published campaigns issued above `org` that
    target it, nearest level first, minus any a derived campaign that also targets it
    implements (when a commune has derived its own plan from the province's, its units
    register under the commune's, which counts toward the province's).

    Targets, milestones and quota lines come prefetched (a fixed number of queries)."""
    ids_only = Organization.objects.only("id")
    candidates = list(
        Campaign.objects.filter(status=CampaignStatus.PUBLISHED, organization__path__in=org.ancestor_paths()[:-1])
        .select_related("organization")
        .prefetch_related(
            Prefetch("target_organizations", queryset=ids_only),
            Prefetch("milestones", queryset=Milestone.objects.select_related("kind")),
            Prefetch(
                "quotas",
                queryset=Quota.objects.prefetch_related(
                    Prefetch("organizations", queryset=ids_only), Prefetch("excluded", queryset=ids_only)
                ),
            ),
        )
        .order_by("-organization__depth", "-period_start", "number")
    )
    as_dict = {"id": org.pk, "path": org.path, "depth": org.depth, "level": org.level, "kind": org.kind}
    targeting = [c for c in candidates if c.selects_target(as_dict, {o.pk for o in c.target_organizations.all()})]
    return [c for c in targeting if not any(d.pk != c.pk and d.lineage.startswith(c.lineage) for d in targeting)]


def open_campaign_for(org):
    """The nearest campaign `org` registers under, or None."""
    return next(iter(campaigns_open_to(org)), None)


def derived_campaign_paths(campaign):
    """Levels that implement `campaign` with their own derived campaign."""
    return set(
        Campaign.objects.filter(Q(derived_from=campaign) & ~Q(status=CampaignStatus.DRAFT)).values_list(
            "organization__path", flat=True
        )
    )


def with_details(campaigns):
    """`campaigns` with everything a full description shows, in a fixed number of queries."""
    return campaigns.prefetch_related(*detail_lookups())


def detail_lookups():
    codes = Organization.objects.only("id", "code", "name", "path")
    return [
        "fields",
        Prefetch("target_organizations", queryset=codes.order_by("path")),
        Prefetch(
            "quotas",
            queryset=Quota.objects.prefetch_related(
                Prefetch("organizations", queryset=codes.order_by("path")),
                Prefetch("excluded", queryset=codes.order_by("path")),
            ),
        ),
        Prefetch("milestones", queryset=Milestone.objects.select_related("kind")),
    ]


def compliance_root(acting_org, campaign, code=""):
    """(start, node) of a compliance view: `start` is where the viewer's drill-down begins (the
    acting organisation, or the campaign's level when acting above it) and `node` the
    organisation `code` names, if it lies in the acting organisation's subtree and in the
    campaign's; None otherwise (the caller answers 404). A node above the campaign's level
    stands for the level itself."""
    level = campaign.organization
    start = acting_org if acting_org.path.startswith(level.path) else level
    if not code:
        return start, start
    node = find_in_subtree(acting_org, code)
    if node is None:
        return None
    if node.path.startswith(start.path):
        return start, node
    if start.path.startswith(node.path):
        return start, start
    return None


def drill_path(start, node):
    """The organisations from `start` down to `node`'s parent, for a breadcrumb (one query)."""
    if node.pk == start.pk:
        return []
    paths = [p for p in node.ancestor_paths()[:-1] if p.startswith(start.path)]
    return list(Organization.objects.filter(path__in=paths).order_by("depth"))


def campaign_history(campaign, limit=50):
    """Who changed what and when on a campaign, its quotas and its milestones (three queries)."""
    from django.utils.translation import gettext as _

    from .models import Milestone, Quota

    sources = (
        (_("Kế hoạch"), Campaign.history.filter(id=campaign.pk), lambda h: f"{h.number} ({h.get_status_display()})"),
        (_("Chỉ tiêu"), Quota.history.filter(campaign_id=campaign.pk), lambda h: h.label),
        (
            _("Mốc thời gian"),
            Milestone.history.filter(campaign_id=campaign.pk).select_related("kind"),
            lambda h: f"{h.title or h.kind.name} – {h.due_on:%d/%m/%Y}",
        ),
    )
    rows = []
    for what, queryset, describe in sources:
        for h in queryset.select_related("history_user").order_by("-history_date")[:limit]:
            rows.append(
                {
                    "what": what,
                    "name": describe(h),
                    "type": h.history_type,
                    "user": h.history_user,
                    "date": h.history_date,
                    "reason": h.history_change_reason or "",
                }
            )
    rows.sort(key=lambda row: row["date"], reverse=True)
    return rows[:limit]
