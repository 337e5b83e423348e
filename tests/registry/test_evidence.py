"""Evidence files: sniffed from their content, limited in size (413), stored through the
storage API with nothing left behind on refusal, served only inside the tenant."""

import datetime
import io
import json
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django_scopes import scope, scopes_disabled
from PIL import Image

from campaigns.enums import RegistrationStatus as S
from dvk.models import Membership
from dvk.uploads import UploadLimitMiddleware, human_size, too_large_response
from models_registry import evidence as evidence_services
from models_registry.evidence import EvidenceRefused, EvidenceTooLarge, attach_evidence
from models_registry.models import Evidence, ProgressReport, Registration
from tests.campaigns.builders import campaign
from tests.conftest import client_for, make_user, table_counts
from tests.registry.builders import complete_registration, report

# --- files, made for real -------------------------------------------------------------------


def image_bytes(fmt, size=(640, 480), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, (30, 120, 200) if mode == "RGB" else (30, 120, 200, 128)).save(buffer, fmt)
    return buffer.getvalue()


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
            'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
            'main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Biên bản họp xóm</w:t></w:r></w:p></w:body>'
            "</w:document>",
        )
    return buffer.getvalue()


def xlsx_bytes():
    workbook = openpyxl.Workbook()
    workbook.active.append(["Hộ", "Số tiền"])
    workbook.active.append(["Nguyễn Văn A", 100000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def mp4_bytes():
    ftyp = (24).to_bytes(4, "big") + b"ftypisom" + (512).to_bytes(4, "big") + b"isomiso2"
    return ftyp + (16).to_bytes(4, "big") + b"mdat" + b"\x00" * 8


PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"This program cannot be run in DOS mode.\r\n"
HTML = b"<!DOCTYPE html><html><body><script>document.location='https://evil.example/'</script></body></html>"


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(root):
    root = Path(root)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def body(response):
    return b"".join(response.streaming_content)


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def plan(tree):
    return campaign(tree.commune, "01-KH/ĐU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])


@pytest.fixture
def registration(plan, tree):
    return complete_registration(plan, tree.unit, status=S.ACCEPTED)


@pytest.fixture
def as_secretary(secretary):
    return client_for(secretary)


def upload_url(registration, org="UNIT"):
    return f"/o/{org}/registrations/{registration.pk}/evidence/"


def attach(registration, user, name, data, **extra):
    with scope(org=registration.organization):
        return attach_evidence(registration=registration, uploaded_file=upload(name, data), user=user, **extra)


def only_evidence():
    with scopes_disabled():
        return Evidence.objects.get()


# --- what is accepted -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, kind, content_type, extension",
    [
        ("anh.png", image_bytes("PNG"), "image", "image/png", ".png"),
        ("anh.jpeg", image_bytes("JPEG"), "image", "image/jpeg", ".jpg"),
        ("anh.gif", image_bytes("GIF"), "image", "image/gif", ".gif"),
        ("anh.webp", image_bytes("WEBP"), "image", "image/webp", ".webp"),
        ("bien-ban.pdf", PDF, "pdf", "application/pdf", ".pdf"),
        ("bao-cao.docx", docx_bytes(), "docx", evidence_services.DOCX_TYPE, ".docx"),
        ("danh-sach.xlsx", xlsx_bytes(), "xlsx", evidence_services.XLSX_CONTENT_TYPE, ".xlsx"),
        ("ra-mat.mp4", mp4_bytes(), "video", "video/mp4", ".mp4"),
    ],
)
def test_each_accepted_kind_is_sniffed_and_stored(
    registration, secretary, media, name, data, kind, content_type, extension
):
    evidence = attach(registration, secretary, name, data, caption="Ảnh ra mắt mô hình")
    assert (evidence.kind, evidence.content_type, evidence.original_name, evidence.size) == (
        kind,
        content_type,
        name,
        len(data),
    )
    assert evidence.file.name.startswith(f"evidence/{registration.organization_id}/{registration.pk}/")
    assert evidence.file.name.endswith(extension)
    with evidence.file.storage.open(evidence.file.name, "rb") as stored:
        assert stored.read() == data
    assert bool(evidence.thumbnail) == (kind == "image")


def test_the_name_does_not_decide_the_type(registration, secretary, media):
    evidence = attach(registration, secretary, "bien-ban.pdf", image_bytes("PNG"))
    assert (evidence.kind, evidence.content_type) == ("image", "image/png")
    assert evidence.file.name.endswith(".png")


def test_an_image_gets_a_small_upright_jpeg_thumbnail(registration, secretary, media):
    evidence = attach(registration, secretary, "trong-suot.png", image_bytes("PNG", (1200, 600), "RGBA"))
    with evidence.thumbnail.storage.open(evidence.thumbnail.name, "rb") as stored:
        thumb = Image.open(io.BytesIO(stored.read()))
        assert (thumb.format, thumb.size, thumb.mode) == ("JPEG", (320, 160), "RGB")


# --- what is refused, leaving nothing -------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("anh.jpg", EXE, "Không nhận tệp “anh.jpg”: nội dung tệp không phải ảnh"),
        ("bien-ban.pdf", HTML, "Không nhận tệp “bien-ban.pdf”: nội dung tệp không phải ảnh"),
        ("chay.sh", b"#!/bin/sh\nrm -rf /\n", "Không nhận tệp “chay.sh”"),
        ("anh.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "Không nhận tệp"),
        ("anh.png", image_bytes("PNG")[:60], "Ảnh “anh.png” bị hỏng hoặc không đọc được."),
        ("nen.zip", b"PK\x03\x04" + b"\x00" * 60, "bị hỏng hoặc không phải tệp Word/Excel hợp lệ"),
        ("iphone.jpg", (24).to_bytes(4, "big") + b"ftypheic" + b"\x00" * 16, "Ảnh HEIC/HEIF"),
    ],
)
def test_a_file_that_is_not_what_we_take_is_refused_and_nothing_is_written(
    registration, secretary, media, name, data, message
):
    before = table_counts()
    with pytest.raises(EvidenceRefused) as refused:
        attach(registration, secretary, name, data)
    assert message in refused.value.messages[0]
    assert table_counts() == before
    assert stored_files(media) == []


def test_a_plain_zip_and_a_macro_workbook_are_refused(registration, secretary, media):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(EvidenceRefused, match="Không nhận tệp"):
        attach(registration, secretary, "tai-lieu.docx", buffer.getvalue())
    buffer = io.BytesIO(xlsx_bytes())
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00" * 10)
    with pytest.raises(EvidenceRefused, match="có chứa macro"):
        attach(registration, secretary, "bang.xlsx", buffer.getvalue())
    assert stored_files(media) == []


def png_header(width, height):
    """A PNG that claims width x height pixels and holds almost nothing."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    "width, height, message",
    [
        (30000, 30000, "Ảnh “bom.png” quá lớn để xử lý."),  # Pillow's own guard
        (8000, 6000, "Ảnh “bom.png” quá lớn (48 triệu điểm ảnh); tối đa 40 triệu."),  # ours, tighter
    ],
)
def test_a_decompression_bomb_is_refused_from_its_header(registration, secretary, media, width, height, message):
    with pytest.raises(EvidenceRefused) as refused:
        attach(registration, secretary, "bom.png", png_header(width, height))
    assert refused.value.messages == [message]
    assert stored_files(media) == []


def test_the_upload_page_refuses_an_executable_renamed_jpg(registration, as_secretary, media):
    before = table_counts()
    response = as_secretary.post(upload_url(registration), {"files": [upload("anh-hop.jpg", EXE, "image/jpeg")]})
    # The page again, the reason next to the upload form.
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Không nhận tệp “anh-hop.jpg”: nội dung tệp không phải ảnh (JPEG, PNG, GIF, WebP), PDF, Word (.docx), "
        "Excel (.xlsx) hay video MP4, dù tên tệp là gì." in page
    )
    assert "Chưa tệp nào được lưu; hãy chọn lại tệp rồi tải lên lại." in page
    assert table_counts() == before
    assert stored_files(media) == []


def test_one_refused_file_among_several_keeps_none(registration, as_secretary, media):
    before = table_counts()
    as_secretary.post(
        upload_url(registration),
        {"files": [upload("a.png", image_bytes("PNG")), upload("b.pdf", PDF), upload("c.pdf", HTML)]},
    )
    assert table_counts() == before
    assert stored_files(media) == []


def test_a_storage_failure_leaves_no_stray_file(registration, secretary, media, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Evidence, "save", broken_save)
    with pytest.raises(RuntimeError):
        attach(registration, secretary, "anh.png", image_bytes("PNG"))
    assert stored_files(media) == []


@pytest.mark.parametrize("status", [S.DRAFT, S.RETURNED, S.REJECTED, S.WITHDRAWN])
def test_no_evidence_before_the_registration_is_sent(plan, tree, secretary, media, status):
    registration = complete_registration(plan, tree.unit, status=status)
    with pytest.raises(
        EvidenceRefused, match=r"Chỉ thêm minh chứng được khi đăng ký đã được gửi đi \(hoặc đã được duyệt\)."
    ):
        attach(registration, secretary, "anh.png", image_bytes("PNG"))
    assert stored_files(media) == []


def test_a_secretary_attaches_evidence_to_a_registration_waiting_for_review(plan, tree, secretary, media):
    """Sent, not yet reviewed: the unit's photos of what it already started go with it, from
    the registration's page."""
    registration = complete_registration(plan, tree.unit, status=S.SUBMITTED)
    client = client_for(secretary)
    detail = client.get(f"/o/UNIT/registrations/{registration.pk}/").content.decode()
    assert 'id="evidence-upload"' in detail
    assert 'id="add-progress-report"' not in detail  # reports wait for the acceptance
    response = client.post(upload_url(registration), {"files": [upload("ra-mat.png", image_bytes("PNG"))]})
    assert response.status_code == 302
    with scopes_disabled():
        assert list(Evidence.objects.values_list("registration_id", "original_name")) == [
            (registration.pk, "ra-mat.png")
        ]


def test_a_report_of_another_registration_is_refused(registration, plan, tree, secretary, media):
    other = complete_registration(plan, tree.unit, name="Mô hình khác", status=S.ACCEPTED)
    with pytest.raises(EvidenceRefused, match="không thuộc đăng ký"):
        attach(registration, secretary, "anh.png", image_bytes("PNG"), report=report(other))


# --- size limits: 413, nothing written -------------------------------------------------------


@pytest.fixture
def small_limits(settings):
    settings.DVK_EVIDENCE_MAX_FILE_BYTES = 4000
    settings.DVK_EVIDENCE_MAX_REGISTRATION_BYTES = 10000
    return settings


def test_an_oversize_file_answers_413_and_writes_nothing(registration, as_secretary, media, small_limits):
    before = table_counts()
    response = as_secretary.post(upload_url(registration), {"files": [upload("video.mp4", mp4_bytes() + b"\0" * 9000)]})
    assert response.status_code == 413
    html = response.content.decode()
    assert "Tệp quá lớn: tối đa 4 KB mỗi tệp (tệp “video.mp4”)." in html
    assert "style=" not in html
    assert table_counts() == before
    assert stored_files(media) == []


def test_the_default_limit_reads_20_mb(settings):
    assert settings.DVK_EVIDENCE_MAX_FILE_BYTES == 20 * 1024 * 1024
    assert settings.DVK_EVIDENCE_MAX_REGISTRATION_BYTES == 200 * 1024 * 1024
    assert human_size(settings.DVK_EVIDENCE_MAX_FILE_BYTES) == "20 MB"
    assert human_size(1536 * 1024) == "1,5 MB"


def test_the_registration_total_answers_413_with_its_own_message(
    registration, secretary, as_secretary, media, small_limits
):
    attach(registration, secretary, "a.pdf", PDF + b"\0" * 3500)
    attach(registration, secretary, "b.pdf", PDF + b"\0" * 3500)
    before = table_counts()
    files_before = stored_files(media)
    response = as_secretary.post(upload_url(registration), {"files": [upload("c.pdf", PDF + b"\0" * 3500)]})
    assert response.status_code == 413
    assert "Vượt dung lượng minh chứng của mô hình: tối đa 10 KB cho mỗi đăng ký" in response.content.decode()
    assert table_counts() == before
    assert stored_files(media) == files_before


def test_the_total_counts_files_of_the_same_submit(registration, secretary, as_secretary, media, small_limits):
    files = [upload(f"{i}.pdf", PDF + b"\0" * 3000) for i in range(4)]
    response = as_secretary.post(upload_url(registration), {"files": files})
    assert response.status_code == 413
    assert stored_files(media) == []
    with scopes_disabled():
        assert not Evidence.objects.exists()


def test_the_report_page_answers_413_and_writes_no_report(registration, secretary, media, small_limits):
    client = client_for(secretary)
    attach(registration, secretary, "a.pdf", PDF + b"\0" * 3500)
    attach(registration, secretary, "b.pdf", PDF + b"\0" * 3500)
    before = table_counts()
    with scopes_disabled():
        target = registration.targets.get()
    response = client.post(
        f"/o/UNIT/registrations/{registration.pk}/reports/new/?kind=result",
        {
            "reported_on": "30/06/2026",
            f"achieved_{target.pk}": "12000000",
            "files": [upload("c.pdf", PDF + b"\0" * 3500)],
        },
    )
    assert response.status_code == 413
    assert "Vượt dung lượng minh chứng của mô hình" in response.content.decode()
    assert table_counts() == before
    with scopes_disabled():
        assert Registration.objects.get(pk=registration.pk).status == S.ACCEPTED


def test_a_content_length_over_the_cap_is_refused_before_the_body_is_read(registration, secretary, small_limits):
    """The middleware answers from the header alone: the body stream is never touched."""
    data = encode_multipart(BOUNDARY, {"files": upload("a.pdf", PDF)})
    request = RequestFactory().generic(
        "POST", upload_url(registration), data, content_type=MULTIPART_CONTENT, CONTENT_LENGTH=str(2 * 1024 * 1024)
    )
    request.user = secretary
    stream = request.environ["wsgi.input"]
    from models_registry.report_views import evidence_upload

    response = UploadLimitMiddleware(lambda r: None).process_view(request, evidence_upload, (), {})
    assert response.status_code == 413
    assert "Tệp quá lớn: tối đa 4 KB mỗi tệp" in response.content.decode()
    assert stream.read() == data  # nothing was read from it


def test_a_content_length_over_the_cap_answers_413_through_the_stack(registration, as_secretary, media, small_limits):
    before = table_counts()
    response = as_secretary.post(upload_url(registration), {"files": [upload("a.pdf", PDF + b"\0" * 400_000)]})
    assert response.status_code == 413
    assert table_counts() == before
    assert stored_files(media) == []


def test_a_lying_content_length_is_still_cut_at_the_file_limit(registration, as_secretary, media, small_limits):
    """Content-Length claims a small request (under the cap); the file inside is over the
    per-file limit: the upload handler stops it as the bytes arrive."""
    data = encode_multipart(BOUNDARY, {"files": upload("video.mp4", mp4_bytes() + b"\0" * 50_000)})
    before = table_counts()
    response = as_secretary.generic(
        "POST", upload_url(registration), data, content_type=MULTIPART_CONTENT, CONTENT_LENGTH="20000"
    )
    assert response.status_code == 413
    assert "Tệp quá lớn: tối đa 4 KB mỗi tệp (tệp “video.mp4”)." in response.content.decode()
    assert table_counts() == before
    assert stored_files(media) == []


def test_a_chunked_upload_without_length_is_refused(registration, as_secretary, media, small_limits):
    data = encode_multipart(BOUNDARY, {"files": upload("video.mp4", mp4_bytes() + b"\0" * 50_000)})
    before = table_counts()
    response = as_secretary.generic(
        "POST",
        upload_url(registration),
        data,
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 411
    assert table_counts() == before
    assert stored_files(media) == []


def test_an_oversize_file_to_any_other_page_is_cut_too(as_commune_staff, small_limits):
    """The per-file limit holds on every multipart form (here the tree import), not only evidence."""
    response = as_commune_staff.post("/o/COMM/import/", {"file": upload("cay.xlsx", b"\0" * 9000)})
    assert response.status_code == 413


def test_api_paths_get_json(rf):
    request = rf.post("/api/v1/o/UNIT/registrations/1/evidence/")
    response = too_large_response(request, "Tệp quá lớn: tối đa 20 MB mỗi tệp.")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": "Tệp quá lớn: tối đa 20 MB mỗi tệp."}


def test_the_service_itself_refuses_an_oversize_file(registration, secretary, media, small_limits):
    with pytest.raises(EvidenceTooLarge, match="Tệp quá lớn: tối đa 4 KB mỗi tệp"):
        attach(registration, secretary, "a.pdf", PDF + b"\0" * 5000)
    assert isinstance(EvidenceTooLarge("x"), ValidationError)


# --- the upload page -----------------------------------------------------------------------


def test_the_upload_page_adds_files_to_a_report(registration, secretary, as_secretary, media):
    progress = report(registration)
    response = as_secretary.post(
        upload_url(registration),
        {
            "files": [upload("a.png", image_bytes("PNG")), upload("b.pdf", PDF)],
            "caption": "Buổi ra mắt",
            "report": progress.pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/o/UNIT/registrations/{registration.pk}/#evidence"
    with scopes_disabled():
        assert sorted(Evidence.objects.values_list("original_name", "report_id", "caption", "uploaded_by")) == [
            ("a.png", progress.pk, "Buổi ra mắt", secretary.pk),
            ("b.pdf", progress.pk, "Buổi ra mắt", secretary.pk),
        ]
    assert len(stored_files(media)) == 3  # two files and one thumbnail


def test_a_report_id_of_another_registration_is_not_offered(registration, plan, tree, as_secretary, media):
    other = complete_registration(plan, tree.unit, name="Mô hình khác", status=S.ACCEPTED)
    response = as_secretary.post(
        upload_url(registration), {"files": [upload("b.pdf", PDF)], "report": report(other).pk}
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not Evidence.objects.exists()


def test_a_read_only_member_may_not_upload(registration, tree, media):
    member = make_user("thanh-vien")
    Membership.objects.create(user=member, organization=tree.commune, role="member")
    response = client_for(member).post(upload_url(registration, "COMM"), {"files": [upload("b.pdf", PDF)]})
    assert response.status_code == 403
    assert stored_files(media) == []


# --- serving -------------------------------------------------------------------------------


def download_url(registration, evidence, org="UNIT", rest=""):
    return f"/o/{org}/registrations/{registration.pk}/evidence/{evidence.pk}/{rest}"


def test_download_is_an_attachment_with_the_sniffed_type_and_nosniff(registration, secretary, as_secretary, media):
    data = image_bytes("PNG")
    evidence = attach(registration, secretary, "Ảnh buổi họp xóm.png", data)
    response = as_secretary.get(download_url(registration, evidence))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E1%BA%A2nh%20bu%E1%BB%95i%20h%E1%BB%8Dp%20x%C3%B3m.png"
    )
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert body(response) == data


def test_thumbnail_is_an_inline_jpeg_with_nosniff_and_404_for_a_document(registration, secretary, as_secretary, media):
    image = attach(registration, secretary, "anh.png", image_bytes("PNG"))
    pdf = attach(registration, secretary, "bien-ban.pdf", PDF)
    response = as_secretary.get(download_url(registration, image, rest="thumbnail.jpg"))
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(body(response))).format == "JPEG"
    assert as_secretary.get(download_url(registration, pdf, rest="thumbnail.jpg")).status_code == 404


def test_download_by_the_commune_and_not_by_anyone_outside(
    registration, secretary, commune_staff, outsider, tree, media
):
    evidence = attach(registration, secretary, "bien-ban.pdf", PDF)
    assert client_for(commune_staff).get(download_url(registration, evidence, "COMM")).status_code == 200
    outside = client_for(outsider)
    assert outside.get(download_url(registration, evidence, "COMM")).status_code == 404
    assert outside.get(download_url(registration, evidence, "SIBL")).status_code == 404
    sibling_secretary = make_user("bi-thu-xom-9")
    Membership.objects.create(user=sibling_secretary, organization=tree.sibling_unit, role="secretary")
    sibling = client_for(sibling_secretary)
    assert sibling.get(download_url(registration, evidence, "SIBU")).status_code == 404
    assert sibling.get(download_url(registration, evidence, "UNIT")).status_code == 404
    neighbour = make_user("bi-thu-mttq")
    Membership.objects.create(user=neighbour, organization=tree.mttq, role="secretary")
    assert client_for(neighbour).get(download_url(registration, evidence, "MTTQ")).status_code == 404


def test_a_file_of_another_registration_is_not_found_through_this_one(
    registration, plan, tree, secretary, as_secretary, media
):
    other = complete_registration(plan, tree.unit, name="Mô hình khác", status=S.ACCEPTED)
    evidence = attach(other, secretary, "bien-ban.pdf", PDF)
    assert as_secretary.get(download_url(registration, evidence)).status_code == 404
    assert as_secretary.get(download_url(other, evidence)).status_code == 200


# --- deleting ------------------------------------------------------------------------------


def test_delete_removes_the_row_then_the_files(
    registration, secretary, as_secretary, media, django_capture_on_commit_callbacks
):
    evidence = attach(registration, secretary, "anh.png", image_bytes("PNG"))
    assert len(stored_files(media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = as_secretary.post(download_url(registration, evidence, rest="delete/"))
    assert response.status_code == 302
    with scopes_disabled():
        assert not Evidence.objects.exists()
        assert Evidence.history.filter(history_type="-").count() == 1
    assert stored_files(media) == []


def test_no_delete_once_completed(registration, secretary, as_secretary, media):
    evidence = attach(registration, secretary, "bien-ban.pdf", PDF)
    with scopes_disabled():
        Registration.objects.filter(pk=registration.pk).update(status=S.COMPLETED)
    response = as_secretary.post(download_url(registration, evidence, rest="delete/"))
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Mô hình đã hoàn thành; không xóa minh chứng được nữa."
    ]
    with scopes_disabled():
        assert Evidence.objects.count() == 1
    assert len(stored_files(media)) == 1


def test_a_read_only_member_may_download_but_not_delete(registration, secretary, tree, media):
    evidence = attach(registration, secretary, "bien-ban.pdf", PDF)
    member = make_user("thanh-vien")
    Membership.objects.create(user=member, organization=tree.commune, role="member")
    client = client_for(member)
    assert client.get(download_url(registration, evidence, "COMM")).status_code == 200
    assert client.post(download_url(registration, evidence, "COMM", "delete/")).status_code == 403
    with scopes_disabled():
        assert ProgressReport.objects.count() == 0 and Evidence.objects.count() == 1


@pytest.mark.parametrize("name", ["bien-ban.html", "cap-nhat.bat", "bien-ban.svg"])
def test_a_file_downloads_under_the_extension_of_what_it_is_not_of_its_name(
    registration, secretary, as_secretary, media, name
):
    evidence = attach(registration, secretary, name, PDF)
    response = as_secretary.get(download_url(registration, evidence))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{Path(name).stem}.pdf"'


def test_text_that_merely_starts_like_a_pdf_is_refused(registration, secretary, media):
    before = table_counts()
    with pytest.raises(EvidenceRefused, match="không phải tệp PDF hoàn chỉnh"):
        attach(registration, secretary, "bien-ban.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>")
    assert table_counts() == before and not stored_files(media)


def test_an_office_file_of_many_small_inflating_entries_is_refused(registration, secretary, media):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
        for i in range(40):
            archive.writestr(f"word/media/pad{i}.bin", b"\0" * (1024 * 1024))
    with pytest.raises(EvidenceRefused, match="cấu trúc bất thường"):
        attach(registration, secretary, "bao-cao.docx", buffer.getvalue())
    assert not stored_files(media)


NESTED_ENTITIES = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>'
)


def _with_part(office, part, prolog):
    """`office` (a .docx or .xlsx) with `prolog` put before the root element of `part`."""
    source = zipfile.ZipFile(io.BytesIO(office))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as evil:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                data = prolog + data.split(b"?>", 1)[-1]
            evil.writestr(item.filename, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "name, office, part",
    [
        ("so-lieu.xlsx", xlsx_bytes, "xl/worksheets/sheet1.xml"),
        ("bien-ban.docx", docx_bytes, "word/document.xml"),
        ("so-lieu.xlsx", xlsx_bytes, "[Content_Types].xml"),
    ],
)
def test_an_office_file_whose_xml_declares_entities_is_refused_as_the_imports_do(
    registration, secretary, media, name, office, part
):
    before = table_counts()
    with pytest.raises(EvidenceRefused, match="nội dung XML bị cấm"):
        attach(registration, secretary, name, _with_part(office(), part, NESTED_ENTITIES))
    assert table_counts() == before and not stored_files(media)


def test_an_office_file_with_a_bare_dtd_is_refused_too(registration, secretary, media):
    doctype = b'<?xml version="1.0"?><!DOCTYPE w:document SYSTEM "http://example.test/x.dtd">'
    with pytest.raises(EvidenceRefused, match="nội dung XML bị cấm"):
        attach(registration, secretary, "bien-ban.docx", _with_part(docx_bytes(), "word/document.xml", doctype))


def _pdf(*objects):
    body = b"%PDF-1.4\n" + b"".join(b"%d 0 obj\n%s\nendobj\n" % (i + 1, o) for i, o in enumerate(objects))
    return body + b"trailer << /Root 1 0 R >>\n%%EOF\n"


def _object_stream(dictionary):
    packed = zlib.compress(b"2 0 " + dictionary)
    return b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
        len(packed),
        packed,
    )


@pytest.mark.parametrize(
    "pdf, what",
    [
        (_pdf(b"<< /Type /Catalog /OpenAction 2 0 R >>", b"<< /S /JavaScript /JS (app.alert(1)) >>"), "JavaScript"),
        (_pdf(b"<< /Type /Catalog /OpenAction << /S /J#61vaScript /JS (x) >> >>"), "JavaScript"),
        (_pdf(b"<< /Type /Catalog /OpenAction << /S /Launch /F (cmd.exe) >> >>"), "/Launch"),
        (_pdf(b"<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>", b"<< /Names [] >>"), "tệp nhúng"),
        (
            _pdf(b"<< /Type /Catalog /OpenAction 2 0 R >>", _object_stream(b"<< /S /JavaScript /JS (x) >>")),
            "JavaScript",
        ),
    ],
    ids=["open-action-javascript", "escaped-name", "launch", "embedded-file", "inside-an-object-stream"],
)
def test_a_pdf_that_runs_or_opens_something_is_refused_and_says_why(registration, secretary, media, pdf, what):
    before = table_counts()
    with pytest.raises(EvidenceRefused) as refused:
        attach(registration, secretary, "bien-ban.pdf", pdf)
    assert what in refused.value.messages[0] and "In → Lưu dưới dạng PDF" in refused.value.messages[0]
    assert table_counts() == before and not stored_files(media)


def test_a_plain_pdf_with_compressed_pages_is_accepted(registration, secretary, media):
    content = zlib.compress(b"BT /F1 12 Tf 72 712 Td (Bien ban hop xom) Tj ET")
    page = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(content), content)
    attach(registration, secretary, "bien-ban.pdf", _pdf(b"<< /Type /Catalog /Pages 3 0 R >>", page))
    assert len(stored_files(media)) == 1
