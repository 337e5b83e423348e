"""Excel import of the organisation tree, in the staff pages under /o/<code>/.

Bad input gets a Vietnamese message and changes nothing: the row count of every table,
the audit trail included, stays as it was."""

import pytest
from django.urls import reverse

from dvk.models import Organization, TreeImport
from tests.conftest import table_counts
from tests.xlsx import billion_laughs, upload, workbook_bytes, zip_bomb

HEADER = ["Mã", "Tên tổ chức", "Cấp", "Loại", "Mã cấp trên", "Địa chỉ"]
GOOD_ROWS = [
    HEADER,
    ["XOM2", "Chi bộ Xóm 2", "Đơn vị, chi bộ, đoàn thể", "Chi bộ, đảng bộ cơ sở", "COMM", ""],
    ["XOM2-BCTMT", "Ban công tác Mặt trận Xóm 2", "thon, ban, khu dan cu", "Mặt trận Tổ quốc", "XOM2", "Xóm 2"],
    ["HCCB", "Hội Cựu chiến binh xã", "unit", "veterans", "COMM", ""],
]


def post_file(client, content, name="to-chuc.xlsx"):
    return client.post(reverse("org_import", args=["COMM"]), {"file": upload(content, name)})


def assert_refused_and_unchanged(client, content, expected_message, name="to-chuc.xlsx"):
    before = table_counts()
    response = post_file(client, content, name)
    body = response.content.decode()
    assert response.status_code == 400
    assert expected_message in body, body[:3000]
    assert "Xác nhận nhập" not in body
    assert table_counts() == before


def test_valid_file_previews_without_writing_then_imports_on_confirm(as_commune_staff, commune_staff, tree):
    before = table_counts()
    response = post_file(as_commune_staff, workbook_bytes(GOOD_ROWS))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Tệp hợp lệ" in body and "Chi bộ Xóm 2" in body
    assert table_counts() == before

    token = as_commune_staff.session["dvk_pending_import"]["token"]
    response = as_commune_staff.post(reverse("org_import", args=["COMM"]), {"token": token})
    assert response.status_code == 302
    xom2 = Organization.objects.get(code="XOM2")
    assert Organization.objects.get_parent(xom2).code == "COMM"
    village = Organization.objects.get(code="XOM2-BCTMT")
    assert Organization.objects.get_parent(village).code == "XOM2" and village.level == "village"
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert xom2.history.count() == 1
    from django_scopes import scopes_disabled

    with scopes_disabled():
        log = TreeImport.objects.get()
    assert (log.created_count, log.imported_by) == (3, commune_staff)


def test_malformed_file_is_refused(as_commune_staff):
    assert_refused_and_unchanged(as_commune_staff, b"this is not a spreadsheet", "không phải là tệp Excel")


def test_truncated_xlsx_is_refused(as_commune_staff):
    assert_refused_and_unchanged(as_commune_staff, workbook_bytes(GOOD_ROWS)[:900], "Excel")


def test_wrong_columns_are_refused_naming_them(as_commune_staff):
    rows = [["Tên đơn vị", "Ghi chú"], ["Chi bộ Xóm 2", ""]]
    assert_refused_and_unchanged(as_commune_staff, workbook_bytes(rows), "thiếu cột: Mã")


def test_one_bad_row_refuses_the_whole_file_and_lists_the_row(as_commune_staff):
    rows = [*GOOD_ROWS, ["XOM3", "Chi bộ Xóm 3", "cấp vũ trụ", "Chi bộ, đảng bộ cơ sở", "COMM", ""]]
    before = table_counts()
    response = post_file(as_commune_staff, workbook_bytes(rows))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Có 1 dòng lỗi" in body
    assert "Cấp “cấp vũ trụ” không hợp lệ" in body
    assert ">5<" in body  # the Excel row number of the bad row
    assert table_counts() == before


def test_parent_outside_the_subtree_is_a_row_error(as_commune_staff):
    rows = [HEADER, ["XOM4", "Chi bộ Xóm 4", "unit", "party_cell", "SIBL", ""]]
    assert_refused_and_unchanged(as_commune_staff, workbook_bytes(rows), "Mã cấp trên “SIBL” không thuộc")


def test_code_used_elsewhere_is_a_row_error(as_commune_staff):
    rows = [HEADER, ["SIBU", "Chiếm mã", "unit", "party_cell", "COMM", ""]]
    assert_refused_and_unchanged(as_commune_staff, workbook_bytes(rows), "đã tồn tại")


def test_duplicate_rows_are_refused(as_commune_staff):
    rows = [HEADER, GOOD_ROWS[1], GOOD_ROWS[1]]
    assert_refused_and_unchanged(as_commune_staff, workbook_bytes(rows), "xuất hiện nhiều lần trong tệp")


def test_import_does_not_move_existing_nodes(as_commune_staff):
    rows = [HEADER, ["UNIT", "Chi bộ Xóm 1", "unit", "party_cell", "MTTQ", ""]]
    assert_refused_and_unchanged(as_commune_staff, workbook_bytes(rows), "nhập Excel không chuyển tổ chức")


def test_zip_bomb_is_refused_before_parsing(as_commune_staff):
    assert_refused_and_unchanged(as_commune_staff, zip_bomb(), "có thể là tệp độc hại")


def test_billion_laughs_is_refused(as_commune_staff):
    assert_refused_and_unchanged(as_commune_staff, billion_laughs(), "bị cấm")


def test_too_many_rows_is_refused_naming_the_limit(as_commune_staff, settings):
    settings.DVK_IMPORT_MAX_ROWS = 20
    rows = [HEADER] + [[f"R{i}", f"Chi bộ {i}", "unit", "party_cell", "COMM", ""] for i in range(21)]
    assert_refused_and_unchanged(as_commune_staff, workbook_bytes(rows), "giới hạn mỗi lần nhập là 20 dòng")


def test_oversize_file_is_refused(as_commune_staff, settings):
    settings.DVK_IMPORT_MAX_BYTES = 1000
    assert_refused_and_unchanged(as_commune_staff, workbook_bytes(GOOD_ROWS), "Tệp quá lớn")


def test_confirm_with_a_stale_token_writes_nothing(as_commune_staff):
    before = table_counts()
    response = as_commune_staff.post(reverse("org_import", args=["COMM"]), {"token": "f" * 32})
    assert response.status_code == 302
    assert table_counts() == before


@pytest.mark.parametrize("code", ["SIBL"])
def test_outsider_cannot_import_into_another_commune(as_outsider, code):
    response = as_outsider.post(reverse("org_import", args=["COMM"]), {"file": upload(workbook_bytes(GOOD_ROWS))})
    assert response.status_code == 404


def test_export_escapes_formulas(as_commune_staff, tree):
    import io

    import openpyxl

    Organization.objects.filter(code="UNIT").update(name='=HYPERLINK("http://x")')
    response = as_commune_staff.get(reverse("org_export", args=["COMM"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in names
