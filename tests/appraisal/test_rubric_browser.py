"""The rubric page in real Chromium: staff change a maximum and a threshold, save, and the
campaign page's panel shows the stored rubric; on a phone the editor's rows stack."""

import datetime

import pytest
from django_scopes import scopes_disabled

from appraisal.models import Rubric
from tests.campaigns.builders import campaign
from tests.conftest import sign_in
from tests.test_browser import SHOTS, VIEWPORTS, browser  # noqa: F401  (the module's Chromium)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_staff_edit_the_rubric_and_the_campaign_page_shows_it(browser, live_server, tree, commune_staff, device):  # noqa: F811
    plan = campaign(tree.commune, "01-KH/ĐU", registration_due=datetime.date(2026, 3, 5))
    width, height = VIEWPORTS[device]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    sign_in(context, live_server.url, commune_staff)
    page = context.new_page()
    page.goto(f"{live_server.url}/o/COMM/appraisal/campaigns/{plan.pk}/rubric/")
    assert "Đây là bộ tiêu chí mặc định" in page.inner_text("#rubric-default")
    page.fill('input[name="criteria-0-max_points"]', "25")
    page.fill('input[name="criteria-5-name"]', "Minh chứng đầy đủ")
    page.fill('input[name="criteria-5-max_points"]', "5")
    page.fill('input[name="criteria-5-ORDER"]', "6")
    page.fill('input[name="threshold"]', "65")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"rubric-{device}.png"), full_page=True)
    page.click('#rubric-form button[type="submit"]')
    page.wait_for_selector("text=Đã lưu bộ tiêu chí thẩm định.")
    with scopes_disabled():
        rubric = Rubric.objects.get(campaign=plan)
        assert rubric.threshold == 65
        assert [(c.name, c.max_points) for c in rubric.criteria.all()][0] == ("Hiệu quả", 25)
        assert rubric.criteria.count() == 6
    page.goto(f"{live_server.url}/o/COMM/campaigns/{plan.pk}/")
    panel = page.inner_text("#rubric-panel")
    assert "Minh chứng đầy đủ" in panel and "65" in panel
    page.click("#rubric-panel a")
    page.wait_for_url(f"{live_server.url}/o/COMM/appraisal/campaigns/{plan.pk}/rubric/")
    context.close()
