"""Excel exports of campaign compliance. Every string cell is formula-escaped: organisation
names are typed by users, and a name like "=HYPERLINK(...)" must stay text in a spreadsheet."""

import io

from django.utils.translation import gettext as _

from dvk.enums import Kind, Level
from dvk.excel import escape_formula

from .enums import ComplianceStatus


def compliance_headers():
    return [
        _("STT"),
        _("Mã"),
        _("Tên tổ chức"),
        _("Cấp"),
        _("Loại"),
        _("Yêu cầu tập thể"),
        _("Yêu cầu cá nhân"),
        _("Yêu cầu tổng"),
        _("Đã đăng ký tập thể"),
        _("Đã đăng ký cá nhân"),
        _("Đã đăng ký tổng"),
        _("Tình trạng"),
    ]


def _label(choices, value):
    return choices(value).label if value in choices.values else value


def compliance_rows(report, statuses=None):
    """One row per target organisation of the report's subtree, in tree order (only those
    in `statuses` when given: the page's "chưa đạt" filter)."""
    targets = report.targets if statuses is None else report.targets_by_status(*statuses)
    for number, row in enumerate(targets, start=1):
        org = row.org
        yield [
            number,
            org["code"],
            org["name"],
            str(_label(Level, org["level"])),
            str(_label(Kind, org["kind"])),
            row.required.collective,
            row.required.individual,
            row.required.total,
            row.registered.collective,
            row.registered.individual,
            row.registered.total,
            str(_label(ComplianceStatus, row.status)),
        ]


def compliance_workbook(report, *, node, statuses=None):
    """The .xlsx bytes: a title line, the header row, then every target row."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    campaign = report.campaign
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Kết quả thực hiện")
    title = _("Kết quả đăng ký mô hình theo Kế hoạch số %(number)s – %(name)s") % {
        "number": campaign.number,
        "name": node.name,
    }
    if statuses is not None:
        title += " – " + _("các tổ chức chưa đạt")
    sheet.append([escape_formula(title)])
    sheet["A1"].font = Font(bold=True)
    headers = compliance_headers()
    sheet.append([escape_formula(h) for h in headers])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in compliance_rows(report, statuses):
        sheet.append([escape_formula(v) for v in row])
    sheet.freeze_panes = "A3"
    widths = [6, 16, 40, 22, 24, 10, 10, 10, 10, 10, 10, 14]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
