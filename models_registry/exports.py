"""Annex 01 (the registration list) as an Excel workbook.

Its columns are the fields of seed 004's registration form, preceded by the number (STT)
and the organisation's code and name (DOMAIN.md), then the "06 rõ" and the status. The same
columns are read back by models_registry.imports, so the header is one row, the first of the
sheet; the annex title goes in the printed page header, where a real annex carries it.

Every text cell is formula-escaped: names are typed by users, and a model called
"=HYPERLINK(...)" must stay text in a spreadsheet."""

import io
from decimal import Decimal

from django.utils.translation import gettext as _

from campaigns.enums import RegistrationStatus, SubjectType
from dvk.excel import escape_formula

# Column labels (Vietnamese, as on the form); the import reads the same ones.
STT = "STT"
ORG_CODE = "Mã tổ chức"
ORG_NAME = "Tên tổ chức"
NAME = "Tên mô hình"
SUBJECT = "Tập thể/Cá nhân"
PERSON_NAME = "Họ và tên"
PERSON_POSITION = "Chức vụ"
PERSON_UNIT = "Đơn vị công tác"
ADDRESS = "Địa chỉ"
FIELD = "Lĩnh vực"
LOCATION = "Địa điểm thực hiện"
STARTS_ON = "Thời gian bắt đầu"
COMPLETES_ON = "Thời gian hoàn thành"
PHONE = "Số điện thoại"
NEW_OR_CONTINUED = "Mô hình mới/duy trì"
TARGETS = "Kết quả cần đạt"
RESPONSIBLE = "Người chịu trách nhiệm"
PARTICIPANTS = "Lực lượng tham gia"
CONTENT = "Nội dung"
RESPONSIBILITY = "Trách nhiệm"
AUTHORITY = "Thẩm quyền"
SCHEDULE = "Tiến độ"
STATUS = "Trạng thái"

COLUMNS = [
    STT,
    ORG_CODE,
    ORG_NAME,
    NAME,
    SUBJECT,
    PERSON_NAME,
    PERSON_POSITION,
    PERSON_UNIT,
    ADDRESS,
    FIELD,
    LOCATION,
    STARTS_ON,
    COMPLETES_ON,
    PHONE,
    NEW_OR_CONTINUED,
    TARGETS,
    RESPONSIBLE,
    PARTICIPANTS,
    CONTENT,
    RESPONSIBILITY,
    AUTHORITY,
    SCHEDULE,
    STATUS,
]
WIDTHS = {
    STT: 6,
    ORG_CODE: 14,
    ORG_NAME: 30,
    NAME: 40,
    SUBJECT: 12,
    PERSON_NAME: 22,
    PERSON_POSITION: 18,
    PERSON_UNIT: 22,
    ADDRESS: 26,
    FIELD: 20,
    LOCATION: 24,
    STARTS_ON: 12,
    COMPLETES_ON: 12,
    PHONE: 14,
    NEW_OR_CONTINUED: 12,
    TARGETS: 40,
    RESPONSIBLE: 24,
    PARTICIPANTS: 30,
    CONTENT: 40,
    RESPONSIBILITY: 30,
    AUTHORITY: 22,
    SCHEDULE: 30,
    STATUS: 14,
}
NEW = "Mới"
CONTINUED = "Duy trì"
DATE_FORMAT = "DD/MM/YYYY"


def format_number(value):
    """12000000 → "12.000.000", 2.5 → "2,5": the Vietnamese way, which the import reads back."""
    value = Decimal(value).normalize()
    whole, _dot, fraction = f"{abs(value):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return ("-" if value < 0 else "") + grouped + ("," + fraction if fraction else "")


def format_targets(targets):
    """ "indicator: value unit; ..." as the annex writes the expected results."""
    return "; ".join(f"{t.indicator}: {format_number(t.value)} {t.unit}" for t in targets)


def annex01_row(number, registration):
    """One registration as a row of annex 01 (values not yet escaped)."""
    r = registration
    individual = r.subject_type == SubjectType.INDIVIDUAL
    return [
        number,
        r.organization.code,
        r.organization.name,
        r.initiative.name,
        str(SubjectType(r.subject_type).label) if r.subject_type in SubjectType.values else r.subject_type,
        r.person_name if individual else "",
        r.person_position if individual else "",
        r.person_unit if individual else "",
        r.person_address if individual else r.organization.address,
        r.field.name if r.field_id else "",
        r.location,
        r.starts_on,
        r.completes_on,
        (r.person_phone or r.contact_phone) if individual else r.contact_phone,
        CONTINUED if r.continues_id else NEW,
        format_targets(r.targets.all()),
        r.responsible_person,
        r.participants,
        r.content,
        r.responsibility,
        r.authority,
        r.schedule,
        str(RegistrationStatus(r.status).label) if r.status in RegistrationStatus.values else r.status,
    ]


def example_row(org):
    """The example line of the import template."""
    return [
        1,
        org.code,
        org.name,
        "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa",
        "Tập thể",
        "",
        "",
        "",
        "",
        "Văn hóa - xã hội",
        "Xóm 5",
        "10/03/2026",
        "31/08/2026",
        "0912 345 678",
        NEW,
        "Số tiền quyên góp: 12.000.000 đồng; Số hộ được giúp đỡ: 10 hộ",
        "Bí thư chi bộ Nguyễn Văn Hùng",
        "Đảng viên, hội viên các đoàn thể trong xóm",
        "Mỗi ngày tiết kiệm 1.000 đồng để giúp hộ khó khăn",
        "Chi bộ chỉ đạo; các đoàn thể vận động hội viên",
        "Đảng ủy xã",
        "Từ tháng 3 đến tháng 8/2026; sơ kết tháng 6",
        "",
    ]


def _cell(sheet, value, *, bold=False, date=False, wrap=False):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    cell = WriteOnlyCell(sheet, value=escape_formula(value))
    if bold:
        cell.font = Font(bold=True)
    if date:
        cell.number_format = DATE_FORMAT
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def annex01_workbook(rows, *, title):
    """The .xlsx bytes of annex 01: one header row, then `rows` (lists in COLUMNS order).

    Streams rows into a write-only workbook, so a large export holds one row at a time.
    `title` goes in the printed page header with the page numbers."""
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Phụ lục 01"))
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[column]
    sheet.freeze_panes = "D2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.oddHeader.center.text = title.replace("&", "&&")
    sheet.oddHeader.center.size = 12
    sheet.oddFooter.right.text = _("Trang &P/&N")
    sheet.append([_cell(sheet, column, bold=True, wrap=True) for column in COLUMNS])
    date_columns = {COLUMNS.index(STARTS_ON), COLUMNS.index(COMPLETES_ON)}
    for row in rows:
        sheet.append([_cell(sheet, value, date=i in date_columns) for i, value in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def annex01_title(org, campaign=None):
    if campaign is not None:
        return _("Phụ lục 01 – Danh sách đăng ký mô hình “Dân vận khéo” theo Kế hoạch số %(number)s – %(org)s") % {
            "number": campaign.number,
            "org": org.name,
        }
    return _("Phụ lục 01 – Danh sách đăng ký mô hình “Dân vận khéo” – %(org)s") % {"org": org.name}
