"""A staff member reads the reminder digest in the notification centre on a phone."""

import pytest

from tests.campaigns.test_reminder_digests import DIGESTED, world  # noqa: F401  (the fixture)
from tests.campaigns.test_reminders import at, run_sweep
from tests.conftest import sign_in
from tests.test_browser import SHOTS, VIEWPORTS, browser  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_digest_reads_on_a_phone_and_its_links_open(browser, live_server, world, mailoutbox):  # noqa: F811
    with at(-3):
        run_sweep()
    width, height = VIEWPORTS["phone"]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    sign_in(context, live_server.url, world.people["commune"])
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live_server.url}/notifications/")
    item = page.locator(".notification")
    assert item.count() == 1
    assert "3 đơn vị chưa đủ chỉ tiêu" in item.inner_text()
    item.locator("summary").click()
    body = item.locator("details div")
    assert body.is_visible()
    for code in DIGESTED:
        assert body.locator(f'a[href*="/o/{code}/campaigns/{world.campaign.pk}/"]').count() == 1
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the notification centre scrolls sideways by {overflow}px"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "reminder-digest-phone.png"), full_page=True)
    # Its button opens the commune's compliance page of the campaign.
    item.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/o/COMM/campaigns/{world.campaign.pk}/compliance/")
    assert problems == []
    context.close()
