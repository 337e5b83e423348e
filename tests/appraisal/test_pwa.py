"""The tablet app is installable: its manifest, its service worker at the site root, the
Content-Security-Policy that allows them, and the worker taking control in Chromium."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

from appraisal.pwa import SHELL
from tests.appraisal.scoring_builders import scoring_world
from tests.conftest import client_for
from tests.test_browser import browser  # noqa: F401  (the module's Chromium)

pytestmark = pytest.mark.django_db


def test_the_worker_is_served_at_the_root_as_javascript_never_cached_listing_the_shell(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache" and response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    for name in SHELL:
        assert json.dumps(staticfiles_storage.url(name)) in body
        assert finders.find(name), name  # one missing file would fail the worker's install


def test_the_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert data["lang"] == "vi" and data["display"] == "standalone" and data["scope"] == "/"
    assert [icon["sizes"] for icon in data["icons"]] == ["192x192", "512x512"]
    assert [icon["src"] for icon in data["icons"]] == [
        staticfiles_storage.url(f"icons/dvk-{n}.png") for n in (192, 512)
    ]
    assert all(finders.find(f"icons/dvk-{size}.png") for size in (192, 512))


def test_the_scoring_pages_link_the_manifest_and_the_policy_allows_the_worker(tree, commune_staff):
    w = scoring_world(tree, commune_staff)
    response = client_for(w.member.user).get("/o/COMM/appraisal/scoring/")
    page = response.content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page and 'data-service-worker="/sw.js"' in page
    policy = response["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy and "blob:" in policy


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_the_worker_takes_control_and_keeps_the_shell(browser, live_server, tree, commune_staff):  # noqa: F811
    from tests.conftest import sign_in

    w = scoring_world(tree, commune_staff)
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="vi-VN")
    try:
        sign_in(context, live_server.url, w.member.user)
        page = context.new_page()
        problems = []
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{live_server.url}/o/COMM/appraisal/scoring/")
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
        page.evaluate("navigator.serviceWorker.ready")
        page.reload()
        page.wait_for_selector("#scoring-list [id^=scoring-item-]")
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        kept = page.evaluate(
            """async (url) => {
                 const names = (await caches.keys()).filter((k) => k.startsWith("dvk-shell-"));
                 return [names.length, !!(await caches.match(url))];
               }""",
            staticfiles_storage.url("js/scoring.js"),
        )
        assert kept == [1, True]
        assert problems == []
    finally:
        context.close()


def _user_routes():
    """The user's routes the worker keeps for offline, as the worker matches them."""
    import re

    from appraisal.pwa import USER_API, USER_PAGES

    return re.compile(USER_PAGES), re.compile(USER_API)


def test_the_worker_keeps_the_scoring_pages_and_the_assignment_reads_and_nothing_else():
    from django.urls import reverse

    pages, api = _user_routes()
    kept_pages = [
        reverse("appraisal:scoring", args=["COMM"]),
        reverse("appraisal:scoring_assignment", args=["COMM", 12]),
        reverse("outbox"),
    ]
    kept_api = [
        reverse(f"api:appraisal_{name}", args=["COMM", *args])
        for name, args in [
            ("assignments", []),
            ("assignment", [12]),
            ("scorecard", [12]),
            ("evidence_thumbnail", [12, 3]),
            ("evidence_file", [12, 3]),  # kept only when it is an image (the worker checks)
            ("photo_file", [12, 4]),
            ("photo_thumbnail", [12, 4]),
        ]
    ]
    assert all(pages.search(p) for p in kept_pages) and all(api.search(p) for p in kept_api), (kept_pages, kept_api)
    not_kept = [
        reverse("api:appraisal_changes", args=["COMM"]),  # a cursor read: an old copy would lie
        reverse("api:appraisal_batch", args=["COMM"]),
        reverse("api:appraisal_photos", args=["COMM", 12]),
        reverse("api:appraisal_scorecard_submit", args=["COMM", 12]),
        reverse("api:appraisal_conflict", args=["COMM", 12]),
        reverse("appraisal:board", args=["COMM", 3]),
        reverse("home"),
        "/o/COMM/appraisal/scoring/12/extra/",
    ]
    assert [p for p in not_kept if pages.search(p) or api.search(p)] == []


def test_the_worker_carries_its_user_routes_timeout_and_vietnamese_offline_answers(client):
    from appraisal.pwa import NETWORK_TIMEOUT_MS, USER_API, USER_PAGES

    body = client.get("/sw.js").content.decode()
    assert f"new RegExp({json.dumps(USER_PAGES)})" in body and f"new RegExp({json.dumps(USER_API)})" in body
    assert f"const TIMEOUT_MS = {NETWORK_TIMEOUT_MS};" in body and NETWORK_TIMEOUT_MS <= 5000
    assert 'const OUTBOX_URL = "/outbox/";' in body
    assert json.dumps(staticfiles_storage.url("vendor/bootstrap.min.css")) in body
    assert "Không có mạng" in body and "{%" not in body and "{{" not in body
    for name in (
        '"dvk-user-"',
        '"dvk-meta"',
        '"/__dvk/user"',
        '"X-DVK-User"',
        '"X-DVK-From-Cache"',
        "X-DVK-Network-Status",
    ):
        assert name in body, name


def test_a_signed_in_page_carries_the_offline_strings_and_the_sign_out_address(client, tree, commune_staff):
    page = client_for(commune_staff).get("/outbox/").content.decode()
    assert 'id="offline-strings" data-logout-url="/accounts/logout/"' in page
    assert "Vẫn đăng xuất" in page and "Tải tệp hộp thư đi" in page
    assert 'action="/accounts/logout/"' in page  # the form offline.js watches
    assert "offline-strings" not in client.get("/accounts/login/").content.decode()
