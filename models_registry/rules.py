"""Who may do what with registrations. Visibility is the scope's job (a unit's scope holds
only its own registrations); these predicates answer what a visible one allows."""

import rules

from dvk.enums import Role
from dvk.rules import has_any_role, is_secretary_here, is_staff_here_or_above
from dvk.selectors import has_role_at


@rules.predicate
def sees_registration(user, registration):
    """A role at the registering organisation or above it."""
    return registration is not None and has_role_at(user, registration.organization)


@rules.predicate
def acts_for_registrant(user, registration):
    """The unit's secretary, or staff at the unit or above it, fill in and report for it."""
    if registration is None:
        return False
    org = registration.organization
    return is_secretary_here(user, org) or has_role_at(user, org, Role.STAFF)


@rules.predicate
def reviews_registration(user, registration):
    """Staff of the campaign's level, or of a level above (DOMAIN.md, decisions on meaning)."""
    return registration is not None and has_role_at(user, registration.campaign.organization, Role.STAFF)


# obj: the organisation that registers.
rules.add_perm("models_registry.add_registration", is_secretary_here | is_staff_here_or_above)
# obj: the acting organisation whose subtree's registrations are listed.
rules.add_perm("models_registry.list_registrations", has_any_role)
rules.add_perm("models_registry.view_registration", sees_registration)
rules.add_perm("models_registry.change_registration", acts_for_registrant)
rules.add_perm("models_registry.report_registration", acts_for_registrant)
rules.add_perm("models_registry.review_registration", reviews_registration)
