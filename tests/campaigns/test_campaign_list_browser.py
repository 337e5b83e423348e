"""The campaigns list in real Chromium at phone, tablet and desktop widths: titles and periods
read in full, and the bell's unread count shows on the bar without opening the menu."""

import datetime

import pytest

from dvk.models import Notification, Organization
from tests.campaigns.builders import campaign
from tests.conftest import sign_in
from tests.test_browser import SHOTS, VIEWPORTS, browser  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TITLE = "Kế hoạch thực hiện phong trào thi đua “Dân vận khéo” giai đoạn 2026–2030 trên địa bàn toàn xã"

# Everything a reader must see of an element: not cut by its own box (scrollWidth) nor by an
# ancestor that clips (a scrolling table wrapper), nor outside the viewport.
FULLY_VISIBLE = """(el) => {
  const box = el.getBoundingClientRect();
  if (!box.width || !box.height) return "not displayed";
  if (el.scrollWidth > el.clientWidth + 1) return `clipped: ${el.scrollWidth} > ${el.clientWidth}`;
  if (box.left < -1 || box.right > window.innerWidth + 1) return `outside the viewport: ${box.left}..${box.right}`;
  for (let up = el.parentElement; up; up = up.parentElement) {
    const style = getComputedStyle(up);
    if (style.overflowX === "visible") continue;
    const frame = up.getBoundingClientRect();
    if (box.left < frame.left - 1 || box.right > frame.right + 1) return `cut by ${up.tagName}.${up.className}`;
  }
  return "";
}"""


@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_campaign_rows_read_in_full_and_the_bell_count_is_on_the_bar(device, browser, live_server, commune_staff, tree):  # noqa: F811
    commune = Organization.objects.get(code="COMM")
    campaign(commune, "27-KH/ĐU", title=LONG_TITLE, start=datetime.date(2026, 1, 1), end=datetime.date(2030, 12, 31))
    campaign(commune, "12-KH/ĐU", start=datetime.date(2027, 3, 15), end=datetime.date(2027, 12, 31))
    for i in range(3):
        Notification.objects.create(user=commune_staff, title=f"Nhắc hạn {i}", organization=commune)

    width, height = VIEWPORTS[device]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    sign_in(context, live_server.url, commune_staff)
    page = context.new_page()
    page.goto(f"{live_server.url}/o/COMM/campaigns/")
    page.wait_for_selector("#campaign-table .campaign-row")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"campaign-list-{device}.png"), full_page=True)

    rows = page.locator("#campaign-table .campaign-row")
    assert rows.count() == 2
    for i in range(2):
        row = rows.nth(i)
        for selector in (".campaign-title", ".campaign-period-start", ".campaign-period-end"):
            problem = row.locator(selector).evaluate(FULLY_VISIBLE)
            assert problem == "", f"{device}: row {i} {selector}: {problem}"
    ends = [rows.nth(i).locator(".campaign-period-end").inner_text() for i in range(2)]
    assert sorted(ends) == ["31/12/2027", "31/12/2030"]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{device}: the page scrolls sideways by {overflow}px"

    # The unread count, on the bar itself: visible while the menu stays closed.
    bell = page.locator("#nav-notifications")
    assert bell.is_visible() and page.locator("#notifications-unread").is_visible()
    assert page.locator("#notifications-unread").evaluate(FULLY_VISIBLE) == ""
    assert "3" in page.locator("#notifications-unread").inner_text()
    assert bell.get_attribute("aria-label") == "Thông báo: 3 chưa đọc"
    if device == "phone":
        assert not page.locator("#nav-main").is_visible()
    bell.click()
    page.wait_for_url(f"{live_server.url}/notifications/")

    # The product's own 404 (DEBUG off) fits the screen too, with the bar and its bell.
    response = page.goto(f"{live_server.url}/o/COMM/campaigns/987654/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Không tìm thấy trang"
    assert page.locator("#notifications-unread").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(SHOTS / f"not-found-{device}.png"))
    context.close()
