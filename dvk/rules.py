"""Role predicates, inherited down the tree. Views and API only ask user.has_perm(perm, obj).

A role held at an organisation applies to it and to everything below it; "strictly above"
predicates keep staff from renaming, moving or archiving the very node they act for.
"""

import rules

from .enums import Role
from .selectors import has_role_at, memberships_of


@rules.predicate
def has_any_role(user, org):
    return org is not None and has_role_at(user, org)


@rules.predicate
def is_staff_here_or_above(user, org):
    return org is not None and has_role_at(user, org, Role.STAFF)


@rules.predicate
def is_staff_above(user, org):
    return org is not None and has_role_at(user, org, Role.STAFF, strictly_above=True)


@rules.predicate
def is_secretary_here(user, org):
    return org is not None and any(
        m.role == Role.SECRETARY and m.organization.path == org.path for m in memberships_of(user)
    )


rules.add_perm("dvk.view_organization", has_any_role)
rules.add_perm("dvk.add_organization", is_staff_here_or_above)
rules.add_perm("dvk.change_organization", is_staff_above)
rules.add_perm("dvk.move_organization", is_staff_above)
rules.add_perm("dvk.archive_organization", is_staff_above)
rules.add_perm("dvk.import_organizations", is_staff_here_or_above)
rules.add_perm("dvk.manage_members", is_staff_here_or_above)
rules.add_perm("dvk.view_members", is_staff_here_or_above | is_secretary_here)
rules.add_perm("dvk.view_audit", is_staff_here_or_above)


@rules.predicate
def is_staff_above_every_role_of(user, person):
    """Staff strictly above every organisation where `person` holds a role, and not `person`:
    a commune's staff reset a unit secretary's lost second factor, never a province's."""
    roles = memberships_of(person)
    return (
        person is not None
        and person.pk != user.pk
        and bool(roles)
        and all(has_role_at(user, m.organization, Role.STAFF, strictly_above=True) for m in roles)
    )


# obj: the person whose second factor is reset.
rules.add_perm("dvk.reset_second_factor", is_staff_above_every_role_of)
