"""Who may do what with campaigns. Visibility itself is the scope's job (a draft never
reaches a unit's scope); these predicates answer what a visible campaign allows."""

import rules

from dvk.enums import Role
from dvk.rules import has_any_role, is_staff_here_or_above
from dvk.selectors import has_role_at, memberships_of

from .enums import CampaignStatus


@rules.predicate
def is_staff_of_issuing_level(user, campaign):
    return campaign is not None and has_role_at(user, campaign.organization, Role.STAFF)


@rules.predicate
def is_published(user, campaign):
    return campaign is not None and campaign.status != CampaignStatus.DRAFT


@rules.predicate
def sees_campaign(user, campaign):
    """A role on the same branch as the issuing level: above it, at it, or below it."""
    if campaign is None:
        return False
    path = campaign.organization.path
    return any(
        m.organization.path.startswith(path) or path.startswith(m.organization.path) for m in memberships_of(user)
    )


rules.add_perm("campaigns.add_campaign", is_staff_here_or_above)
rules.add_perm("campaigns.view_campaign", sees_campaign & (is_published | is_staff_of_issuing_level))
rules.add_perm("campaigns.change_campaign", is_staff_of_issuing_level)
rules.add_perm("campaigns.delete_campaign", is_staff_of_issuing_level)
# "Sao chép kế hoạch": the copy is a new draft at the campaign's level, so whoever may create
# campaigns there (its staff, or staff above it), whatever the campaign's status.
rules.add_perm("campaigns.copy_campaign", is_staff_of_issuing_level)
# obj: the organisation that would issue the derived campaign.
rules.add_perm("campaigns.derive_campaign", is_staff_here_or_above)
rules.add_perm("campaigns.view_compliance", has_any_role)
