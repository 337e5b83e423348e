"""Staff import a member's exported outbox file (appraisal.outbox_import): the page, what is
applied and recorded, that a write sent by the tablet and by the import is applied once
(each kind, both ways), drafts left unsubmitted, the tablet's order rules, and hostile files
refused whole with nothing changed."""

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from appraisal import outbox_import
from appraisal.models import OutboxImport, Scorecard, ScorePhoto
from dvk.models import IdempotentWrite
from tests.appraisal.outbox_builders import (
    delete_item,
    import_url,
    jpeg_bytes,
    new_key,
    outbox_file,
    photo_item,
    post_import,
    scorecard_item,
)
from tests.appraisal.scoring_api_builders import api_for, body, url
from tests.appraisal.scoring_builders import scoring_world
from tests.conftest import client_for, table_counts


@pytest.fixture
def w(tree, commune_staff):
    return scoring_world(tree, commune_staff)


@pytest.fixture
def staff(commune_staff):
    return client_for(commune_staff)


def _card(assignment):
    with scopes_disabled():
        return Scorecard.objects.filter(assignment=assignment).first()


def _photos(assignment):
    with scopes_disabled():
        return list(ScorePhoto.objects.filter(scorecard__assignment=assignment))


def _record():
    with scopes_disabled():
        return OutboxImport.objects.select_related("member", "imported_by").get()


def _import(staff, w, items, member=None):
    response = post_import(staff, w.board, outbox_file((member or w.member).user, items))
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


# --- the page --------------------------------------------------------------------------------


def test_staff_find_the_import_on_the_board_page_and_members_do_not(w, staff):
    page = staff.get(f"/o/COMM/appraisal/boards/{w.board.pk}/").content.decode()
    assert 'id="board-outbox-import"' in page and "Nhập tệp hộp thư đi của thành viên" in page
    # The deputy sits on the board through a seat: a member, not staff of the board's level.
    seated = client_for(w.deputy.user).get(f"/o/COMM/appraisal/boards/{w.board.pk}/").content.decode()
    assert "board-outbox-import" not in seated
    assert client_for(w.deputy.user).get(import_url(w.board)).status_code == 404
    form = staff.get(import_url(w.board))
    assert form.status_code == 200
    assert 'name="idempotency_key"' in form.content.decode() and 'type="file"' in form.content.decode()


def test_an_imported_file_is_applied_for_the_member_as_drafts_and_recorded(w, staff, commune_staff):
    first, second = w.assignment(w.member, 0), w.assignment(w.member, 1)
    photo = jpeg_bytes()
    items = [
        scorecard_item(first, body(w.criteria, 0.8, comment="Chấm ngoài xóm", submit=True)),
        photo_item(first, photo),
        scorecard_item(second, body(w.criteria, 0.5)),
    ]
    response = _import(staff, w, items)
    record = _record()
    assert response["Location"] == import_url(w.board, f"{record.pk}/")
    assert (record.member, record.imported_by, record.file_name) == (w.member.user, commune_staff, "hop-thu-di.json")
    assert (record.item_count, record.applied_count, record.replayed_count, record.refused_count) == (3, 3, 0, 0)
    assert [r["state"] for r in record.results] == ["applied"] * 3
    card = _card(first)
    # Left a draft although the tablet asked to submit; written by the staffer, for the member.
    assert (card.status, card.version, card.comment, card.updated_by) == ("draft", 1, "Chấm ngoài xóm", commune_staff)
    [stored] = _photos(first)
    assert (stored.size, stored.original_name, stored.added_by) == (len(photo), items[1]["name"], commune_staff)
    assert _card(second).version == 1
    page = staff.get(response["Location"]).content.decode()
    assert "Đã ghi" in page and 'id="outbox-import-drafts"' in page and "thành viên xem lại rồi tự nộp" in page
    assert w.member.user.display_name in page and "Tủ sách Xóm Một" in page
    listing = staff.get(import_url(w.board)).content.decode()
    assert f'id="outbox-import-{record.pk}"' in listing and "3 mục: 3 đã ghi" in listing


def test_the_same_file_imported_again_replays_everything(w, staff):
    a = w.assignment(w.member)
    items = [scorecard_item(a, body(w.criteria)), photo_item(a, jpeg_bytes())]
    content = outbox_file(w.member.user, items)
    assert post_import(staff, w.board, content).status_code == 302
    assert post_import(staff, w.board, content).status_code == 302
    with scopes_disabled():
        second = OutboxImport.objects.order_by("pk").last()
        assert OutboxImport.objects.count() == 2
    assert [r["state"] for r in second.results] == ["replayed", "replayed"]
    assert (_card(a).version, len(_photos(a))) == (1, 1)


def test_a_double_submit_of_the_form_is_one_import(w, staff):
    content = outbox_file(w.member.user, [scorecard_item(w.assignment(w.member), body(w.criteria))])
    form_key = new_key()
    first = post_import(staff, w.board, content, key=form_key)
    again = post_import(staff, w.board, content, key=form_key)
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    with scopes_disabled():
        assert OutboxImport.objects.count() == 1


# --- the tablet's path and the import's: the same write, once ---------------------------------


def _tablet_put(w, item):
    a = item["assignment"]
    return api_for(w.member.user).put(
        url(a, "scorecard/"), item["body"], format="json", HTTP_IDEMPOTENCY_KEY=item["key"]
    )


def _tablet_photo(w, item):
    upload = SimpleUploadedFile(item["name"], base64.b64decode(item["data"]), content_type=item["type"])
    return api_for(w.member.user).post(
        url(item["assignment"], "photos/"), {"file": upload}, HTTP_IDEMPOTENCY_KEY=item["key"]
    )


def _tablet_delete(w, item):
    return api_for(w.member.user).delete(
        url(item["assignment"], f"photos/{item['photo']}/"), HTTP_IDEMPOTENCY_KEY=item["key"]
    )


def _made_photo(w, a):
    with scope(org=w.board.organization):
        from appraisal import scoring_services

        return scoring_services.photo_add(
            assignment=a, uploaded_file=SimpleUploadedFile("truoc.jpg", jpeg_bytes(colour="red")), user=w.member.user
        )


@pytest.mark.parametrize("tablet_first", [True, False], ids=["tablet-then-import", "import-then-tablet"])
def test_a_scorecard_write_is_applied_once_by_either_path(w, staff, tablet_first):
    a = w.assignment(w.member)
    # The tablet asked to submit: its own PUT submits, the import's copy leaves a draft.
    item = scorecard_item(a, body(w.criteria, 0.7, submit=True))
    if tablet_first:
        assert _tablet_put(w, item).status_code == 200
    _import(staff, w, [item])
    later = _tablet_put(w, item) if not tablet_first else None
    [result] = _record().results
    assert result["state"] == ("replayed" if tablet_first else "applied")
    if later is not None:
        assert later.status_code == 200 and later["Idempotent-Replay"] == "true"
        assert later.json()["version"] == 1 and later.json()["status"] == "draft"
    card = _card(a)
    assert card.version == 1
    assert card.status == ("submitted" if tablet_first else "draft")


@pytest.mark.parametrize("tablet_first", [True, False], ids=["tablet-then-import", "import-then-tablet"])
def test_a_photo_is_added_once_by_either_path(w, staff, tablet_first):
    a = w.assignment(w.member)
    item = photo_item(a, jpeg_bytes(size=(64, 48)))
    if tablet_first:
        assert _tablet_photo(w, item).status_code == 201
    _import(staff, w, [item])
    if not tablet_first:
        later = _tablet_photo(w, item)
        assert later.status_code == 201 and later["Idempotent-Replay"] == "true"
        assert later.json()["scorecard_version"] == 1
    assert _record().results[0]["state"] == ("replayed" if tablet_first else "applied")
    assert len(_photos(a)) == 1
    with scopes_disabled():
        assert IdempotentWrite.objects.filter(user=w.member.user, key=item["key"]).count() == 1


@pytest.mark.parametrize("tablet_first", [True, False], ids=["tablet-then-import", "import-then-tablet"])
def test_a_photo_delete_is_applied_once_by_either_path(w, staff, tablet_first):
    a = w.assignment(w.member)
    photo = _made_photo(w, a)
    item = delete_item(a, photo.pk)
    if tablet_first:
        assert _tablet_delete(w, item).status_code == 204
    _import(staff, w, [item])
    if not tablet_first:
        later = _tablet_delete(w, item)
        assert later.status_code == 204 and later["Idempotent-Replay"] == "true"
    assert _record().results[0]["state"] == ("replayed" if tablet_first else "applied")
    assert _photos(a) == []


def test_a_photo_already_gone_without_the_key_is_counted_as_done(w, staff):
    a = w.assignment(w.member)
    photo = _made_photo(w, a)
    with scopes_disabled():
        ScorePhoto.objects.filter(pk=photo.pk).delete()
    _import(staff, w, [delete_item(a, photo.pk), scorecard_item(a, body(w.criteria, version=1))])
    assert [(r["state"], r["code"]) for r in _record().results] == [("replayed", "gone"), ("applied", "")]


# --- the order rules and the refusals of one item ------------------------------------------------


def test_a_stale_card_is_refused_with_its_reason_and_holds_the_later_items_of_its_model(w, staff):
    a, other = w.assignment(w.member, 0), w.assignment(w.member, 1)
    # Another device saved the card after the broken tablet read it.
    assert _tablet_put(w, scorecard_item(a, body(w.criteria, 0.3))).status_code == 200
    items = [
        scorecard_item(a, body(w.criteria, 0.9)),  # based on version 0
        photo_item(a, jpeg_bytes()),
        scorecard_item(other, body(w.criteria, 0.6)),
    ]
    _import(staff, w, items)
    record = _record()
    assert [(r["state"], r["code"]) for r in record.results] == [("refused", "stale"), ("held", ""), ("applied", "")]
    assert "không ghi đè — thành viên chọn trên máy tính bảng" in record.results[0]["detail"]
    assert (_card(a).version, _card(a).total, _photos(a)) == (1, 30, [])
    page = staff.get(import_url(w.board, f"{record.pk}/")).content.decode()
    assert "Bị từ chối" in page and "Chờ" in page and "thành viên chọn trên máy tính bảng" in page


def test_points_out_of_bounds_refuse_that_item_only(w, staff):
    a, other = w.assignment(w.member, 0), w.assignment(w.member, 1)
    bad = body(w.criteria)
    bad["lines"][0]["points"] = 999
    _import(staff, w, [scorecard_item(a, bad), scorecard_item(other, body(w.criteria))])
    record = _record()
    assert [(r["state"], r["code"]) for r in record.results] == [("refused", "invalid"), ("applied", "")]
    assert "phải từ 0 đến 30" in record.results[0]["detail"]
    assert _card(a) is None
    with scopes_disabled():
        # The refused item's claim is rolled back: the tablet may still send it, corrected.
        assert not IdempotentWrite.objects.filter(key=record.results[0]["key"]).exists()


def test_later_writes_of_a_card_are_rebased_as_the_tablet_rebases_them(w, staff):
    a = w.assignment(w.member)
    # A photo made the card (version 1), then two saves both made on top of version 0.
    items = [
        photo_item(a, jpeg_bytes()),
        scorecard_item(a, body(w.criteria, 0.5)),
        scorecard_item(a, body(w.criteria, 0.6, comment="Sửa lần hai")),
    ]
    _import(staff, w, items)
    assert [(r["state"], r["version"]) for r in _record().results] == [("applied", 1), ("applied", 2), ("applied", 3)]
    assert (_card(a).version, _card(a).comment) == (3, "Sửa lần hai")
    # The rebased write's fingerprint is the one the tablet sends after rebasing it.
    rebased = {**items[2], "body": {**items[2]["body"], "version": 2}}
    replay = _tablet_put(w, rebased)
    assert replay.status_code == 200 and replay["Idempotent-Replay"] == "true"


def test_scoring_closed_refuses_every_item_and_says_why(w, staff):
    from django.utils import timezone

    with scopes_disabled():
        w.board.scoring_closed_at = timezone.now()
        w.board.save(update_fields=["scoring_closed_at"])
    _import(staff, w, [scorecard_item(w.assignment(w.member), body(w.criteria))])
    [result] = _record().results
    assert (result["state"], result["code"]) == ("refused", "closed")
    assert "khóa chấm điểm" in result["detail"]


# --- hostile files: refused whole, nothing changed -----------------------------------------------


def _hostile(w, case):
    a = w.assignment(w.member)
    good = scorecard_item(a, body(w.criteria))
    member = w.member.user
    files = {
        "not json": b"<html>no</html>",
        "not an object": json.dumps([good]).encode(),
        "wrong format": outbox_file(member, [good], format="kobo"),
        "wrong version": outbox_file(member, [good], version=2),
        "no items": outbox_file(member, []),
        "too many items": outbox_file(member, [scorecard_item(a, body(w.criteria)) for _ in range(4)]),
        "malformed key": outbox_file(member, [good, scorecard_item(a, body(w.criteria), key="short")]),
        "another member's assignment": outbox_file(member, [scorecard_item(w.assignment(w.head), body(w.criteria))]),
        "another organisation": outbox_file(member, [scorecard_item(a, body(w.criteria), org="SIBL")]),
        "not a member": outbox_file(w.outsider, [good]),
        "broken base64": outbox_file(member, [good, photo_item(a, "!!!không phải base64!!!")]),
        "an html photo": outbox_file(member, [photo_item(a, b"<!doctype html><script>x</script>", name="anh.jpg")]),
        "oversize photo": outbox_file(member, [photo_item(a, b"\xff\xd8\xff" + bytes(2000))]),
        "a bad body": outbox_file(member, [scorecard_item(a, {"lines": "x"})]),
        "a bad photo name": outbox_file(member, [photo_item(a, jpeg_bytes(), name="../../etc/passwd")]),
        "the same key twice": outbox_file(member, [good, good]),
    }
    return files[case]


HOSTILE = {
    "not json": "không phải JSON hợp lệ",
    "not an object": "không phải tệp hộp thư đi",
    "wrong format": "không phải tệp hộp thư đi",
    "wrong version": "chỉ đọc phiên bản 1",
    "no items": "không có mục nào",
    "too many items": "quá 3 mục",
    "malformed key": "Mục 2: mã chống gửi trùng (key) không hợp lệ",
    "another member's assignment": "Mục 1: mô hình của mục này không phải mô hình được phân công",
    "another organisation": "Mục 1: mục này thuộc một tổ chức khác",
    "not a member": "không phải thành viên của đoàn này",
    "broken base64": "Mục 2: nội dung ảnh “anh-20261202-1304-1.jpg” bị hỏng",
    "an html photo": "Mục 1: tệp “anh.jpg” không phải ảnh",
    "oversize photo": "nặng quá 1000 byte",
    "a bad body": "Mục 1: nội dung phiếu chấm không hợp lệ",
    "a bad photo name": "Mục 1: tên ảnh không hợp lệ",
    "the same key twice": "Mục 2 có cùng mã chống gửi trùng với mục 1",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_file_is_refused_whole_with_a_vietnamese_reason(w, staff, settings, monkeypatch, outsider, case):
    w.outsider = outsider
    monkeypatch.setattr(outbox_import, "MAX_ITEMS", 3)
    settings.DVK_SCORE_PHOTO_MAX_BYTES = 1000
    content = _hostile(w, case)
    before = table_counts()
    response = post_import(staff, w.board, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="outbox-import-refused"' in page
    assert HOSTILE[case] in page.replace("&quot;", '"').replace("&#x27;", "'")
    assert table_counts() == before


def test_another_boards_assignment_or_member_is_refused(w, tree, commune_staff, staff):
    other = scoring_world(tree, commune_staff, number="05-KH/ĐU")
    before = table_counts()
    # The board's member, but the item names their assignment on another board.
    content = outbox_file(w.member.user, [scorecard_item(other.assignment(other.head), body(other.criteria))])
    response = post_import(staff, w.board, content)
    assert response.status_code == 400 and "Mục 1: mô hình của mục này" in response.content.decode()
    # The other board's member, who has no seat on this one.
    content = outbox_file(other.member.user, [scorecard_item(other.assignment(other.member), body(other.criteria))])
    response = post_import(staff, w.board, content)
    assert response.status_code == 400 and "không phải thành viên của đoàn này" in response.content.decode()
    assert table_counts() == before


def test_an_oversize_file_is_refused_before_it_is_read(w, staff, settings):
    settings.DVK_OUTBOX_IMPORT_MAX_BYTES = 1000
    content = outbox_file(w.member.user, [photo_item(w.assignment(w.member), jpeg_bytes(size=(60, 60), noisy=True))])
    assert len(content) > 2000
    before = table_counts()
    response = post_import(staff, w.board, content)
    assert response.status_code == 413 and "tối đa 1000 byte" in response.content.decode()
    assert table_counts() == before


def test_the_file_may_be_larger_than_an_evidence_file(w, staff, settings):
    """The view has its own limit (DVK_OUTBOX_IMPORT_MAX_BYTES), not the evidence one."""
    settings.DVK_EVIDENCE_MAX_FILE_BYTES = 1000
    settings.DVK_EVIDENCE_MAX_REGISTRATION_BYTES = 1000
    photo = jpeg_bytes(size=(60, 60), noisy=True)
    assert len(photo) > 3 * 1000
    _import(staff, w, [photo_item(w.assignment(w.member), photo)])
    assert _record().applied_count == 1


# --- the list of earlier imports ----------------------------------------------------------------


def _records(w, commune_staff, n):
    with scopes_disabled():
        OutboxImport.objects.bulk_create(
            OutboxImport(board=w.board, member=w.member.user, imported_by=commune_staff, file_name=f"t{i}.json")
            for i in range(n)
        )


def test_the_import_page_makes_the_same_queries_for_one_or_many_earlier_imports(
    w, staff, commune_staff, django_assert_num_queries
):
    _records(w, commune_staff, 1)
    staff.get(import_url(w.board))
    with CaptureQueriesContext(connection) as one:
        staff.get(import_url(w.board))
    _records(w, commune_staff, 12)
    with django_assert_num_queries(len(one)):
        page = staff.get(import_url(w.board)).content.decode()
    assert page.count('<tr id="outbox-import-') == 13


def test_a_board_member_with_a_read_only_role_at_the_level_is_refused(w, tree):
    """Sees the board (a member, and a role at its level) but is not staff: 403, nothing done."""
    from appraisal.models import BoardMember
    from dvk.enums import Role
    from tests.conftest import persona

    reader = persona("thanh-vien-xa", tree.commune, Role.MEMBER)
    with scopes_disabled():
        BoardMember.objects.create(board=w.board, user=reader, role="member", position_order=5)
    client = client_for(reader)
    assert client.get(f"/o/COMM/appraisal/boards/{w.board.pk}/").status_code == 200
    assert client.get(import_url(w.board)).status_code == 403
    before = table_counts()
    content = outbox_file(w.member.user, [scorecard_item(w.assignment(w.member), body(w.criteria))])
    assert post_import(client, w.board, content).status_code == 403
    assert table_counts() == before
