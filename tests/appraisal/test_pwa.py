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
