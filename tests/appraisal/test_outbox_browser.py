"""The tablet's outbox in real Chromium at 768×1024 (static/js/outbox.js under scoring.js):
writes made with the API cut reach the server exactly once when it comes back, replays add
nothing, conflicts are shown and chosen, a reopen made meanwhile is learnt by the pull, an
ended session loses nothing, another user of the browser sees nothing, and an exported
outbox file applies once on another device.

"Offline" is as tests/appraisal/offline_network.py makes it: nothing reaches the server."""

import io
import json
import re
import time
from decimal import Decimal

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django_scopes import scope, scopes_disabled
from PIL import Image

from appraisal.models import Scorecard, ScorePhoto
from appraisal.scoring_services import LineInput, scorecard_reopen, scorecard_save
from dvk.offline import user_key
from tests.appraisal.offline_network import go_offline, go_online
from tests.appraisal.scoring_builders import scoring_world
from tests.conftest import PASSWORD, second_factor_device, sign_in, totp_now
from tests.test_browser import browser  # noqa: F401  (the module's Chromium)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}
API = "**/api/**"
EVERYTHING = "**/*"


def _context(browser, live_server, user):  # noqa: F811
    context = browser.new_context(viewport=TABLET, locale="vi-VN")
    sign_in(context, live_server.url, user)
    return context


def _open(context, url):
    page = context.new_page()
    page.problems = []
    # A request the test cuts on purpose fails in the console; anything else is a problem.
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    page.goto(url)
    return page


def _scorecard_page(context, live_server, assignment):
    page = _open(context, f"{live_server.url}/o/COMM/appraisal/scoring/{assignment.pk}/")
    page.click("#tab-scorecard")
    page.wait_for_selector("#scorecard:not([hidden])")
    return page


def _fill(page, criteria, points):
    for c in criteria:
        page.fill(f"#points-{c.pk}", str(points))


def _items(page):
    return page.evaluate(
        "() => DVKOutbox.list().then(all => all.map(i => ({kind: i.kind, state: i.state, key: i.key, error: i.error})))"
    )


def _until(page, expression, timeout=30):
    """Polls an async page expression until it is truthy (wait_for_function takes a Promise
    as truthy)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false: {expression}"
        page.wait_for_timeout(100)


def _wait_empty(page):
    _until(page, "() => DVKOutbox.count().then(n => n === 0)")
    page.wait_for_selector("#outbox-bar", state="hidden")


def _offline_tablet(browser, live_server, world, assignment, server_requests):  # noqa: F811
    """The member's tablet with the assignment's page and the outbox page open, then cut off."""
    context = _context(browser, live_server, world.member.user)
    page = _scorecard_page(context, live_server, assignment)
    outbox_page = _open(context, f"{live_server.url}/outbox/")
    outbox_page.wait_for_selector("#outbox-empty")
    go_offline(context, server_requests)
    return context, page, outbox_page


def _download_outbox(outbox_page, folder):
    """ "Tải tệp hộp thư đi", saved under the name the page gives it."""
    with outbox_page.expect_download() as download:
        outbox_page.click("#outbox-export")
    assert re.fullmatch(r"hop-thu-di-\d{8}-\d{4}\.json", download.value.suggested_filename)
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path


def _big_jpeg(width=3000, height=2000):
    """A real photo-sized JPEG (a gradient: it compresses as a photo does), over the max edge."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _card(assignment):
    with scopes_disabled():
        return Scorecard.objects.filter(assignment=assignment).first()


def _rows(assignment):
    with scopes_disabled():
        return (
            Scorecard.objects.filter(assignment=assignment).count(),
            ScorePhoto.objects.filter(scorecard__assignment=assignment).count(),
        )


def test_two_models_scored_offline_reach_the_server_once_and_a_replay_adds_nothing(
    browser,  # noqa: F811
    live_server,
    tree,
    commune_staff,
    server_requests,
    settings,
):
    world = scoring_world(tree, commune_staff)
    first, second = world.assignment(world.member, 0), world.assignment(world.member, 1)
    criteria = world.criteria
    context = _context(browser, live_server, world.member.user)
    listing = _open(context, f"{live_server.url}/o/COMM/appraisal/scoring/")
    listing.wait_for_selector(f"#scoring-item-{first.pk}")
    # The list opened online keeps the member's dossiers on the tablet (static/js/offline.js).
    listing.wait_for_selector("html[data-offline-kept]", state="attached", timeout=30000)
    max_edge = settings.DVK_OFFLINE_PHOTO_MAX_EDGE

    go_offline(context, server_requests)
    # Every page again with no network (a reload, a new tab): the worker answers from the copy.
    listing.reload()
    listing.wait_for_selector(f"#scoring-item-{second.pk}")
    one = _scorecard_page(context, live_server, first)
    two = _scorecard_page(context, live_server, second)
    two.reload()
    two.click("#tab-scorecard")
    two.wait_for_selector("#scorecard:not([hidden])")
    _fill(one, criteria, 4)
    one.click("#scorecard-save")
    one.wait_for_selector("#scorecard-status[data-state='local']")
    assert "Đã lưu trên máy, chờ gửi" in one.inner_text("#scorecard-status")
    one.set_input_files(
        "#scorecard-photo-input",
        files=[{"name": "hien-truong.jpg", "mimeType": "image/jpeg", "buffer": _big_jpeg()}],
    )
    # Shown from the blob kept on the tablet (a blob: URL) until it is sent.
    local_photo = one.wait_for_selector("#scorecard-photo-list li[data-state='waiting'] img")
    assert local_photo.get_attribute("src").startswith("blob:")
    _fill(two, criteria, 6)
    two.click("#scorecard-submit")
    two.wait_for_selector("#scorecard-confirm[open]")
    two.click("#scorecard-confirm-ok")
    two.wait_for_selector("#scorecard-locked-local")
    assert not two.is_visible("#scorecard-save")
    assert two.is_disabled(f"#points-{criteria[0].pk}")
    two.wait_for_selector("#outbox-bar:not([hidden])")
    assert "3 chưa đồng bộ" in two.inner_text("#outbox-bar")
    assert [i["kind"] for i in _items(two)] == ["scorecard", "photo", "scorecard"]
    assert {i["state"] for i in _items(two)} == {"waiting"}
    # Resized on the tablet: the longest edge at the limit, JPEG, a name the server takes.
    stored = one.evaluate(
        """async () => {
             const photo = (await DVKOutbox.list()).find(i => i.kind === "photo");
             const bitmap = await createImageBitmap(photo.blob);
             return [bitmap.width, bitmap.height, photo.type, photo.name];
           }"""
    )
    assert stored[:3] == [max_edge, round(max_edge * 2 / 3), "image/jpeg"], stored
    assert stored[3].startswith("anh-") and stored[3].endswith(".jpg")
    exported = one.evaluate("() => DVKOutbox.exportData('')")
    one.click("#outbox-sync-now")  # no answer: nothing lost, nothing sent
    one.wait_for_selector("#outbox-sync-now:not([disabled])")
    assert len(_items(one)) == 3
    # The browser checks the worker script itself (playwright#2311: neither set_offline nor
    # route cuts that); nothing of the app's own reached the server.
    assert server_requests.unexpected() == [], server_requests
    assert _rows(first) == (0, 0) and _rows(second) == (0, 0)

    go_online(context, server_requests)  # the `online` event syncs
    _wait_empty(one)
    _wait_empty(two)
    assert _rows(first) == (1, 1) and _rows(second) == (1, 0)
    card = _card(first)
    assert (card.status, card.version, card.total) == ("draft", 1, Decimal(4 * len(criteria)))
    submitted = _card(second)
    assert (submitted.status, submitted.version) == ("submitted", 1)
    with scopes_disabled():
        photo = ScorePhoto.objects.get(scorecard__assignment=first)
        with photo.file.open("rb") as f:
            assert max(Image.open(f).size) == max_edge
    one.wait_for_selector("#scorecard-status[data-state='saved']")
    one.wait_for_selector("#scorecard-photo-list li[data-state='sent'] img")
    two.wait_for_selector("#scorecard-locked")

    # The same writes again, with their keys (a tablet that never heard the answers): replays.
    replay = one.evaluate(
        """async (data) => {
             const file = new File([JSON.stringify(data)], "hop-thu-di.json", {type: "application/json"});
             const added = await DVKOutbox.importFile(file);
             DVKOutbox.syncNow();  // this tab's sync, or another tab's already under way
             return added;
           }""",
        exported,
    )
    assert replay == {"added": 3, "skipped": 0}
    _wait_empty(one)
    assert _rows(first) == (1, 1) and _rows(second) == (1, 0)
    assert (_card(first).version, _card(second).version) == (1, 1)
    assert one.problems == [] and two.problems == []
    context.close()


def test_two_devices_write_the_same_scorecard_and_the_later_one_chooses(browser, live_server, tree, commune_staff):  # noqa: F811
    world = scoring_world(tree, commune_staff)
    mine = world.assignment(world.member)
    criteria = world.criteria
    tablet = _context(browser, live_server, world.member.user)
    phone = _context(browser, live_server, world.member.user)
    a = _scorecard_page(tablet, live_server, mine)
    b = _scorecard_page(phone, live_server, mine)

    _fill(a, criteria, 10)
    a.fill("#scorecard-comment", "Bản trên máy tính bảng")
    a.click("#scorecard-save")
    a.wait_for_selector("#scorecard-status[data-state='saved']")
    assert _card(mine).version == 1
    _fill(b, criteria, 5)
    b.click("#scorecard-save")
    # The later write was based on version 0: both copies side by side, nothing merged.
    b.wait_for_selector("#stale-keep-mine")
    stale = b.inner_text("#scorecard-stale")
    assert "Bản trên máy tính bảng" in stale and "Bản của tôi" in stale and "Bản trên máy chủ" in stale
    assert b.inner_text("#scorecard-stale tbody tr:first-child .stale-mine") == "5"
    assert b.inner_text("#scorecard-stale tbody tr:first-child .stale-theirs") == "10"
    assert [i["state"] for i in _items(b)] == ["conflict"]
    assert _card(mine).version == 1
    # "Dùng bản trên máy chủ": the local copy goes, the page shows the server's.
    b.click("#stale-use-theirs")
    _until(b, "() => DVKOutbox.count().then(n => n === 0)")
    assert b.is_hidden("#scorecard-stale")
    b.wait_for_function(f"() => document.querySelector('#points-{criteria[0].pk}').value === '10'")
    assert b.input_value("#scorecard-comment") == "Bản trên máy tính bảng"
    assert _card(mine).version == 1

    # Now the phone wins (based on version 1), and the tablet, still at 1, keeps its own.
    _fill(b, criteria, 7)
    b.click("#scorecard-save")
    b.wait_for_selector("#scorecard-status[data-state='saved']")
    assert (_card(mine).version, _card(mine).total) == (2, Decimal(7 * len(criteria)))
    _fill(a, criteria, 8)
    a.click("#scorecard-save")
    a.wait_for_selector("#stale-keep-mine")
    assert a.inner_text("#scorecard-stale tbody tr:first-child .stale-theirs") == "7"
    a.click("#stale-keep-mine")
    a.wait_for_selector("#scorecard-status[data-state='saved']")
    _wait_empty(a)
    card = _card(mine)
    assert (card.version, card.total, card.comment) == (3, Decimal(8 * len(criteria)), "Bản trên máy tính bảng")
    assert a.is_hidden("#scorecard-stale")
    tablet.close()
    phone.close()


def test_a_reopen_made_while_the_tablet_was_offline_is_shown_with_its_reason(
    browser,  # noqa: F811
    live_server,
    tree,
    commune_staff,
    server_requests,
):
    world = scoring_world(tree, commune_staff)
    mine = world.assignment(world.member)
    with scope(org=tree.commune):
        scorecard_save(
            assignment=mine,
            lines=[LineInput(c.pk, 5) for c in world.criteria],
            expected_version=0,
            user=world.member.user,
            submit=True,
        )
    context = _context(browser, live_server, world.member.user)
    page = _open(context, f"{live_server.url}/o/COMM/appraisal/scoring/")
    page.wait_for_selector(f"#scoring-item-{mine.pk}[data-state='submitted']")
    # The first pull on this tablet sets the cursor (what came before is in the page already).
    _until(page, "() => DVKOutbox.lastSync().then(Boolean)")
    assert page.locator(".outbox-notice").count() == 0

    go_offline(context, server_requests)
    with scope(org=tree.commune):
        scorecard_reopen(assignment=mine, reason="Thiếu ảnh hiện trường", user=commune_staff)
    go_online(context, server_requests)
    notice = page.wait_for_selector("#outbox-notices [data-kind='reopened']")
    assert "Thiếu ảnh hiện trường" in notice.inner_text()
    assert "Tủ sách Xóm Một" in notice.inner_text()
    # The list was read again: the card is a draft once more.
    page.wait_for_selector(f"#scoring-item-{mine.pk}[data-state='draft']")
    page.click("#outbox-notices [data-kind='reopened'] a")
    page.click("#tab-scorecard")
    page.wait_for_selector("#scorecard-reopened")
    assert "Thiếu ảnh hiện trường" in page.inner_text("#scorecard-reopened")
    assert page.is_visible("#scorecard-save")
    assert "Thiếu ảnh hiện trường" in page.inner_text("#outbox-notices")
    page.click("#outbox-notices button")
    page.wait_for_selector("#outbox-notices .outbox-notice", state="detached")
    context.close()


def test_a_session_that_ends_offline_loses_nothing_and_sends_after_signing_in(
    browser,  # noqa: F811
    live_server,
    tree,
    commune_staff,
    server_requests,
):
    world = scoring_world(tree, commune_staff)
    mine = world.assignment(world.member)
    user = world.member.user
    context = _context(browser, live_server, user)
    page = _scorecard_page(context, live_server, mine)
    go_offline(context, server_requests)
    _fill(page, world.criteria, 3)
    page.click("#scorecard-save")
    page.wait_for_selector("#scorecard-status[data-state='local']")
    # The session ends server-side meanwhile (expired, or signed out elsewhere).
    for cookie in context.cookies():
        if cookie["name"] == "sessionid":
            SessionStore(session_key=cookie["value"]).delete()

    go_online(context, server_requests)
    page.wait_for_selector("#outbox-signin", state="visible")
    assert "Phiên đăng nhập đã hết: đăng nhập lại để gửi" in page.inner_text("#outbox-signin")
    assert [i["state"] for i in _items(page)] == ["signin"]
    assert _rows(mine) == (0, 0)

    page.click("#outbox-signin-link")
    page.wait_for_selector("#id_username")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#second-factor")
    page.fill("#id_code", totp_now(second_factor_device(user)))
    page.click("#second-factor button[type=submit]")
    page.wait_for_url(f"{live_server.url}/o/COMM/appraisal/scoring/{mine.pk}/")
    _wait_empty(page)
    assert _rows(mine) == (1, 0)
    assert (_card(mine).version, _card(mine).total) == (1, Decimal(3 * len(world.criteria)))
    page.evaluate("() => DVKOutbox.syncNow()")
    assert _card(mine).version == 1
    context.close()


def test_a_second_user_of_the_browser_sees_and_sends_nothing_of_the_first(browser, live_server, tree, commune_staff):  # noqa: F811
    world = scoring_world(tree, commune_staff)
    mine = world.assignment(world.member)
    context = _context(browser, live_server, world.member.user)
    page = _scorecard_page(context, live_server, mine)
    context.route(API, lambda route: route.abort())
    _fill(page, world.criteria, 2)
    page.click("#scorecard-save")
    page.wait_for_selector("#scorecard-status[data-state='local']")
    assert len(_items(page)) == 1

    sign_in(context, live_server.url, world.deputy.user)  # another user, same browser
    other = _open(context, f"{live_server.url}/outbox/")
    other.wait_for_selector("#outbox-empty")
    assert other.is_hidden("#outbox-bar")
    assert other.evaluate("() => DVKOutbox.user") == user_key(world.deputy.user)
    assert other.evaluate("() => DVKOutbox.list().then(all => all.length)") == 0
    # The first user's page, still open, now shares the second user's session: it may not send.
    context.unroute(API)
    page.evaluate("() => DVKOutbox.syncNow()")
    assert [i["state"] for i in _items(page)] == ["signin"]
    assert _rows(mine) == (0, 0)
    context.close()


def test_an_exported_outbox_file_applies_once_on_another_device(
    browser,  # noqa: F811
    live_server,
    tree,
    commune_staff,
    server_requests,
    tmp_path,
):
    world = scoring_world(tree, commune_staff)
    mine = world.assignment(world.member)
    broken, page, outbox_page = _offline_tablet(browser, live_server, world, mine, server_requests)
    _fill(page, world.criteria, 9)
    page.click("#scorecard-save")
    page.set_input_files(
        "#scorecard-photo-input", files=[{"name": "anh.jpg", "mimeType": "image/jpeg", "buffer": _big_jpeg(800, 600)}]
    )
    page.wait_for_selector("#scorecard-photo-list li[data-state='waiting']")
    outbox_page.wait_for_selector("#outbox-items [data-kind='photo']")
    assert outbox_page.locator("#outbox-items .outbox-item").count() == 2
    assert "Đang chờ" in outbox_page.inner_text("#outbox-items")
    path = _download_outbox(outbox_page, tmp_path)
    data = json.loads(path.read_text())
    assert (data["format"], data["version"], data["user"]) == ("dvk-outbox", 1, user_key(world.member.user))
    assert [i["kind"] for i in data["items"]] == ["scorecard", "photo"]

    # The other devices below are online: the server answers again, the broken tablet stays
    # cut off by its context (its pages idle meanwhile).
    server_requests.offline = False

    # Another user cannot import it.
    stranger = _context(browser, live_server, world.deputy.user)
    theirs = _open(stranger, f"{live_server.url}/outbox/")
    theirs.wait_for_selector("#outbox-empty")
    theirs.set_input_files("#outbox-import", str(path))
    theirs.wait_for_selector("#outbox-import-error")
    assert "người dùng khác" in theirs.inner_text("#outbox-import-error")
    assert theirs.evaluate("() => DVKOutbox.count()") == 0
    stranger.close()

    # The member on another tablet: it applies.
    spare = _context(browser, live_server, world.member.user)
    other = _open(spare, f"{live_server.url}/outbox/")
    other.wait_for_selector("#outbox-empty")
    other.set_input_files("#outbox-import", str(path))
    other.wait_for_selector("#outbox-imported")
    other.wait_for_selector("#outbox-empty")
    assert _rows(mine) == (1, 1)
    assert _card(mine).version == 1
    # Imported twice: nothing new either.
    other.set_input_files("#outbox-import", str(path))
    other.wait_for_selector("#outbox-empty")
    spare.close()

    # The broken tablet comes back after all: its sends are replays.
    go_online(broken, server_requests)
    _wait_empty(page)
    assert _rows(mine) == (1, 1)
    assert (_card(mine).version, _card(mine).total) == (1, Decimal(9 * len(world.criteria)))
    broken.close()


def test_an_outbox_file_from_a_broken_tablet_imported_by_staff_applies_once_as_drafts(
    browser,  # noqa: F811
    live_server,
    tree,
    commune_staff,
    server_requests,
    tmp_path,
):
    world = scoring_world(tree, commune_staff)
    mine = world.assignment(world.member)
    tablet, page, outbox_page = _offline_tablet(browser, live_server, world, mine, server_requests)
    _fill(page, world.criteria, 7)
    page.click("#scorecard-submit")
    page.wait_for_selector("#scorecard-confirm[open]")
    page.click("#scorecard-confirm-ok")
    page.wait_for_selector("#scorecard-locked-local")
    outbox_page.wait_for_selector("#outbox-items .outbox-item")
    path = _download_outbox(outbox_page, tmp_path)
    tablet.close()  # the tablet breaks with its outbox unsent
    server_requests.offline = False
    assert _rows(mine) == (0, 0)

    office = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    sign_in(office, live_server.url, commune_staff)
    staff = _open(office, f"{live_server.url}/o/COMM/appraisal/boards/{world.board.pk}/")
    staff.click("#board-outbox-import")
    for attempt in ("applied", "replayed"):
        staff.wait_for_selector("#outbox-import-form")
        staff.set_input_files("#outbox-import-form input[type=file]", str(path))
        with staff.expect_navigation():
            staff.click("#outbox-import-form button[type=submit]")
        staff.wait_for_selector("#outbox-import-items")
        assert [r.get_attribute("data-state") for r in staff.query_selector_all("#outbox-import-items tbody tr")] == [
            attempt
        ]
        assert _rows(mine) == (1, 0)
        card = _card(mine)
        # Submitted on the tablet, left as a draft by the import: the member submits it.
        assert (card.status, card.version, card.updated_by_id) == ("draft", 1, commune_staff.pk)
        assert card.total == Decimal(7 * len(world.criteria))
        if attempt == "applied":
            assert staff.is_visible("#outbox-import-drafts")
            staff.goto(f"{live_server.url}/o/COMM/appraisal/boards/{world.board.pk}/outbox-import/")
    assert staff.problems == []
    office.close()
