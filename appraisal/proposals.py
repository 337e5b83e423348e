"""Proposals up a level (issue 14, in progress): a model the board decided to propose goes to
the level above, which receives it, may pass it to its own board, and decides.

The level above a campaign's level: the issuer of the campaign it derives from (a commune's
plan carrying out the province's: the province); with none, the nearest ancestor that has
staff (a level nobody works at cannot receive anything)."""

from dvk.enums import Role
from dvk.models import Organization


def level_above(campaign):
    """The organisation that receives the proposals of `campaign`'s level, or None (the root,
    or no ancestor with staff). One query at most."""
    if campaign.derived_from_id is not None:
        return campaign.derived_from.organization
    paths = campaign.organization.ancestor_paths()[:-1]
    if not paths:
        return None
    return (
        Organization.objects.filter(path__in=paths, memberships__role=Role.STAFF, archived_at__isnull=True)
        .order_by("-depth")
        .distinct()
        .first()
    )
