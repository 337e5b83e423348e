"""Real Chromium (Debian's, driven by Playwright) on a desktop, a tablet and a phone."""

import os
import shutil
from pathlib import Path

import pytest

from dvk.models import Organization
from tests.conftest import PASSWORD, second_factor_device, sign_in, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
VIEWPORTS = {"desktop": (1366, 900), "tablet": (768, 1024), "phone": (390, 844)}
SHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_staff_logs_in_and_browses_the_tree(device, browser, live_server, commune_staff, tree):
    for i in range(3):
        Organization.objects.add_child(
            Organization.objects.get(code="UNIT"),
            {
                "code": f"TO{i}",
                "name": f"Tổ tự quản số {i} có tên khá dài để thử xuống dòng",
                "level": "unit",
                "kind": "community",
            },
        )
    width, height = VIEWPORTS[device]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    authenticator = second_factor_device(commune_staff)
    page.goto(f"{live_server.url}/o/COMM/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "can-bo-xa")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    # A staff account gives its second factor: the code its authenticator app shows.
    page.wait_for_selector("#second-factor")
    page.fill("#id_code", totp_now(authenticator))
    page.click("#second-factor button[type=submit]")
    page.wait_for_url(f"{live_server.url}/o/COMM/")
    assert page.locator("h1").inner_text().startswith("Xã Diễn Châu")

    # Lazy expansion through htmx (proves the scripts load under the Content-Security-Policy).
    page.click("#node-UNIT .btn-expand")
    page.wait_for_selector("#children-UNIT #node-TO0")

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{device}: the page scrolls sideways by {overflow}px"

    if device != "desktop":
        # Below Bootstrap's lg breakpoint the menu folds behind the toggler.
        assert not page.is_visible("#org-switcher")
        page.click(".navbar-toggler")
    page.wait_for_selector("#org-switcher", state="visible")

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"tree-{device}.png"), full_page=True)
    assert problems == []
    context.close()


def test_the_api_docs_load_from_our_own_static_files_under_the_csp(browser, live_server, commune_staff):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    problems, requests = [], []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url))
    sign_in(context, live_server.url, commune_staff)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-summary-path")
    assert page.locator(".opblock").count() > 10
    assert [url for url in requests if not url.startswith(live_server.url)] == []
    assert problems == []
    context.close()


def test_a_staff_member_sets_up_the_second_factor_in_the_browser(browser, live_server, commune_staff, tree):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/?next=/o/COMM/")
    page.fill("#id_username", "can-bo-xa")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#totp-qr svg")
    assert page.locator("#totp-qr svg").bounding_box()["width"] > 150  # big enough to scan
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "second-factor-setup-phone.png"), full_page=True)
    pending = TOTPDevice.objects.get(user=commune_staff, confirmed=False)
    page.fill("#id_code", totp_now(pending))
    page.click("#second-factor-setup button[type=submit]")
    page.wait_for_selector("#recovery-codes")
    assert page.locator("#recovery-codes li").count() == 10
    page.screenshot(path=str(SHOTS / "second-factor-recovery-phone.png"), full_page=True)
    page.click("text=Tôi đã lưu các mã, tiếp tục")
    page.wait_for_url(f"{live_server.url}/o/COMM/")
    assert problems == []
    context.close()


def test_staff_pick_a_quotas_organisations_by_name_on_a_phone(browser, live_server, commune_staff, tree):
    """The search picker (dvk/pickers.py, static/js/picker.js) with the keyboard at 390 px:
    "cong an" finds "Công an xã Diễn Châu", ↓ and Enter pick it as a chip, Backspace takes a
    chip back, and the saved quota shows the picks again after a reload."""
    from django_scopes import scopes_disabled

    from campaigns.enums import CampaignStatus
    from campaigns.models import Quota
    from dvk.enums import Kind, Level
    from tests.campaigns.builders import campaign
    from tests.conftest import add_child

    add_child(tree.commune, "CAXA", "Công an xã Diễn Châu", Level.UNIT, Kind.POLICE)
    add_child(tree.sibling, "CAXA-DT", "Công an xã Diễn Thịnh", Level.UNIT, Kind.POLICE)
    plan = campaign(tree.commune, "12-KH/ĐU", status=CampaignStatus.DRAFT, target_levels=["unit"])

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", has_touch=True)
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    sign_in(context, live_server.url, commune_staff)
    page.goto(f"{live_server.url}/o/COMM/campaigns/{plan.pk}/quotas/new/")

    # The script replaced the plain code box by the picker; the label names the search box.
    search = page.get_by_role("combobox", name="Tổ chức được chọn")
    assert page.locator("#id_organization_codes").is_hidden()
    search.fill("cong an")
    listbox = page.get_by_role("listbox", name="Tổ chức được chọn")
    option = listbox.get_by_role("option", name="Công an xã Diễn Châu")
    option.wait_for()
    assert search.get_attribute("aria-expanded") == "true"
    assert "Xã Diễn Châu" in option.inner_text() and listbox.get_by_role("option").count() == 1
    search.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == option.get_attribute("id")
    assert option.get_attribute("aria-selected") == "true"
    SHOTS.mkdir(parents=True, exist_ok=True)
    search.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "picker-phone-open.png"))
    search.press("Enter")
    chip = page.locator("#id_organization_codes-chips .picker-chip")
    assert chip.count() == 1 and "Công an xã Diễn Châu" in chip.inner_text()
    assert page.locator("#id_organization_codes").input_value() == "CAXA"
    assert search.input_value() == "" and search.get_attribute("aria-expanded") == "false"
    assert page.locator("#id_organization_codes-listbox").is_hidden()
    assert search.evaluate("el => el === document.activeElement")
    remove = chip.get_by_role("button", name="Bỏ chọn Công an xã Diễn Châu")
    box = remove.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44

    # Exceptions: pick one, then Backspace in the empty box takes it back; Escape closes a list.
    excluded = page.get_by_role("combobox", name="Trừ các tổ chức")
    excluded.fill("mttq")
    page.get_by_role("listbox", name="Trừ các tổ chức").get_by_role(
        "option", name="Ủy ban MTTQ xã Diễn Châu"
    ).wait_for()
    excluded.press("Escape")
    assert excluded.get_attribute("aria-expanded") == "false"
    excluded.press("ArrowDown")
    excluded.press("ArrowDown")  # the first ↓ reopens the list on its first option
    excluded.press("Enter")
    assert page.locator("#id_excluded_codes").input_value() == "MTTQ"
    excluded.press("Backspace")
    assert page.locator("#id_excluded_codes-chips .picker-chip").count() == 0
    assert page.locator("#id_excluded_codes").input_value() == ""

    # Nothing of the sibling commune is offered.
    excluded.fill("dien thinh")
    note = page.locator("#id_excluded_codes-listbox .picker-note")
    note.wait_for()
    assert note.inner_text() == "Không tìm thấy “dien thinh” trong phạm vi của Xã Diễn Châu."
    excluded.fill("")

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    page.screenshot(path=str(SHOTS / "picker-phone.png"), full_page=True)

    page.fill("#id_label", "Công an xã: 01 mô hình")
    page.fill("#id_min_total", "1")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"{live_server.url}/o/COMM/campaigns/{plan.pk}/**")
    with scopes_disabled():
        quota = Quota.objects.get(campaign=plan)
        assert [o.code for o in quota.organizations.all()] == ["CAXA"]
        assert not quota.excluded.exists()

    page.goto(f"{live_server.url}/o/COMM/campaigns/{plan.pk}/quotas/{quota.pk}/edit/")
    page.reload()
    chip = page.locator("#id_organization_codes-chips .picker-chip")
    assert chip.count() == 1 and "Công an xã Diễn Châu" in chip.inner_text()
    assert problems == []
    context.close()
