"""Who may do what with registrations. Visibility is the scope's job (a unit's scope holds
only its own registrations); these predicates answer what a visible one allows."""

import rules

from campaigns.rules import is_staff_of_issuing_level
from dvk.enums import Role
from dvk.rules import has_any_role, is_secretary_here, is_staff_here_or_above
from dvk.selectors import has_role_at

from .enums import WITHDRAWABLE
from .services import registration_is_late


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
    return registration is not None and is_staff_of_issuing_level(user, registration.campaign)


@rules.predicate
def still_withdrawable(user, registration):
    """Its status allows it, and the campaign's registration deadline has not passed."""
    return (
        registration is not None
        and registration.status in WITHDRAWABLE
        and not registration_is_late(registration.campaign)
    )


# obj: the organisation that registers.
rules.add_perm("models_registry.add_registration", is_secretary_here | is_staff_here_or_above)
# obj: the acting organisation whose subtree's registrations are listed.
rules.add_perm("models_registry.list_registrations", has_any_role)
rules.add_perm("models_registry.view_registration", sees_registration)
rules.add_perm("models_registry.change_registration", acts_for_registrant)
rules.add_perm("models_registry.report_registration", acts_for_registrant)
rules.add_perm("models_registry.review_registration", reviews_registration)
rules.add_perm("models_registry.withdraw_registration", acts_for_registrant & still_withdrawable)
# obj: the campaign. After its registration deadline only they register, with a reason.
rules.add_perm("models_registry.register_late", is_staff_of_issuing_level)
# obj: the acting organisation. A unit secretary registers on the form; staff import lists.
rules.add_perm("models_registry.import_registrations", is_staff_here_or_above)
