"""Annex 01 in Excel: the export of the registration list, the import of paper registrations,
and its template.

Bad input gets a Vietnamese message and changes nothing: the row count of every table, the
audit trail included, stays as it was."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from campaigns.enums import RegistrationStatus as S
from campaigns.enums import SubjectType
from models_registry.exports import COLUMNS
from models_registry.imports import REQUIRED_COLUMNS, parse_number, parse_targets
from models_registry.models import Registration
from tests.campaigns.builders import campaign
from tests.conftest import client_for, table_counts
from tests.registry.builders import complete_registration
from tests.xlsx import billion_laughs, upload, workbook_bytes, zip_bomb

EXPORT = "/o/COMM/registrations/export.xlsx"
IMPORT = "/o/COMM/registrations/import/"
TEMPLATE = "/o/COMM/registrations/import/template.xlsx"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Previews keep their rows under MEDIA_ROOT; each test gets its own."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def plan(tree):
    return campaign(tree.commune, "01-KH/ĐU", target_levels=["unit"])


def sheet_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)], sheet


def as_dicts(rows):
    header, *data = rows
    return [dict(zip(header, row, strict=True)) for row in data]


# ---------------------------------------------------------------- export


def test_export_writes_annex_01_with_the_list_filters(as_commune_staff, tree, plan):
    collective = complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    complete_registration(
        plan,
        tree.mttq,
        name="Một kèm một",
        status=S.ACCEPTED,
        subject_type=SubjectType.INDIVIDUAL,
        person_name="Trần Thị Ánh",
    )
    complete_registration(plan, tree.unit, name="Nháp còn dở", status=S.DRAFT)
    other = campaign(tree.sibling, "02-KH/ĐU", target_levels=["unit"])
    complete_registration(other, tree.sibling_unit, name="Mô hình của xã bên", status=S.SUBMITTED)
    with scopes_disabled():
        tree.unit.address = "Xóm 1, xã Diễn Châu"
        tree.unit.save()

    rows, sheet = sheet_rows(as_commune_staff.get(EXPORT, {"campaign": plan.pk, "status": "submitted"}))
    assert rows[0] == COLUMNS
    assert "01-KH/ĐU" in sheet.oddHeader.center.text
    [row] = as_dicts(rows)
    assert row == {
        "STT": 1,
        "Mã tổ chức": "UNIT",
        "Tên tổ chức": "Chi bộ Xóm 1",
        "Tên mô hình": "Tuyến đường hoa",
        "Tập thể/Cá nhân": "Tập thể",
        "Họ và tên": None,
        "Chức vụ": None,
        "Đơn vị công tác": None,
        "Địa chỉ": "Xóm 1, xã Diễn Châu",
        "Lĩnh vực": "Văn hóa - xã hội",
        "Địa điểm thực hiện": "Xóm 5, xã Diễn Châu",
        "Thời gian bắt đầu": datetime.datetime(2026, 3, 10),
        "Thời gian hoàn thành": datetime.datetime(2026, 8, 31),
        "Số điện thoại": "0912 345 678",
        "Mô hình mới/duy trì": "Mới",
        "Kết quả cần đạt": "Số tiền quyên góp: 12.000.000 đồng",
        "Người chịu trách nhiệm": "Bí thư chi bộ Nguyễn Văn Hùng",
        "Lực lượng tham gia": "Đảng viên, hội viên các đoàn thể trong xóm",
        "Nội dung": "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa",
        "Trách nhiệm": "Chi bộ chỉ đạo; các đoàn thể vận động hội viên",
        "Thẩm quyền": "Đảng ủy xã Diễn Châu",
        "Tiến độ": "Từ tháng 3 đến tháng 8/2026; sơ kết tháng 6",
        "Trạng thái": "Đã gửi",
    }
    assert sheet["L2"].number_format == "DD/MM/YYYY"
    assert collective.pk

    everything = as_dicts(sheet_rows(as_commune_staff.get(EXPORT, {"status": "all"}))[0])
    assert [r["Tên mô hình"] for r in everything] == ["Tuyến đường hoa", "Nháp còn dở", "Một kèm một"]
    person = everything[2]
    assert (person["Họ và tên"], person["Địa chỉ"], person["Số điện thoại"]) == (
        "Trần Thị Ánh",
        "Xóm 5, xã Diễn Châu",
        "0987 654 321",
    )
    assert "Mô hình của xã bên" not in str(everything)


def test_without_a_status_filter_list_and_export_hold_what_counts_toward_quotas(as_commune_staff, tree, plan):
    """Annex 01 is what a level reports upward: drafts and refusals are not in it unless
    asked for, and the export holds exactly what the list shows."""
    for name, status in [
        ("Đã gửi", S.SUBMITTED),
        ("Đã duyệt", S.ACCEPTED),
        ("Đang làm", S.IN_PROGRESS),
        ("Xong", S.COMPLETED),
        ("Nháp", S.DRAFT),
        ("Trả lại", S.RETURNED),
        ("Rút", S.WITHDRAWN),
        ("Không duyệt", S.REJECTED),
    ]:
        complete_registration(plan, tree.unit, name=name, status=status)
    counted = {"Đã gửi", "Đã duyệt", "Đang làm", "Xong"}

    def listed(**query):
        page = as_commune_staff.get("/o/COMM/registrations/", query)
        return {r.initiative.name for r in page.context["page"]}, page.content.decode()

    def exported(**query):
        return {r["Tên mô hình"] for r in as_dicts(sheet_rows(as_commune_staff.get(EXPORT, query))[0])}

    names, page = listed()
    assert names == exported() == counted
    assert 'id="counted-statuses-note"' in page
    assert '<option value="" selected>Được tính chỉ tiêu</option>' in page
    assert 'href="?status=all" id="show-all-statuses"' in page
    names, page = listed(status="all")
    assert names == exported(status="all") == counted | {"Nháp", "Trả lại", "Rút", "Không duyệt"}
    assert 'id="counted-statuses-note"' not in page
    assert 'href="/o/COMM/registrations/export.xlsx?status=all"' in page
    assert listed(status="rejected")[0] == exported(status="rejected") == {"Không duyệt"}
    # The note's link keeps the other filters.
    page = listed(campaign=plan.pk, q="xong")[1]
    assert f'href="?q=xong&amp;campaign={plan.pk}&amp;status=all"' in page


def test_at_a_unit_the_list_and_export_start_with_every_status(secretary, tree, plan):
    """A secretary's list is their own work: the draft they left and the registration
    returned to them are what they came for, so at a unit nothing is hidden by default;
    "Được tính chỉ tiêu" (?status=counted) narrows it, list and export alike."""
    for name, status in [("Đã gửi", S.SUBMITTED), ("Nháp", S.DRAFT), ("Trả lại", S.RETURNED)]:
        complete_registration(plan, tree.unit, name=name, status=status)
    client = client_for(secretary)

    def listed(**query):
        page = client.get("/o/UNIT/registrations/", query)
        return {r.initiative.name for r in page.context["page"]}, page.content.decode()

    def exported(**query):
        rows = sheet_rows(client.get("/o/UNIT/registrations/export.xlsx", query))[0]
        return {r["Tên mô hình"] for r in as_dicts(rows)}

    names, page = listed()
    assert names == exported() == {"Đã gửi", "Nháp", "Trả lại"}
    assert '<option value="" selected>Mọi trạng thái</option>' in page
    assert 'id="counted-statuses-note"' not in page
    names, page = listed(status="counted")
    assert names == exported(status="counted") == {"Đã gửi"}
    assert 'id="counted-statuses-note"' in page


def test_export_file_name_spells_the_campaign_number_without_diacritics(as_commune_staff, tree):
    plan = campaign(tree.commune, "27-KH/ĐU", target_levels=["unit"])
    response = as_commune_staff.get(EXPORT, {"campaign": plan.pk})
    assert response["Content-Disposition"] == 'attachment; filename="phu-luc-01-COMM-27-KH-DU.xlsx"'


def test_export_escapes_formulas_in_every_text_cell(as_commune_staff, tree, plan):
    complete_registration(
        plan,
        tree.unit,
        name='=HYPERLINK("http://x","bấm")',
        status=S.SUBMITTED,
        subject_type=SubjectType.INDIVIDUAL,
        person_name="+cmd|' /C calc'!A0",
        content="@SUM(1+1)",
        responsible_person="-2+3",
    )
    [row] = as_dicts(sheet_rows(as_commune_staff.get(EXPORT))[0])
    assert row["Tên mô hình"] == '\'=HYPERLINK("http://x","bấm")'
    assert row["Họ và tên"] == "'+cmd|' /C calc'!A0"
    assert row["Nội dung"] == "'@SUM(1+1)"
    assert row["Người chịu trách nhiệm"] == "'-2+3"


def test_export_by_a_secretary_holds_only_their_unit(secretary, tree, plan):
    complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    complete_registration(plan, tree.mttq, name="Mái ấm", status=S.SUBMITTED)
    rows = as_dicts(sheet_rows(client_for(secretary).get("/o/UNIT/registrations/export.xlsx"))[0])
    assert [r["Tên mô hình"] for r in rows] == ["Tuyến đường hoa"]


def test_export_of_a_foreign_organisation_filter_is_empty(as_commune_staff, tree, plan):
    other = campaign(tree.sibling, "02-KH/ĐU", target_levels=["unit"])
    complete_registration(other, tree.sibling_unit, name="Mô hình của xã bên", status=S.SUBMITTED)
    rows, _sheet = sheet_rows(as_commune_staff.get(EXPORT, {"org": "SIBU", "campaign": other.pk}))
    assert rows == [COLUMNS]


def test_export_queries_do_not_grow_with_rows(as_commune_staff, tree, plan, django_assert_num_queries):
    url = f"{EXPORT}?campaign={plan.pk}&sort=person"
    complete_registration(plan, tree.unit, name="Mô hình 0", status=S.SUBMITTED)
    as_commune_staff.get(url)
    with CaptureQueriesContext(connection) as ctx:
        rows, _sheet = sheet_rows(as_commune_staff.get(url))
    assert len(rows) == 2
    for i in range(1, 30):
        complete_registration(
            plan,
            tree.mttq if i % 2 else tree.unit,
            name=f"Mô hình {i}",
            status=S.SUBMITTED,
            subject_type=SubjectType.INDIVIDUAL if i % 3 else SubjectType.COLLECTIVE,
        )
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = as_commune_staff.get(url)
    assert len(sheet_rows(response)[0]) == 31


# ---------------------------------------------------------------- import: the good path

HEADER = list(COLUMNS)


def annex_row(**values):
    base = {
        "STT": 1,
        "Mã tổ chức": "UNIT",
        "Tên tổ chức": "Chi bộ Xóm 1",
        "Tên mô hình": "Tuyến đường hoa",
        "Tập thể/Cá nhân": "Tập thể",
        "Lĩnh vực": "Văn hóa - xã hội",
        "Địa điểm thực hiện": "Xóm 1",
        "Thời gian bắt đầu": "10/03/2026",
        "Thời gian hoàn thành": datetime.datetime(2026, 8, 31),
        "Số điện thoại": 912345678,
        "Mô hình mới/duy trì": "Mới",
        "Kết quả cần đạt": "Số mét đường có đèn: 1.500 m; Số hộ tham gia: 120 hộ",
        "Người chịu trách nhiệm": "Bí thư chi bộ Nguyễn Văn Hùng",
        "Lực lượng tham gia": "Đảng viên, đoàn viên\nHội viên phụ nữ",
        "Nội dung": "Trồng hoa hai bên đường",
        "Trách nhiệm": "Chi bộ chỉ đạo",
        "Thẩm quyền": "Đảng ủy xã",
        "Tiến độ": "Tháng 3 - tháng 8/2026",
        "Trạng thái": "",
    }
    base.update(values)
    return [base.get(column, "") for column in HEADER]


PERSON = {
    "Mã tổ chức": "MTTQ",
    "Tên mô hình": "Một kèm một",
    "Tập thể/Cá nhân": "cá nhân",
    "Họ và tên": "Trần  Thị Ánh",
    "Chức vụ": "Chi hội trưởng",
    "Đơn vị công tác": "Chi hội Phụ nữ xóm 5",
    "Địa chỉ": "Xóm 5",
    "Lĩnh vực": "kinh te",
    "Số điện thoại": "0987 654 321",
    "Kết quả cần đạt": "Tỷ lệ hộ thoát nghèo: 2,5 %",
}


def post_file(client, content, plan, name="phu-luc-01.xlsx", **extra):
    return client.post(IMPORT, {"campaign": plan.pk, "file": upload(content, name), **extra})


def pending_file(client):
    from django.conf import settings

    token = client.session["dvk_pending_registration_import"]["token"]
    return Path(settings.MEDIA_ROOT) / "imports" / "pending" / f"registrations-{token}.json"


def confirm(client):
    token = client.session["dvk_pending_registration_import"]["token"]
    return client.post(IMPORT, {"token": token})


def test_valid_file_previews_without_writing_then_imports_on_confirm(as_commune_staff, commune_staff, tree, plan):
    content = workbook_bytes([HEADER, annex_row(), annex_row(**PERSON)])
    before = table_counts()
    response = post_file(as_commune_staff, content, plan)
    body = response.content.decode()
    assert response.status_code == 200, body[:3000]
    assert "Tệp hợp lệ: 2 đăng ký sẽ được tạo theo kế hoạch 01-KH/ĐU" in body
    assert "Tuyến đường hoa" in body and "Trần Thị Ánh" in body
    assert "Xác nhận nhập" in body
    assert table_counts() == before

    kept = pending_file(as_commune_staff)
    assert kept.exists()
    response = confirm(as_commune_staff)
    assert response.status_code == 302
    assert response["Location"] == f"/o/COMM/registrations/?campaign={plan.pk}"
    assert not kept.exists()
    assert "Đã nhập 2 đăng ký theo kế hoạch 01-KH/ĐU." in as_commune_staff.get(response["Location"]).content.decode()
    with scopes_disabled():
        collective = Registration.objects.get(initiative__name="Tuyến đường hoa")
        person = Registration.objects.get(initiative__name="Một kèm một")
        assert (collective.organization, collective.campaign, collective.status) == (tree.unit, plan, S.SUBMITTED)
        assert collective.created_by == commune_staff and collective.submitted_at is not None
        assert not collective.is_late
        assert collective.starts_on == datetime.date(2026, 3, 10)
        assert collective.completes_on == datetime.date(2026, 8, 31)
        assert collective.contact_phone == "0912345678"
        assert collective.participants == "Đảng viên, đoàn viên\nHội viên phụ nữ"
        assert collective.field.code == "van-hoa-xa-hoi"
        assert [(t.indicator, t.value, t.unit, t.position) for t in collective.targets.all()] == [
            ("Số mét đường có đèn", Decimal("1500"), "m", 0),
            ("Số hộ tham gia", Decimal("120"), "hộ", 1),
        ]
        assert collective.search_text == "tuyen duong hoa"
        audit = collective.history.get()
        assert (audit.history_type, audit.history_user, audit.status, audit.initiative_id, audit.location) == (
            "+",
            commune_staff,
            S.SUBMITTED,
            collective.initiative_id,
            "Xóm 1",
        )
        assert audit.history_change_reason == "Nhập từ Excel (phụ lục 01)"
        assert collective.initiative.history.count() == 1 and collective.initiative.search_name == "tuyen duong hoa"
        assert (person.subject_type, person.person_name, person.person_phone) == (
            SubjectType.INDIVIDUAL,
            "Trần Thị Ánh",
            "0987 654 321",
        )
        assert person.person_name_sort_key and person.field.code == "kinh-te"
        assert [(t.value, t.unit) for t in person.targets.all()] == [(Decimal("2.5"), "%")]
        assert person.targets.get().history.count() == 1
    assert "dvk_pending_registration_import" not in as_commune_staff.session


def test_the_export_imports_back_under_another_campaign(as_commune_staff, tree, plan):
    complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    complete_registration(
        plan,
        tree.mttq,
        name="Một kèm một",
        status=S.ACCEPTED,
        subject_type=SubjectType.INDIVIDUAL,
        person_name="Trần Thị Ánh",
    )
    exported = as_commune_staff.get(EXPORT, {"campaign": plan.pk}).content
    next_year = campaign(
        tree.commune,
        "05-KH/ĐU",
        start=datetime.date(2027, 1, 1),
        end=datetime.date(2027, 12, 31),
        target_levels=["unit"],
    )
    response = post_file(as_commune_staff, exported, next_year)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert confirm(as_commune_staff).status_code == 302
    with scopes_disabled():
        copied = Registration.objects.filter(campaign=next_year).order_by("organization__path")
        assert [(r.initiative.name, r.person_name) for r in copied] == [
            ("Tuyến đường hoa", ""),
            ("Một kèm một", "Trần Thị Ánh"),
        ]
        assert copied[0].targets.get().value == Decimal("12000000")


def test_the_template_has_the_header_and_an_example(as_commune_staff, tree, plan):
    rows, _sheet = sheet_rows(as_commune_staff.get(TEMPLATE))
    assert rows[0] == COLUMNS
    [example] = as_dicts(rows)
    # A unit of the acting level, so the template imports as it is.
    assert (example["Mã tổ chức"], example["Tên tổ chức"]) == ("UNIT", "Chi bộ Xóm 1")
    assert example["Kết quả cần đạt"] == "Số tiền quyên góp: 12.000.000 đồng; Số hộ được giúp đỡ: 10 hộ"
    assert set(REQUIRED_COLUMNS) <= set(rows[0])
    response = post_file(as_commune_staff, workbook_bytes(rows), plan)
    assert response.status_code == 200, response.content.decode()[:3000]


def test_continued_model_links_the_earlier_registration(as_commune_staff, tree, plan):
    earlier_plan = campaign(
        tree.commune,
        "01-KH/ĐU-2025",
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        target_levels=["unit"],
    )
    earlier = complete_registration(earlier_plan, tree.unit, name="Tuyến đường hoa", status=S.COMPLETED)
    same = annex_row(**{"Mô hình mới/duy trì": "Duy trì", "Kết quả cần đạt": "Số tiền quyên góp: 12.000.000 đồng"})
    response = post_file(as_commune_staff, workbook_bytes([HEADER, same]), plan)
    assert "Mô hình duy trì phải đăng ký mục tiêu cao hơn năm trước" in response.content.decode()
    higher = annex_row(**{"Mô hình mới/duy trì": "duy tri", "Kết quả cần đạt": "Số tiền quyên góp: 15.000.000 đồng"})
    response = post_file(as_commune_staff, workbook_bytes([HEADER, higher]), plan)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert confirm(as_commune_staff).status_code == 302
    with scopes_disabled():
        registration = Registration.objects.get(campaign=plan)
        assert registration.continues == earlier
        assert registration.initiative_id == earlier.initiative_id


def test_after_the_deadline_a_reason_is_required_and_rows_are_marked_late(as_commune_staff, tree):
    late_plan = campaign(tree.commune, "03-KH/ĐU", registration_due=datetime.date(2026, 1, 15), target_levels=["unit"])
    content = workbook_bytes([HEADER, annex_row()])
    before = table_counts()
    response = post_file(as_commune_staff, content, late_plan)
    assert response.status_code == 400
    assert "Đã quá hạn đăng ký của kế hoạch 03-KH/ĐU: hãy ghi lý do đăng ký muộn." in response.content.decode()
    assert table_counts() == before

    response = post_file(as_commune_staff, content, late_plan, late_reason="Chi bộ nộp bản giấy sau hạn")
    assert response.status_code == 200
    assert "các đăng ký sẽ được đánh dấu muộn" in response.content.decode()
    assert confirm(as_commune_staff).status_code == 302
    with scopes_disabled():
        registration = Registration.objects.get(campaign=late_plan)
    assert (registration.is_late, registration.late_reason) == (True, "Chi bộ nộp bản giấy sau hạn")


def test_after_the_deadline_staff_below_the_issuing_level_cannot_import(tree):
    from dvk.models import Membership
    from tests.conftest import make_user

    late_plan = campaign(tree.commune, "03-KH/ĐU", registration_due=datetime.date(2026, 1, 15), target_levels=["unit"])
    unit_staff = make_user("can-bo-chi-bo")
    Membership.objects.create(user=unit_staff, organization=tree.unit, role="staff")
    client = client_for(unit_staff)
    before = table_counts()
    response = client.post(
        "/o/UNIT/registrations/import/",
        {"campaign": late_plan.pk, "file": upload(workbook_bytes([HEADER, annex_row()])), "late_reason": "Muộn"},
    )
    assert response.status_code == 400
    assert "chỉ cán bộ phụ trách cấp ban hành mới nhập bổ sung được" in response.content.decode()
    assert table_counts() == before


# ---------------------------------------------------------------- import: bad rows


def assert_refused_and_unchanged(client, content, plan, *expected, name="phu-luc-01.xlsx", **extra):
    before = table_counts()
    response = post_file(client, content, plan, name, **extra)
    body = response.content.decode()
    assert response.status_code == 400
    for message in expected:
        assert message in body, body[:4000]
    assert "Xác nhận nhập" not in body
    assert "dvk_pending_registration_import" not in client.session
    assert table_counts() == before
    return body


def test_one_bad_row_refuses_the_whole_file_naming_excel_rows(as_commune_staff, tree, plan):
    bad = annex_row(**{"Mã tổ chức": "SIBU", "Tên mô hình": "Chiếm chỗ", "Người chịu trách nhiệm": ""})
    body = assert_refused_and_unchanged(
        as_commune_staff,
        workbook_bytes([HEADER, annex_row(), bad]),
        plan,
        "Có 1 dòng lỗi",
        "Dòng 3: Mã tổ chức SIBU không thuộc Xã Diễn Châu.",
        "Dòng 3: Rõ người: hãy ghi người chịu trách nhiệm chính.",
    )
    assert "Dòng 2:" not in body


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"Lĩnh vực": "Thể thao"}, "Dòng 2: Lĩnh vực “Thể thao” không có trong kế hoạch; dùng một trong: Kinh tế"),
        ({"Người chịu trách nhiệm": ""}, "Dòng 2: Rõ người: hãy ghi người chịu trách nhiệm chính."),
        ({"Thẩm quyền": " "}, "Dòng 2: Rõ thẩm quyền: hãy ghi cấp có thẩm quyền phê duyệt, chỉ đạo."),
        ({"Kết quả cần đạt": ""}, "Dòng 2: Rõ kết quả: hãy ghi ít nhất một kết quả cần đạt"),
        ({"Thời gian bắt đầu": "2026-03-10"}, "Dòng 2: Thời gian bắt đầu “2026-03-10” không đúng dạng ngày/tháng/năm"),
        ({"Thời gian hoàn thành": "31/02/2026"}, "Dòng 2: Thời gian hoàn thành “31/02/2026” không đúng dạng"),
        ({"Thời gian hoàn thành": "01/01/2026"}, "Dòng 2: Thời gian hoàn thành phải sau thời gian bắt đầu."),
        ({"Tập thể/Cá nhân": "Hộ gia đình"}, "Dòng 2: Cột “Tập thể/Cá nhân”: “Hộ gia đình” không hợp lệ"),
        ({"Tập thể/Cá nhân": "Cá nhân"}, "Dòng 2: Hãy ghi họ và tên người đăng ký."),
        ({"Mô hình mới/duy trì": "Cũ"}, "Dòng 2: Cột “Mô hình mới/duy trì”: “Cũ” không hợp lệ"),
        ({"Mô hình mới/duy trì": "Duy trì"}, "Dòng 2: Không tìm thấy mô hình “Tuyến đường hoa” của Chi bộ Xóm 1"),
        ({"Kết quả cần đạt": "Nhiều hộ tham gia"}, "Dòng 2: Kết quả cần đạt “Nhiều hộ tham gia” không đúng dạng"),
        ({"Kết quả cần đạt": "Số hộ: 0 hộ"}, "Dòng 2: Kết quả cần đạt “Số hộ: 0 hộ”: con số phải lớn hơn 0"),
        ({"Mã tổ chức": ""}, "Dòng 2: Thiếu mã tổ chức."),
        ({"Mã tổ chức": "PROV"}, "Dòng 2: Mã tổ chức PROV không thuộc Xã Diễn Châu."),
        ({"Mã tổ chức": "COMM"}, "Dòng 2: Xã Diễn Châu (COMM) không thuộc đối tượng của kế hoạch 01-KH/ĐU."),
        ({"Tên mô hình": ""}, "Dòng 2: Thiếu tên mô hình."),
        ({"Số điện thoại": "0" * 21}, "Dòng 2: Cột “Số điện thoại” dài quá 20 ký tự."),
        ({"Nội dung": "x" * 10_001}, "Dòng 2: Cột “Nội dung” dài quá 10000 ký tự."),
        ({"Kết quả cần đạt": "Số tiền: 1e5 đồng"}, "Dòng 2: Kết quả cần đạt “Số tiền: 1e5 đồng” không đúng dạng"),
    ],
)
def test_row_errors_are_named_and_refuse_the_file(as_commune_staff, tree, plan, values, message):
    assert_refused_and_unchanged(as_commune_staff, workbook_bytes([HEADER, annex_row(**values)]), plan, message)


def test_organisation_not_targeted_by_the_campaign_is_a_row_error(as_commune_staff, tree):
    cells_only = campaign(tree.commune, "04-KH/ĐU", target_levels=["unit"], target_kinds=["party_cell"])
    rows = [HEADER, annex_row(), annex_row(**{"Mã tổ chức": "MTTQ", "Tên mô hình": "Mái ấm"})]
    assert_refused_and_unchanged(
        as_commune_staff,
        workbook_bytes(rows),
        cells_only,
        "Dòng 3: Ủy ban MTTQ xã Diễn Châu (MTTQ) không thuộc đối tượng của kế hoạch 04-KH/ĐU.",
    )


def test_duplicate_rows_within_the_file_are_refused(as_commune_staff, tree, plan):
    rows = [HEADER, annex_row(), annex_row(), annex_row(**{"Tên mô hình": "TUYẾN ĐƯỜNG  HOA"})]
    assert_refused_and_unchanged(
        as_commune_staff,
        workbook_bytes(rows),
        plan,
        "Dòng 3: Trùng với dòng 2: cùng tổ chức, cùng tên mô hình “Tuyến đường hoa”.",
        "Dòng 4: Trùng với dòng 2",
    )


def test_a_model_already_registered_under_the_campaign_is_refused(as_commune_staff, tree, plan):
    complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    assert_refused_and_unchanged(
        as_commune_staff,
        workbook_bytes([HEADER, annex_row(**{"Tên mô hình": "tuyến đường hoa"})]),
        plan,
        "Dòng 2: Mô hình “tuyến đường hoa” đã được Chi bộ Xóm 1 đăng ký theo kế hoạch 01-KH/ĐU.",
    )


def test_units_of_a_commune_with_its_own_derived_campaign_import_under_that_one(as_commune_staff, tree):
    province_plan = campaign(tree.province, "54-KH/BDVTU", target_levels=["unit"])
    campaign(tree.commune, "01-KH/ĐU", derived_from=province_plan)
    assert_refused_and_unchanged(
        as_commune_staff,
        workbook_bytes([HEADER, annex_row()]),
        province_plan,
        "Dòng 2: Chi bộ Xóm 1 thuộc cấp đã có kế hoạch riêng triển khai kế hoạch 54-KH/BDVTU",
    )


# ---------------------------------------------------------------- import: bad files


def test_malformed_file_is_refused(as_commune_staff, plan):
    assert_refused_and_unchanged(as_commune_staff, b"this is not a spreadsheet", plan, "không phải là tệp Excel")


def test_truncated_xlsx_is_refused(as_commune_staff, plan):
    content = workbook_bytes([HEADER, annex_row()])
    assert_refused_and_unchanged(as_commune_staff, content[:900], plan, "Excel")


def test_zip_bomb_is_refused_before_parsing(as_commune_staff, plan):
    assert_refused_and_unchanged(as_commune_staff, zip_bomb(), plan, "có thể là tệp độc hại")


def test_billion_laughs_is_refused(as_commune_staff, plan):
    assert_refused_and_unchanged(as_commune_staff, billion_laughs(), plan, "bị cấm")


def test_wrong_columns_are_refused_naming_the_missing_ones(as_commune_staff, plan):
    rows = [["Mã tổ chức", "Tên mô hình", "Ghi chú"], ["UNIT", "Tuyến đường hoa", ""]]
    body = assert_refused_and_unchanged(
        as_commune_staff,
        workbook_bytes(rows),
        plan,
        "Tệp không đúng mẫu phụ lục 01",
        "thiếu cột: Tập thể/Cá nhân, Họ và tên",
        "cột không nhận ra: Ghi chú",
    )
    assert "Người chịu trách nhiệm" in body


def test_columns_match_despite_case_spacing_and_diacritics(as_commune_staff, tree, plan):
    header = [h.upper().replace("/", " / ") for h in HEADER]
    header[header.index("THỜI GIAN BẮT ĐẦU")] = "thoi gian bat dau"
    response = post_file(as_commune_staff, workbook_bytes([header, annex_row()]), plan)
    assert response.status_code == 200, response.content.decode()[:3000]


def test_a_header_without_rows_is_refused(as_commune_staff, plan):
    assert_refused_and_unchanged(as_commune_staff, workbook_bytes([HEADER]), plan, "không có dòng dữ liệu nào")


def test_fifty_thousand_rows_are_refused_naming_the_limit(as_commune_staff, plan):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for i in range(50_000):
        sheet.append([i + 1, "UNIT", "", f"Mô hình {i}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert_refused_and_unchanged(
        as_commune_staff,
        buffer.getvalue(),
        plan,
        "Tệp có quá 20.000 dòng dữ liệu; giới hạn mỗi lần nhập là 20.000 dòng",
    )


def test_oversize_file_is_refused(as_commune_staff, plan, settings):
    settings.DVK_IMPORT_MAX_BYTES = 1000
    assert_refused_and_unchanged(as_commune_staff, workbook_bytes([HEADER, annex_row()]), plan, "Tệp quá lớn")


def test_missing_file_or_campaign_is_a_form_error(as_commune_staff, plan):
    before = table_counts()
    response = as_commune_staff.post(IMPORT, {"campaign": plan.pk})
    assert response.status_code == 400
    assert table_counts() == before


def test_a_new_preview_replaces_the_kept_rows_of_the_previous_one(as_commune_staff, tree, plan):
    assert post_file(as_commune_staff, workbook_bytes([HEADER, annex_row()]), plan).status_code == 200
    first = pending_file(as_commune_staff)
    other = annex_row(**{"Tên mô hình": "Mái ấm"})
    assert post_file(as_commune_staff, workbook_bytes([HEADER, other]), plan).status_code == 200
    assert not first.exists() and pending_file(as_commune_staff).exists()
    assert confirm(as_commune_staff).status_code == 302
    with scopes_disabled():
        assert list(Registration.objects.values_list("initiative__name", flat=True)) == ["Mái ấm"]


def test_a_second_confirm_of_the_same_preview_writes_nothing(as_commune_staff, tree, plan):
    assert post_file(as_commune_staff, workbook_bytes([HEADER, annex_row()]), plan).status_code == 200
    token = as_commune_staff.session["dvk_pending_registration_import"]["token"]
    assert as_commune_staff.post(IMPORT, {"token": token}).status_code == 302
    before = table_counts()
    response = as_commune_staff.post(IMPORT, {"token": token}, follow=True)
    assert "Phiên nhập đã hết hạn" in response.content.decode()
    assert table_counts() == before


def test_confirm_with_a_stale_token_writes_nothing(as_commune_staff, plan):
    before = table_counts()
    response = as_commune_staff.post(IMPORT, {"token": "f" * 32})
    assert response.status_code == 302
    assert table_counts() == before


def test_confirm_checks_the_kept_rows_again(as_commune_staff, tree, plan):
    """The confirm re-checks the rows kept on the server: a model registered meanwhile refuses it."""
    assert post_file(as_commune_staff, workbook_bytes([HEADER, annex_row()]), plan).status_code == 200
    complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    before = table_counts()
    response = confirm(as_commune_staff)
    assert response.status_code == 400
    assert "đã được Chi bộ Xóm 1 đăng ký" in response.content.decode()
    assert table_counts() == before


def test_only_published_campaigns_at_or_above_the_organisation_are_offered(as_commune_staff, tree, plan):
    draft = campaign(tree.commune, "07-KH/ĐU", status="draft", target_levels=["unit"])
    below = campaign(tree.unit, "08-KH/CB")
    body = as_commune_staff.get(IMPORT).content.decode()
    assert "01-KH/ĐU" in body and "07-KH/ĐU" not in body and "08-KH/CB" not in body
    for refused in (draft, below):
        before = table_counts()
        response = post_file(as_commune_staff, workbook_bytes([HEADER, annex_row()]), refused)
        assert response.status_code == 400
        assert table_counts() == before


def test_outsider_cannot_import_under_the_victims_campaign_through_their_own(as_outsider, tree, plan):
    before = table_counts()
    response = as_outsider.post(
        "/o/SIBL/registrations/import/",
        {"campaign": plan.pk, "file": upload(workbook_bytes([HEADER, annex_row()]))},
    )
    assert response.status_code == 400
    assert table_counts() == before
    assert as_outsider.post(IMPORT, {"campaign": plan.pk}).status_code == 404


def test_secretary_may_not_import_or_download_the_template(secretary, tree, plan):
    client = client_for(secretary)
    assert client.get("/o/UNIT/registrations/import/").status_code == 403
    assert client.get("/o/UNIT/registrations/import/template.xlsx").status_code == 403


# ---------------------------------------------------------------- parsing helpers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12.000.000", "12000000"),
        ("2,5", "2.5"),
        ("2.5", "2.5"),
        ("1.000", "1000"),
        ("12,000,000.5", "12000000.5"),
        ("1500", "1500"),
        ("1.234,75", "1234.75"),
        ("abc", None),
        ("1,2,3", None),
    ],
)
def test_numbers_are_read_the_vietnamese_way_first(text, value):
    assert parse_number(text) == (Decimal(value) if value else None)


def test_targets_parse_indicator_value_and_unit():
    targets, errors = parse_targets("Tỷ lệ hộ nghèo giảm: 2,5 %;\nSố buổi: Tập huấn: 4 buổi")
    assert errors == []
    assert targets == [
        {"indicator": "Tỷ lệ hộ nghèo giảm", "value": Decimal("2.5"), "unit": "%"},
        {"indicator": "Số buổi: Tập huấn", "value": Decimal("4"), "unit": "buổi"},
    ]


def test_a_preview_nobody_confirmed_is_dropped_after_a_day(as_commune_staff, tree, plan):
    import os
    import time

    from django.conf import settings

    pending = Path(settings.MEDIA_ROOT) / "imports" / "pending"
    pending.mkdir(parents=True, exist_ok=True)
    abandoned, recent = pending / "registrations-abandoned.json", pending / "registrations-recent.json"
    for kept in (abandoned, recent):
        kept.write_text("[]", encoding="utf-8")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(abandoned, (two_days_ago, two_days_ago))
    assert post_file(as_commune_staff, workbook_bytes([HEADER, annex_row()]), plan).status_code == 200
    assert not abandoned.exists() and recent.exists() and pending_file(as_commune_staff).exists()


def test_a_continued_model_already_registered_and_withdrawn_here_is_a_row_error(as_commune_staff, tree, plan):
    earlier_plan = campaign(
        tree.commune,
        "01-KH/ĐU-2025",
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        target_levels=["unit"],
    )
    earlier = complete_registration(earlier_plan, tree.unit, name="Tuyến đường hoa", status=S.COMPLETED)
    with scopes_disabled():
        Registration.objects.create(
            campaign=plan,
            organization=tree.unit,
            initiative=earlier.initiative,
            continues=earlier,
            subject_type="collective",
            status=S.WITHDRAWN,
        )
    higher = annex_row(**{"Mô hình mới/duy trì": "Duy trì", "Kết quả cần đạt": "Số tiền quyên góp: 15.000.000 đồng"})
    assert_refused_and_unchanged(
        as_commune_staff,
        workbook_bytes([HEADER, higher]),
        plan,
        "Dòng 2: Mô hình “Tuyến đường hoa” của Chi bộ Xóm 1 đã được đăng ký (kể cả đã rút) theo kế hoạch 01-KH/ĐU.",
    )
