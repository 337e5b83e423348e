"""Staff apply a member's exported outbox file on the server (issue 13: "nothing lost when a
tablet breaks"). The file's format is docs/OFFLINE.md's "The outbox file".

The file is read and checked whole first (`read_outbox`): its shape, every item's kind, key,
organisation and assignment (the member's, on this board), every photo decoded; anything
wrong refuses the whole file with `OutboxRefused` and nothing is changed. Then
`outbox_import` applies the items in the file's order, each as the tablet's own request would
have been, under the same idempotency claim:

- the claim is the *member's* (`api_once(user=member, key=item's key)`) with the fingerprint
  of the tablet's request (method, path, body or uploaded file, dvk.idempotency.fingerprint):
  a write the broken tablet did send is replayed, not applied again; one it sends later (a
  tablet that was only lost for a while) is replayed from what the import kept; a second
  import of the same file replays everything;
- the write is made by the *staff member* (scoring_services' `user`: the card's
  `updated_by`, a photo's `added_by`, the history's user). scoring_services checks nothing
  of who writes (the caller checked the permission; here `appraisal.change_board`) and the
  board's rules (conflicts, scoring closed, versions) hold as they do for the member. Saying
  the member wrote it would hide that someone else put it on the server; the import's record
  (OutboxImport) says for whom;
- scorecards are left as drafts: `submit` is not applied (the member submits later, having
  seen the card). The fingerprint is still the tablet's request, `submit` included, so the
  tablet's own copy of that write, sent later, is answered with the draft and not applied;
- the tablet's order rules hold: an item refused holds the later items of the same
  assignment (they were made on top of it); a scorecard write that succeeds with version V
  rebases the later ones of its assignment that were based on the version it was based on
  (as outbox.js does before sending them, so their fingerprints are the tablet's), and a photo
  that made the card (version 1) rebases those based on 0;
- nothing is merged: a stale write is refused, and the member chooses on the tablet.

The whole import is one transaction with its record (and, from the page, with the page's own
idempotent claim: a double submit is one import)."""

import base64
import binascii
import hashlib
import json
import re
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from dvk.idempotency import KEY_RE, KeyRefused, api_once, fingerprint
from dvk.offline import user_key
from dvk.uploads import human_size

from .models import Assignment, BoardMember, OutboxImport
from .scoring_services import looks_like_a_photo, photo_too_large_message

FORMAT = "dvk-outbox"
VERSION = 1
KINDS = ("scorecard", "photo", "photo_delete")
# An afternoon's outbox is a few dozen items; a member's whole campaign a few hundred.
MAX_ITEMS = 2000
PHOTO_NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,80}$")
TEXT_MAX = 500  # label, created_at, type: text for people, never long
# The refusal lists this many faults, then how many more.
MESSAGES_SHOWN = 20

APPLIED, REPLAYED, REFUSED, HELD = "applied", "replayed", "refused", "held"


class OutboxRefused(Exception):
    """The whole file refused, nothing changed: `messages` say why, in Vietnamese."""

    def __init__(self, messages):
        super().__init__(" ".join(messages))
        self.messages = list(messages)


@dataclass
class Item:
    """One checked item of the file."""

    n: int  # its place in the file, from 1
    kind: str
    assignment: Assignment
    key: str
    body: dict | None = None  # scorecard
    name: str = ""  # photo
    content: bytes = b""  # photo, decoded
    photo: int | None = None  # photo_delete


@dataclass
class Outbox:
    """A checked file: whose it is and its items, in order."""

    member: BoardMember
    items: list
    exported_at: str
    sha256: str
    file_name: str


@dataclass
class ItemResult:
    n: int
    kind: str
    assignment: int
    label: str
    key: str
    state: str  # APPLIED, REPLAYED, REFUSED, HELD
    code: str = ""
    detail: str = ""
    version: int | None = None
    submit_left: bool = False  # a scorecard the file asked to submit, written as a draft


# --- reading and checking the file -------------------------------------------------------------


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def read_outbox(board, upload):
    """The file `upload` checked whole against `board`: an Outbox, or OutboxRefused."""
    limit = settings.DVK_OUTBOX_IMPORT_MAX_BYTES
    if upload.size > limit:
        raise OutboxRefused([_("Tệp quá lớn: tối đa %(limit)s.") % {"limit": human_size(limit)}])
    digest = hashlib.sha256()
    chunks = []
    for chunk in upload.chunks():
        digest.update(chunk)
        chunks.append(chunk)
    raw = b"".join(chunks)
    not_an_outbox = _("Tệp này không phải tệp hộp thư đi xuất từ máy tính bảng (tệp .json của DVK).")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise OutboxRefused([not_an_outbox + " " + _("Nội dung không phải JSON hợp lệ.")]) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise OutboxRefused([not_an_outbox])
    if not _is_int(data.get("version")) or data["version"] != VERSION:
        raise OutboxRefused(
            [
                _("Tệp hộp thư đi có phiên bản định dạng %(version)s; hệ thống chỉ đọc phiên bản 1.")
                % {"version": str(data.get("version"))[:20]}
            ]
        )
    items = data.get("items")
    if not isinstance(items, list):
        raise OutboxRefused([not_an_outbox + " " + _("Thiếu danh sách các mục (items).")])
    if not items:
        raise OutboxRefused([_("Tệp hộp thư đi không có mục nào: không có gì để nhập.")])
    if len(items) > MAX_ITEMS:
        raise OutboxRefused(
            [_("Tệp có %(n)s mục, quá %(max)s mục cho một lần nhập.") % {"n": len(items), "max": MAX_ITEMS}]
        )
    member = _member_of(board, data.get("user"))
    assignments = {
        a.pk: a
        for a in Assignment.objects.filter(board=board, member=member).select_related(
            "board__campaign", "board__organization", "member__user", "registration__initiative"
        )
    }
    faults, checked, keys = [], [], {}
    for n, raw_item in enumerate(items, start=1):
        try:
            item = _check_item(n, raw_item, board, member, assignments)
        except OutboxRefused as refused:
            faults.extend(refused.messages)
            continue
        if item.key in keys:
            faults.append(
                _("Mục %(n)s có cùng mã chống gửi trùng với mục %(first)s: tệp đã bị sửa hoặc hỏng.")
                % {"n": n, "first": keys[item.key]}
            )
            continue
        keys[item.key] = n
        checked.append(item)
    if faults:
        shown = faults[:MESSAGES_SHOWN]
        if len(faults) > MESSAGES_SHOWN:
            shown.append(_("… và %(n)s lỗi khác.") % {"n": len(faults) - MESSAGES_SHOWN})
        raise OutboxRefused([_("Chưa nhập gì: tệp có chỗ không hợp lệ.")] + shown)
    exported_at = data.get("exported_at") if isinstance(data.get("exported_at"), str) else ""
    return Outbox(
        member=member,
        items=checked,
        exported_at=exported_at[:64],
        sha256=digest.hexdigest(),
        file_name=(getattr(upload, "name", "") or "")[:255],
    )


def _member_of(board, key):
    """The board member whose offline key the file names (dvk.offline.user_key)."""
    if isinstance(key, str) and key:
        for member in BoardMember.objects.filter(board=board).select_related("user"):
            if user_key(member.user) == key:
                return member
    raise OutboxRefused(
        [
            _(
                "Tệp này là hộp thư đi của một người không phải thành viên của đoàn này: "
                "chỉ nhập được tệp của thành viên đoàn, trên trang của đoàn họ chấm."
            )
        ]
    )


def _check_item(n, raw, board, member, assignments):
    def fault(message):
        return OutboxRefused([_("Mục %(n)s: %(message)s") % {"n": n, "message": message}])

    if not isinstance(raw, dict):
        raise fault(_("không phải một mục hộp thư đi."))
    kind = raw.get("kind")
    if kind not in KINDS:
        raise fault(_("loại “%(kind)s” không có (chỉ có phiếu chấm, ảnh, xóa ảnh).") % {"kind": str(kind)[:40]})
    for name in ("label", "created_at"):
        if name in raw and not (isinstance(raw[name], str) and len(raw[name]) <= TEXT_MAX):
            raise fault(_("trường %(name)s không hợp lệ.") % {"name": name})
    key = raw.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise fault(_("mã chống gửi trùng (key) không hợp lệ: 8-100 chữ, số, “-” hoặc “_”."))
    if raw.get("org") != board.organization.code:
        raise fault(_("mục này thuộc một tổ chức khác, không phải đoàn này."))
    pk = raw.get("assignment")
    assignment = assignments.get(pk) if _is_int(pk) else None
    if assignment is None:
        raise fault(
            _("mô hình của mục này không phải mô hình được phân công cho %(name)s trong đoàn này.")
            % {"name": member.user.display_name}
        )
    item = Item(n=n, kind=kind, assignment=assignment, key=key)
    if kind == "scorecard":
        item.body = _check_body(raw.get("body"), fault)
    elif kind == "photo":
        item.name, item.content = _check_photo(raw, fault)
    else:
        photo = raw.get("photo")
        if not _is_int(photo) or photo < 1:
            raise fault(_("thiếu mã ảnh cần xóa."))
        item.photo = photo
    return item


def _check_body(body, fault):
    """The scorecard write as the tablet sends it (ScorecardWriteSerializer's shape); its
    points are checked against the rubric when it is applied (a refusal of that item only)."""
    from .serializers import ScorecardWriteSerializer

    if not isinstance(body, dict):
        raise fault(_("thiếu nội dung phiếu chấm."))
    parsed = ScorecardWriteSerializer(data=body)
    if not parsed.is_valid():
        raise fault(_("nội dung phiếu chấm không hợp lệ (%(fields)s).") % {"fields": ", ".join(sorted(parsed.errors))})
    if not isinstance(body.get("version"), int) or isinstance(body.get("version"), bool):
        raise fault(_("phiếu chấm thiếu phiên bản (version)."))
    return body


def _check_photo(raw, fault):
    name = raw.get("name")
    if not isinstance(name, str) or not PHOTO_NAME_RE.match(name) or name.strip(".") == "":
        raise fault(_("tên ảnh không hợp lệ (chữ không dấu, số, “.”, “-”, “_”; tối đa 80 ký tự)."))
    kind = raw.get("type", "")
    if not isinstance(kind, str) or len(kind) > 100:
        raise fault(_("loại tệp của ảnh không hợp lệ."))
    data = raw.get("data")
    if not isinstance(data, str) or not data:
        raise fault(_("thiếu nội dung ảnh “%(name)s”.") % {"name": name})
    # A base64 string decodes to 3/4 of its length: refuse an oversize photo before decoding it.
    if len(data) // 4 * 3 > settings.DVK_SCORE_PHOTO_MAX_BYTES + 3:
        raise fault(photo_too_large_message(name))
    try:
        content = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise fault(_("nội dung ảnh “%(name)s” bị hỏng (không phải base64).") % {"name": name}) from None
    if not content:
        raise fault(_("ảnh “%(name)s” rỗng.") % {"name": name})
    if len(content) > settings.DVK_SCORE_PHOTO_MAX_BYTES:
        raise fault(photo_too_large_message(name))
    upload = SimpleUploadedFile(name, content)
    if not looks_like_a_photo(upload):
        raise fault(_("tệp “%(name)s” không phải ảnh (JPEG, PNG, GIF, WebP), dù tên tệp là gì.") % {"name": name})
    return name, content


# --- applying it -----------------------------------------------------------------------------


REASONS = {
    "stale": lambda: _(
        "Phiếu đã đổi trên máy chủ sau khi máy tính bảng lưu; không ghi đè — thành viên chọn trên máy tính bảng."
    ),
    "submitted": lambda: _("Phiếu đã nộp và đã khóa trên máy chủ; không ghi đè (Trưởng đoàn mở lại được, kèm lý do)."),
    "key_reused": lambda: _("Mã chống gửi trùng của mục này đã dùng cho một lần ghi khác; không ghi."),
}


@transaction.atomic
def outbox_import(*, board, outbox, user):
    """Applies the checked `outbox` (read_outbox) for its member on `board`, by `user` (staff
    of the board's level: the caller checked `appraisal.change_board`). Returns the
    OutboxImport that records it."""
    from .api import ScoringView

    answers = ScoringView.answering(board.organization, user)
    member_user = outbox.member.user
    org_code = board.organization.code
    results = []
    blocked = set()  # assignments with an item not done: their later items wait
    pending = list(outbox.items)
    for index, item in enumerate(pending):
        a = item.assignment
        result = ItemResult(
            n=item.n,
            kind=item.kind,
            assignment=a.pk,
            label=a.registration.name,
            key=item.key,
            state=HELD,
        )
        results.append(result)
        if a.pk in blocked:
            result.detail = _("Chờ mục trước của cùng mô hình (mục đó chưa ghi được); không ghi.")
            continue
        request_digest, perform = _request(item, answers, org_code)
        try:
            response = api_once(user=member_user, key=item.key, request_digest=request_digest, perform=perform)
        except KeyRefused as refused:
            result.state, result.code, result.detail = REFUSED, refused.code, REASONS["key_reused"]()
            blocked.add(a.pk)
            continue
        except Http404:
            if item.kind != "photo_delete":
                raise
            # The tablet treats it so too: the photo is gone, which is what was asked.
            result.state, result.code = REPLAYED, "gone"
            result.detail = _("Ảnh đã không còn trên phiếu (đã xóa trước đó).")
            continue
        if response.status_code >= 300:
            body = response.data or {}
            code = body.get("code", "") if isinstance(body, dict) else ""
            result.state, result.code = REFUSED, code
            result.detail = REASONS[code]() if code in REASONS else str(body.get("detail", ""))[:2000]
            blocked.add(a.pk)
            continue
        result.state = REPLAYED if response.get("Idempotent-Replay") == "true" else APPLIED
        # A card this import wrote as a draft although the tablet had asked to submit it.
        result.submit_left = result.state == APPLIED and item.kind == "scorecard" and item.body.get("submit") is True
        _rebase(item, response.data, pending[index + 1 :], result)
    counts = {state: sum(1 for r in results if r.state == state) for state in (APPLIED, REPLAYED, REFUSED, HELD)}
    return OutboxImport.objects.create(
        board=board,
        member=member_user,
        imported_by=user,
        file_name=outbox.file_name,
        sha256=outbox.sha256,
        exported_at=outbox.exported_at,
        item_count=len(results),
        applied_count=counts[APPLIED],
        replayed_count=counts[REPLAYED],
        refused_count=counts[REFUSED],
        held_count=counts[HELD],
        results=[asdict(r) for r in results],
    )


def _request(item, answers, org_code):
    """The fingerprint of the tablet's own request for `item`, and the write it asks for."""
    a = item.assignment
    if item.kind == "scorecard":
        path = reverse("api:appraisal_scorecard", kwargs={"org_code": org_code, "pk": a.pk})
        draft = {**item.body, "submit": False}
        return fingerprint("PUT", path, item.body), lambda: answers.save_scorecard(a, draft)
    if item.kind == "photo":
        path = reverse("api:appraisal_photos", kwargs={"org_code": org_code, "pk": a.pk})
        # The multipart POST holds only `file`: the blob under its name (the name Django's
        # parser keeps for it is the same: names are plain, PHOTO_NAME_RE).
        upload = SimpleUploadedFile(item.name, item.content)
        digest = fingerprint("POST", path, {}, [("file", upload)])
        return digest, lambda: answers.add_photo(a, {"file": SimpleUploadedFile(item.name, item.content)})
    path = reverse("api:appraisal_photo", kwargs={"org_code": org_code, "pk": a.pk, "photo_id": item.photo})
    return fingerprint("DELETE", path, {}), lambda: answers.remove_photo(a, item.photo)


def _rebase(item, answer, later, result):
    """outbox.js's rebasing, on the items still to apply (docs/OFFLINE.md, "Outbox items")."""
    if not isinstance(answer, dict):
        return
    if item.kind == "scorecard":
        based, now = item.body.get("version"), answer.get("version")
        result.version = now
    elif item.kind == "photo" and answer.get("scorecard_version") == 1:
        based, now = 0, 1
        result.version = now
    else:
        return
    if not _is_int(now) or now == based:
        return
    for other in later:
        if other.kind == "scorecard" and other.assignment.pk == item.assignment.pk and other.body["version"] == based:
            other.body = {**other.body, "version": now}
