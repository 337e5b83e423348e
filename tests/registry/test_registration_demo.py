"""The demo registrations (models_registry/demo.py): Diễn Châu's 2026 history and live 2027
plan hold every state of a registration, filled forms, raised targets for continued models,
reports on the models that ran and evidence files readable through storage."""

import datetime
from collections import Counter
from io import BytesIO, StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image

from campaigns.enums import COUNTED_STATUSES, RegistrationStatus, SubjectType
from campaigns.models import Campaign
from models_registry.enums import EvidenceKind, ReportKind
from models_registry.models import Evidence, Registration
from models_registry.validation import submission_errors

S = RegistrationStatus


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="class")
def demo_built(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, built once for the read-only tests of a class inside a transaction that is
    rolled back after them (each test's own transaction nests in it), files in a temporary
    media root."""
    media_root = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media_root), django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed()
            yield media_root
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def seeded(demo_built, db):
    with override_settings(MEDIA_ROOT=demo_built), scopes_disabled():
        yield demo_built


def dien_chau(number):
    return (
        Registration.objects.filter(campaign__organization__code="NA-DIENCHAU", campaign__number=number)
        .select_related("initiative", "organization", "campaign", "continues__campaign")
        .prefetch_related("targets", "reports__entries", "continues__targets", "campaign__fields")
    )


def files_in(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


class TestTheBuiltDemo:
    """Read-only checks of one build (seeding takes seconds: once for all of them)."""

    def test_every_state_and_both_subject_types_in_dien_chau(self, seeded):
        history, live = list(dien_chau("08-KH/ĐU")), list(dien_chau("27-KH/ĐU"))
        assert {r.status for r in history + live} == set(S.values)
        assert {S.RETURNED, S.REJECTED, S.WITHDRAWN, S.COMPLETED, S.IN_PROGRESS} <= {r.status for r in history}
        assert {S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.REJECTED} <= {r.status for r in live}
        for rows in (history, live):
            assert {r.subject_type for r in rows} == {SubjectType.COLLECTIVE, SubjectType.INDIVIDUAL}
        assert 35 <= len(history) <= 45 and 15 <= len(live) <= 20
        assert len({r.organization_id for r in history + live}) >= 30
        names = {r.name for r in history + live}
        assert {
            "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa",
            "Chính quyền thân thiện, vì Nhân dân phục vụ",
        } <= names
        assert any(name.startswith("Một giúp một") for name in names)
        assert any(name.startswith("Dân vận khéo trong chuyển đổi số") for name in names)

    def test_forms_are_complete_except_the_drafts_and_reviews_are_explained(self, seeded):
        rows = list(dien_chau("08-KH/ĐU")) + list(dien_chau("27-KH/ĐU"))
        for r in rows:
            errors = submission_errors(r, list(r.targets.all()))
            if r.status == S.DRAFT:
                continue
            assert errors == {}, (r.name, r.status, errors)
            assert r.contact_phone and r.purposes and r.solutions and r.review_dates, r.name
            if r.subject_type == SubjectType.INDIVIDUAL:
                assert r.person_name and r.person_phone
        for r in rows:
            if r.status in (S.RETURNED, S.REJECTED):
                assert len(r.review_comment) > 40 and r.reviewed_by is not None, r.name
            if r.is_late:
                assert r.late_reason and r.submitted_at.date() > datetime.date(2026, 3, 5), r.name
        assert sum(r.is_late for r in rows) >= 2

    def test_demo_chibos_half_filled_draft_keeps_xom_5_behind(self, seeded):
        [draft] = dien_chau("27-KH/ĐU").filter(organization__code="NA-DIENCHAU-CB-XOM05")
        assert (draft.status, draft.created_by.username) == (S.DRAFT, "demo-chibo")
        assert draft.location and draft.responsible_person and draft.targets.exists()
        errors = submission_errors(draft, list(draft.targets.all()))
        assert {"authority", "schedule", "responsibility"} <= set(errors)
        assert draft.version > 1  # saved a few times, as autosave does
        assert (
            not dien_chau("27-KH/ĐU")
            .filter(organization__code="NA-DIENCHAU-CB-XOM05", status__in=COUNTED_STATUSES)
            .exists()
        )

    def test_live_registrations_fit_the_live_deadlines(self, seeded):
        today = timezone.localdate()
        due = today + datetime.timedelta(days=5)
        for r in dien_chau("27-KH/ĐU"):
            assert not r.is_late
            assert r.campaign.period_start <= r.starts_on <= r.completes_on <= r.campaign.period_end
            assert r.starts_on > due
            if r.status != S.DRAFT:
                assert timezone.localtime(r.submitted_at).date() < due
            if r.reviewed_at:
                assert r.submitted_at < r.reviewed_at <= timezone.now()

    def test_continued_models_promise_more_than_last_year(self, seeded):
        continued = [r for r in dien_chau("27-KH/ĐU") if r.continues_id]
        assert len(continued) >= 8
        for r in continued:
            earlier = r.continues
            assert (earlier.campaign.number, earlier.initiative_id) == ("08-KH/ĐU", r.initiative_id)
            before = {(t.indicator, t.unit): t.value for t in earlier.targets.all()}
            now = {(t.indicator, t.unit): t.value for t in r.targets.all()}
            assert now and set(now) <= set(before), r.name
            assert all(value > before[key] for key, value in now.items()), r.name

    def test_models_that_ran_have_their_reports(self, seeded):
        for r in dien_chau("08-KH/ĐU"):
            kinds = Counter(report.kind for report in r.reports.all())
            if r.status == S.COMPLETED:
                assert kinds == {ReportKind.PROGRESS: 1, ReportKind.RESULT: 1}, r.name
                result = next(report for report in r.reports.all() if report.kind == ReportKind.RESULT)
                assert result.reported_on <= datetime.date(2026, 9, 10)
            elif r.status == S.IN_PROGRESS:
                assert kinds == {ReportKind.PROGRESS: 1}, r.name
            else:
                assert not kinds, r.name
            for report in r.reports.all():
                assert {e.target_id for e in report.entries.all()} == {t.pk for t in r.targets.all()}
                assert r.starts_on <= report.reported_on
        # Every demo campaign: a completed model has its result report, nothing else has one.
        completed = Registration.objects.filter(status=S.COMPLETED)
        assert completed.count() > 60
        assert not completed.exclude(reports__kind=ReportKind.RESULT).exists()
        assert not Registration.objects.exclude(status=S.COMPLETED).filter(reports__kind=ReportKind.RESULT).exists()
        running = Registration.objects.filter(status=S.IN_PROGRESS)
        assert running.exists() and not running.exclude(reports__kind=ReportKind.PROGRESS).exists()

    def test_evidence_files_are_stored_and_readable(self, seeded):
        evidence = list(
            Evidence.objects.filter(registration__campaign__organization__code="NA-DIENCHAU").select_related("report")
        )
        assert len(evidence) >= 4
        assert {e.kind for e in evidence} == {EvidenceKind.IMAGE, EvidenceKind.PDF}
        for e in evidence:
            assert e.report.kind == ReportKind.RESULT and e.report.registration_id == e.registration_id
            assert e.caption and e.original_name.endswith((".png", ".pdf"))
            with e.file.open("rb") as f:
                content = f.read()
            assert len(content) == e.size
            if e.kind == EvidenceKind.PDF:
                assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
            else:
                assert Image.open(BytesIO(content)).size == (480, 320)
                with e.thumbnail.open("rb") as thumb:
                    assert Image.open(thumb).format == "JPEG"
        chibo = [e for e in evidence if e.registration.organization.code == "NA-DIENCHAU-CB-XOM05"]
        assert [e.uploaded_by.username for e in chibo] == ["demo-chibo"]
        assert all(path.startswith("evidence/") for path in files_in(seeded))


def all_counts():
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_a_second_run_creates_nothing(media):
    seed()
    counts, files = all_counts(), files_in(media)

    output = seed()

    assert all_counts() == counts
    assert files_in(media) == files
    assert "Đăng ký mô hình: 0 tạo mới" in output and "Minh chứng: 0 tạo mới, 5 đã có." in output
    assert "Báo cáo: 0 tạo mới" in output and "Kết quả cần đạt: 0 tạo mới" in output


@pytest.mark.django_db
def test_reset_takes_the_files_along(media, django_capture_on_commit_callbacks):
    seed()
    before = files_in(media)
    assert len(before) == 8  # five files, three photo thumbnails

    with django_capture_on_commit_callbacks(execute=True):
        seed("--reset")

    after = files_in(media)
    assert len(after) == 8 and not set(before) & set(after)
    with scopes_disabled():
        assert Campaign.objects.filter(organization__code="NA-DIENCHAU").count() == 2
