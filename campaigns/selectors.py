"""Reads of campaigns, inside the acting organisation's scope."""

from django.db.models import Count, Q

from .enums import CampaignStatus
from .models import Campaign


def campaigns_here():
    """Campaigns visible in the current scope (the tenant manager applies the rule)."""
    return Campaign.objects.select_related("organization", "derived_from", "phase")


def campaign_in_scope(pk):
    """The campaign if the current scope may see it, else None (the caller answers 404)."""
    return campaigns_here().filter(pk=pk).first()


def campaigns_for_list(org, *, status=None):
    """Campaigns issued at or above `org`, or below it, with their counts (one query)."""
    qs = campaigns_here().annotate(
        quota_count=Count("quotas", distinct=True), milestone_count=Count("milestones", distinct=True)
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-period_start", "organization__path", "number")


def open_campaign_for(org):
    """Where a unit registers: the nearest open campaign that targets it.

    When a commune has derived its own campaign from the province's, its units register
    under the commune's; the province campaign takes no direct registration from there."""
    ancestors = org.ancestor_paths()[:-1]
    candidates = (
        Campaign.objects.filter(status=CampaignStatus.PUBLISHED, organization__path__in=ancestors)
        .select_related("organization")
        .prefetch_related("target_organizations")
        .order_by("-organization__depth", "-period_start")
    )
    as_dict = {"id": org.pk, "path": org.path, "depth": org.depth, "level": org.level, "kind": org.kind}
    for campaign in candidates:
        picked = {o.pk for o in campaign.target_organizations.all()}
        if campaign.selects_target(as_dict, picked):
            return campaign
    return None


def derived_campaign_paths(campaign):
    """Levels that implement `campaign` with their own derived campaign."""
    return set(
        Campaign.objects.filter(Q(derived_from=campaign) & ~Q(status=CampaignStatus.DRAFT)).values_list(
            "organization__path", flat=True
        )
    )
