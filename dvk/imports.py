"""The organisation-tree import: one code path for the preview and the real run.

Both run every row inside a transaction; the preview, or any row error, rolls it all back,
so a file is written whole or not at all (audit rows included).
"""

from collections import Counter
from dataclasses import dataclass, field

import tablib
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.results import RowResult

from .excel import ExcelError, read_sheet
from .models import TreeImport
from .resources import COLUMNS, REQUIRED_COLUMNS, OrganizationResource

FIELD_LABELS = {
    "code": "Mã",
    "name": "Tên tổ chức",
    "level": "Cấp",
    "kind": "Loại",
    "parent_code": "Mã cấp trên",
    "address": "Địa chỉ",
}


@dataclass
class ReportRow:
    number: int
    action: str  # new, update, skip, error
    code: str
    name: str
    errors: list = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list = field(default_factory=list)
    file_error: str = ""
    written: bool = False

    @property
    def has_errors(self):
        return bool(self.file_error) or any(r.errors for r in self.rows)

    @property
    def error_rows(self):
        return [r for r in self.rows if r.errors]

    def count(self, action):
        return sum(1 for r in self.rows if r.action == action)


class _Rollback(Exception):
    pass


def _check_columns(headers):
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    unknown = [h for h in headers if h not in COLUMNS]
    if missing or unknown or len(set(headers)) != len(headers):
        parts = []
        if missing:
            parts.append(_("thiếu cột: %s") % ", ".join(missing))
        if unknown:
            parts.append(_("cột không nhận ra: %s") % ", ".join(unknown))
        if len(set(headers)) != len(headers):
            parts.append(_("có cột bị lặp"))
        return _("Tệp không đúng mẫu (%(problems)s). Các cột cần có: %(columns)s. Hãy tải tệp mẫu.") % {
            "problems": "; ".join(parts),
            "columns": ", ".join(COLUMNS),
        }
    return ""


def _row_errors(row_result):
    messages = []
    for error in row_result.errors:
        messages.append(str(getattr(error.error, "message", error.error)))
    if row_result.validation_error is not None:
        for key, errs in row_result.validation_error.message_dict.items():
            label = FIELD_LABELS.get(key, "")
            for message in errs:
                messages.append(f"{label}: {message}" if label else message)
    return messages


def tree_import(*, root, upload, user, dry_run):
    """Imports `upload` under `root`. Returns an ImportReport; writes only if not dry_run and
    every row is valid. Side effects when written: organisations, their history rows, one
    TreeImport row.

    The preview (dry_run) checks every row the same way but writes nothing and opens no
    transaction: on SQLite a transaction takes the database's write lock, and a preview of a
    large file must not turn everyone else's saves into "database is locked"."""
    report = ImportReport()
    try:
        sheet = read_sheet(upload)
    except ExcelError as exc:
        report.file_error = str(exc)
        return report
    report.file_error = _check_columns(sheet.headers)
    if report.file_error:
        return report
    if not sheet.rows:
        report.file_error = _("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.")
        return report

    dataset = tablib.Dataset(headers=sheet.headers)
    for _number, values in sheet.rows:
        dataset.append(values)
    resource = OrganizationResource(root=root, preview=dry_run)
    if dry_run:
        _check_rows(report, sheet, resource, dataset)
        return report
    try:
        with transaction.atomic():
            _check_rows(report, sheet, resource, dataset)
            if report.has_errors:
                raise _Rollback
            TreeImport.objects.create(
                organization=root,
                imported_by=user,
                file_name=getattr(upload, "name", "")[:255],
                created_count=report.count(RowResult.IMPORT_TYPE_NEW),
                updated_count=report.count(RowResult.IMPORT_TYPE_UPDATE),
            )
            report.written = True
    except _Rollback:
        pass
    return report


def _check_rows(report, sheet, resource, dataset):
    """Runs every row through the resource (which saves only outside a preview) and notes
    each row's outcome and errors on `report`."""
    code_index = sheet.headers.index("Mã")
    name_index = sheet.headers.index("Tên tổ chức")
    codes = Counter(str(values[code_index]).strip().upper() for _n, values in sheet.rows)
    # dry_run=False: django-import-export would open a transaction for a dry run; the
    # resource itself knows whether to save.
    result = resource.import_data(dataset, dry_run=False, raise_errors=False, use_transactions=False)
    for (number, values), row_result in zip(sheet.rows, result.rows, strict=False):
        code = str(values[code_index]).strip().upper()
        errors = _row_errors(row_result)
        if codes[code] > 1:
            errors.insert(0, _("Mã “%s” xuất hiện nhiều lần trong tệp.") % code)
        action = "error" if errors else row_result.import_type
        report.rows.append(ReportRow(number=number, action=action, code=code, name=values[name_index], errors=errors))
    # Errors raised outside any row (rare) still refuse the whole file.
    for error in result.base_errors:
        report.file_error = str(error.error)
