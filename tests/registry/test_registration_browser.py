"""A secretary registers a model on a phone, in real Chromium (Debian's, driven by Playwright)."""

import datetime
import os
import shutil
from pathlib import Path

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from campaigns.models import Field
from models_registry.models import Registration
from tests.campaigns.builders import campaign, quota
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
SHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


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


def _no_sideways_scroll(page, where):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where}: the page scrolls sideways by {overflow}px"


def test_secretary_registers_a_model_on_a_phone(browser, live_server, tree, secretary):
    today = timezone.localdate()
    plan = campaign(
        tree.commune,
        "11-KH/ĐU",
        start=today - datetime.timedelta(days=30),
        end=today + datetime.timedelta(days=200),
        registration_due=today + datetime.timedelta(days=20),
        target_kinds=["party_cell"],
    )
    with scopes_disabled():
        plan.fields.set(Field.objects.filter(code__in=["kinh-te", "van-hoa-xa-hoi"]))
    quota(plan, "Mỗi chi bộ ít nhất 01 mô hình", min_total=1)

    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_default_timeout(30000)  # generous: CI machines are slow and shared

    page.goto(f"{live_server.url}/o/UNIT/registrations/open/")
    page.fill("#id_username", "bi-thu")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/o/UNIT/registrations/open/")
    assert "Còn thiếu 1 mô hình." in page.inner_text("main")
    _no_sideways_scroll(page, "open campaigns")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "registration-open-phone.png"), full_page=True)

    page.click("text=Đăng ký mô hình tập thể")
    _no_sideways_scroll(page, "first step")
    page.fill("#id_name", "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa")
    page.click("#registration-create button[type=submit]")
    page.wait_for_url("**/edit/")
    edit_url = page.url
    assert page.is_hidden("#local-copy")
    _no_sideways_scroll(page, "new registration form")

    # Typing saves by itself, and a reload shows what was typed.
    page.fill("#id_location", "Nhà văn hóa xóm 1")
    page.fill("#id_responsible_person", "Bí thư chi bộ Nguyễn Văn Hùng")
    page.wait_for_selector("#autosave-status:has-text('Đã lưu lúc')")
    page.reload()
    assert page.input_value("#id_location") == "Nhà văn hóa xóm 1"
    assert page.input_value("#id_responsible_person") == "Bí thư chi bộ Nguyễn Văn Hùng"

    # Text typed while the server cannot be reached stays on the phone, and is offered back.
    page.route("**/autosave/", lambda route: route.abort())
    page.fill("#id_participants", "Đảng viên, hội viên các đoàn thể trong xóm")
    page.wait_for_selector("#autosave-status:has-text('Chưa lưu: không kết nối được máy chủ')")
    page.unroute("**/autosave/")
    page.reload()
    assert page.input_value("#id_participants") == ""
    page.wait_for_selector("#local-copy:has-text('Máy này còn giữ một bản nhập chưa lưu')")
    page.click("[data-local-restore]")
    assert page.input_value("#id_participants") == "Đảng viên, hội viên các đoàn thể trong xóm"
    page.wait_for_selector("#autosave-status:has-text('Đã lưu lúc')")
    page.reload()
    assert page.input_value("#id_participants") == "Đảng viên, hội viên các đoàn thể trong xóm"
    assert page.is_hidden("#local-copy")
    # The aborted requests were the point of the exercise.
    problems[:] = [p for p in problems if "ERR_FAILED" not in p]

    page.select_option("#id_field", label="Kinh tế")
    page.fill("#id_starts_on", "10/03/2026")
    page.fill("#id_completes_on", "31/08/2026")
    page.fill("#id_contact_phone", "0912 345 678")
    page.fill("#id_content", "Mỗi hộ tiết kiệm mỗi ngày 1.000 đồng để giúp hộ nghèo")
    page.fill("#id_responsibility", "Chi bộ chỉ đạo; các đoàn thể vận động hội viên")
    page.fill("#id_authority", "Đảng ủy xã Diễn Châu")
    page.fill("#id_schedule", "Từ tháng 3 đến tháng 8/2026; sơ kết tháng 6")
    rows = page.locator("[data-target-row]")
    blank_rows = rows.count()
    page.click("[data-target-add]")
    assert rows.count() == blank_rows + 1
    page.locator("[data-target-remove]").last.click()
    assert rows.count() == blank_rows
    first = rows.first
    first.locator("[name=target_indicator]").fill("Số tiền quyên góp")
    first.locator("[name=target_value]").fill("12.000.000")
    first.locator("[name=target_unit]").fill("đồng")
    page.wait_for_selector("#autosave-status:has-text('Đã lưu lúc')")
    _no_sideways_scroll(page, "filled registration form")
    page.screenshot(path=str(SHOTS / "registration-form-phone.png"), full_page=True)

    page.click("#submit-registration")
    page.wait_for_url(edit_url.replace("edit/", ""))
    assert page.inner_text("#registration-status") == "Đã gửi"
    assert "12.000.000 đồng" in page.inner_text("#targets")
    _no_sideways_scroll(page, "registration detail")
    page.screenshot(path=str(SHOTS / "registration-detail-phone.png"), full_page=True)

    with scopes_disabled():
        registration = Registration.objects.select_related("initiative").get()
        assert [(t.indicator, t.unit) for t in registration.targets.all()] == [("Số tiền quyên góp", "đồng")]
    assert (registration.status, registration.location) == ("submitted", "Nhà văn hóa xóm 1")
    assert problems == []
    context.close()


def test_province_staff_pick_the_unit_that_registers_by_name_on_a_phone(browser, live_server, tree, province_staff):
    """The open campaigns' "Đăng ký cho đơn vị" at 390 px: the province's staff type part of a
    unit's name without diacritics, tell two namesakes apart by their place in the tree, tap
    one, and the page shows that unit's open campaigns at once."""
    from dvk.enums import Role
    from dvk.models import Membership
    from tests.conftest import add_child, sign_in

    today = timezone.localdate()
    plan = campaign(
        tree.commune,
        "11-KH/ĐU",
        title="Kế hoạch thi đua “Dân vận khéo” năm 2026",
        start=today - datetime.timedelta(days=30),
        end=today + datetime.timedelta(days=200),
        registration_due=today + datetime.timedelta(days=20),
        target_kinds=["party_cell"],
    )
    quota(plan, "Mỗi chi bộ ít nhất 01 mô hình", min_total=1)
    for i in range(2, 30):  # a demo-sized commune, more than a list to scroll through
        add_child(tree.commune, f"XOM{i:02d}", f"Chi bộ Xóm {i}")
    add_child(tree.commune, "DONGHO", "Chi bộ Xóm Đông Hồ")
    add_child(tree.sibling, "DT-DONGHO", "Chi bộ Xóm Đông Hồ")  # a namesake in Diễn Thịnh
    # The province's staff also reviews elsewhere: its rights, not its memberships' count, decide.
    Membership.objects.create(user=province_staff, organization=tree.mttq, role=Role.MEMBER)

    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.set_default_timeout(30000)
    sign_in(context, live_server.url, province_staff)
    page.goto(f"{live_server.url}/o/PROV/registrations/open/")

    search = page.get_by_role("combobox", name="Đăng ký cho đơn vị")
    assert page.locator("#id_org").is_hidden()
    chip = page.locator("#id_org-chips .picker-chip")
    assert chip.inner_text().startswith("Tỉnh Nghệ An")
    search.fill("xom dong ho")
    listbox = page.get_by_role("listbox", name="Đăng ký cho đơn vị")
    found = listbox.get_by_role("option", name="Chi bộ Xóm Đông Hồ")
    found.first.wait_for()
    assert found.count() == 2
    ours = found.filter(has_text="Xã Diễn Châu")
    assert "Tỉnh Nghệ An › Xã Diễn Châu" in ours.inner_text()
    _no_sideways_scroll(page, "unit picker open")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "registering-unit-picker-phone.png"))
    ours.tap()

    page.wait_for_url(f"{live_server.url}/o/PROV/registrations/open/?org=DONGHO")
    assert page.locator("#id_org-chips .picker-chip").inner_text().startswith("Chi bộ Xóm Đông Hồ")
    card = page.locator(f"#campaign-{plan.pk}")
    assert "Kế hoạch 11-KH/ĐU" in card.inner_text() and "Còn thiếu 1 mô hình." in card.inner_text()
    assert "của Chi bộ Xóm Đông Hồ" in page.inner_text("main")
    href = card.get_by_role("link", name="Đăng ký mô hình tập thể").get_attribute("href")
    assert href == f"/o/PROV/registrations/new/{plan.pk}/?subject=collective&org=DONGHO"
    _no_sideways_scroll(page, "a unit's open campaigns")
    page.screenshot(path=str(SHOTS / "registering-unit-picked-phone.png"), full_page=True)
    assert problems == []
    context.close()
