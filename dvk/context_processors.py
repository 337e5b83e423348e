from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .notifications import unread_count
from .seats import seat_work_links, seats_of
from .selectors import organizations_of


def acting_organization(request):
    """The organisation the request acts for, and the user's others for the switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    org = getattr(request, "organization", None)
    return {
        "acting_org": org,
        "my_organizations": organizations_of(user),
        "my_seats": seats_of(user),
        "my_seat_work": seat_work_links(seats_of(user)),
        # A seat holder's organisation pages (tree, plans, models) answer 404: no links to them.
        "acting_via_seat": getattr(request, "via_seat", False),
        "nav_can_view_members": org is not None and user.has_perm("dvk.view_members", org),
        "nav_can_view_audit": org is not None and user.has_perm("dvk.view_audit", org),
        # The queue of proposals from lower levels (appraisal's, named by its permission only).
        "nav_can_receive_proposals": org is not None and user.has_perm("appraisal.receive_proposals", org),
        "dvk_demo": settings.DVK_DEMO,
        # Counted only when a template shows it (the header does): one indexed COUNT.
        "notifications_unread": SimpleLazyObject(lambda: unread_count(user)),
    }
