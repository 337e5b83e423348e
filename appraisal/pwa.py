"""The board's tablet app as an installable web app: its manifest and its service worker.

The worker is served by Django at the site root (`/sw.js`), not from /static/: a worker
controls only the paths below its own, and the tablet pages live under /o/<code>/...; and in
production static names are hashed (ManifestStaticFilesStorage), so the list of files it
keeps comes from `staticfiles_storage.url`, and its cache's name from that list (a new
deployment is a new list, so the old cache is dropped). `Cache-Control: no-cache` makes the
browser check the worker on every visit.

The worker keeps the app's static shell (cache-first), and the user's routes (below) network
first, each answer filed in the cache of the user it was made for (X-DVK-User, dvk.offline)
and answered from it offline: docs/OFFLINE.md."""

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# What the tablet pages load (base.html and the scoring pages): kept on the tablet.
SHELL = (
    "vendor/bootstrap.min.css",
    "vendor/bootstrap-icons.min.css",
    "vendor/fonts/bootstrap-icons.woff2",
    "vendor/htmx.min.js",
    "vendor/bootstrap.bundle.min.js",
    "vendor/idb.umd.js",
    "css/dvk.css",
    "js/dvk.js",
    "js/picker.js",
    "js/outbox.js",
    "js/offline.js",
    "js/scoring.js",
    "favicon.svg",
    "icons/dvk-192.png",
    "icons/dvk-512.png",
)


# The user's routes the worker keeps for offline (JavaScript regular expressions, matched on
# the path): the scoring pages and the outbox page; the scoring API's reads of the member's
# assignments: the list, one assignment, its scorecard (with the rubric), the evidence's and
# the photos' files and thumbnails. Not `changes/` (a cursor read: an old copy would lie) and
# no write. An evidence file is kept only when it is an image (sw.js: documents download).
USER_PAGES = r"^/o/[^/]+/appraisal/scoring/(?:\d+/)?$|^/outbox/$"
USER_API = (
    r"^/api/v1/o/[^/]+/appraisal/assignments/"
    r"(?:\d+/(?:scorecard/|(?:evidence|photos)/\d+/(?:file|thumbnail)/)?)?$"
)
# A read that has not answered by then is answered from the cache: a signal that comes and
# goes must not hang a page.
NETWORK_TIMEOUT_MS = 4000


def shell_urls():
    return [staticfiles_storage.url(name) for name in SHELL]


@require_GET
def service_worker(request):
    urls = shell_urls()
    version = hashlib.sha256(json.dumps(urls).encode()).hexdigest()[:16]
    context = {
        "shell": json.dumps(urls),
        "version": version,
        "user_pages": json.dumps(USER_PAGES),
        "user_api": json.dumps(USER_API),
        "timeout_ms": NETWORK_TIMEOUT_MS,
        "outbox_url": reverse("outbox"),
        "stylesheet": staticfiles_storage.url("vendor/bootstrap.min.css"),
    }
    body = render_to_string("appraisal/sw.js", context, request=request)
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    # The worker controls the whole site (its pages are under /o/<code>/...).
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request):
    data = {
        "name": _("Dân vận khéo – Chấm điểm thẩm định"),
        "short_name": _("DVK chấm điểm"),
        "lang": "vi",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": "#b4121b",
        "icons": [
            {
                "src": staticfiles_storage.url(f"icons/dvk-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@login_required
def outbox(request):
    """The signed-in user's outbox on this device: what is waiting to be sent, with each
    item's state, "Đồng bộ ngay", and the export and import of the outbox file. A shell: the
    items live in the tablet's IndexedDB (static/js/outbox.js), not on the server. Not under
    /o/<code>/: one member's outbox may hold scorecards of boards of several organisations."""
    return render(request, "appraisal/outbox.html")
