"""Reading uploaded .xlsx files without trusting them.

Checked before openpyxl parses anything: the upload's size, that it is a zip, the number
of entries, and their declared and actual uncompressed sizes (a zip bomb declares small
and inflates large). openpyxl parses XML through defusedxml when it is installed, which
refuses entity expansion ("billion laughs") and external entities.
"""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from .text import ascii_filename

MAX_ZIP_ENTRIES = 1000


def _forbidden_xml_message():
    return _("Tệp Excel chứa nội dung XML bị cấm (thực thể hoặc DTD); có thể là tệp độc hại.")


MAX_COMPRESSION_RATIO = 200


class ExcelError(Exception):
    """A file-level problem, with a message for the user in Vietnamese."""


def _is_forbidden_xml(exc):
    """True if defusedxml refused the XML, even when openpyxl wrapped its error in another."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if exc.__class__.__module__.startswith("defusedxml"):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


class ForbiddenXml(Exception):
    """An XML part of an Office file declares a DTD or an entity."""


class _PrologRead(Exception):
    pass


def check_xml_parts(archive, *, limit=64 * 1024 * 1024):
    """Refuses (ForbiddenXml) an Office file (.xlsx, .docx) any of whose XML parts declares a
    DTD or an entity: Office Open XML never uses them (ECMA-376 part 2 forbids DTDs), and
    nested entities are how "billion laughs" bombs inflate. A DTD can only stand before a
    part's root element, so each part is parsed (expat, streamed) up to its root element and
    no further: cheap on any size. `limit` caps what is inflated to get there."""
    import xml.parsers.expat

    def refuse(*_args):
        raise ForbiddenXml

    def stop(*_args):
        raise _PrologRead

    for entry in archive.infolist():
        if not entry.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        parser = xml.parsers.expat.ParserCreate()
        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        parser.StartElementHandler = stop
        budget = limit
        try:
            with archive.open(entry) as member:
                while chunk := member.read(64 * 1024):
                    budget -= len(chunk)
                    if budget < 0:
                        raise ForbiddenXml
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except _PrologRead:
            continue
        except xml.parsers.expat.ExpatError:
            continue  # not well-formed: the reader that parses it later refuses it as broken


@dataclass
class Sheet:
    headers: list
    rows: list  # list of (row_number, [cell values])


def _check_zip(upload):
    if upload.size > settings.DVK_IMPORT_MAX_BYTES:
        raise ExcelError(
            _("Tệp quá lớn (%(size)s MB); giới hạn là %(limit)s MB.")
            % {"size": round(upload.size / 1048576, 1), "limit": settings.DVK_IMPORT_MAX_BYTES // 1048576}
        )
    upload.seek(0)
    if not zipfile.is_zipfile(upload):
        raise ExcelError(_("Tệp không phải là tệp Excel (.xlsx) hợp lệ. Hãy lưu lại tệp dưới dạng .xlsx rồi thử lại."))
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise ExcelError(_("Tệp Excel có cấu trúc bất thường (quá nhiều thành phần)."))
            declared = sum(e.file_size for e in entries)
            if declared > settings.DVK_IMPORT_MAX_UNCOMPRESSED_BYTES:
                raise ExcelError(_("Tệp Excel giải nén ra quá lớn; có thể là tệp độc hại."))
            for entry in entries:
                if entry.compress_size and entry.file_size / entry.compress_size > MAX_COMPRESSION_RATIO:
                    raise ExcelError(_("Tệp Excel có tỉ lệ nén bất thường; có thể là tệp độc hại."))
                # Declared sizes can lie: inflate in chunks and stop at the limit.
                remaining = settings.DVK_IMPORT_MAX_UNCOMPRESSED_BYTES
                with archive.open(entry) as member:
                    while chunk := member.read(1 << 20):
                        remaining -= len(chunk)
                        if remaining < 0:
                            raise ExcelError(_("Tệp Excel giải nén ra quá lớn; có thể là tệp độc hại."))
            names = {e.filename for e in entries}
            if "xl/workbook.xml" not in names:
                raise ExcelError(_("Tệp không phải là tệp Excel (.xlsx) hợp lệ."))
            check_xml_parts(archive)
    except ForbiddenXml:
        raise ExcelError(_forbidden_xml_message()) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
        raise ExcelError(_("Tệp Excel bị hỏng hoặc không đọc được.")) from None
    upload.seek(0)


def read_sheet(upload, *, max_rows=None):
    """First worksheet of an uploaded .xlsx: header row and data rows (blank rows skipped).

    Raises ExcelError with a Vietnamese message for anything wrong with the file itself."""
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - a deployment without defusedxml must not parse uploads
        raise ExcelError(_("Máy chủ thiếu thư viện defusedxml; không thể đọc tệp tải lên an toàn."))
    max_rows = max_rows or settings.DVK_IMPORT_MAX_ROWS
    _check_zip(upload)
    try:
        workbook = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        if _is_forbidden_xml(exc):
            raise ExcelError(_forbidden_xml_message()) from None
        raise ExcelError(_("Tệp Excel bị hỏng hoặc không đọc được.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        headers = None
        rows = []
        for number, values in enumerate(rows_iter, start=1):
            values = ["" if v is None else (v.strip() if isinstance(v, str) else v) for v in values]
            if headers is None:
                if any(v != "" for v in values):
                    headers = [str(v) for v in values]
                    while headers and headers[-1] == "":
                        headers.pop()
                continue
            if not any(v != "" for v in values):
                continue
            if len(rows) >= max_rows:
                raise ExcelError(
                    _("Tệp có quá %(limit)s dòng dữ liệu; giới hạn mỗi lần nhập là %(limit)s dòng. Hãy chia nhỏ tệp.")
                    % {"limit": f"{max_rows:,}".replace(",", ".")}
                )
            rows.append((number, values[: len(headers)] + [""] * (len(headers) - len(values))))
    except ExcelError:
        raise
    except Exception as exc:
        if _is_forbidden_xml(exc):
            raise ExcelError(_forbidden_xml_message()) from None
        raise ExcelError(_("Tệp Excel bị hỏng hoặc không đọc được.")) from None
    finally:
        workbook.close()
    if headers is None:
        raise ExcelError(_("Tệp Excel không có dữ liệu."))
    return Sheet(headers=headers, rows=rows)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content, filename):
    """A workbook's bytes as a download named `filename`, made ASCII here (a campaign number
    like 27-KH/ĐU becomes 27-KH-DU) whoever built it."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{ascii_filename(filename)}"'
    return response


def escape_formula(value):
    """Cells starting with = + - @ (or tab/CR) are prefixed so spreadsheets treat them as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
