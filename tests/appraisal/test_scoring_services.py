"""Scorecard writes (appraisal.scoring_services): bounds, versions, submit and reopen, photos."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled
from PIL import Image

from appraisal import scoring_services as scoring
from appraisal.models import AssignmentChange, Conflict, Scorecard
from appraisal.scoring_services import LineInput, ScoringRefused
from appraisal.services import rubric_locked, rubric_save
from tests.appraisal.scoring_builders import full_lines, scoring_world
from tests.conftest import table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree, commune_staff):
    return scoring_world(tree, commune_staff)


def _save(w, member, lines, version, **extra):
    with scope(org=w.board.organization):
        return scoring.scorecard_save(
            assignment=w.assignment(member), lines=lines, expected_version=version, user=member.user, **extra
        )


def _jpeg(size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, "JPEG")
    return SimpleUploadedFile("anh.jpg", out.getvalue(), content_type="image/jpeg")


def test_a_draft_is_saved_with_its_total_and_version(w):
    card = _save(w, w.member, full_lines(w.criteria), 0, comment="Tốt")
    assert (card.version, card.status, card.total) == (1, "draft", Decimal("80"))
    card = _save(w, w.member, [LineInput(w.criteria[0].pk, "7,5")], 1)
    assert (card.version, card.total) == (2, Decimal("7.5"))
    with scopes_disabled():
        assert [line.points for line in card.lines.all() if line.points is not None] == [Decimal("7.5")]


@pytest.mark.parametrize("points", ["31", "-1", "abc", "NaN", "1.005"])
def test_points_out_of_bounds_are_refused_naming_the_criterion_and_change_nothing(w, points):
    before = table_counts()
    with pytest.raises(ScoringRefused) as refused:
        _save(w, w.member, [LineInput(w.criteria[0].pk, points)], 0)
    assert refused.value.code == "invalid" and refused.value.status == 400
    assert "Hiệu quả" in refused.value.messages[0]
    assert str(w.criteria[0].pk) in refused.value.fields
    assert table_counts() == before


def test_a_stale_version_is_refused_with_the_servers_copy(w):
    _save(w, w.member, full_lines(w.criteria), 0)
    with pytest.raises(ScoringRefused) as refused:
        _save(w, w.member, full_lines(w.criteria, 0.5), 0)
    assert refused.value.code == "stale" and refused.value.current.total == Decimal("80")
    # "Keep mine": a new write based on the server's version.
    assert _save(w, w.member, full_lines(w.criteria, 0.5), 1).total == Decimal("50")


def test_submit_needs_every_required_criterion_then_locks(w):
    with pytest.raises(ScoringRefused) as refused:
        _save(w, w.member, full_lines(w.criteria)[:2], 0, submit=True)
    assert refused.value.code == "invalid" and "Chưa nộp được" in refused.value.messages[0]
    with scopes_disabled():
        assert not Scorecard.objects.exists()  # the save went with the refused submit
    card = _save(w, w.member, full_lines(w.criteria), 0, submit=True)
    assert card.status == "submitted"
    with pytest.raises(ScoringRefused) as refused:
        _save(w, w.member, full_lines(w.criteria), card.version)
    assert refused.value.code == "submitted"


def test_a_conflicted_member_is_refused_with_the_reason(w):
    with scopes_disabled():
        Conflict.objects.create(
            board=w.board, member=w.member, registration=w.registrations[0], kind="declared", reason="Người nhà"
        )
    with pytest.raises(ScoringRefused) as refused:
        _save(w, w.member, full_lines(w.criteria), 0)
    assert refused.value.code == "conflicted" and "Người nhà" in refused.value.messages[0]


def test_the_head_reopens_with_a_reason_and_the_member_is_told(w):
    card = _save(w, w.member, full_lines(w.criteria), 0, submit=True)
    with scope(org=w.board.organization):
        with pytest.raises(ScoringRefused):
            scoring.scorecard_reopen(assignment=w.assignment(w.member), reason=" ", user=w.head.user)
        card = scoring.scorecard_reopen(
            assignment=w.assignment(w.member), reason="Chấm lại tiêu chí 2", user=w.head.user
        )
    assert (card.status, card.reopen_reason) == ("draft", "Chấm lại tiêu chí 2")
    with scopes_disabled():
        change = AssignmentChange.objects.get()
        assert (change.kind, change.user, change.registration) == ("reopened", w.member.user, w.registrations[0])
        assert card.history.count() >= 3


def test_scoring_locks_the_rubric(w):
    with scope(org=w.board.organization):
        rubric = w.criteria[0].rubric
        assert not rubric_locked(rubric)
        _save(w, w.member, full_lines(w.criteria), 0)
        assert rubric_locked(rubric)
        with pytest.raises(Exception, match="đã khóa"):
            rubric_save(campaign=w.plan, criteria=[{"name": "A", "max_points": 100}], threshold=50, bands=[])


def test_a_photo_is_stored_with_a_thumbnail_and_a_non_image_is_refused(w):
    with scope(org=w.board.organization):
        photo = scoring.photo_add(assignment=w.assignment(w.member), uploaded_file=_jpeg(), user=w.member.user)
        assert photo.content_type == "image/jpeg" and photo.thumbnail.name.endswith(".jpg")
        before = table_counts()
        fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
        with pytest.raises(ScoringRefused) as refused:
            scoring.photo_add(assignment=w.assignment(w.member), uploaded_file=fake, user=w.member.user)
        assert refused.value.status == 400
        pdf = SimpleUploadedFile("anh.jpg", b"%PDF-1.4\n%%EOF\n", content_type="image/jpeg")
        with pytest.raises(ScoringRefused, match="không phải ảnh"):
            scoring.photo_add(assignment=w.assignment(w.member), uploaded_file=pdf, user=w.member.user)
        assert table_counts() == before


def test_a_photo_over_the_limit_is_413(w, settings):
    settings.DVK_SCORE_PHOTO_MAX_BYTES = 100
    before = table_counts()
    with scope(org=w.board.organization), pytest.raises(ScoringRefused) as refused:
        scoring.photo_add(assignment=w.assignment(w.member), uploaded_file=_jpeg((400, 400)), user=w.member.user)
    assert refused.value.status == 413 and table_counts() == before
