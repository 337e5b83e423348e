"""The compliance table in real Chromium: its header stays in view while the rows scroll, and
the "chưa đạt" filter fits a phone."""

import datetime
import os
import shutil
from pathlib import Path

import pytest

from dvk.enums import Kind, Level
from dvk.models import Organization
from tests.campaigns.builders import campaign, quota, register
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        yield browser
        browser.close()


def test_the_header_stays_in_view_and_the_filter_fits_a_phone(browser, live_server, tree, commune_staff):
    plan = campaign(tree.commune, "11-KH/ĐU", registration_due=datetime.date(2099, 3, 5), target_levels=["unit"])
    quota(plan, "Mỗi đơn vị ít nhất 01 mô hình", min_total=1)
    for i in range(40):
        unit = Organization.objects.add_child(
            Organization.objects.get(pk=tree.commune.pk),
            {"code": f"U{i:03d}", "name": f"Chi bộ Thôn {i}", "level": Level.UNIT, "kind": Kind.PARTY_CELL},
        )
        if i % 2:
            register(plan, unit)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    sign_in(context, live_server.url, commune_staff)
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/o/COMM/campaigns/{plan.pk}/compliance/")
    box = page.locator(".compliance-scroll")
    box.evaluate("el => el.scrollIntoView()")
    box.evaluate("el => { el.scrollTop = 800; }")
    tops = box.evaluate(
        "el => [el.getBoundingClientRect().top, el.querySelector('thead').getBoundingClientRect().top, el.scrollTop]"
    )
    assert tops[2] > 0, "the table does not scroll inside its card"
    assert abs(tops[0] - tops[1]) <= 1, f"the header left the view: {tops}"

    page.set_viewport_size({"width": 390, "height": 844})
    page.click("#filter-behind")
    page.wait_for_url("**/compliance/?status=behind")
    assert page.locator("tr.child-row").count() == 22  # 20 units behind, UNIT and MTTQ
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#children").screenshot(path=str(SHOTS / "compliance-behind-phone.png"))
    assert problems == []
    context.close()
