"""Progress and result reports: the workflow they drive, the report page, the partial the
registration page shows, and its fixed query count."""

import datetime
import io
import threading
import time
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled
from PIL import Image

from campaigns.enums import RegistrationStatus as S
from dvk.models import Membership
from models_registry import reports
from models_registry.models import Evidence, ProgressReport, Registration, RegistrationTarget, ReportEntry
from models_registry.report_views import reports_context
from tests.campaigns.builders import campaign
from tests.conftest import client_for, make_user, table_counts
from tests.registry.builders import complete_registration, report

JUNE = datetime.date(2026, 6, 30)


def png(size=(8, 6)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()


PNG_1PX = png((1, 1))


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


def stored_files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def target_of(registration):
    with scopes_disabled():
        return registration.targets.order_by("pk").first()


def fresh(registration):
    with scopes_disabled():
        return Registration.objects.get(pk=registration.pk)


def send(registration, user, kind="progress", achieved="6000000", **extra):
    with scope(org=registration.organization):
        return reports.report_create(
            registration=registration,
            user=user,
            kind=kind,
            reported_on=JUNE,
            summary="Đã vận động được 40 hộ tham gia",
            entries=[{"target": target_of(registration), "achieved": Decimal(achieved), "note": ""}],
            **extra,
        )


def report_url(registration, kind="progress", org="UNIT"):
    return f"/o/{org}/registrations/{registration.pk}/reports/new/?kind={kind}"


# --- the service --------------------------------------------------------------------------


def test_first_progress_report_moves_accepted_to_in_progress(registration, secretary):
    version = registration.version
    made = send(registration, secretary)
    current = fresh(registration)
    assert current.status == S.IN_PROGRESS
    assert current.version == version + 1
    with scopes_disabled():
        assert [(e.target_id, e.achieved) for e in made.entries.all()] == [
            (target_of(registration).pk, Decimal("6000000.00"))
        ]
        assert made.organization_id == registration.organization_id
        assert made.created_by == secretary
        assert list(current.history.values_list("status", flat=True)[:1]) == [S.IN_PROGRESS]


def test_a_second_progress_report_changes_neither_status_nor_version(registration, secretary):
    send(registration, secretary)
    version = fresh(registration).version
    send(registration, secretary, achieved="9000000")
    assert (fresh(registration).status, fresh(registration).version) == (S.IN_PROGRESS, version)


def test_result_report_completes_the_registration_and_closes_reporting(registration, secretary):
    send(registration, secretary)
    send(registration, secretary, kind="result", achieved="12500000")
    assert fresh(registration).status == S.COMPLETED
    with pytest.raises(ValidationError) as refused:
        send(registration, secretary, kind="progress")
    assert refused.value.messages == ["Mô hình đã có báo cáo kết quả và đã hoàn thành; không thêm báo cáo được nữa."]
    with scopes_disabled():
        assert ProgressReport.objects.filter(registration=registration).count() == 2


def test_a_result_report_straight_after_acceptance_completes_it(registration, secretary):
    version = registration.version
    send(registration, secretary, kind="result")
    current = fresh(registration)
    assert (current.status, current.version) == (S.COMPLETED, version + 1)


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.RETURNED, S.WITHDRAWN, S.REJECTED])
def test_no_report_before_acceptance_or_after_refusal(plan, tree, secretary, status):
    registration = complete_registration(plan, tree.unit, status=status)
    before = table_counts()
    with pytest.raises(ValidationError) as refused:
        send(registration, secretary)
    assert "Chỉ báo cáo được khi đăng ký đã được duyệt" in refused.value.messages[0]
    assert table_counts() == before
    assert fresh(registration).status == status


def test_an_entry_against_another_registrations_target_is_refused(registration, plan, tree, secretary):
    other = complete_registration(plan, tree.unit, name="Dân vận khéo trong xây dựng nông thôn mới", status=S.ACCEPTED)
    before = table_counts()
    with scope(org=tree.unit), pytest.raises(ValidationError) as refused:
        reports.report_create(
            registration=registration,
            user=secretary,
            kind="progress",
            reported_on=JUNE,
            entries=[{"target": target_of(other), "achieved": Decimal("1"), "note": ""}],
        )
    assert refused.value.messages == ["Số liệu báo cáo phải theo đúng các kết quả cần đạt của đăng ký này."]
    assert table_counts() == before
    assert fresh(registration).status == S.ACCEPTED


def test_a_negative_figure_and_a_future_date_are_refused(registration, secretary):
    with pytest.raises(ValidationError) as negative:
        send(registration, secretary, achieved="-1")
    assert negative.value.messages == ["Số liệu “Số tiền quyên góp” không được âm."]
    with scope(org=registration.organization), pytest.raises(ValidationError) as future:
        reports.report_create(
            registration=registration,
            user=secretary,
            kind="progress",
            reported_on=datetime.date.today() + datetime.timedelta(days=2),
        )
    assert future.value.message_dict == {"reported_on": ["Ngày báo cáo không được sau hôm nay."]}
    with scopes_disabled():
        assert not ProgressReport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_result_reports_at_once_complete_the_registration_once(registration, secretary, monkeypatch):
    """Both read "in progress" if nothing locks the row; the lock makes the second wait and
    then see "completed"."""
    send(registration, secretary)
    slow = reports._clean_entries

    def clean_slowly(current, entries):
        time.sleep(0.3)
        return slow(current, entries)

    monkeypatch.setattr(reports, "_clean_entries", clean_slowly)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(achieved):
        try:
            barrier.wait()
            send(registration, secretary, kind="result", achieved=achieved)
            outcomes.append("completed")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    phones = [threading.Thread(target=submit, args=(a,)) for a in ("12000000", "12500000")]
    for phone in phones:
        phone.start()
    for phone in phones:
        phone.join()
    assert sorted(outcomes) == [
        "Mô hình đã có báo cáo kết quả và đã hoàn thành; không thêm báo cáo được nữa.",
        "completed",
    ]
    current = fresh(registration)
    assert current.status == S.COMPLETED
    with scopes_disabled():
        assert ProgressReport.objects.filter(registration=registration, kind="result").count() == 1
        assert current.history.filter(status=S.COMPLETED).count() == 1


# --- the report page ----------------------------------------------------------------------


def test_report_page_shows_each_target_with_its_latest_figure(registration, secretary):
    send(registration, secretary, achieved="4000000")
    with scopes_disabled():
        later = report(registration, reported_on=datetime.date(2026, 7, 31))
        ReportEntry.objects.create(report=later, target=target_of(registration), achieved=Decimal("7500000"))
    response = client_for(secretary).get(report_url(registration))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Số tiền quyên góp" in html
    assert "12.000.000 đồng" in html  # the target
    assert "7.500.000 đồng</strong> (31/07/2026)" in html  # the latest figure, not the first
    assert 'name="achieved_' in html and 'inputmode="decimal"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "style=" not in html and "<script>" not in html


def test_report_page_writes_the_report_its_figures_and_files(registration, secretary, media):
    target = target_of(registration)
    response = client_for(secretary).post(
        report_url(registration),
        {
            "reported_on": "30/06/2026",
            "summary": "Đã quyên góp đợt 1",
            f"achieved_{target.pk}": "6.000.000",
            f"note_{target.pk}": "Đợt 1",
            "files": [SimpleUploadedFile("anh-hop-xom.png", PNG_1PX, content_type="image/png")],
            "caption": "Họp xóm",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/o/UNIT/registrations/{registration.pk}/#reports"
    with scopes_disabled():
        made = ProgressReport.objects.get(registration=registration)
        assert (made.kind, made.reported_on, made.summary) == ("progress", JUNE, "Đã quyên góp đợt 1")
        assert [(e.achieved, e.note) for e in made.entries.all()] == [(Decimal("6000000.00"), "Đợt 1")]
        evidence = Evidence.objects.get()
        assert (evidence.report, evidence.kind, evidence.caption) == (made, "image", "Họp xóm")
    assert fresh(registration).status == S.IN_PROGRESS
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Đã gửi báo cáo tiến độ."]


def test_result_page_needs_every_target_and_completes(registration, secretary):
    target = target_of(registration)
    client = client_for(secretary)
    missing = client.post(report_url(registration, "result"), {"reported_on": "30/06/2026"})
    assert missing.status_code == 400
    assert "Báo cáo kết quả là báo cáo cuối cùng" in missing.content.decode()
    assert fresh(registration).status == S.ACCEPTED
    done = client.post(
        report_url(registration, "result"), {"reported_on": "30/06/2026", f"achieved_{target.pk}": "12.500.000"}
    )
    assert done.status_code == 302
    assert fresh(registration).status == S.COMPLETED
    again = client.get(report_url(registration))
    assert again.status_code == 302
    assert [str(m) for m in get_messages(again.wsgi_request)][-1] == (
        "Mô hình đã hoàn thành; không thêm báo cáo được nữa."
    )


def test_report_with_a_refused_file_writes_nothing(registration, secretary, media):
    target = target_of(registration)
    client = client_for(secretary)
    before = table_counts()
    response = client.post(
        report_url(registration),
        {
            "reported_on": "30/06/2026",
            f"achieved_{target.pk}": "6000000",
            "files": [
                SimpleUploadedFile("anh.png", PNG_1PX, content_type="image/png"),
                SimpleUploadedFile("anh2.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg"),
            ],
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Không nhận tệp “anh2.jpg”" in html
    assert "hãy chọn lại tệp minh chứng" in html
    assert table_counts() == before
    assert fresh(registration).status == S.ACCEPTED
    assert stored_files(media) == []


def test_a_bad_figure_is_refused_on_the_page(registration, secretary):
    target = target_of(registration)
    response = client_for(secretary).post(
        report_url(registration), {"reported_on": "31/02/2026", f"achieved_{target.pk}": "sáu triệu"}
    )
    html = response.content.decode()
    assert "Ngày không hợp lệ" in html
    assert "Hãy nhập một con số, ví dụ 12.000.000 hoặc 6,5." in html
    with scopes_disabled():
        assert not ProgressReport.objects.exists()


def test_commune_staff_may_report_for_the_unit(registration, commune_staff):
    target = target_of(registration)
    response = client_for(commune_staff).post(
        report_url(registration, org="COMM"), {"reported_on": "30/06/2026", f"achieved_{target.pk}": "1000"}
    )
    assert response.status_code == 302
    assert fresh(registration).status == S.IN_PROGRESS


def test_a_read_only_member_may_not_report(registration, tree):
    member = make_user("thanh-vien")
    Membership.objects.create(user=member, organization=tree.commune, role="member")
    response = client_for(member).get(report_url(registration, org="COMM"))
    assert response.status_code == 403


def test_another_unit_of_the_same_commune_does_not_find_it(registration, tree):
    mttq = make_user("bi-thu-mttq")
    Membership.objects.create(user=mttq, organization=tree.mttq, role="secretary")
    client = client_for(mttq)
    assert client.get(report_url(registration, org="MTTQ")).status_code == 404
    assert client.get(report_url(registration, org="UNIT")).status_code == 404


# --- the partial on the registration page -----------------------------------------------


def _render_partial(user, org, registration):
    request = RequestFactory().get("/")
    request.user = user
    request.organization = org
    with scope(org=org):
        context = reports_context(request, fresh(registration))
        return render_to_string("models_registry/_reports.html", context, request=request)


def test_partial_offers_reports_and_uploads_only_while_the_model_runs(registration, secretary, tree):
    html = _render_partial(secretary, tree.unit, registration)
    assert 'id="add-progress-report"' in html and 'id="add-result-report"' in html
    assert 'id="evidence-upload"' in html
    assert "Chưa có báo cáo nào." in html
    send(registration, secretary, kind="result", achieved="12000000")
    html = _render_partial(secretary, tree.unit, registration)
    assert 'id="add-progress-report"' not in html
    assert 'id="evidence-upload"' in html  # more proof for the appraisal board
    assert "12.000.000</strong> / 12.000.000 đồng (100%)" in html
    assert "style=" not in html and "<script>" not in html


def test_partial_offers_nothing_to_a_read_only_member(registration, tree):
    member = make_user("thanh-vien")
    Membership.objects.create(user=member, organization=tree.commune, role="member")
    html = _render_partial(member, tree.commune, registration)
    assert "add-progress-report" not in html and "evidence-upload" not in html


def _grow(registration, user, n):
    """n more reports, each with an entry and two files (one with a thumbnail)."""
    from django.core.files.base import ContentFile

    with scopes_disabled():
        target = target_of(registration)
        extra, _new = RegistrationTarget.objects.get_or_create(
            registration=registration, indicator="Số hộ tham gia", defaults={"value": Decimal("40"), "unit": "hộ"}
        )
        for i in range(n):
            made = report(registration, reported_on=JUNE - datetime.timedelta(days=i), created_by=user)
            ReportEntry.objects.create(report=made, target=target, achieved=Decimal(1000 * i))
            ReportEntry.objects.create(report=made, target=extra, achieved=Decimal(i))
            for name in ("a.pdf", "b.png"):
                Evidence.objects.create(
                    organization=registration.organization,
                    registration=registration,
                    report=made,
                    kind="pdf",
                    content_type="application/pdf",
                    original_name=name,
                    size=10,
                    uploaded_by=user,
                    file=ContentFile(b"%PDF-1.4\n", name=name),
                    thumbnail=ContentFile(b"jpeg", name="t.jpg") if name == "b.png" else "",
                )


def test_partial_queries_do_not_grow_with_reports_entries_and_files(registration, secretary, tree, media):
    _grow(registration, secretary, 1)
    _render_partial(secretary, tree.unit, registration)  # warm per-process caches
    with CaptureQueriesContext(connection) as small:
        html = _render_partial(secretary, tree.unit, registration)
    assert html.count('class="list-group-item') == 2
    _grow(registration, secretary, 4)
    with CaptureQueriesContext(connection) as large:
        html = _render_partial(secretary, tree.unit, registration)
    assert html.count('class="list-group-item') == 10
    assert html.count('<article class="card') == 5
    assert len(large.captured_queries) == len(small.captured_queries)


def test_report_page_queries_do_not_grow_with_reports(registration, secretary, media, django_assert_num_queries):
    client = client_for(secretary)
    _grow(registration, secretary, 1)
    client.get(report_url(registration))
    with CaptureQueriesContext(connection) as small:
        client.get(report_url(registration))
    _grow(registration, secretary, 5)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(report_url(registration))
    assert response.status_code == 200


def test_registration_page_queries_do_not_grow_with_reports(registration, secretary, media):
    """The page the secretary actually sees: the registration with this partial in it."""
    client = client_for(secretary)
    url = f"/o/UNIT/registrations/{registration.pk}/"
    _grow(registration, secretary, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow(registration, secretary, 5)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('<article class="card') == 6
    assert len(large.captured_queries) == len(small.captured_queries)
