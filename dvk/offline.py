"""Who the tablet's local data belongs to (issue 13).

A board member's tablet keeps pages, dossiers and an outbox of unsent writes. A tablet may be
shared, and Cache Storage and IndexedDB belong to the whole origin, so everything kept is
filed under the signed-in user's *offline key*: a digest of the user's id under the site's
secret, not the id itself (a stored name on a shared tablet should not say whose it is).

- Pages carry it as `<meta name="dvk-user">` (base.html): the scripts open only that user's
  IndexedDB database (`dvk-<key>`) and caches.
- Every response to a signed-in request carries it as the `X-DVK-User` header: the service
  worker files a response under the user it was made for, and answers offline only from the
  cache of the user it last saw online (static/js, templates/appraisal/sw.js)."""

from django.conf import settings
from django.utils.crypto import salted_hmac

HEADER = "X-DVK-User"


def user_key(user):
    """The user's offline key: 16 hex digits, stable for the user and this site."""
    return salted_hmac("dvk.offline.user", str(user.pk)).hexdigest()[:16]


class OfflineUserHeader:
    """Adds `X-DVK-User` to every response to a signed-in request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response[HEADER] = user_key(user)
        return response


def offline_context(request):
    """The meta tags of base.html: whose local data a page may open, and the rules for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "dvk_offline": {
            "user": user_key(user),
            "keep_days": settings.DVK_OFFLINE_KEEP_DAYS,
            "photo_max_edge": settings.DVK_OFFLINE_PHOTO_MAX_EDGE,
            "photo_quality": settings.DVK_OFFLINE_PHOTO_QUALITY,
        }
    }
