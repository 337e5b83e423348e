"""Reading offline in real Chromium at 768×1024 (templates/appraisal/sw.js, static/js/offline.js):
a member who opened their list online reads it, the dossiers (thumbnails shown) and the rubric
with no connection, after a reload and in a fresh page; a second user on the same tablet sees
none of it; signing out clears the user's caches and database (or asks first when something
is unsent); a user unused for keep_days loses their cached data but not their unsent work.

"Offline" is as tests/appraisal/offline_network.py makes it."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled

from appraisal import scoring_services
from dvk.offline import user_key
from tests.appraisal.offline_network import go_offline, go_online
from tests.appraisal.scoring_api_builders import furnish
from tests.appraisal.scoring_builders import scoring_world
from tests.conftest import sign_in
from tests.test_browser import browser  # noqa: F401  (the module's Chromium)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}
LIST = "/o/COMM/appraisal/scoring/"
API = "/api/v1/o/COMM/appraisal/"


def _jpeg(size=(64, 48)):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (180, 18, 27)).save(out, "JPEG")
    return out.getvalue()


def _world(tree, commune_staff):
    """The scoring world, each registration with a PDF and an image (with its thumbnail),
    and a photo on the member's first scorecard."""
    world = scoring_world(tree, commune_staff)
    for r in world.registrations:
        rows = furnish(
            r, evidence=2, members=[world.member], visit_on=datetime.date.today() + datetime.timedelta(days=2)
        )
        with scopes_disabled():
            for row in rows:
                if row.thumbnail:  # a thumbnail the browser can decode (the builders' one is not)
                    row.thumbnail.save("t.jpg", ContentFile(_jpeg((32, 24))))
    photo = SimpleUploadedFile("hien-truong.jpg", _jpeg(), content_type="image/jpeg")
    with scope(org=world.board.organization):
        scoring_services.photo_add(
            assignment=world.assignment(world.member), uploaded_file=photo, user=world.member.user
        )
    return world


def _context(browser, live_server, user):  # noqa: F811
    context = browser.new_context(viewport=TABLET, locale="vi-VN")
    sign_in(context, live_server.url, user)
    return context


def _watched(context):
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return page, problems


def _open_list_online(page, live_server, assignment):
    page.goto(f"{live_server.url}{LIST}")
    page.wait_for_selector(f"#scoring-item-{assignment.pk}")
    page.wait_for_selector("html[data-offline-kept]", state="attached", timeout=30000)
    return page.evaluate("document.documentElement.dataset.offlineKept")


def _images_shown(page, selector):
    """How many images `selector` finds, once every one is loaded and has pixels."""
    page.locator(selector).first.scroll_into_view_if_needed()
    # Polled from here: wait_for_function evaluates its predicate with eval, which the
    # page's Content-Security-Policy forbids.
    for _ in range(100):
        widths = page.evaluate(
            "(sel) => Array.from(document.querySelectorAll(sel)).map((img) => img.complete ? img.naturalWidth : -1)",
            selector,
        )
        if widths and all(w != -1 for w in widths):
            break
        page.wait_for_timeout(100)
    assert widths and all(w > 0 for w in widths), widths
    return len(widths)


def _read_assignment_offline(page, live_server, world, assignment, *, photos):
    page.goto(f"{live_server.url}{LIST}{assignment.pk}/")
    page.wait_for_selector("#dossier-evidence")
    assert page.inner_text("#dossier-recognition").count("Kết quả tốt") == 1
    assert _images_shown(page, "#dossier-evidence img") == 1
    page.click("#tab-scorecard")
    page.wait_for_selector("#scorecard:not([hidden])")
    for c in world.criteria:
        assert page.is_visible(f"#criterion-{c.pk}"), c.name
    if photos:
        assert _images_shown(page, "#scorecard-photo-list img") == photos


def _caches(page):
    return page.evaluate("caches.keys()")


def _databases(page):
    return [d["name"] for d in page.evaluate("indexedDB.databases()")]


def _registry(page):
    return page.evaluate("JSON.parse(localStorage.getItem('dvk-offline-users') || '{}')")


# An outbox item as outbox.js makes them (docs/OFFLINE.md), based on a version the server
# does not have: a sync cannot send it (409), so it stays unsent.
PUT_ITEM = """async ([name, item]) => {
  let db = await idb.openDB(name);
  if (!db.objectStoreNames.contains("outbox") || !db.objectStoreNames.contains("notices")) {
    const version = db.version + 1;
    db.close();
    db = await idb.openDB(name, version, { upgrade(d) {
      for (const store of ["outbox", "notices"]) {
        if (!d.objectStoreNames.contains(store)) d.createObjectStore(store, { keyPath: "id", autoIncrement: true });
      }
    } });
  }
  if (item) await db.add("outbox", item);
  const at = new Date().toISOString();
  await db.add("notices", { at, org: "COMM", kind: "reopened", assignment: 1, detail: "", seen: false });
  db.close();
}"""


def _outbox_item(world, assignment):
    return {
        "kind": "scorecard",
        "org": "COMM",
        "api": API,
        "assignment": assignment.pk,
        "key": "0b5e3c8e-5d1c-4f55-9d1e-6c1f4c0f1a01",
        "label": "Tủ sách Xóm Một",
        "created_at": "2026-12-02T14:05:00+07:00",
        "state": "waiting",
        "error": "",
        "attempts": 0,
        "body": {
            "version": 99,
            "submit": False,
            "comment": "",
            "lines": [{"criterion": c.pk, "points": "1", "comment": ""} for c in world.criteria],
        },
    }


def _count(page, name, store):
    return page.evaluate(
        """async ([name, store]) => {
             const db = await idb.openDB(name); const n = await db.count(store); db.close(); return n;
           }""",
        [name, store],
    )


def test_a_member_reads_their_list_dossiers_and_rubric_offline_after_a_reload_and_a_restart(
    browser,  # noqa: F811
    live_server,
    tree,
    commune_staff,
    server_requests,
):
    world = _world(tree, commune_staff)
    first, second = world.assignment(world.member, 0), world.assignment(world.member, 1)
    context = _context(browser, live_server, world.member.user)
    try:
        page, problems = _watched(context)
        assert _open_list_online(page, live_server, first) == "2"
        key = user_key(world.member.user)
        assert f"dvk-user-{key}" in _caches(page)
        # The scoring pages ask for persistent storage and say so when it was refused or the
        # browser looks private (a Playwright context is one: its quota is small).
        storage = page.evaluate(
            """async () => [await navigator.storage.persisted(), (await navigator.storage.estimate()).quota]"""
        )
        if not storage[0] or storage[1] < 120 * 1024 * 1024:
            note = page.wait_for_selector("main > #offline-storage-note")
            reason = "private" if storage[1] < 120 * 1024 * 1024 else "refused"
            assert note.get_attribute("data-reason") == reason
            assert ("ẩn danh" if reason == "private" else "chưa cho giữ dữ liệu") in note.inner_text()

        go_offline(context, server_requests)
        page.reload()
        page.wait_for_selector(f"#scoring-item-{second.pk}")
        assert page.inner_text("#scoring-counts-submitted") == "0/2 đã nộp"
        _read_assignment_offline(page, live_server, world, first, photos=1)

        # A restart: a fresh page of the same profile, nothing in memory.
        page.close()
        page, more = _watched(context)
        page.goto(f"{live_server.url}{LIST}")
        page.wait_for_selector(f"#scoring-item-{first.pk}")
        _read_assignment_offline(page, live_server, world, second, photos=0)
        # A page never opened online is the offline page, which leads to the outbox.
        page.goto(f"{live_server.url}/o/COMM/appraisal/scoring/999999/")
        page.wait_for_selector("#dvk-offline")
        assert page.get_attribute("#dvk-offline a", "href") == "/outbox/"
        assert server_requests.unexpected() == []

        # Back online with the session gone: an API read refused (401/403) is answered from
        # the copy, saying why (the page asks to sign in again); with no copy, the refusal.
        go_online(context, server_requests)
        context.clear_cookies()
        page.goto(f"{live_server.url}{LIST}")
        page.wait_for_url("**/accounts/login/**")  # a page is not answered from the copy: sign in
        read = """async (url) => {
                    const r = await fetch(url, { headers: { Accept: "application/json" } });
                    return [r.status, r.headers.get("X-DVK-From-Cache"), r.headers.get("X-DVK-Network-Status")];
                  }"""
        status, cached, network = page.evaluate(read, f"{API}assignments/{first.pk}/")
        assert (status, cached) == (200, "1") and network in ("401", "403")
        status, cached, _ = page.evaluate(read, f"{API}assignments/{first.pk}/scorecard/?unkept=1")
        assert status in (401, 403) and cached is None
        assert problems + more == []
    finally:
        context.close()


def test_a_second_user_on_the_same_tablet_sees_none_of_the_first_users_data_offline(
    browser,  # noqa: F811
    live_server,
    tree,
    commune_staff,
    server_requests,
):
    world = _world(tree, commune_staff)
    first = world.assignment(world.member, 0)
    context = _context(browser, live_server, world.member.user)
    try:
        page, problems = _watched(context)
        _open_list_online(page, live_server, first)
        # The deputy signs in on the same browser profile and opens only their outbox page.
        sign_in(context, live_server.url, world.deputy.user)
        page.goto(f"{live_server.url}/outbox/")
        page.wait_for_selector("html[data-offline-ready]", state="attached")

        go_offline(context, server_requests)
        for path in (LIST, f"{LIST}{first.pk}/"):
            page.goto(f"{live_server.url}{path}")
            page.wait_for_selector("#dvk-offline")
            assert "Tủ sách Xóm Một" not in page.content()
        # Their own page opened online is theirs offline; from it, the first user's reads are not there.
        page.goto(f"{live_server.url}/outbox/")
        page.wait_for_selector("#outbox-page")
        answer = page.evaluate(
            """async (url) => { const r = await fetch(url, { headers: { Accept: "application/json" } });
                                return [r.status, (await r.json()).code, r.headers.get("X-DVK-From-Cache")]; }""",
            f"{API}assignments/{first.pk}/",
        )
        assert answer == [503, "offline", None]
        assert server_requests.unexpected() == []
        assert problems == []
    finally:
        context.close()


def test_signing_out_clears_the_users_caches_and_database(
    browser,  # noqa: F811
    live_server,
    tree,
    commune_staff,
):
    world = _world(tree, commune_staff)
    context = _context(browser, live_server, world.member.user)
    key = user_key(world.member.user)
    try:
        page, problems = _watched(context)
        _open_list_online(page, live_server, world.assignment(world.member))
        page.evaluate(PUT_ITEM, [f"dvk-{key}", None])  # an empty outbox, a notice
        assert f"dvk-{key}" in _databases(page) and key in _registry(page)
        with page.expect_navigation():
            page.evaluate("document.querySelector('form[action=\"/accounts/logout/\"]').requestSubmit()")
        page.wait_for_url("**/accounts/login/**")
        assert f"dvk-user-{key}" not in _caches(page)
        assert f"dvk-{key}" not in _databases(page)
        assert key not in _registry(page)
        assert page.evaluate("caches.open('dvk-meta').then((m) => m.match('/__dvk/user')).then((r) => !!r)") is False
        assert problems == []
    finally:
        context.close()


def test_signing_out_with_unsent_work_asks_first_and_stay_keeps_everything(
    browser,  # noqa: F811
    live_server,
    tree,
    commune_staff,
):
    world = _world(tree, commune_staff)
    mine = world.assignment(world.member)
    context = _context(browser, live_server, world.member.user)
    key = user_key(world.member.user)
    try:
        page, problems = _watched(context)
        _open_list_online(page, live_server, mine)
        page.evaluate(PUT_ITEM, [f"dvk-{key}", _outbox_item(world, mine)])
        logout = "document.querySelector('form[action=\"/accounts/logout/\"]').requestSubmit()"
        page.evaluate(logout)
        page.wait_for_selector("#offline-signout[open]")
        assert "1 mục chưa gửi" in page.inner_text("#offline-signout-count")
        heights = page.evaluate(
            """Array.from(document.querySelectorAll('#offline-signout button'))
                 .map((b) => b.getBoundingClientRect().height)"""
        )
        assert heights and min(heights) >= 44
        page.click("#offline-signout-stay")
        page.wait_for_selector("#offline-signout", state="detached")
        assert f"dvk-user-{key}" in _caches(page) and _count(page, f"dvk-{key}", "outbox") == 1
        assert page.url.endswith(LIST)

        page.evaluate(logout)
        page.wait_for_selector("#offline-signout[open]")
        with page.expect_navigation():
            page.click("#offline-signout-anyway")
        page.wait_for_url("**/accounts/login/**")
        assert f"dvk-user-{key}" not in _caches(page) and f"dvk-{key}" not in _databases(page)
        assert problems == []
    finally:
        context.close()


def test_the_data_of_a_user_unused_for_keep_days_is_cleared_but_their_unsent_work_stays(
    browser,  # noqa: F811
    live_server,
    tree,
    commune_staff,
    settings,
):
    world = _world(tree, commune_staff)
    mine = world.assignment(world.member)
    context = _context(browser, live_server, world.member.user)
    old_unsent, old_empty, recent = "0123456789abcdef", "fedcba9876543210", "00112233aabbccdd"
    day = 24 * 3600 * 1000
    try:
        page, problems = _watched(context)
        _open_list_online(page, live_server, mine)
        page.evaluate(PUT_ITEM, [f"dvk-{old_unsent}", _outbox_item(world, mine)])
        page.evaluate(PUT_ITEM, [f"dvk-{old_empty}", None])
        page.evaluate(
            """async ([keys, ages, day]) => {
                 const registry = JSON.parse(localStorage.getItem("dvk-offline-users") || "{}");
                 for (let i = 0; i < keys.length; i++) {
                   const cache = await caches.open("dvk-user-" + keys[i]);
                   await cache.put("/o/COMM/appraisal/scoring/", new Response("kept"));
                   registry[keys[i]] = Date.now() - ages[i] * day;
                 }
                 localStorage.setItem("dvk-offline-users", JSON.stringify(registry));
                 // A cache the registry does not list (local storage cleared without it).
                 await (await caches.open("dvk-user-aaaaaaaaaaaaaaaa")).put("/o/COMM/", new Response("x"));
               }""",
            [[old_unsent, old_empty, recent], [settings.DVK_OFFLINE_KEEP_DAYS + 1] * 2 + [1], day],
        )
        page.reload()
        page.wait_for_selector("html[data-offline-ready]", state="attached")
        names = _caches(page)
        assert f"dvk-user-{old_unsent}" not in names and f"dvk-user-{old_empty}" not in names
        assert "dvk-user-aaaaaaaaaaaaaaaa" not in names
        assert f"dvk-user-{recent}" in names and f"dvk-user-{user_key(world.member.user)}" in names
        assert f"dvk-{old_empty}" not in _databases(page)
        assert _count(page, f"dvk-{old_unsent}", "outbox") == 1
        assert _count(page, f"dvk-{old_unsent}", "notices") == 0
        assert sorted(_registry(page)) == sorted([recent, user_key(world.member.user)])
        assert problems == []
    finally:
        context.close()
