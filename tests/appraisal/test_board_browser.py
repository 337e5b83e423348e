"""The board in real Chromium: staff form the board from the campaign page, pick the Front's
chairman by name with the picker, make him deputy head, and he opens the board through his
seat; on a phone the member list stacks."""

import datetime

import pytest
from django_scopes import scopes_disabled

from appraisal.models import BoardMember
from dvk.enums import Role
from tests.campaigns.builders import campaign
from tests.conftest import persona, sign_in
from tests.test_browser import SHOTS, VIEWPORTS, browser  # noqa: F401  (the module's Chromium)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_staff_form_the_board_and_the_chairman_reaches_it(browser, live_server, tree, commune_staff, device):  # noqa: F811
    plan = campaign(tree.commune, "01-KH/ĐU", registration_due=datetime.date(2026, 3, 5))
    chairman = persona("chu-tich-mttq", tree.mttq, Role.SECRETARY)
    chairman.full_name = "Trần Văn Mặttrận"
    chairman.save()
    width, height = VIEWPORTS[device]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    problems = []
    sign_in(context, live_server.url, commune_staff)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live_server.url}/o/COMM/campaigns/{plan.pk}/")
    page.click("#board-panel button[type=submit]")
    page.wait_for_selector("text=Đã thành lập đoàn thẩm định.")
    search = page.get_by_role("combobox", name="Người được cử")
    search.fill("tran van")
    option = page.get_by_role("listbox", name="Người được cử").get_by_role("option", name="Trần Văn Mặttrận")
    option.wait_for()
    assert "Ủy ban MTTQ xã Diễn Châu" in option.inner_text()
    search.press("ArrowDown")
    search.press("Enter")
    page.select_option("#id_add-role", "deputy")
    page.fill("#id_add-position", "Chủ tịch Ủy ban MTTQ xã")
    page.click("#board-member-add button[type=submit]")
    page.wait_for_selector("text=Đã thêm Trần Văn Mặttrận vào đoàn (Phó Trưởng đoàn).")
    with scopes_disabled():
        assert BoardMember.objects.get().user_id == chairman.pk
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"board-staff-{device}.png"), full_page=True)
    board_url = page.url
    context.close()

    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    sign_in(context, live_server.url, chairman)
    page = context.new_page()
    page.goto(f"{live_server.url}/orgs/")
    path = board_url.removeprefix(live_server.url)
    page.click(f'a.list-group-item[href="{path}"]:has-text("Đoàn thẩm định – 01-KH/ĐU")')
    page.wait_for_url(board_url)
    assert "Phó Trưởng đoàn" in page.inner_text("#board-my-seat")
    page.screenshot(path=str(SHOTS / f"board-seat-{device}.png"), full_page=True)
    context.close()
    assert problems == []
