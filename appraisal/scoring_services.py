"""Writes of scorecards: save a draft, submit, reopen (the head), photos. The page and the API
call these and nothing else, so both have the same semantics.

Every write to a scorecard names the version it was based on (`expected_version`, 0 for a
card not yet made). The assignment's row is locked first, so two tabs or two devices writing
the same card run one after the other; the second finds a newer version and is refused with
`ScoringRefused(code="stale")`, carrying the server's copy. Nothing is ever merged: "keep
mine" is a new write based on the server's version.

Refusals are `ScoringRefused`, whose `code` maps to one HTTP status (REFUSAL_STATUS) for the
API and the pages alike; each changes nothing."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from dvk.uploads import human_size
from models_registry import evidence as files
from models_registry.enums import EvidenceKind

from . import services
from .changes import record_change
from .conflicts import conflicts_for, conflicts_of
from .enums import APPRAISABLE_CAMPAIGN_STATUSES, DEFAULT_THRESHOLD, ChangeKind, ScorecardStatus
from .models import Assignment, Criterion, Rubric, Scorecard, ScoreLine, ScorePhoto
from .selectors import default_bands, default_criteria

REASON_MAX = 2000
COMMENT_MAX = 5000
# Points are kept to two decimals (half and quarter points are common on paper forms).
POINTS_PLACES = Decimal("0.01")

# What each refusal answers, the same on every entry point.
REFUSAL_STATUS = {
    "invalid": 400,
    "conflicted": 403,
    "closed": 409,
    "submitted": 409,
    "not_submitted": 409,
    "stale": 409,
    "too_large": 413,
}


class ScoringRefused(ValidationError):
    """A scoring write refused, with nothing changed. `code` is a key of REFUSAL_STATUS;
    `current` is the server's scorecard (or None) for "stale" and "submitted"; `fields` maps
    a criterion id (or "comment", "photo", "reason") to its messages for "invalid"."""

    def __init__(self, message, *, code, current=None, fields=None):
        super().__init__(message, code=code)
        self.code, self.current, self.fields = code, current, fields or {}

    @property
    def status(self):
        return REFUSAL_STATUS[self.code]


@dataclass(frozen=True)
class LineInput:
    """One criterion's part of a write: points (None: not scored yet) and a comment."""

    criterion_id: int
    points: object = None
    comment: str = ""


# --- the checks every write makes -------------------------------------------------------------


def _locked_assignment(assignment):
    """The assignment's row, locked (the one lock every write to its scorecard takes), with its
    board and campaign read fresh under the lock. Its member and registration never change on
    a row, so those the caller already loaded are kept (a batch of writes reads them once)."""
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("board__campaign", "board__organization")
        .get(pk=assignment.pk)
    )
    for relation in ("member", "registration"):
        field = Assignment._meta.get_field(relation)
        if field.is_cached(assignment):
            field.set_cached_value(locked, getattr(assignment, relation))
    return locked


def _check_may_score(assignment, reasons=None):
    """Refuses a conflicted member (403, with the reason) and a closed board or campaign (409).
    `reasons`: the assignment's conflicts, when read under the lock already (a batch)."""
    if reasons is None:
        reasons = conflicts_of(assignment)
    if reasons:
        raise ScoringRefused(
            _("Bạn có xung đột lợi ích với mô hình này nên không chấm điểm: %(why)s.")
            % {"why": "; ".join(f"{r.label} ({r.text.rstrip('.')})" for r in reasons)},
            code="conflicted",
        )
    board = assignment.board
    if board.scoring_closed_at is not None:
        raise ScoringRefused(_("Trưởng đoàn đã khóa chấm điểm: không sửa, nộp phiếu được nữa."), code="closed")
    if board.campaign.status not in APPRAISABLE_CAMPAIGN_STATUSES:
        raise ScoringRefused(
            _("Kế hoạch %(number)s đang ở trạng thái “%(status)s”: không chấm điểm được.")
            % {"number": board.campaign.number, "status": board.campaign.get_status_display()},
            code="closed",
        )


def _current_card(assignment):
    return Scorecard.objects.select_for_update(of=("self",)).filter(assignment=assignment).first()


def _check_version(card, expected_version):
    current = card.version if card is not None else 0
    if expected_version is None:
        raise ScoringRefused(
            _("Hãy gửi kèm phiên bản (version) của phiếu chấm đã đọc, để không ghi đè bản mới hơn."),
            code="invalid",
            fields={"version": [_("Bắt buộc.")]},
        )
    if int(expected_version) != current:
        raise ScoringRefused(
            _(
                "Phiếu chấm đã được lưu ở nơi khác (thiết bị hoặc thẻ khác) sau khi bạn mở. "
                "Hãy xem bản trên máy chủ rồi chọn giữ bản nào; không có gì được ghi đè."
            ),
            code="stale",
            current=card,
        )


def _check_draft(card):
    if card is not None and card.status == ScorecardStatus.SUBMITTED:
        raise ScoringRefused(
            _("Phiếu chấm đã nộp và đã khóa; chỉ Trưởng đoàn mở lại được (kèm lý do)."),
            code="submitted",
            current=card,
        )


def rubric_criteria(campaign):
    """The campaign's stored criteria, storing the default rubric first when the campaign has
    none (criteria need ids before anyone scores them). Two queries once stored."""
    rubric = Rubric.objects.filter(campaign=campaign).first()
    if rubric is None:
        criteria = [
            {"name": str(c.name), "max_points": c.max_points, "required": c.required} for c in default_criteria()
        ]
        rubric = services.rubric_save(
            campaign=campaign,
            criteria=criteria,
            threshold=DEFAULT_THRESHOLD,
            bands=[{"name": str(b["name"]), "min": b["min"]} for b in default_bands()],
        )
    return list(Criterion.objects.filter(rubric=rubric))


def _points(value):
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return "nan"
    if not number.is_finite():
        return "nan"
    return number


def _clean_lines(criteria, lines):
    """{criterion id: (points or None, comment)} for every criterion of the rubric (absent ones
    unscored), or ScoringRefused("invalid") naming each criterion at fault."""
    by_id = {c.pk: c for c in criteria}
    errors, given = {}, {}
    for line in lines:
        criterion = by_id.get(line.criterion_id)
        if criterion is None:
            errors.setdefault(str(line.criterion_id), []).append(
                _("Tiêu chí mã %(id)s không thuộc bộ tiêu chí của kế hoạch này.") % {"id": line.criterion_id}
            )
            continue
        if criterion.pk in given:
            errors.setdefault(str(criterion.pk), []).append(
                _("Tiêu chí “%(name)s” được gửi hai lần.") % {"name": criterion.name}
            )
            continue
        points = _points(line.points)
        bounds = {"name": criterion.name, "max": criterion.max_points}
        if points == "nan":
            errors.setdefault(str(criterion.pk), []).append(
                _("Điểm của tiêu chí “%(name)s” phải là một số từ 0 đến %(max)s.") % bounds
            )
            continue
        if points is not None and (points < 0 or points > criterion.max_points):
            errors.setdefault(str(criterion.pk), []).append(
                _("Điểm của tiêu chí “%(name)s” phải từ 0 đến %(max)s (đã nhập %(points)s).")
                % {**bounds, "points": _shown(points)}
            )
            continue
        if points is not None and points != points.quantize(POINTS_PLACES):
            errors.setdefault(str(criterion.pk), []).append(
                _("Điểm của tiêu chí “%(name)s” chỉ lấy tối đa hai chữ số thập phân.") % bounds
            )
            continue
        comment = (line.comment or "").strip()
        if len(comment) > COMMENT_MAX:
            errors.setdefault(str(criterion.pk), []).append(
                _("Nhận xét tiêu chí “%(name)s” dài quá %(max)s ký tự.") % {"name": criterion.name, "max": COMMENT_MAX}
            )
            continue
        given[criterion.pk] = (points, comment)
    if errors:
        raise ScoringRefused(_invalid_message(errors), code="invalid", fields=errors)
    return {c.pk: given.get(c.pk, (None, "")) for c in criteria}


def _invalid_message(errors):
    return " ".join(message for messages in errors.values() for message in messages)


def _shown(points):
    """Points as a person reads them: 7.5 → "7,5", 30 → "30"."""
    text = format(points.normalize(), "f") if isinstance(points, Decimal) else str(points)
    text = text.replace(".", ",")
    return text if len(text) <= 12 else f"{text[:12]}…"  # "1e400" is not echoed in full


# --- a batch: what its writes check, read once ---------------------------------------------------


@dataclass
class Loaded:
    """What a write to one assignment's scorecard checks, read under its lock by
    `lock_for_writes` for a whole batch. A write that succeeds leaves it current (the same
    assignment twice in a batch); one that fails marks it unusable, so the next write to that
    assignment reads everything again."""

    assignment: Assignment
    conflicts: list
    card: Scorecard | None
    lines: dict  # {criterion id: ScoreLine}
    photos: list
    usable: bool = True


def lock_for_writes(assignments):
    """Locks `assignments` (rows already read in scope) in id order, so two batches sharing
    assignments queue instead of deadlocking, and reads what their writes check: {assignment
    id: Loaded}. A fixed number of queries however many: locks, conflicts (two per board),
    cards, lines, photos. Must run inside the batch's transaction."""
    by_pk = {a.pk: a for a in assignments}
    if not by_pk:
        return {}
    locked = list(
        Assignment.objects.select_for_update(of=("self",))
        .select_related("board__campaign", "board__organization")
        .filter(pk__in=by_pk)
        .order_by("pk")
    )
    for row in locked:
        for relation in ("member", "registration"):
            field = Assignment._meta.get_field(relation)
            if field.is_cached(by_pk[row.pk]):
                field.set_cached_value(row, getattr(by_pk[row.pk], relation))
    reasons = {}
    boards = {}
    for row in locked:
        boards.setdefault(row.board_id, (row.board, []))[1].append(row)
    for board, rows in boards.values():
        found = conflicts_for(board, [(a.member, a.registration) for a in rows])
        for a in rows:
            reasons[a.pk] = found.get((a.member_id, a.registration_id), [])
    cards = {
        c.assignment_id: c
        for c in Scorecard.objects.select_for_update(of=("self",)).filter(assignment__in=[a.pk for a in locked])
    }
    lines, photos = {}, {}
    for line in ScoreLine.objects.filter(scorecard__in=list(cards.values())):
        lines.setdefault(line.scorecard_id, {})[line.criterion_id] = line
    for photo in ScorePhoto.objects.filter(scorecard__in=list(cards.values())).order_by("added_at", "pk"):
        photos.setdefault(photo.scorecard_id, []).append(photo)
    return {
        a.pk: Loaded(
            assignment=a,
            conflicts=reasons[a.pk],
            card=cards.get(a.pk),
            lines=lines.get(cards[a.pk].pk, {}) if a.pk in cards else {},
            photos=photos.get(cards[a.pk].pk, []) if a.pk in cards else [],
        )
        for a in locked
    }


# --- writes -----------------------------------------------------------------------------------


@transaction.atomic
def scorecard_save(*, assignment, lines, comment="", expected_version, user, submit=False, criteria=None, loaded=None):
    """Saves the member's draft scorecard of `assignment` as a whole (`lines`: LineInput for
    the criteria scored; a criterion left out is unscored), based on `expected_version`; with
    `submit`, submits it in the same transaction. Returns the Scorecard.

    The caller has checked that `user` may score the assignment (`appraisal.score_assignment`);
    this re-checks what can change under a lock: conflicts, the board closing, the card's
    state and version. `criteria`: the campaign's (rubric_criteria), when the caller has them
    already (a batch writes many cards of one campaign); `loaded`: what `lock_for_writes`
    read under the lock for this assignment (a batch), else it is read here."""
    if loaded is not None and loaded.usable:
        loaded.usable = False  # until this write succeeds
        assignment, card = loaded.assignment, loaded.card
        _check_may_score(assignment, loaded.conflicts)
        existing = loaded.lines
    else:
        loaded = None
        assignment = _locked_assignment(assignment)
        _check_may_score(assignment)
        card = _current_card(assignment)
        existing = None
    _check_draft(card)
    _check_version(card, expected_version)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ScoringRefused(
            _("Nhận xét chung dài quá %(max)s ký tự.") % {"max": COMMENT_MAX},
            code="invalid",
            fields={"comment": [_("Dài quá %(max)s ký tự.") % {"max": COMMENT_MAX}]},
        )
    if criteria is None:
        criteria = rubric_criteria(assignment.board.campaign)
    cleaned = _clean_lines(criteria, lines)
    new = card is None
    if new:
        card = Scorecard(assignment=assignment, version=0)
    card.comment = comment
    card.total = sum((points for points, _c in cleaned.values() if points is not None), Decimal(0))
    card.version += 1
    card.updated_by = user
    card.save()
    saved_lines = _save_lines(card, cleaned, criteria, user, new=new, existing=existing)
    if submit:
        _submit(card, criteria, cleaned, user)
    # The lines as stored, in the rubric's order: the answer needs no query to show them.
    card.saved_lines = sorted(saved_lines.values(), key=lambda line: (line.criterion.position, line.criterion_id))
    if loaded is not None:
        loaded.card, loaded.lines, loaded.usable = card, saved_lines, True
    return card


def _save_lines(card, cleaned, criteria, user, *, new, existing=None):
    """The card's lines as `cleaned` says, in bulk (at most five queries, history included,
    whatever the number of criteria): a batch writes many cards. `existing`: the card's lines
    by criterion id, when read already. Returns the lines now stored, by criterion id."""
    if existing is None:
        existing = {} if new else {line.criterion_id: line for line in ScoreLine.objects.filter(scorecard=card)}
    existing = dict(existing)
    created, changed = [], []
    for criterion_id, (points, comment) in cleaned.items():
        line = existing.get(criterion_id)
        if line is None:
            if points is not None or comment:
                created.append(ScoreLine(scorecard=card, criterion_id=criterion_id, points=points, comment=comment))
        elif line.points != points or line.comment != comment:
            line.points, line.comment = points, comment
            changed.append(line)
    if created:
        bulk_create_with_history(created, ScoreLine, default_user=user)
    for line in changed:
        # A plain save per line (UPDATE by id), its history made below in one insert: cheaper
        # than bulk_update's CASE expressions for a handful of criteria.
        line.skip_history_when_saving = True
        line.save(update_fields=["points", "comment"])
        del line.skip_history_when_saving
    if changed:
        ScoreLine.history.bulk_history_create(changed, update=True, default_user=user)
    by_id = {c.pk: c for c in criteria}
    stored = {**existing, **{line.criterion_id: line for line in created}}
    for line in stored.values():
        line.criterion = by_id[line.criterion_id]  # for the answer's order, without a query
    return stored


def _submit(card, criteria, cleaned, user):
    missing = [c for c in criteria if c.required and cleaned[c.pk][0] is None]
    if missing:
        errors = {str(c.pk): [_("Chưa chấm tiêu chí “%(name)s”.") % {"name": c.name}] for c in missing}
        raise ScoringRefused(
            _("Chưa nộp được: còn %(n)s tiêu chí chưa chấm (%(names)s).")
            % {"n": len(missing), "names": ", ".join(c.name for c in missing)},
            code="invalid",
            fields=errors,
        )
    card.status = ScorecardStatus.SUBMITTED
    card.submitted_at = timezone.now()
    card.updated_by = user
    card.save(update_fields=["status", "submitted_at", "updated_by", "updated_at"])


@transaction.atomic
def scorecard_submit(*, assignment, expected_version, user):
    """Submits the draft as it is stored (every required criterion scored): then it is locked."""
    assignment = _locked_assignment(assignment)
    _check_may_score(assignment)
    card = _current_card(assignment)
    _check_draft(card)
    _check_version(card, expected_version)
    if card is None:
        raise ScoringRefused(_("Chưa có phiếu chấm để nộp: hãy chấm điểm trước."), code="invalid")
    criteria = rubric_criteria(assignment.board.campaign)
    stored = {line.criterion_id: (line.points, line.comment) for line in card.lines.all()}
    cleaned = {c.pk: stored.get(c.pk, (None, "")) for c in criteria}
    card.version += 1
    card.save(update_fields=["version"])
    _submit(card, criteria, cleaned, user)
    return card


@transaction.atomic
def scorecard_reopen(*, assignment, reason, user):
    """The head reopens a submitted scorecard, with a reason (audited by history and told to
    the member through the change feed). The caller checked `appraisal.reopen_scorecard`."""
    reason = (reason or "").strip()
    if not reason:
        raise ScoringRefused(_("Hãy ghi lý do mở lại phiếu chấm."), code="invalid", fields={"reason": [_("Bắt buộc.")]})
    if len(reason) > REASON_MAX:
        raise ScoringRefused(
            _("Lý do dài quá %(max)s ký tự.") % {"max": REASON_MAX},
            code="invalid",
            fields={"reason": [_("Dài quá %(max)s ký tự.") % {"max": REASON_MAX}]},
        )
    assignment = _locked_assignment(assignment)
    if assignment.board.scoring_closed_at is not None:
        raise ScoringRefused(
            _("Đoàn đã khóa chấm điểm: hãy mở lại chấm điểm trước khi mở lại một phiếu."), code="closed"
        )
    card = _current_card(assignment)
    if card is None or card.status != ScorecardStatus.SUBMITTED:
        raise ScoringRefused(_("Phiếu chấm này chưa nộp nên không cần mở lại."), code="not_submitted", current=card)
    card.status = ScorecardStatus.DRAFT
    card.submitted_at = None
    card.reopen_reason = reason
    card.reopened_at = timezone.now()
    card.reopened_by = user
    card.version += 1
    card.save()
    record_change(
        board=assignment.board,
        kind=ChangeKind.REOPENED,
        user=assignment.member.user,
        registration=assignment.registration,
        detail=reason,
    )
    return card


# --- photos -----------------------------------------------------------------------------------


def photo_too_large_message(name):
    return _("Ảnh “%(name)s” nặng quá %(limit)s; hãy chụp lại ở độ phân giải thấp hơn.") % {
        "name": name,
        "limit": human_size(settings.DVK_SCORE_PHOTO_MAX_BYTES),
    }


@transaction.atomic
def photo_add(*, assignment, uploaded_file, user, caption=""):
    """Adds an on-site photo to the member's draft scorecard (made, empty, when there is none
    yet: its version is in the answer, for the next write). Images only, by content; over
    DVK_SCORE_PHOTO_MAX_BYTES it is refused with code "too_large". Nothing stays on refusal:
    no row, no stored file. Returns the ScorePhoto."""
    assignment = _locked_assignment(assignment)
    _check_may_score(assignment)
    card = _current_card(assignment)
    _check_draft(card)
    name = files.clean_original_name(getattr(uploaded_file, "name", ""))
    if uploaded_file.size > settings.DVK_SCORE_PHOTO_MAX_BYTES:
        raise ScoringRefused(photo_too_large_message(name), code="too_large")
    if not looks_like_a_photo(uploaded_file):
        message = _("Tệp “%(name)s” không phải ảnh (JPEG, PNG, GIF, WebP), dù tên tệp là gì.") % {"name": name}
        raise ScoringRefused(message, code="invalid", fields={"photo": [message]})
    try:
        sniffed = files.sniff(uploaded_file, name)
    except files.EvidenceRefused as refused:
        raise ScoringRefused(refused.messages[0], code="invalid", fields={"photo": refused.messages}) from None
    if sniffed.kind != EvidenceKind.IMAGE:
        message = _("Tệp “%(name)s” không phải ảnh (JPEG, PNG, GIF, WebP), dù tên tệp là gì.") % {"name": name}
        raise ScoringRefused(message, code="invalid", fields={"photo": [message]})
    try:
        thumbnail = files.make_thumbnail(uploaded_file, sniffed)
    except files.EvidenceRefused as refused:
        raise ScoringRefused(refused.messages[0], code="invalid", fields={"photo": refused.messages}) from None
    if card is None:
        card = Scorecard.objects.create(assignment=assignment, updated_by=user)
    elif card.photos.count() >= settings.DVK_SCORE_PHOTOS_PER_SCORECARD:
        message = _("Mỗi phiếu chấm có tối đa %(n)s ảnh.") % {"n": settings.DVK_SCORE_PHOTOS_PER_SCORECARD}
        raise ScoringRefused(message, code="invalid", fields={"photo": [message]})
    photo = ScorePhoto(
        scorecard=card,
        content_type=sniffed.content_type,
        original_name=name,
        size=uploaded_file.size,
        caption=(caption or "").strip()[:255],
        added_by=user,
    )
    stored = []
    try:
        uploaded_file.seek(0)
        photo.file.save(f"photo.{sniffed.extension}", uploaded_file, save=False)
        stored.append(photo.file.name)
        photo.thumbnail.save("thumbnail.jpg", thumbnail, save=False)
        stored.append(photo.thumbnail.name)
        photo.save()
    except BaseException:
        _delete_stored(stored)
        raise
    return photo


# The first bytes of the images a photo may be; HEIF/MP4-style containers ("ftyp") go on to
# the sniffer, which says how to send an iPhone's HEIC photo.
PHOTO_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


def looks_like_a_photo(upload):
    """Whether the content starts as an image does: anything else is refused as "not a photo"
    before the evidence sniffer, whose messages name the documents evidence may be."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return head.startswith(PHOTO_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP") or head[4:8] == b"ftyp"


def _delete_stored(names):
    storage = ScorePhoto._meta.get_field("file").storage
    for name in names:
        if name:
            storage.delete(name)


@transaction.atomic
def photo_delete(*, photo, user):
    """Removes a photo from the member's draft scorecard (not from a submitted one). Returns
    False, changing nothing, when another request removed it meanwhile (read under the lock)."""
    assignment = _locked_assignment(photo.scorecard.assignment)
    _check_may_score(assignment)
    card = _current_card(assignment)
    _check_draft(card)
    if not ScorePhoto.objects.filter(pk=photo.pk, scorecard=card).exists():
        return False
    names = [photo.file.name, photo.thumbnail.name]
    photo.delete()
    transaction.on_commit(lambda: _delete_stored(names))
    return True
