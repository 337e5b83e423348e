"""The scoring API (appraisal/api.py): a member's own assignments and scorecards, writes that
are applied once, refusals that change nothing, the batch, photos and the change feed."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from appraisal import assignment_services
from appraisal.changes import record_change
from appraisal.models import AssignmentChange, Conflict, Scorecard
from tests.appraisal.scoring_api_builders import BASE, api_for, assign_more, body, furnish, jpeg_upload, url
from tests.appraisal.scoring_builders import scoring_world
from tests.conftest import table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree, commune_staff):
    w = scoring_world(tree, commune_staff)
    w.evidence = furnish(w.registrations[0], evidence=2, members=[w.member])
    return w


def _put(client, assignment, data, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.put(url(assignment, "scorecard/"), data, format="json", **headers)


def _cards():
    with scopes_disabled():
        return Scorecard.objects.count()


# --- reads ------------------------------------------------------------------------------------


def test_the_member_lists_their_own_assignments_with_what_they_read(w):
    response = api_for(w.member.user).get(f"{BASE}assignments/")
    assert response.status_code == 200
    data = response.json()
    assert data["counts"] == {"total": 2, "submitted": 0, "draft": 0, "todo": 2, "conflicted": 0, "closed": 0}
    first, second = data["results"]
    # The one with a visit comes first.
    assert first["id"] == w.assignment(w.member).pk and second["visit"] is None
    assert first["visit"]["time"] == "08:30" and first["visit"]["place"] == "Nhà văn hóa xóm"
    assert first["registration"]["name"] == "Tủ sách Xóm Một"
    assert first["registration"]["organization"] == {"code": "UNIT", "name": "Chi bộ Xóm 1"}
    assert first["registration"]["targets"][0]["indicator"] == "Số tiền quyên góp"
    assert first["registration"]["plan"]["content"].startswith("Mỗi ngày tiết kiệm")
    assert first["board"]["campaign"]["number"] == "01-KH/ĐU" and first["board"]["scoring_closed"] is False
    assert (first["state"], first["may_score"], first["scorecard"], first["conflicts"]) == ("todo", True, None, [])
    assert first["dossier"]["status"] == "submitted" and first["dossier"]["report_results"] == "Kết quả tốt"
    assert [r["summary"] for r in first["reports"]] == ["Đã làm được nhiều việc"]
    pdf, image = first["evidence"]
    assert pdf["thumbnail_url"] is None and image["thumbnail_url"].endswith(f"/evidence/{image['id']}/thumbnail/")
    client = api_for(w.member.user)
    download = client.get(pdf["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["Content-Disposition"].startswith("attachment")
    assert client.get(image["thumbnail_url"]).status_code == 200
    # A photo opens on the tablet (inline, sandboxed), a document downloads.
    shown = client.get(image["url"])
    assert shown["Content-Disposition"] == "inline" and "sandbox" in shown["Content-Security-Policy"]
    # ?board= narrows; another board's id gives nothing.
    assert len(client.get(f"{BASE}assignments/?board={w.board.pk}").json()["results"]) == 2
    assert client.get(f"{BASE}assignments/?board={w.board.pk + 1000}").json()["results"] == []
    assert client.get(f"{BASE}assignments/?board=abc").status_code == 400


def test_a_member_sees_only_their_own_assignments_even_on_the_same_board(w):
    client = api_for(w.member.user)
    ids = {a["id"] for a in client.get(f"{BASE}assignments/").json()["results"]}
    assert ids == {w.assignment(w.member, 0).pk, w.assignment(w.member, 1).pk}
    other = w.assignment(w.head)
    before = table_counts()
    for response in (
        client.get(url(other)),
        client.get(url(other, "scorecard/")),
        _put(client, other, body(w.criteria), key="k-other-0001"),
        client.post(url(other, "scorecard/submit/"), {"version": 0}, format="json"),
        client.get(url(other, f"evidence/{w.evidence[0].pk}/file/")),
        client.post(url(other, "conflict/"), {"reason": "Khai thay"}, format="json"),
    ):
        assert response.status_code == 404
    assert table_counts() == before


def test_evidence_of_another_registration_is_not_found_under_an_assignment(w):
    client = api_for(w.member.user)
    assert client.get(url(w.assignment(w.member, 1), f"evidence/{w.evidence[0].pk}/file/")).status_code == 404


def test_the_assignments_list_makes_the_same_number_of_queries_at_two_sizes(w, tree, django_assert_num_queries):
    client = api_for(w.member.user)
    client.get(f"{BASE}assignments/")  # the user's seats are read once per request object
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(f"{BASE}assignments/").json()["results"]) == 2
    assign_more(w, tree.unit, 6, [w.member, w.head])
    with scopes_disabled():
        Conflict.objects.create(
            board=w.board, member=w.member, registration=w.registrations[1], kind="declared", reason="Người nhà"
        )
    with django_assert_num_queries(len(small)):
        data = client.get(f"{BASE}assignments/").json()
    assert data["counts"]["total"] == 8 and data["counts"]["conflicted"] == 1
    assert sum(len(a["evidence"]) for a in data["results"]) == 2 + 6 * 3


def test_the_scorecard_reads_version_zero_before_the_first_write(w):
    data = api_for(w.member.user).get(url(w.assignment(w.member), "scorecard/")).json()
    assert (data["version"], data["status"], data["lines"], data["may_score"], data["why_not"]) == (
        0,
        None,
        [],
        True,
        "",
    )
    assert [c["max_points"] for c in data["criteria"]] == [30, 20, 20, 15, 15]


# --- writes and their refusals ------------------------------------------------------------------


def test_a_draft_is_saved_then_submitted(w):
    client = api_for(w.member.user)
    a = w.assignment(w.member)
    response = _put(client, a, body(w.criteria, comment="Làm tốt"), key="k-save-0001")
    assert response.status_code == 200
    data = response.json()
    assert (data["version"], data["status"], data["total"], data["comment"]) == (1, "draft", "80.00", "Làm tốt")
    assert data["lines"][0] == {"criterion": w.criteria[0].pk, "points": "24.00", "comment": ""}
    submitted = client.post(url(a, "scorecard/submit/"), {"version": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-sub-01")
    assert submitted.status_code == 200
    assert (submitted.json()["status"], submitted.json()["may_score"]) == ("submitted", False)
    item = client.get(url(a)).json()
    assert item["state"] == "submitted" and item["scorecard"]["status"] == "submitted"


@pytest.mark.parametrize("points", [31, -1, "abc"])
def test_points_out_of_bounds_answer_400_naming_the_criterion_and_change_nothing(w, points):
    lines = [{"criterion": w.criteria[0].pk, "points": points, "comment": ""}]
    before = table_counts()
    response = _put(api_for(w.member.user), w.assignment(w.member), {"version": 0, "lines": lines}, key="k-bad-0001")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid" and "Hiệu quả" in data["detail"]
    assert list(data["fields"]) == [str(w.criteria[0].pk)]
    assert table_counts() == before


def test_a_malformed_body_answers_400_in_the_same_shape(w):
    before = table_counts()
    response = _put(api_for(w.member.user), w.assignment(w.member), {"lines": "x"}, key="k-bad-0002")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and set(response.json()["fields"]) == {"version", "lines"}
    assert table_counts() == before


def test_a_conflicted_member_is_refused_with_403_and_the_reason(w):
    with scopes_disabled():
        Conflict.objects.create(
            board=w.board, member=w.member, registration=w.registrations[0], kind="declared", reason="Là người nhà"
        )
    before = table_counts()
    response = _put(api_for(w.member.user), w.assignment(w.member), body(w.criteria), key="k-conf-0001")
    assert response.status_code == 403
    assert response.json()["code"] == "conflicted" and "Là người nhà" in response.json()["detail"]
    assert table_counts() == before
    card = api_for(w.member.user).get(url(w.assignment(w.member), "scorecard/")).json()
    assert card["may_score"] is False and "Là người nhà" in card["why_not"]


def test_a_write_to_a_submitted_scorecard_answers_409_with_the_servers_copy(w):
    client = api_for(w.member.user)
    a = w.assignment(w.member)
    assert _put(client, a, body(w.criteria, submit=True), key="k-sub-0001").status_code == 200
    before = table_counts()
    response = _put(client, a, body(w.criteria, 0.5, version=2), key="k-sub-0002")
    assert response.status_code == 409
    assert response.json()["code"] == "submitted" and response.json()["current"]["status"] == "submitted"
    assert table_counts() == before


def test_a_stale_version_answers_409_with_the_servers_copy_and_keep_mine_is_a_new_write(w):
    client = api_for(w.member.user)
    a = w.assignment(w.member)
    assert _put(client, a, body(w.criteria, comment="Máy một"), key="k-tab-0001").status_code == 200
    before = table_counts()
    response = _put(client, a, body(w.criteria, 0.5, comment="Máy hai"), key="k-tab-0002")
    assert response.status_code == 409
    current = response.json()["current"]
    assert response.json()["code"] == "stale"
    assert (current["version"], current["comment"], current["total"]) == (1, "Máy một", "80.00")
    assert table_counts() == before
    kept = _put(client, a, body(w.criteria, 0.5, version=1, comment="Máy hai"), key="k-tab-0003")
    assert kept.status_code == 200 and kept.json()["total"] == "50.00"


def test_a_replay_answers_the_first_result_and_changes_nothing(w):
    client = api_for(w.member.user)
    a = w.assignment(w.member)
    first = _put(client, a, body(w.criteria), key="k-replay-01")
    before = table_counts()
    again = _put(client, a, body(w.criteria), key="k-replay-01")
    assert again.status_code == 200 and again["Idempotent-Replay"] == "true"
    assert again.json() == first.json()
    assert table_counts() == before


def test_the_same_key_with_another_payload_answers_409_and_changes_nothing(w):
    client = api_for(w.member.user)
    a = w.assignment(w.member)
    _put(client, a, body(w.criteria), key="k-other-01")
    before = table_counts()
    response = _put(client, a, body(w.criteria, 0.5, version=1), key="k-other-01")
    assert response.status_code == 409 and response.json()["code"] == "key_reused"
    assert table_counts() == before


def test_the_head_reopens_a_submitted_card_without_reading_its_scores(w):
    a = w.assignment(w.member)
    _put(api_for(w.member.user), a, body(w.criteria, submit=True), key="k-sub-0003")
    member_try = api_for(w.member.user).post(url(a, "scorecard/reopen/"), {"reason": "Tự mở"}, format="json")
    assert member_try.status_code == 403
    deputy_try = api_for(w.deputy.user).post(url(a, "scorecard/reopen/"), {"reason": "Mở"}, format="json")
    assert deputy_try.status_code == 404
    response = api_for(w.head.user).post(url(a, "scorecard/reopen/"), {"reason": "Chấm lại tiêu chí 2"}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["reopen_reason"], data["lines"], data["total"]) == (
        "draft",
        "Chấm lại tiêu chí 2",
        [],
        None,
    )
    again = api_for(w.head.user).post(url(a, "scorecard/reopen/"), {"reason": "Lần nữa"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "not_submitted"


# --- photos -----------------------------------------------------------------------------------


def test_a_photo_is_added_served_and_deleted(w):
    client = api_for(w.member.user)
    a = w.assignment(w.member)
    response = client.post(
        url(a, "photos/"),
        {"file": jpeg_upload(), "caption": "Cổng"},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="k-ph-001",
    )
    assert response.status_code == 201
    photo = response.json()["photo"]
    assert response.json()["scorecard_version"] == 1 and photo["caption"] == "Cổng"
    assert client.get(photo["url"]).status_code == 200
    assert client.get(photo["thumbnail_url"])["Content-Type"] == "image/jpeg"
    assert [p["id"] for p in client.get(url(a, "scorecard/")).json()["photos"]] == [photo["id"]]
    # The head cannot read it: it is the member's.
    assert api_for(w.head.user).get(photo["url"]).status_code == 404
    assert client.delete(url(a, f"photos/{photo['id']}/"), HTTP_IDEMPOTENCY_KEY="k-ph-del1").status_code == 204
    assert client.get(url(a, "scorecard/")).json()["photos"] == []


def test_a_photo_over_the_limit_answers_413_and_changes_nothing(w, settings):
    settings.DVK_SCORE_PHOTO_MAX_BYTES = 100
    before = table_counts()
    response = api_for(w.member.user).post(url(w.assignment(w.member), "photos/"), {"file": jpeg_upload()})
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert table_counts() == before


def test_a_file_that_is_not_an_image_by_content_answers_400_and_changes_nothing(w):
    fake = SimpleUploadedFile("anh.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    before = table_counts()
    response = api_for(w.member.user).post(url(w.assignment(w.member), "photos/"), {"file": fake})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "photo" in response.json()["fields"]
    assert table_counts() == before


# --- the batch --------------------------------------------------------------------------------


def _item(key, assignment, criteria, fraction=0.8, **extra):
    return {"key": key, "assignment": assignment.pk, **body(criteria, fraction), **extra}


def test_a_batch_applies_the_good_items_and_reports_the_bad_one(w):
    client = api_for(w.member.user)
    items = [
        _item("b-good-0001", w.assignment(w.member, 0), w.criteria),
        _item("b-bad-00001", w.assignment(w.member, 1), w.criteria, 2),  # 60 of 30
        _item("b-other-001", w.assignment(w.head, 1), w.criteria),  # the head's: not found
    ]
    response = client.post(f"{BASE}batch/", {"items": items}, format="json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == [200, 400, 404]
    assert results[0]["body"]["version"] == 1 and "Hiệu quả" in results[1]["body"]["detail"]
    assert _cards() == 1
    # Replayed: the good one answers its first result, nothing is written again.
    before = table_counts()
    again = client.post(f"{BASE}batch/", {"items": items}, format="json").json()["results"]
    assert [(r["status"], r["replayed"]) for r in again] == [(200, True), (400, False), (404, False)]
    assert again[0]["body"] == results[0]["body"]
    assert table_counts() == before


def test_a_batch_item_and_a_put_under_one_key_are_one_write(w):
    client = api_for(w.member.user)
    a = w.assignment(w.member)
    put = _put(client, a, body(w.criteria), key="k-both-0001")
    before = table_counts()
    results = client.post(f"{BASE}batch/", {"items": [_item("k-both-0001", a, w.criteria)]}, format="json")
    assert results.json()["results"][0] == {
        "key": "k-both-0001",
        "assignment": a.pk,
        "status": 200,
        "replayed": True,
        "body": put.json(),
    }
    assert table_counts() == before


def test_a_batch_refuses_a_bad_key_per_item_and_an_empty_or_oversized_batch(w):
    client = api_for(w.member.user)
    results = client.post(
        f"{BASE}batch/", {"items": [_item("x", w.assignment(w.member), w.criteria), {"assignment": 1}]}, format="json"
    ).json()["results"]
    assert [r["status"] for r in results] == [400, 400]
    assert client.post(f"{BASE}batch/", {"items": []}, format="json").status_code == 400
    many = [_item(f"k-many-{i:04}", w.assignment(w.member), w.criteria) for i in range(101)]
    assert client.post(f"{BASE}batch/", {"items": many}, format="json").status_code == 400
    assert _cards() == 0


# --- conflicts and the change feed ------------------------------------------------------------------


def test_the_member_declares_a_conflict(w):
    client = api_for(w.member.user)
    a = w.assignment(w.member)
    response = client.post(
        url(a, "conflict/"), {"reason": "Con tôi ở xóm"}, format="json", HTTP_IDEMPOTENCY_KEY="k-c-0001"
    )
    assert response.status_code == 201
    assert response.json()["state"] == "conflicted" and response.json()["may_score"] is False
    before = table_counts()
    again = client.post(url(a, "conflict/"), {"reason": "Lần nữa"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "conflicted"
    empty = client.post(url(w.assignment(w.member, 1), "conflict/"), {"reason": " "}, format="json")
    assert empty.status_code == 400 and "reason" in empty.json()["fields"]
    assert table_counts() == before


def _feed(client, since=None):
    suffix = f"?since={since}" if since is not None else ""
    return client.get(f"{BASE}changes/{suffix}").json()


def test_the_feed_tells_the_member_what_changed_since_their_cursor(w, tree, commune_staff):
    client = api_for(w.member.user)
    start = _feed(client)
    assert start == {"cursor": 0, "more": False, "changes": []}
    extra = assign_more(w, tree.unit, 0, [])  # nothing: the feed stays empty
    assert extra == [] and _feed(client)["changes"] == []
    from tests.appraisal.assignment_builders import accepted

    new = accepted(w.plan, tree.unit, "Mô hình mới")
    with scope(org=tree.commune):
        assignment_services.assign(board=w.board, registration_ids=[new.pk], member_ids=[w.member.pk, w.head.pk])
    first = _feed(client)
    assert [(c["kind"], c["registration"]) for c in first["changes"]] == [("assigned", new.pk)]
    assert first["changes"][0]["assignment"] is not None
    cursor = first["cursor"]
    a = w.assignment(w.member)
    _put(client, a, body(w.criteria, submit=True), key="k-feed-001")
    with scope(org=tree.commune):
        from appraisal import scoring_services

        scoring_services.scorecard_reopen(assignment=a, reason="Xem lại", user=commune_staff)
        assignment_services.recusal_record(assignment=w.assignment(w.member, 1), user=commune_staff, reason="Họ hàng")
        assignment_services.unassign(board=w.board, registration_ids=[new.pk], member_ids=[w.member.pk])
        record_change(board=w.board, kind="scoring_closed")  # board-wide (the head closed scoring)
        record_change(board=w.board, kind="reopened", user=commune_staff, registration=a.registration)  # the head's
    later = _feed(client, cursor)
    assert [(c["kind"], c["registration"]) for c in later["changes"]] == [
        ("reopened", a.registration_id),
        ("conflict", w.registrations[1].pk),
        ("unassigned", new.pk),
        ("scoring_closed", None),
    ]
    assert later["changes"][0]["assignment"] == a.pk and later["changes"][2]["assignment"] is None
    assert "Họ hàng" in later["changes"][1]["detail"]
    assert _feed(client, later["cursor"]) == {"cursor": later["cursor"], "more": False, "changes": []}
    assert client.get(f"{BASE}changes/?since=-1").status_code == 400


def test_the_feed_is_cut_at_its_limit_with_more(w, monkeypatch):
    from appraisal import scoring_selectors

    monkeypatch.setattr(scoring_selectors, "FEED_LIMIT", 2)
    with scopes_disabled():
        for _ in range(3):
            AssignmentChange.objects.create(board=w.board, user=w.member.user, kind="assigned")
    client = api_for(w.member.user)
    first = _feed(client)
    assert len(first["changes"]) == 2 and first["more"] is True
    rest = _feed(client, first["cursor"])
    assert len(rest["changes"]) == 1 and rest["more"] is False


def test_a_closed_board_shows_closed_and_refuses_writes(w):
    with scopes_disabled():
        type(w.board).objects.all_tenants().filter(pk=w.board.pk).update(
            scoring_closed_at=datetime.datetime.now(datetime.UTC)
        )
    client = api_for(w.member.user)
    item = client.get(url(w.assignment(w.member))).json()
    assert item["state"] == "closed" and item["board"]["scoring_closed"] is True
    before = table_counts()
    response = _put(client, w.assignment(w.member), body(w.criteria), key="k-closed-01")
    assert response.status_code == 409 and response.json()["code"] == "closed"
    assert table_counts() == before


def test_points_given_as_text_with_a_comma_are_read(w):
    lines = [{"criterion": w.criteria[0].pk, "points": "7,5"}]
    response = _put(api_for(w.member.user), w.assignment(w.member), {"version": 0, "lines": lines})
    assert response.status_code == 200 and Decimal(response.json()["total"]) == Decimal("7.5")


def test_the_fast_list_items_are_exactly_what_the_schema_serializer_gives(w, tree):
    """The list's items are built by plain functions for speed: the same output as
    AssignmentSerializer, whatever the item holds (a card, a conflict, a dossier not yet sent)."""
    import json

    from appraisal.api import Links
    from appraisal.models import RecognitionDossier
    from appraisal.scoring_selectors import member_assignments
    from appraisal.serializers import AssignmentSerializer, assignment_item

    _put(api_for(w.member.user), w.assignment(w.member), body(w.criteria))
    with scopes_disabled():
        Conflict.objects.create(
            board=w.board, member=w.member, registration=w.registrations[1], kind="declared", reason="Người nhà"
        )
        RecognitionDossier.objects.create(registration=w.registrations[1], status="draft", report_results="Nháp")
    with scope(org=tree.commune):
        rows = member_assignments(w.member.user, tree.commune)
    links = Links("COMM")
    for a in rows:
        fast = json.loads(json.dumps(assignment_item(a, links)))
        assert fast == json.loads(json.dumps(AssignmentSerializer(a, context={"links": links}).data))
    assert {a.state for a in rows} == {"draft", "conflicted"}
