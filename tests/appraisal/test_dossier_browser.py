"""The dossier page in real Chromium: the report's live character count against its budget
(static/js/dossier.js, no inline script under the CSP), a save, and a save over the budget
refused with the text kept."""

import datetime

import pytest
from django_scopes import scopes_disabled

from appraisal.enums import REPORT_CHARACTER_BUDGET
from appraisal.models import RecognitionDossier
from campaigns.enums import RegistrationStatus as S
from tests.campaigns.builders import campaign
from tests.conftest import sign_in
from tests.registry.builders import complete_registration
from tests.test_browser import SHOTS, VIEWPORTS, browser  # noqa: F401  (the module's Chromium)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_secretary_sees_the_count_and_saves_within_the_budget(browser, live_server, tree, secretary, device):  # noqa: F811
    plan = campaign(tree.commune, "27-KH/ĐU", start=datetime.date(2027, 1, 1), end=datetime.date(2027, 12, 31))
    registration = complete_registration(plan, tree.unit, name="Tủ sách Xóm Một", status=S.ACCEPTED)
    width, height = VIEWPORTS[device]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    sign_in(context, live_server.url, secretary)
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live_server.url}/o/UNIT/registrations/{registration.pk}/")
    page.click("#dossier-start")
    page.wait_for_selector("#dossier-form")
    assert "tương đương 5 trang A4 cỡ chữ 14" in page.inner_text("#report-budget")
    prefilled = page.input_value('textarea[name="report_results"]')
    assert "Số tiền quyên góp" in prefilled
    page.fill('textarea[name="letter_request"]', "Đề nghị công nhận mô hình.")
    page.fill('textarea[name="report_purposes"]', "Mục đích")
    expected = len(prefilled.strip()) + len("Mục đích")
    assert page.inner_text("[data-report-count]").replace(".", "") == str(expected)
    page.fill('textarea[name="report_content"]', "x" * (REPORT_CHARACTER_BUDGET + 1))
    assert "Vượt giới hạn" in page.inner_text("[data-report-over]")
    assert "alert-danger" in page.get_attribute("#report-budget", "class")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"dossier-{device}.png"), full_page=True)
    page.click("#dossier-save")
    page.wait_for_selector("#form-errors")
    assert "vượt giới hạn" in page.inner_text("#form-errors")
    assert len(page.input_value('textarea[name="report_content"]')) == REPORT_CHARACTER_BUDGET + 1
    with scopes_disabled():
        assert not RecognitionDossier.objects.exists()
    page.fill('textarea[name="report_content"]', "Nội dung theo từng giai đoạn")
    assert "alert-danger" not in page.get_attribute("#report-budget", "class")
    page.click("#dossier-save")
    page.wait_for_selector("text=Đã lưu hồ sơ đề nghị công nhận")
    with scopes_disabled():
        dossier = RecognitionDossier.objects.get()
    assert dossier.report_content == "Nội dung theo từng giai đoạn" and "Số tiền quyên góp" in dossier.report_results
    # The refused save answered 400 on purpose; nothing else went wrong (no CSP refusal, no error).
    assert [p for p in problems if "status of 400" not in p] == []
    context.close()
