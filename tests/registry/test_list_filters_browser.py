"""The registration list's filters in real Chromium: no choice of a select is cut off, on a
phone, a tablet, a small laptop and a desktop."""

import datetime
import os
import shutil

import pytest

from campaigns.enums import RegistrationStatus as S
from tests.campaigns.builders import campaign
from tests.conftest import sign_in
from tests.registry.builders import complete_registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDTHS = [390, 768, 1024, 1366]

# Text width of each option in the select's own font, against the room the closed select
# leaves for its text (its width less padding, which holds the arrow, and borders).
CLIPPED = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  const cut = [];
  document.querySelectorAll("#registration-filters select").forEach((select) => {
    const style = getComputedStyle(select);
    canvas.font = style.font;
    const room = select.getBoundingClientRect().width - parseFloat(style.paddingLeft)
      - parseFloat(style.paddingRight) - parseFloat(style.borderLeftWidth) - parseFloat(style.borderRightWidth);
    for (const option of select.options) {
      const need = canvas.measureText(option.text).width;
      if (need > room + 0.5) {
        cut.push(`${select.name}: "${option.text}" needs ${need.toFixed(0)}px, has ${room.toFixed(0)}px`);
      }
    }
  });
  return cut;
}"""


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


def test_no_filter_choice_is_cut_off(browser, live_server, tree, commune_staff):
    plan = campaign(tree.commune, "01-KH/ĐU", registration_due=datetime.date(2099, 3, 5), target_levels=["unit"])
    complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    sign_in(context, live_server.url, commune_staff)
    page = context.new_page()
    page.goto(f"{live_server.url}/o/COMM/registrations/")
    assert page.locator("#id_subject_type option:checked").inner_text() == "Tập thể và cá nhân"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(CLIPPED) == [], f"at {width}px"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"at {width}px the page scrolls sideways by {overflow}px"
    context.close()
