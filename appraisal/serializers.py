"""API shapes of scoring (appraisal/api.py): a member's assignment with the dossier they read,
their scorecard, the change feed, and what a tablet writes.

Writes go through appraisal.scoring_services; these serializers only parse and describe. The
objects read come from appraisal.scoring_selectors with what they show already attached, so
serializing a list makes no query. File addresses come from `context["links"]` (api.Links).

States, kinds and statuses are strings documented in words: drf-spectacular names an enum
after its field, and one name for two choice sets (the registration's status, the
scorecard's) would warn, which the deploy check refuses (campaigns/serializers.py)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.serializers import OrganizationRefSerializer
from dvk.access import ID_BOUNDS
from models_registry.serializers import PLAN_FIELDS, VietnameseErrors

from .enums import ChangeKind, DossierStatus, ScorecardStatus
from .scoring_selectors import State

DOSSIER_FIELDS = (
    "letter_number",
    "letter_date",
    "letter_to",
    "letter_request",
    "signer_name",
    "signer_position",
    "report_purposes",
    "report_content",
    "report_results",
    "report_creativity",
    "report_lessons",
    "submitted_at",
)


def _values(choices):
    return ", ".join(choices)


# --- reads --------------------------------------------------------------------------------------


class ScoringCampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="Số hiệu kế hoạch")
    title = serializers.CharField()


class BoardRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    campaign = ScoringCampaignSerializer()
    scoring_closed = serializers.SerializerMethodField(help_text="Trưởng đoàn đã khóa chấm điểm")

    def get_scoring_closed(self, board) -> bool:
        return board.scoring_closed_at is not None


class ScoringTargetSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    unit = serializers.CharField()


@extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
class PlanField(serializers.Field):
    """The plan's text fields of a registration, by name (PLAN_FIELDS)."""

    def to_representation(self, registration):
        return {name: getattr(registration, name) for name in PLAN_FIELDS}


class ScoringRegistrationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="initiative.name", help_text="Tên mô hình")
    organization = OrganizationRefSerializer(help_text="Đơn vị đăng ký")
    subject_type = serializers.CharField(help_text="collective (tập thể) hoặc individual (cá nhân)")
    field = serializers.SerializerMethodField(help_text="Mã lĩnh vực")
    person_name = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    completes_on = serializers.DateField(allow_null=True)
    status = serializers.CharField(help_text="Trạng thái đăng ký")
    targets = ScoringTargetSerializer(many=True, source="targets.all", help_text="Kết quả cần đạt")
    plan = PlanField(source="*", help_text="Kế hoạch mô hình và “06 rõ”, theo tên trường")

    def get_field(self, registration) -> str | None:
        return registration.field.code if registration.field_id else None


class VisitRefSerializer(serializers.Serializer):
    date = serializers.DateField(source="visit_on")
    time = serializers.TimeField(source="visit_at", format="%H:%M", allow_null=True)
    place = serializers.CharField()


class ConflictReasonSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="role, subject, declared hoặc recusal")
    label = serializers.CharField()
    text = serializers.CharField()


class ScorecardBriefSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    status = serializers.CharField(help_text=_values(ScorecardStatus.values))
    total = serializers.DecimalField(max_digits=6, decimal_places=2)


class DossierSerializer(serializers.Serializer):
    """The recognition dossier as the board reads it: every field once the unit submitted it;
    before that only its state (the other fields null)."""

    status = serializers.CharField(help_text=_values(DossierStatus.values))
    letter_number = serializers.CharField(allow_null=True)
    letter_date = serializers.DateField(allow_null=True)
    letter_to = serializers.CharField(allow_null=True)
    letter_request = serializers.CharField(allow_null=True)
    signer_name = serializers.CharField(allow_null=True)
    signer_position = serializers.CharField(allow_null=True)
    report_purposes = serializers.CharField(allow_null=True)
    report_content = serializers.CharField(allow_null=True)
    report_results = serializers.CharField(allow_null=True)
    report_creativity = serializers.CharField(allow_null=True)
    report_lessons = serializers.CharField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, dossier):
        if dossier.status != DossierStatus.SUBMITTED:
            return {"status": dossier.status, **{name: None for name in DOSSIER_FIELDS}}
        return super().to_representation(dossier)


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="progress (tiến độ) hoặc result (kết quả)")
    reported_on = serializers.DateField()
    summary = serializers.CharField()


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="Loại tệp: image, video, pdf, ...")
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    caption = serializers.CharField()
    content_type = serializers.CharField()
    report = serializers.IntegerField(source="report_id", allow_null=True, help_text="Báo cáo kèm theo (nếu có)")
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    def get_url(self, evidence) -> str:
        return self.context["links"].evidence_file(evidence)

    def get_thumbnail_url(self, evidence) -> str | None:
        return self.context["links"].evidence_thumbnail(evidence) if evidence.thumbnail else None


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    board = BoardRefSerializer()
    registration = ScoringRegistrationSerializer()
    visit = VisitRefSerializer(source="next_visit", allow_null=True, help_text="Lần khảo sát tới của bạn")
    state = serializers.CharField(help_text=_values(State.ALL))
    may_score = serializers.BooleanField()
    conflicts = ConflictReasonSerializer(many=True, source="conflict_reasons")
    scorecard = ScorecardBriefSerializer(source="card", allow_null=True)
    dossier = DossierSerializer(source="dossier_row", allow_null=True)
    reports = ReportSerializer(many=True, source="registration.reports.all")
    evidence = EvidenceSerializer(many=True, source="evidence_rows")


class AssignmentCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    submitted = serializers.IntegerField()
    draft = serializers.IntegerField()
    todo = serializers.IntegerField()
    conflicted = serializers.IntegerField()
    closed = serializers.IntegerField()


class AssignmentListSerializer(serializers.Serializer):
    counts = AssignmentCountsSerializer()
    results = AssignmentSerializer(many=True)


class AssignmentFilterSerializer(VietnameseErrors, serializers.Serializer):
    board = serializers.IntegerField(**ID_BOUNDS, required=False, help_text="Chỉ các phân công của đoàn này")


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    max_points = serializers.IntegerField()
    required = serializers.BooleanField()


class ScoreLineSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion_id")
    points = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    comment = serializers.CharField()


class PhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    caption = serializers.CharField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    def get_url(self, photo) -> str:
        return self.context["links"].photo_file(photo)

    def get_thumbnail_url(self, photo) -> str | None:
        return self.context["links"].photo_thumbnail(photo) if photo.thumbnail else None


class ScorecardSerializer(serializers.Serializer):
    """The member's scorecard on one assignment (version 0, status null before the first
    write), with the rubric's criteria and whether they may write it now."""

    assignment = serializers.IntegerField()
    version = serializers.IntegerField(help_text="0 khi chưa có phiếu; gửi kèm khi ghi")
    status = serializers.CharField(allow_null=True, help_text=_values(ScorecardStatus.values))
    comment = serializers.CharField()
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    reopen_reason = serializers.CharField()
    criteria = CriterionSerializer(many=True)
    lines = ScoreLineSerializer(many=True)
    photos = PhotoSerializer(many=True)
    may_score = serializers.BooleanField()
    why_not = serializers.CharField(help_text="Vì sao chưa chấm được (trống khi chấm được)")


class PhotoAddedSerializer(serializers.Serializer):
    photo = PhotoSerializer()
    scorecard_version = serializers.IntegerField(help_text="Phiên bản phiếu sau khi thêm ảnh")


class ChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=_values(ChangeKind.values))
    board = serializers.IntegerField(source="board_id")
    registration = serializers.IntegerField(source="registration_id", allow_null=True)
    assignment = serializers.IntegerField(
        source="assignment_id", allow_null=True, help_text="Phân công hiện có của bạn cho đăng ký này (nếu còn)"
    )
    detail = serializers.CharField()
    at = serializers.DateTimeField()


class ChangesSerializer(serializers.Serializer):
    cursor = serializers.IntegerField(help_text="Gửi lại làm `since` ở lần đọc sau")
    more = serializers.BooleanField(help_text="Còn thay đổi chưa trả về: đọc tiếp với cursor này")
    changes = ChangeSerializer(many=True)


class ChangesFilterSerializer(VietnameseErrors, serializers.Serializer):
    since = serializers.IntegerField(
        min_value=0, max_value=ID_BOUNDS["max_value"], required=False, default=0, help_text="Cursor lần đọc trước"
    )


class RefusalSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Lý do, bằng tiếng Việt")
    code = serializers.CharField(
        help_text="invalid (400), conflicted (403), closed, submitted, not_submitted, stale (409), too_large (413)"
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Thông báo theo mã tiêu chí, hoặc comment, photo, reason, version",
    )
    current = ScorecardSerializer(required=False, allow_null=True, help_text="Phiếu trên máy chủ (stale, submitted)")


# --- writes -------------------------------------------------------------------------------------


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}], "nullable": True})
class PointsField(serializers.Field):
    """Points as a number or a string ("7,5" as typed); the service checks the bounds."""

    def to_internal_value(self, data):
        if data is None or isinstance(data, (int, float, str)) and not isinstance(data, bool):
            return data
        raise serializers.ValidationError("Điểm phải là một số.")

    def to_representation(self, value):
        return value


class LineWriteSerializer(VietnameseErrors, serializers.Serializer):
    criterion = serializers.IntegerField(**ID_BOUNDS, help_text="Mã tiêu chí")
    points = PointsField(required=False, allow_null=True, default=None, help_text="Điểm; null: chưa chấm")
    comment = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)


class ScorecardWriteSerializer(VietnameseErrors, serializers.Serializer):
    version = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, help_text="Phiên bản đã đọc (0: chưa có phiếu); cũ hơn bản đang lưu: 409"
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    lines = LineWriteSerializer(many=True, required=False, default=list, help_text="Tiêu chí không gửi: chưa chấm")
    submit = serializers.BooleanField(required=False, default=False, help_text="Nộp phiếu ngay sau khi lưu")


class VersionSerializer(VietnameseErrors, serializers.Serializer):
    version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)


class ReasonSerializer(VietnameseErrors, serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False)


class PhotoWriteSerializer(VietnameseErrors, serializers.Serializer):
    file = serializers.FileField(help_text="Ảnh chụp tại chỗ (JPEG, PNG, GIF, WebP)")
    caption = serializers.CharField(required=False, allow_blank=True, default="")


class BatchItemSerializer(ScorecardWriteSerializer):
    key = serializers.CharField(help_text="Mã chống gửi trùng của riêng mục này (như Idempotency-Key)")
    assignment = serializers.IntegerField(**ID_BOUNDS)


# One batch carries at most this many scorecard writes.
BATCH_MAX = 100


class BatchSerializer(VietnameseErrors, serializers.Serializer):
    items = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=BATCH_MAX, help_text="Các lần ghi phiếu chấm"
    )


class BatchSchemaSerializer(serializers.Serializer):
    """The batch body as the schema shows it (items are parsed one by one, so a bad item is
    reported in its own result, not as the whole batch's 400)."""

    items = BatchItemSerializer(many=True)


class BatchResultSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    assignment = serializers.IntegerField(allow_null=True)
    status = serializers.IntegerField(help_text="200, 400, 403, 404 hoặc 409, như PUT phiếu chấm")
    replayed = serializers.BooleanField(help_text="Đã ghi ở lần gửi trước: trả lại kết quả lần đầu")
    body = serializers.JSONField(help_text="Như câu trả lời của PUT phiếu chấm")


class BatchResultsSerializer(serializers.Serializer):
    results = BatchResultSerializer(many=True)


# --- the member's list, fast ----------------------------------------------------------------------
# A member's list holds every assignment with its dossier parts (60 registrations of 5 files
# each on a commune board): DRF's nested serializers spend more on that than the queries do.
# These plain functions give the same output as AssignmentSerializer (a test holds them
# equal), using DRF's own fields for the values whose format matters.

_TARGET_VALUE = serializers.DecimalField(max_digits=14, decimal_places=2)
_TOTAL = serializers.DecimalField(max_digits=6, decimal_places=2)
_DATE = serializers.DateField()
_TIME = serializers.TimeField(format="%H:%M")
_MOMENT = serializers.DateTimeField()


def _or_none(field, value):
    return None if value is None else field.to_representation(value)


def _dossier_item(dossier):
    if dossier is None:
        return None
    if dossier.status != DossierStatus.SUBMITTED:
        return {"status": dossier.status, **{name: None for name in DOSSIER_FIELDS}}
    item = {"status": dossier.status}
    for name in DOSSIER_FIELDS:
        value = getattr(dossier, name)
        if name == "letter_date":
            value = _or_none(_DATE, value)
        elif name == "submitted_at":
            value = _or_none(_MOMENT, value)
        item[name] = value
    return item


def assignment_item(a, links):
    """What AssignmentSerializer(a).data gives, for a row of scoring_selectors.member_assignments."""
    r, board, card, visit = a.registration, a.board, a.card, a.next_visit
    return {
        "id": a.pk,
        "board": {
            "id": board.pk,
            "name": board.name,
            "campaign": {"id": board.campaign.pk, "number": board.campaign.number, "title": board.campaign.title},
            "scoring_closed": board.scoring_closed_at is not None,
        },
        "registration": {
            "id": r.pk,
            "name": r.initiative.name,
            "organization": {"code": r.organization.code, "name": r.organization.name},
            "subject_type": r.subject_type,
            "field": r.field.code if r.field_id else None,
            "person_name": r.person_name,
            "starts_on": _or_none(_DATE, r.starts_on),
            "completes_on": _or_none(_DATE, r.completes_on),
            "status": r.status,
            "targets": [
                {"indicator": t.indicator, "value": _TARGET_VALUE.to_representation(t.value), "unit": t.unit}
                for t in r.targets.all()
            ],
            "plan": {name: getattr(r, name) for name in PLAN_FIELDS},
        },
        "visit": None
        if visit is None
        else {
            "date": _DATE.to_representation(visit.visit_on),
            "time": _or_none(_TIME, visit.visit_at),
            "place": visit.place,
        },
        "state": a.state,
        "may_score": a.may_score,
        "conflicts": [{"kind": c.kind, "label": str(c.label), "text": c.text} for c in a.conflict_reasons],
        "scorecard": None
        if card is None
        else {"version": card.version, "status": card.status, "total": _TOTAL.to_representation(card.total)},
        "dossier": _dossier_item(a.dossier_row),
        "reports": [
            {"id": p.pk, "kind": p.kind, "reported_on": _DATE.to_representation(p.reported_on), "summary": p.summary}
            for p in r.reports.all()
        ],
        "evidence": [
            {
                "id": e.pk,
                "kind": e.kind,
                "original_name": e.original_name,
                "size": e.size,
                "caption": e.caption,
                "content_type": e.content_type,
                "report": e.report_id,
                "url": links.evidence_file(e),
                "thumbnail_url": links.evidence_thumbnail(e) if e.thumbnail else None,
            }
            for e in a.evidence_rows
        ],
    }
