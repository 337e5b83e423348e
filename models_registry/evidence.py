"""Evidence files: what a file is (sniffed from its content, never from its name), how much a
registration may hold, thumbnails, storing and deleting.

Files go through the Evidence FileFields, that is Django's storage API only (open, save,
delete; never `.path`), so the same code runs on the media volume and on S3-compatible
storage. A refused or failed upload leaves neither a row nor a stored file.
"""

import io
import re
import unicodedata
import zipfile
import zlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from PIL import Image, ImageOps

from campaigns.enums import RegistrationStatus as S
from dvk.excel import XLSX_CONTENT_TYPE, ForbiddenXml, check_xml_parts
from dvk.uploads import file_too_large_message, human_size, max_file_bytes

from .enums import EvidenceKind
from .models import Evidence
from .services import locked_registration

# Evidence may be added from the moment a registration is sent (a unit often has photos of
# what it already started, and the reviewer may want them), while the model runs and, for
# the appraisal board, once it is complete; it may be deleted only until then (what the
# board saw stays). A draft or a returned registration adds its files once it is sent.
UPLOAD_STATUSES = (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED)

THUMBNAIL_SIZE = (320, 320)
# Decompression bombs: a small file that decodes to a huge bitmap. A JPEG is decoded at a
# fraction of its size for the thumbnail (draft mode), so it may be as large as Pillow's own
# guard allows; other formats decode whole and get a tighter cap.
MAX_JPEG_PIXELS = Image.MAX_IMAGE_PIXELS
MAX_OTHER_IMAGE_PIXELS = 40_000_000
# Office files are zips: checked from the central directory, without inflating them.
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_INFLATED_BYTES = 300 * 1024 * 1024
MAX_ZIP_RATIO = 200
MAX_CONTENT_TYPES_XML = 256 * 1024

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IMAGE_FORMATS = {
    # Pillow format: (content type, extension)
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
# ISO base media brands (the ftyp box) of the videos phones and cameras record.
VIDEO_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4VH",
    b"M4VP",
    b"mmp4",
    b"MSNV",
    b"XAVC",
    b"dash",
    b"3gp4",
    b"3gp5",
    b"3gp6",
    b"3g2a",
    b"f4v ",
    b"qt  ",
}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}


class EvidenceRefused(ValidationError):
    """The file is not accepted (type, content, state); the message says why, in Vietnamese."""


class EvidenceTooLarge(EvidenceRefused):
    """Over the per-file or the per-registration limit: views answer 413."""


@dataclass(frozen=True)
class Sniffed:
    kind: str
    content_type: str
    extension: str
    image_format: str = ""


def _refuse(message):
    raise EvidenceRefused(message, code="refused")


def _not_accepted(name):
    _refuse(
        _(
            "Không nhận tệp “%(name)s”: nội dung tệp không phải ảnh (JPEG, PNG, GIF, WebP), PDF, Word (.docx), "
            "Excel (.xlsx) hay video MP4, dù tên tệp là gì."
        )
        % {"name": name}
    )


def _read_head(upload, size=64):
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def sniff(upload, name):
    """What the file is, from its first bytes and a cheap check of its structure.

    Raises EvidenceRefused for anything else: an executable renamed .jpg, a script, HTML."""
    head = _read_head(upload)
    if head.startswith(b"\xff\xd8\xff"):
        return _check_image(upload, name, "JPEG")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _check_image(upload, name, "PNG")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _check_image(upload, name, "GIF")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _check_image(upload, name, "WEBP")
    if head.startswith(b"%PDF-"):
        return _check_pdf(upload, name)
    if head.startswith(b"PK\x03\x04"):
        return _check_office(upload, name)
    if head[4:8] == b"ftyp":
        return _check_video(head, name)
    _not_accepted(name)


def _check_image(upload, name, expected):
    content_type, extension = IMAGE_FORMATS[expected]
    broken = _("Ảnh “%(name)s” bị hỏng hoặc không đọc được.") % {"name": name}
    try:
        upload.seek(0)
        # Opening reads the header only; the pixel cap is checked before anything is decoded.
        with Image.open(upload, formats=[expected]) as image:
            width, height = image.size
            cap = MAX_JPEG_PIXELS if expected == "JPEG" else MAX_OTHER_IMAGE_PIXELS
            if width * height > cap:
                _refuse(
                    _("Ảnh “%(name)s” quá lớn (%(mp)s triệu điểm ảnh); tối đa %(cap)s triệu.")
                    % {"name": name, "mp": width * height // 1_000_000, "cap": cap // 1_000_000}
                )
            image.verify()
    except EvidenceRefused:
        raise
    except Image.DecompressionBombError:
        _refuse(_("Ảnh “%(name)s” quá lớn để xử lý.") % {"name": name})
    except Exception:  # Pillow raises many kinds on bad data: all mean "not a readable image"
        _refuse(broken)
    finally:
        upload.seek(0)
    return Sniffed(EvidenceKind.IMAGE, content_type, extension, expected)


def _check_pdf(upload, name):
    """A PDF ends with its %%EOF marker (some writers pad after it with blanks or NUL bytes): a
    text file that merely starts with "%PDF-" is refused."""
    try:
        upload.seek(0, 2)
        upload.seek(max(upload.tell() - 1024 * 1024, 0))
        tail = upload.read().rstrip(b"\0\r\n\t\f ")
    finally:
        upload.seek(0)
    if b"%%EOF" not in tail[-1024:]:
        _refuse(_("Tệp “%(name)s” không phải tệp PDF hoàn chỉnh (bị cắt hoặc hỏng).") % {"name": name})
    if found := pdf_active_content(upload):
        _refuse(
            _(
                "Không nhận tệp PDF “%(name)s”: tệp có %(what)s, có thể tự chạy khi mở. "
                "Hãy in tài liệu ra PDF thường (In → Lưu dưới dạng PDF) rồi gửi lại."
            )
            % {"name": name, "what": ", ".join(str(PDF_ACTIVE[n]) for n in sorted(found))}
        )
    return Sniffed(EvidenceKind.PDF, "application/pdf", "pdf")


# Names a PDF uses for what runs or opens something when it is read, and what the user is told.
PDF_ACTIVE = {
    b"JavaScript": _lazy("mã JavaScript"),
    b"JS": _lazy("mã JavaScript"),
    b"Launch": _lazy("lệnh mở chương trình khác (/Launch)"),
    b"EmbeddedFile": _lazy("tệp nhúng bên trong"),
    b"EmbeddedFiles": _lazy("tệp nhúng bên trong"),
}
_PDF_NAME = re.compile(rb"/([^\s/\[\]<>(){}%]+)")
_PDF_STREAM = re.compile(rb"stream\r?\n")
MAX_PDF_INFLATED_BYTES = 64 * 1024 * 1024


def _pdf_names(data):
    """The PDF names in `data`, with #xx escapes decoded (/J#61vaScript is /JavaScript)."""
    for match in _PDF_NAME.finditer(data):
        yield re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), match.group(1))


def pdf_active_content(upload):
    """The active-content names (PDF_ACTIVE) a PDF holds, in its plain objects or inside its
    Flate-compressed streams (object streams hide dictionaries there); at most
    MAX_PDF_INFLATED_BYTES are inflated in all."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    found = {n for n in _pdf_names(data) if n in PDF_ACTIVE}
    budget = MAX_PDF_INFLATED_BYTES
    view = memoryview(data)
    for match in _PDF_STREAM.finditer(data):
        # Whatever the stream's filter says: data that is not zlib fails on its first bytes.
        try:
            inflated = zlib.decompressobj().decompress(view[match.end() :], budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        found |= {n for n in _pdf_names(inflated) if n in PDF_ACTIVE}
        if budget <= 0:
            break
    return found


def _check_office(upload, name):
    """A .docx or .xlsx: a zip with [Content_Types].xml naming the main part, and word/ or xl/,
    whose XML parts declare no DTD and no entity (dvk.excel.check_xml_parts, as the imports).

    The central directory is read whole; of each XML part only what stands before its root
    element is inflated."""
    broken = _("Tệp “%(name)s” bị hỏng hoặc không phải tệp Word/Excel hợp lệ.") % {"name": name}
    suspicious = _("Tệp “%(name)s” có cấu trúc bất thường; có thể là tệp độc hại.") % {"name": name}
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                _refuse(suspicious)
            if sum(e.file_size for e in entries) > MAX_ZIP_INFLATED_BYTES:
                _refuse(suspicious)
            for entry in entries:
                if entry.file_size > 1024 * 1024 and entry.file_size > MAX_ZIP_RATIO * max(entry.compress_size, 1):
                    _refuse(suspicious)
            # Many entries each just under the per-entry check add up to a bomb all the same.
            inflated, compressed = sum(e.file_size for e in entries), sum(e.compress_size for e in entries)
            if inflated > 10 * 1024 * 1024 and inflated > MAX_ZIP_RATIO * max(compressed, 1):
                _refuse(suspicious)
            names = {e.filename for e in entries}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                _refuse(
                    _("Tệp “%(name)s” có chứa macro; hãy lưu lại dưới dạng .docx hoặc .xlsx thường.") % {"name": name}
                )
            content_types = "[Content_Types].xml"
            if content_types not in names or archive.getinfo(content_types).file_size > MAX_CONTENT_TYPES_XML:
                _not_accepted(name)
            types = archive.read(content_types)
            # The imports' check: no XML part may declare a DTD or an entity.
            check_xml_parts(archive)
    except EvidenceRefused:
        raise
    except ForbiddenXml:
        _refuse(
            _(
                "Tệp “%(name)s” chứa nội dung XML bị cấm (DTD hoặc thực thể), điều tệp Word/Excel thật "
                "không có; có thể là tệp độc hại."
            )
            % {"name": name}
        )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, KeyError, ValueError):
        _refuse(broken)
    finally:
        upload.seek(0)
    if "word/document.xml" in names and b"wordprocessingml.document.main+xml" in types:
        return Sniffed(EvidenceKind.DOCX, DOCX_TYPE, "docx")
    if "xl/workbook.xml" in names and b"spreadsheetml.sheet.main+xml" in types:
        return Sniffed(EvidenceKind.XLSX, XLSX_CONTENT_TYPE, "xlsx")
    _not_accepted(name)


def _check_video(head, name):
    """An ISO base media file (MP4, MOV): the ftyp box at offset 4, with a video brand."""
    box_size = int.from_bytes(head[:4], "big")
    box = head[8 : min(max(box_size, 16), len(head))]
    major = box[:4]
    brands = {major} | {box[i : i + 4] for i in range(8, len(box) - 3, 4)}
    if major in HEIF_BRANDS:
        _refuse(
            _("Ảnh HEIC/HEIF (“%(name)s”) chưa được nhận; hãy chụp hoặc chuyển ảnh sang JPEG rồi gửi lại.")
            % {"name": name}
        )
    if not brands & VIDEO_BRANDS:
        _not_accepted(name)
    if major == b"qt  ":
        return Sniffed(EvidenceKind.VIDEO, "video/quicktime", "mov")
    return Sniffed(EvidenceKind.VIDEO, "video/mp4", "mp4")


def make_thumbnail(upload, sniffed):
    """A JPEG of at most THUMBNAIL_SIZE, upright (EXIF orientation), transparency on white."""
    upload.seek(0)
    try:
        with Image.open(upload, formats=[sniffed.image_format]) as image:
            if sniffed.image_format == "JPEG":
                image.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))
            image.seek(0)
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode in ("RGBA", "LA", "P", "PA"):
                image = image.convert("RGBA")
                flat = Image.new("RGB", image.size, "white")
                flat.paste(image, mask=image.getchannel("A"))
                image = flat
            elif image.mode != "RGB":
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=80, optimize=True)
    except Exception:  # a truncated image passes verify() and fails only when decoded
        raise EvidenceRefused(_("Ảnh bị hỏng hoặc không đọc được."), code="refused") from None
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name="thumbnail.jpg")


def clean_original_name(name):
    """The uploader's file name, for display and the download's name only (never a path)."""
    name = PurePosixPath(str(name or "").replace("\\", "/")).name
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable()).strip()
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 254 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else name[:255]
    return name or "tep"


def registration_total_bytes(registration):
    return Evidence.objects.filter(registration=registration).aggregate(total=Sum("size"))["total"] or 0


# Files stored inside `files_removed_on_error()`: deleted again if the block fails (a report
# and its files are one submit; the database rolls back, the storage must follow).
_stored = ContextVar("dvk_evidence_stored", default=None)


@contextmanager
def files_removed_on_error():
    """Around a transaction that attaches evidence: if it raises, the files it stored go too."""
    names = []
    token = _stored.set(names)
    try:
        yield
    except BaseException:
        _delete_files(names)
        raise
    finally:
        _stored.reset(token)


def _delete_files(names):
    storage = Evidence._meta.get_field("file").storage
    for name in names:
        if name:
            storage.delete(name)


def _check_limits(current, upload, name):
    size = upload.size
    if size > max_file_bytes():
        raise EvidenceTooLarge(file_too_large_message(name), code="too_large")
    limit = settings.DVK_EVIDENCE_MAX_REGISTRATION_BYTES
    used = registration_total_bytes(current)
    if used + size > limit:
        raise EvidenceTooLarge(
            _(
                "Vượt dung lượng minh chứng của mô hình: tối đa %(limit)s cho mỗi đăng ký, đã dùng %(used)s, "
                "tệp “%(name)s” nặng %(size)s. Hãy xóa bớt tệp cũ hoặc giảm dung lượng tệp."
            )
            % {"limit": human_size(limit), "used": human_size(used), "name": name, "size": human_size(size)},
            code="too_large",
        )


@transaction.atomic
def attach_evidence(*, registration, uploaded_file, user, report=None, caption=""):
    """Stores one uploaded file as evidence of `registration` (optionally of one of its reports).

    Checks, in order: the registration's state, the per-file limit, the per-registration
    total (under a row lock, so two uploads cannot both squeeze under it), what the content
    is. Stores the file under a random name with the sniffed extension, and a JPEG thumbnail
    for an image. Raises EvidenceTooLarge (413) or EvidenceRefused; either way nothing stays:
    no row, no stored file. The stored content type is the sniffed one, never the browser's.

    A caller that attaches several files (or writes more) in one transaction wraps it in
    `files_removed_on_error()`: storage is not transactional, so a later rollback would
    otherwise leave this call's files behind. Runs inside the acting organisation's scope."""
    current = locked_registration(registration)
    if current.status not in UPLOAD_STATUSES:
        _refuse(_("Chỉ thêm minh chứng được khi đăng ký đã được gửi đi (hoặc đã được duyệt)."))
    if report is not None and report.registration_id != current.pk:
        _refuse(_("Báo cáo này không thuộc đăng ký đang xem."))
    name = clean_original_name(getattr(uploaded_file, "name", ""))
    _check_limits(current, uploaded_file, name)
    sniffed = sniff(uploaded_file, name)
    thumbnail = make_thumbnail(uploaded_file, sniffed) if sniffed.kind == EvidenceKind.IMAGE else None
    evidence = Evidence(
        organization=current.organization,
        registration=current,
        report=report,
        kind=sniffed.kind,
        content_type=sniffed.content_type,
        original_name=name,
        size=uploaded_file.size,
        caption=(caption or "").strip()[:255],
        uploaded_by=user,
    )
    stored = []
    try:
        uploaded_file.seek(0)
        evidence.file.save(f"evidence.{sniffed.extension}", uploaded_file, save=False)
        stored.append(evidence.file.name)
        if thumbnail is not None:
            evidence.thumbnail.save("thumbnail.jpg", thumbnail, save=False)
            stored.append(evidence.thumbnail.name)
        evidence.save()
    except BaseException:
        _delete_files(stored)
        raise
    tracked = _stored.get()
    if tracked is not None:
        tracked.extend(stored)
    return evidence


@transaction.atomic
def evidence_delete(*, evidence):
    """Deletes an evidence row; its files go once the deletion is committed (a rollback keeps
    both). Refused once the registration is completed."""
    current = locked_registration(evidence.registration)
    if current.status == S.COMPLETED:
        _refuse(_("Mô hình đã hoàn thành; không xóa minh chứng được nữa."))
    names = [evidence.file.name, evidence.thumbnail.name]
    evidence.delete()
    transaction.on_commit(lambda: _delete_files(names))
