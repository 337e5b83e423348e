"""The recognition dossier: the unit writes and submits it, staff of the campaign's level return
it, the board reads it. Services, rules, pages, files, N+1 guards; parallel presses at the end."""

import datetime
import unicodedata
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled
from guardian.shortcuts import assign_perm, remove_perm

from appraisal import dossier_services as services
from appraisal.enums import REPORT_CHARACTER_BUDGET, REPORT_CHARACTERS_PER_PAGE
from appraisal.models import Assignment, Board, BoardMember, DossierOpinion, RecognitionDossier
from campaigns.enums import RegistrationStatus as S
from dvk.enums import Role
from dvk.models import Notification
from models_registry.models import Evidence, ReportEntry
from tests.campaigns.builders import campaign
from tests.conftest import client_for, persona, table_counts
from tests.registry.builders import complete_registration, report
from tests.test_idempotency import in_parallel

PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
LETTER = {"letter_request": "Đề nghị công nhận mô hình đạt “Dân vận khéo” cấp xã.", "letter_to": "Đảng ủy xã"}


def key():
    return uuid.uuid4().hex


@pytest.fixture
def plan(tree):
    return campaign(tree.commune, "27-KH/ĐU", start=datetime.date(2027, 1, 1), end=datetime.date(2027, 12, 31))


@pytest.fixture
def registration(plan, tree):
    return complete_registration(plan, tree.unit, name="Tủ sách Xóm Một", status=S.ACCEPTED)


@pytest.fixture
def front_chairman(tree):
    return persona("chu-tich-mttq", tree.mttq, Role.SECRETARY)


def url(registration, code="UNIT", rest=""):
    return f"/o/{code}/appraisal/registrations/{registration.pk}/dossier/{rest}"


def save(registration, user, **fields):
    with scope(org=registration.organization):
        return services.dossier_save(registration, user, **fields)


def stored(registration):
    with scopes_disabled():
        return RecognitionDossier.objects.filter(registration=registration).first()


def form(version=0, **fields):
    data = {"version": str(version), "idempotency_key": key()}
    data.update(fields)
    return data


# --- services ---------------------------------------------------------------------------------


def test_the_first_save_makes_a_draft_and_a_stale_save_is_refused(registration, secretary):
    dossier = save(registration, secretary, expected_version=0, **LETTER, report_results="Đạt 100%")
    assert (dossier.status, dossier.version, dossier.created_by) == ("draft", 1, secretary)
    save(registration, secretary, expected_version=1, report_purposes="Mục đích")
    before = table_counts()
    with pytest.raises(ValidationError, match="vừa được người khác"):
        save(registration, secretary, expected_version=1, report_purposes="Bản cũ")
    assert table_counts() == before
    assert stored(registration).report_purposes == "Mục đích"


def test_a_report_over_the_budget_is_refused_and_changes_nothing(registration, secretary):
    save(registration, secretary, **LETTER, report_results="Kết quả")
    before = table_counts()
    half = "ệ" * (REPORT_CHARACTER_BUDGET // 2)
    with pytest.raises(ValidationError, match="vượt giới hạn 12.460"):
        save(registration, secretary, report_purposes=half, report_content=half + "xy")
    assert table_counts() == before
    assert stored(registration).report_purposes == ""
    # Exactly the budget fits, counted in NFC (a decomposed "ệ" is one) and "\r\n" as one.
    decomposed = unicodedata.normalize("NFD", "ệ")
    assert len(decomposed) == 3
    content = decomposed * (REPORT_CHARACTER_BUDGET - len(half) - 3) + "a\r\nb"
    save(registration, secretary, report_purposes=half, report_content=content, report_results="")
    assert stored(registration).report_length == REPORT_CHARACTER_BUDGET
    with pytest.raises(ValidationError, match="rút gọn thêm 1 ký tự"):
        save(registration, secretary, report_lessons="!")


def test_the_budget_is_the_measured_five_pages():
    assert REPORT_CHARACTERS_PER_PAGE == 2492
    assert REPORT_CHARACTER_BUDGET == 5 * 2492
    assert services.budget_text() == "tối đa 12.460 ký tự, tương đương 5 trang A4 cỡ chữ 14"


def test_a_registration_not_yet_accepted_has_no_dossier(plan, tree, secretary):
    draft = complete_registration(plan, tree.unit, name="Nháp", status=S.SUBMITTED)
    with pytest.raises(ValidationError, match="đã được duyệt, đang thực hiện hoặc đã hoàn thành"):
        save(draft, secretary, **LETTER)
    assert stored(draft) is None


def test_only_who_acts_for_the_unit_saves(registration, tree, commune_staff, outsider):
    other_unit = persona("bi-thu-mttq", tree.mttq, Role.SECRETARY)
    with pytest.raises(ValidationError, match="Chỉ bí thư đơn vị"):
        save(registration, other_unit, **LETTER)
    save(registration, commune_staff, **LETTER)  # staff above the unit may
    probe = RecognitionDossier(registration=registration)
    assert not outsider.has_perm("appraisal.change_dossier", probe)
    assert commune_staff.has_perm("appraisal.return_dossier", probe)


def test_submit_needs_the_letter_and_the_results_then_notifies_the_campaign_staff(
    registration, secretary, commune_staff
):
    save(registration, secretary, report_purposes="Mục đích")
    with scope(org=registration.organization):
        with pytest.raises(ValidationError) as refused:
            services.dossier_submit(registration, secretary)
    assert set(refused.value.message_dict) == {"letter_request", "report_results"}
    assert stored(registration).status == "draft"
    save(registration, secretary, **LETTER, report_results="Đạt")
    with scope(org=registration.organization):
        dossier = services.dossier_submit(registration, secretary, expected_version=2)
        with pytest.raises(ValidationError, match="đã được gửi"):
            services.dossier_submit(registration, secretary)
        with pytest.raises(ValidationError, match="chỉ sửa được khi cấp trên trả lại"):
            services.dossier_save(registration, secretary, report_results="Sửa sau khi gửi")
    assert (dossier.status, dossier.submitted_by) == ("submitted", secretary)
    note = Notification.objects.get(user=commune_staff)
    assert "gửi hồ sơ đề nghị công nhận" in note.title
    assert note.url == f"/o/COMM/appraisal/registrations/{registration.pk}/dossier/"


def test_return_needs_a_reason_and_staff_of_the_campaign_level_and_tells_the_secretaries(
    registration, secretary, commune_staff
):
    save(registration, secretary, **LETTER, report_results="Đạt")
    with scope(org=registration.organization):
        services.dossier_submit(registration, secretary)
    with scope(org=registration.campaign.organization):
        with pytest.raises(ValidationError, match="Hãy ghi lý do"):
            services.dossier_return(registration, commune_staff, reason="  ")
        with pytest.raises(ValidationError, match="Chỉ cán bộ cấp ban hành"):
            services.dossier_return(registration, secretary, reason="Tự trả")
        dossier = services.dossier_return(registration, commune_staff, reason="Bổ sung số liệu năm 2026")
    assert (dossier.status, dossier.return_reason, dossier.returned_by) == (
        "returned",
        "Bổ sung số liệu năm 2026",
        commune_staff,
    )
    note = Notification.objects.get(user=secretary)
    assert "bị trả lại để bổ sung" in note.title and note.body == "Bổ sung số liệu năm 2026"
    assert note.url == f"/o/UNIT/appraisal/registrations/{registration.pk}/dossier/"
    # The secretary edits and sends it again.
    save(registration, secretary, report_results="Đạt, có số liệu 2026")
    with scope(org=registration.organization):
        assert services.dossier_submit(registration, secretary).status == "submitted"


def _continued(plan_year, previous, tree, name, achieved):
    c = campaign(
        tree.commune, f"{plan_year}-KH/ĐU", start=datetime.date(plan_year, 1, 1), end=datetime.date(plan_year, 12, 31)
    )
    reg = complete_registration(c, tree.unit, name=f"{name} {plan_year}", status=S.COMPLETED)
    with scopes_disabled():
        type(reg).objects.filter(pk=reg.pk).update(continues=previous)
        reg.refresh_from_db()
        if achieved is not None:
            r = report(reg, reported_on=datetime.date(plan_year, 6, 30))
            ReportEntry.objects.create(report=r, target=reg.targets.get(), achieved=Decimal(achieved))
    return reg


def test_results_are_prefilled_from_the_targets_and_reports_across_at_most_five_years(tree, secretary):
    previous = None
    for year in range(2020, 2027):  # seven years: only the latest five are read
        previous = _continued(year, previous, tree, "Tiết kiệm", 1_000_000 * (year - 2019))
    with scope(org=tree.unit):
        lines = services.results_lines(previous)
    assert [line.split(" (")[0] for line in lines] == [f"- Năm {y}" for y in range(2022, 2027)]
    assert lines[-1] == (
        "- Năm 2026 (Kế hoạch 2026-KH/ĐU) – Số tiền quyên góp: đạt 7.000.000/12.000.000 đồng (58%), "
        "số liệu báo cáo ngày 30/06/2026."
    )
    fresh = _continued(2027, None, tree, "Mới", None)
    with scope(org=tree.unit):
        assert services.results_lines(fresh) == [
            "- Năm 2027 (Kế hoạch 2027-KH/ĐU) – Số tiền quyên góp: chỉ tiêu 12.000.000 đồng; chưa có số liệu báo cáo."
        ]


def test_the_chain_reads_in_a_constant_number_of_queries(tree, django_assert_num_queries):
    previous = _continued(2025, None, tree, "Một", 1)
    with scope(org=tree.unit), CaptureQueriesContext(connection) as short:
        services.results_lines(previous)
    for year in (2026, 2027, 2028):
        previous = _continued(year, previous, tree, "Một", 2)
    with scope(org=tree.unit), django_assert_num_queries(len(short.captured_queries)):
        assert len(services.results_lines(previous)) == 4


# --- the unit's page ----------------------------------------------------------------------------


def test_the_page_shows_the_budget_the_prefill_and_the_evidence(registration, secretary):
    r = report(registration)
    with scopes_disabled():
        ReportEntry.objects.create(report=r, target=registration.targets.get(), achieved=Decimal("8000000"))
        Evidence.objects.create(
            organization=registration.organization,
            registration=registration,
            kind="pdf",
            content_type="application/pdf",
            original_name="bien-ban-hop.pdf",
            size=len(PDF),
            file=ContentFile(PDF, name="x.pdf"),
        )
    response = client_for(secretary).get(url(registration))
    html = response.content.decode()
    assert response.status_code == 200
    assert "tối đa 12.460 ký tự, tương đương 5 trang A4 cỡ chữ 14" in html
    assert "Số tiền quyên góp: đạt 8.000.000/12.000.000 đồng (66%)" in html
    assert "bien-ban-hop.pdf" in html and "Tủ sách Xóm Một" in html
    assert "js/dossier.js" in html and "<script>" not in html and "style=" not in html
    assert 'data-budget="12460"' in html


def test_save_over_the_budget_on_the_page_keeps_the_text_and_changes_nothing(registration, secretary):
    client = client_for(secretary)
    assert client.post(url(registration), form(0, report_purposes="Mục đích ban đầu", **LETTER)).status_code == 302
    before = table_counts()
    long = "Chi bộ vận động Nhân dân. " * 500
    response = client.post(url(registration), form(1, report_purposes="Mục đích ban đầu", report_content=long))
    assert response.status_code == 400
    html = response.content.decode()
    assert "vượt giới hạn 12.460" in html and "Chi bộ vận động Nhân dân." in html
    assert table_counts() == before


def test_two_tabs_the_stale_one_is_refused_and_keeps_its_text(registration, secretary):
    client = client_for(secretary)
    client.post(url(registration), form(0, **LETTER))
    assert client.post(url(registration), form(1, report_lessons="Tab một")).status_code == 302
    before = table_counts()
    response = client.post(url(registration), form(1, report_lessons="Tab hai, chưa mất"))
    assert response.status_code == 400
    assert "vừa được người khác" in response.content.decode() and "Tab hai, chưa mất" in response.content.decode()
    assert table_counts() == before
    assert stored(registration).report_lessons == "Tab một"


def test_submit_and_return_through_the_pages(registration, secretary, commune_staff):
    unit, commune = client_for(secretary), client_for(commune_staff)
    unit.post(url(registration), form(0, report_purposes="x"))
    refused = unit.post(url(registration, rest="submit/"), form(1))
    assert refused.status_code == 400 and "Tờ trình cần có nội dung đề nghị." in refused.content.decode()
    unit.post(url(registration), form(1, **LETTER, report_results="Đạt"))
    assert unit.post(url(registration, rest="submit/"), form(2)).status_code == 302
    assert stored(registration).status == "submitted"
    # The unit's secretary may not return it; the commune's staff may, under the commune's code.
    assert unit.post(url(registration, rest="return/"), form(reason="x")).status_code == 403
    page = commune.get(url(registration, "COMM")).content.decode()
    assert "Trả lại hồ sơ để bổ sung" in page
    assert commune.post(url(registration, "COMM", "return/"), form(reason="")).status_code == 400
    assert commune.post(url(registration, "COMM", "return/"), form(reason="Thiếu ý kiến MTTQ")).status_code == 302
    page = unit.get(url(registration)).content.decode()
    assert "Thiếu ý kiến MTTQ" in page and 'id="dossier-form"' in page


def test_save_and_submit_sends_what_is_on_the_screen(registration, secretary):
    """ "Lưu và gửi" saves the typed text first: an edit made just before sending is not lost;
    a refused sending keeps the saved draft and says why."""
    client = client_for(secretary)
    client.post(url(registration), form(0, report_purposes="x"))
    refused = client.post(url(registration), form(1, report_lessons="Bài học mới gõ", then_submit="1"), follow=True)
    page = refused.content.decode()
    assert "Đã lưu bản nháp nhưng chưa gửi được" in page and "Tờ trình cần có nội dung đề nghị." in page
    assert (stored(registration).status, stored(registration).report_lessons) == ("draft", "Bài học mới gõ")
    sent = client.post(
        url(registration), form(2, **LETTER, report_results="Đạt", report_lessons="Sửa phút chót", then_submit="1")
    )
    assert sent.status_code == 302
    assert (stored(registration).status, stored(registration).report_lessons) == ("submitted", "Sửa phút chót")


def test_a_unit_that_may_not_change_reads_without_a_form(registration, secretary, tree):
    save(registration, secretary, **LETTER, report_results="Kết quả riêng")
    member = persona("dang-vien", tree.unit, Role.MEMBER)
    client = client_for(member)
    page = client.get(url(registration)).content.decode()
    assert "Kết quả riêng" in page and 'id="dossier-form"' not in page
    assert client.post(url(registration), form(1, report_results="x")).status_code == 403


# --- opinions -------------------------------------------------------------------------------------


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def draft(registration, secretary):
    return save(registration, secretary, **LETTER, report_results="Đạt")


def test_an_opinion_with_text_or_a_file_and_its_removal(registration, secretary, draft, settings):
    client = client_for(secretary)
    response = client.post(
        url(registration, rest="opinions/"), form(body="front", author="Chủ tịch MTTQ", text="Đồng ý")
    )
    assert response.status_code == 302
    response = client.post(
        url(registration, rest="opinions/"), form(body="party_committee", file=upload("y-kien.pdf", PDF))
    )
    assert response.status_code == 302
    with scopes_disabled():
        text_only, with_file = DossierOpinion.objects.order_by("pk")
    assert with_file.content_type == "application/pdf" and with_file.original_name == "y-kien.pdf"
    download = client.get(url(registration, rest=f"opinions/{with_file.pk}/file/"))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert 'attachment; filename="y-kien.pdf"' == download["Content-Disposition"]
    assert client.post(url(registration, rest=f"opinions/{text_only.pk}/delete/"), form()).status_code == 302
    with scopes_disabled():
        assert list(DossierOpinion.objects.all()) == [with_file]


def test_an_opinion_with_neither_text_nor_file_is_refused(registration, secretary, draft):
    client = client_for(secretary)
    before = table_counts()
    response = client.post(url(registration, rest="opinions/"), form(body="front", text="  "))
    assert response.status_code == 400
    assert "Ý kiến cần có nội dung, hoặc tệp đính kèm, hoặc cả hai." in response.content.decode()
    assert table_counts() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("y-kien.pdf", b"MZ\x90\x00\x03" + b"\0" * 200, "nội dung tệp không phải ảnh"),  # a renamed executable
        ("y-kien.html", b"<html><script>alert(1)</script></html>", "nội dung tệp không phải ảnh"),
        ("y-kien.pdf", b"%PDF-1.4\n/OpenAction << /JS (app.alert(1)) >>\n%%EOF\n", "mã JavaScript"),
    ],
)
def test_hostile_opinion_files_are_refused_with_nothing_kept(registration, secretary, draft, name, content, message):
    client = client_for(secretary)
    before = table_counts()
    response = client.post(url(registration, rest="opinions/"), form(body="front", file=upload(name, content)))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert table_counts() == before


def test_an_oversize_opinion_file_answers_413(registration, secretary, draft, settings):
    settings.DVK_EVIDENCE_MAX_FILE_BYTES = 4000
    client = client_for(secretary)
    before = table_counts()
    big = PDF[:-6] + b"\0" * 5000 + b"%%EOF\n"
    response = client.post(url(registration, rest="opinions/"), form(body="front", file=upload("to.pdf", big)))
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.content.decode()
    assert table_counts() == before


def test_opinions_cannot_change_once_submitted(registration, secretary, draft):
    with scope(org=registration.organization):
        opinion = services.opinion_add(registration, secretary, body="front", text="Đồng ý")
        services.dossier_submit(registration, secretary)
        with pytest.raises(ValidationError, match="đã gửi đề nghị"):
            services.opinion_delete(opinion, secretary)
        with pytest.raises(ValidationError, match="chỉ sửa được khi cấp trên trả lại"):
            services.opinion_add(registration, secretary, body="front", text="Thêm")


# --- the registration page's panel ---------------------------------------------------------------


def test_the_registration_page_offers_to_start_a_dossier(registration, secretary, tree):
    page = client_for(secretary).get(f"/o/UNIT/registrations/{registration.pk}/").content.decode()
    assert "Lập hồ sơ đề nghị công nhận" in page
    member = persona("dang-vien", tree.unit, Role.MEMBER)
    page = client_for(member).get(f"/o/UNIT/registrations/{registration.pk}/").content.decode()
    assert 'id="dossier-panel"' in page and "Lập hồ sơ đề nghị công nhận" not in page
    save(registration, secretary, **LETTER)
    page = client_for(secretary).get(f"/o/UNIT/registrations/{registration.pk}/").content.decode()
    assert "Sửa hồ sơ" in page and "Đang soạn" in page


def _count(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_files(registration, dossier, n):
    with scopes_disabled():
        for i in range(n):
            Evidence.objects.create(
                organization=registration.organization,
                registration=registration,
                kind="pdf",
                content_type="application/pdf",
                original_name=f"tep-{i}.pdf",
                size=len(PDF),
                file=ContentFile(PDF, name="x.pdf"),
            )
            DossierOpinion.objects.create(
                dossier=dossier, body="other", text=f"Ý kiến {i}", file=ContentFile(PDF, name="y.pdf"), size=len(PDF)
            )


def test_dossier_pages_queries_do_not_grow_with_files_and_opinions(
    registration, secretary, commune_staff, draft, django_assert_num_queries
):
    board = _board(registration, commune_staff)
    unit, commune = client_for(secretary), client_for(commune_staff)
    paths = [
        (unit, url(registration)),
        (unit, f"/o/UNIT/registrations/{registration.pk}/"),
        (commune, f"/o/COMM/appraisal/boards/{board.pk}/dossiers/{registration.pk}/"),
    ]
    _add_files(registration, draft, 1)
    with scope(org=registration.organization):
        services.dossier_submit(registration, secretary)
    counts = [_count(client, path) for client, path in paths]
    _add_files(registration, draft, 6)
    for (client, path), n in zip(paths, counts, strict=True):
        with django_assert_num_queries(n):
            assert client.get(path).status_code == 200


# --- the board reads it ---------------------------------------------------------------------------


def _board(registration, head_user, deputy_user=None):
    with scopes_disabled():
        board = Board.objects.create(organization=registration.campaign.organization, campaign=registration.campaign)
        BoardMember.objects.create(board=board, user=head_user, role="head")
        if deputy_user is not None:
            BoardMember.objects.create(board=board, user=deputy_user, role="deputy", position_order=1)
    return board


def _assign(board, user, registration):
    with scopes_disabled():
        member = BoardMember.objects.get(board=board, user=user)
        assignment = Assignment.objects.create(board=board, member=member, registration=registration)
    assign_perm("appraisal.appraise_assignment", user, assignment)
    return assignment


def test_the_board_reads_the_submitted_dossier_and_its_files(
    registration, secretary, commune_staff, front_chairman, draft
):
    board = _board(registration, commune_staff, front_chairman)
    with scope(org=registration.organization):
        opinion = services.opinion_add(
            registration, secretary, body="front", text="Ý kiến MTTQ", uploaded_file=upload("yk.pdf", PDF)
        )
    with scopes_disabled():
        evidence = Evidence.objects.create(
            organization=registration.organization,
            registration=registration,
            kind="pdf",
            content_type="application/pdf",
            original_name="anh-hoat-dong.pdf",
            size=len(PDF),
            file=ContentFile(PDF, name="x.pdf"),
        )
    base = f"/o/COMM/appraisal/boards/{board.pk}/dossiers/{registration.pk}/"
    seat = client_for(front_chairman)
    # Not assigned: through the seat, not found, nor its files.
    for path in (base, f"{base}evidence/{evidence.pk}/", f"{base}opinions/{opinion.pk}/file/"):
        assert seat.get(path).status_code == 404
    assignment = _assign(board, front_chairman, registration)
    staff = client_for(commune_staff)
    # A draft: the board sees that it is not sent yet, and the plan and the evidence.
    page = staff.get(base).content.decode()
    assert "Đơn vị chưa gửi hồ sơ" in page and "anh-hoat-dong.pdf" in page and "Số tiền quyên góp" in page
    with scope(org=registration.organization):
        services.dossier_submit(registration, secretary)
    for client in (staff, seat):
        page = client.get(base).content.decode()
        assert LETTER["letter_request"] in page and "Ý kiến MTTQ" in page and "anh-hoat-dong.pdf" in page
        file = client.get(f"{base}evidence/{evidence.pk}/")
        assert file.status_code == 200 and file["X-Content-Type-Options"] == "nosniff"
        assert file["Content-Disposition"] == 'attachment; filename="anh-hoat-dong.pdf"'
        assert b"".join(file.streaming_content) == PDF
        file = client.get(f"{base}opinions/{opinion.pk}/file/")
        assert file.status_code == 200 and file["Content-Security-Policy"] == "default-src 'none'; sandbox"
    # The grant is what admits the member: without it, not found again.
    remove_perm("appraisal.appraise_assignment", front_chairman, assignment)
    assert client_for(front_chairman).get(base).status_code == 404
    # The registrations' own evidence view stays closed to the seat.
    assert seat.get(f"/o/COMM/registrations/{registration.pk}/evidence/{evidence.pk}/").status_code == 404


def test_a_registration_of_another_campaign_is_not_the_boards(plan, registration, tree, commune_staff):
    board = _board(registration, commune_staff)
    other = campaign(tree.commune, "28-KH/ĐU")
    foreign = complete_registration(other, tree.unit, name="Khác", status=S.ACCEPTED)
    client = client_for(commune_staff)
    assert client.get(f"/o/COMM/appraisal/boards/{board.pk}/dossiers/{foreign.pk}/").status_code == 404
    assert client.get(f"/o/COMM/appraisal/boards/{board.pk}/dossiers/{registration.pk}/").status_code == 200


# --- parallel presses (real PostgreSQL, each thread its own connection) --------------------------

PRESSES = 6


@pytest.mark.django_db(transaction=True)
def test_double_create_makes_one_dossier(registration, secretary):
    same = form(0, **LETTER)
    clients = [client_for(secretary) for _ in range(PRESSES)]
    responses = in_parallel(PRESSES, lambda i: clients[i].post(url(registration), same))
    assert [r.status_code for r in responses] == [302] * PRESSES
    # Different keys (two tabs opened on an empty dossier): one is created, the others are stale.
    forms = [form(0, report_lessons=f"Tab {i}") for i in range(PRESSES)]
    with scopes_disabled():
        RecognitionDossier.objects.all().delete()
    responses = in_parallel(PRESSES, lambda i: clients[i].post(url(registration), forms[i]))
    assert sorted(r.status_code for r in responses) == [302] + [400] * (PRESSES - 1)
    with scopes_disabled():
        assert RecognitionDossier.objects.count() == 1
        assert RecognitionDossier.objects.get().version == 1


@pytest.mark.django_db(transaction=True)
def test_double_submit_makes_one_state_change(registration, secretary, commune_staff):
    save(registration, secretary, **LETTER, report_results="Đạt")
    same = form(1)
    clients = [client_for(secretary) for _ in range(PRESSES)]
    responses = in_parallel(PRESSES, lambda i: clients[i].post(url(registration, rest="submit/"), same))
    assert [r.status_code for r in responses] == [302] * PRESSES
    dossier = stored(registration)
    assert (dossier.status, dossier.version) == ("submitted", 2)
    with scopes_disabled():
        assert dossier.history.filter(status="submitted").count() == 1
    assert Notification.objects.filter(user=commune_staff).count() == 1


@pytest.mark.django_db(transaction=True)
def test_double_return_and_double_opinion_apply_once(registration, secretary, commune_staff):
    save(registration, secretary, **LETTER, report_results="Đạt")
    clients = [client_for(secretary) for _ in range(PRESSES)]
    same = form(body="front", text="Một lần")
    in_parallel(PRESSES, lambda i: clients[i].post(url(registration, rest="opinions/"), same))
    with scopes_disabled():
        assert DossierOpinion.objects.count() == 1
    with scope(org=registration.organization):
        services.dossier_submit(registration, secretary)
    staff = [client_for(commune_staff) for _ in range(PRESSES)]
    back = [form(reason=f"Lý do {i}") for i in range(PRESSES)]  # even with different keys
    responses = in_parallel(PRESSES, lambda i: staff[i].post(url(registration, "COMM", "return/"), back[i]))
    assert sorted(r.status_code for r in responses) == [302] + [400] * (PRESSES - 1)
    assert Notification.objects.filter(user=secretary).count() == 1


@pytest.mark.django_db(transaction=True)
def test_presses_of_save_and_send_and_of_an_opinion_removal_apply_once(registration, secretary, commune_staff):
    clients = [client_for(secretary) for _ in range(PRESSES)]
    save(registration, secretary, **LETTER, report_results="Đạt")
    with scope(org=registration.organization):
        opinion = services.opinion_add(registration, secretary, body="front", text="Bỏ đi")
    gone = form()
    in_parallel(PRESSES, lambda i: clients[i].post(url(registration, rest=f"opinions/{opinion.pk}/delete/"), gone))
    with scopes_disabled():
        assert DossierOpinion.objects.count() == 0
    send = form(1, **LETTER, report_results="Đạt", report_lessons="Gửi một lần", then_submit="1")
    responses = in_parallel(PRESSES, lambda i: clients[i].post(url(registration), send))
    assert [r.status_code for r in responses] == [302] * PRESSES
    dossier = stored(registration)
    assert (dossier.status, dossier.version, dossier.report_lessons) == ("submitted", 3, "Gửi một lần")
    assert Notification.objects.filter(user=commune_staff).count() == 1
