from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from campaigns.models import Campaign
from dvk.models import Organization
from dvk.scoping import IssuedByOrganization, ProducedByOrganization, ScopedThroughParent, TenantManager
from models_registry.models import Registration

from .enums import (
    DEFAULT_BANDS,
    DEFAULT_DISAGREEMENT_POINTS,
    DEFAULT_PROPOSE_SHARE,
    DEFAULT_QUORUM_SHARE,
    DEFAULT_RECOGNISE_SHARE,
    DEFAULT_THRESHOLD,
    NON_VOTING_BY_DEFAULT,
    Attendance,
    BoardRole,
    ChangeKind,
    ConflictKind,
    Decision,
    DossierStatus,
    MeetingStatus,
    OpinionBody,
    ProposalStatus,
    ResultMethod,
    ScorecardStatus,
    ScoringReminderStatus,
    VoteChoice,
)


def default_bands():
    return [{"name": str(name), "min": points} for name, points in DEFAULT_BANDS]


class Rubric(ScopedThroughParent, models.Model):
    """A campaign's scoring rubric (tiêu chí thẩm định): its criteria, the total needed for
    recognition and the bands of the result. Issued with its campaign, so seen exactly where
    the campaign is. A campaign without a row reads the default (selectors.rubric_of); the
    first save stores it."""

    parent_field = "campaign"

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="rubric")
    threshold = models.PositiveSmallIntegerField(_("điểm tối thiểu để công nhận"), default=DEFAULT_THRESHOLD)
    # [{"name": "Xuất sắc", "min": 90}, ...], highest first (services.validate_rubric).
    bands = models.JSONField(_("xếp loại"), default=default_bands, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = TenantManager()

    class Meta:
        verbose_name = _("bộ tiêu chí thẩm định")
        verbose_name_plural = _("bộ tiêu chí thẩm định")

    def __str__(self):
        return str(self.campaign)


class Criterion(ScopedThroughParent, models.Model):
    """One line of a rubric: its maximum points count toward the rubric's total."""

    parent_field = "rubric"

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("tiêu chí"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
    max_points = models.PositiveSmallIntegerField(_("điểm tối đa"))
    required = models.BooleanField(_("bắt buộc chấm"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "name"], name="criterion_name_unique_in_rubric"),
            models.CheckConstraint(condition=models.Q(max_points__gt=0), name="criterion_max_points_positive"),
        ]

    def __str__(self):
        return self.name


# --------------------------------------------------------------------------------------------
# The board (Đoàn thẩm định) and its members. A board belongs to its campaign's level: that level
# and its ancestors see it; a member without a role there reaches it through a seat (seats.py).
# --------------------------------------------------------------------------------------------


class Board(ProducedByOrganization, models.Model):
    """A campaign's appraisal board. One per campaign; `organization` is the campaign's level,
    stored so the scope rule and the seats need no join through the campaign."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="board")
    name = models.CharField(_("tên đoàn"), max_length=255, default=_("Đoàn thẩm định mô hình “Dân vận khéo”"))
    decision_number = models.CharField(_("số quyết định thành lập"), max_length=100, blank=True)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    # Set when the head closes scoring (part 2); until then members may score what they are assigned.
    scoring_closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    scoring_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # How a registration's result is drawn from the members' totals, and when their totals
    # differ enough to flag it for discussion (results.py).
    result_method = models.CharField(
        _("cách tính kết quả"), max_length=10, choices=ResultMethod.choices, default=ResultMethod.MEAN
    )
    disagreement_points = models.PositiveSmallIntegerField(
        _("chênh lệch điểm cần thảo luận"), default=DEFAULT_DISAGREEMENT_POINTS
    )
    # The review meeting's decision rules (meetings.py), fractions "n/d" of the voting members.
    quorum_share = models.CharField(_("tỷ lệ có mặt tối thiểu"), max_length=7, default=DEFAULT_QUORUM_SHARE)
    recognise_share = models.CharField(
        _("tỷ lệ tán thành để công nhận (trên)"), max_length=7, default=DEFAULT_RECOGNISE_SHARE
    )
    propose_share = models.CharField(
        _("tỷ lệ tán thành để đề nghị cấp trên (từ)"), max_length=7, default=DEFAULT_PROPOSE_SHARE
    )
    # None: the rubric's recognition threshold.
    proposal_threshold = models.PositiveSmallIntegerField(
        _("điểm tối thiểu để đề nghị cấp trên"), null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = TenantManager()

    class Meta:
        verbose_name = _("đoàn thẩm định")
        verbose_name_plural = _("đoàn thẩm định")

    def __str__(self):
        return f"{self.name} – {self.campaign.number}"


class BoardMember(ScopedThroughParent, models.Model):
    """A person's seat on a board, with their role. Leaving the board deletes the row (history
    keeps it), and with it the member's assignments and their grants."""

    parent_field = "board"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="board_seats")
    role = models.CharField(_("vai trò trong đoàn"), max_length=20, choices=BoardRole.choices)
    # Guests and the secretary vote only when marked (services.member_add sets the default).
    voting = models.BooleanField(_("có quyền biểu quyết"), default=True)
    # What the member is outside the board ("Chủ tịch Ủy ban MTTQ xã"), printed on the board's list.
    position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    position_order = models.PositiveSmallIntegerField(default=0, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("thành viên đoàn thẩm định")
        verbose_name_plural = _("thành viên đoàn thẩm định")
        ordering = ["position_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["board", "user"], name="board_member_once"),
            models.UniqueConstraint(fields=["board"], condition=models.Q(role=BoardRole.HEAD), name="board_one_head"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}"

    @staticmethod
    def votes_by_default(role):
        return role not in NON_VOTING_BY_DEFAULT


class Assignment(ScopedThroughParent, models.Model):
    """A registration given to a member to appraise. The member's grant `appraise_assignment`
    on this row (django-guardian, AssignmentUserObjectPermission) is made and removed with it;
    whether they may score is the rules predicate `appraisal.score_assignment`."""

    parent_field = "board"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(BoardMember, on_delete=models.CASCADE, related_name="assignments")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("phân công thẩm định")
        verbose_name_plural = _("phân công thẩm định")
        ordering = ["registration_id", "member_id"]
        permissions = [("appraise_assignment", _("Thẩm định mô hình được phân công"))]
        constraints = [
            models.UniqueConstraint(fields=["member", "registration"], name="assignment_once_per_member"),
        ]

    def __str__(self):
        return f"{self.member} – {self.registration_id}"


class AssignmentUserObjectPermission(UserObjectPermissionBase):
    """django-guardian grant on one assignment (direct foreign key, not generic): deleted with it."""

    content_object = models.ForeignKey(Assignment, on_delete=models.CASCADE)


class AssignmentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Assignment, on_delete=models.CASCADE)


class Conflict(ScopedThroughParent, models.Model):
    """A stored conflict of interest: declared by the member, or a recusal the head recorded.
    Conflicts through a role on the tree or an individual registration about the member are
    computed (selectors.conflicts_of), never stored, so they follow the tree as it is."""

    parent_field = "board"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="conflicts")
    member = models.ForeignKey(BoardMember, on_delete=models.CASCADE, related_name="conflicts")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("loại"), max_length=20, choices=ConflictKind.choices)
    reason = models.TextField(_("lý do"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("xung đột lợi ích")
        verbose_name_plural = _("xung đột lợi ích")
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "registration"], name="conflict_once_per_member"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[ConflictKind.DECLARED, ConflictKind.RECUSAL]),
                name="conflict_stored_kinds_only",
            ),
        ]

    def __str__(self):
        return f"{self.member} – {self.registration_id} – {self.get_kind_display()}"


class Visit(ProducedByOrganization, models.Model):
    """A board's visit to a registration's model (khảo sát thực tế), inside the campaign's survey
    window. Seen by the visited unit and every level above it (the board's included), so the
    unit sees its visits; a sibling unit does not."""

    organization_field = "registration__organization"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="visits")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="+")
    visit_on = models.DateField(_("ngày"))
    visit_at = models.TimeField(_("giờ"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255)
    note = models.TextField(_("ghi chú"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = TenantManager()

    class Meta:
        verbose_name = _("lịch khảo sát")
        verbose_name_plural = _("lịch khảo sát")
        ordering = ["visit_on", "visit_at", "pk"]

    def __str__(self):
        return f"{self.registration_id} – {self.visit_on:%d/%m/%Y}"


class VisitMember(ScopedThroughParent, models.Model):
    """A member going on a visit."""

    parent_field = "visit"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="going")
    member = models.ForeignKey(BoardMember, on_delete=models.CASCADE, related_name="visits")

    objects = TenantManager()

    class Meta:
        verbose_name = _("thành viên đi khảo sát")
        verbose_name_plural = _("thành viên đi khảo sát")
        constraints = [models.UniqueConstraint(fields=["visit", "member"], name="visit_member_once")]

    def __str__(self):
        return f"{self.visit_id} – {self.member_id}"


# --------------------------------------------------------------------------------------------
# The recognition dossier (hồ sơ đề nghị công nhận, seed 004 III): what the unit sends and the
# board reads. It belongs to the registration's unit (seen from there upward).
# --------------------------------------------------------------------------------------------


class RecognitionDossier(ProducedByOrganization, models.Model):
    organization_field = "registration__organization"

    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="recognition_dossier")
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=DossierStatus.choices, default=DossierStatus.DRAFT
    )
    # The proposal letter (tờ trình đề nghị công nhận).
    letter_number = models.CharField(_("số tờ trình"), max_length=100, blank=True)
    letter_date = models.DateField(_("ngày tờ trình"), null=True, blank=True)
    letter_to = models.CharField(_("kính gửi"), max_length=255, blank=True)
    letter_request = models.TextField(_("nội dung đề nghị"), blank=True)
    signer_name = models.CharField(_("người ký"), max_length=150, blank=True)
    signer_position = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)
    # The detailed model report, seed 004's headings (the model's name, subject and period come
    # from the registration and are shown as the report's first heading).
    report_purposes = models.TextField(_("mục đích, ý nghĩa, phạm vi, đối tượng"), blank=True)
    report_content = models.TextField(_("nội dung, cách làm theo từng giai đoạn"), blank=True)
    report_results = models.TextField(_("kết quả đạt được (có số liệu cụ thể)"), blank=True)
    report_creativity = models.TextField(_("tính sáng tạo, bền vững, lan tỏa và sự tham gia của Nhân dân"), blank=True)
    report_lessons = models.TextField(_("bài học kinh nghiệm, kiến nghị, đề xuất"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    returned_at = models.DateTimeField(null=True, blank=True, editable=False)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = TenantManager()

    REPORT_FIELDS = ("report_purposes", "report_content", "report_results", "report_creativity", "report_lessons")

    class Meta:
        verbose_name = _("hồ sơ đề nghị công nhận")
        verbose_name_plural = _("hồ sơ đề nghị công nhận")

    def __str__(self):
        return str(self.registration_id)

    @property
    def report_length(self):
        return sum(len(getattr(self, name)) for name in self.REPORT_FIELDS)


def opinion_path(instance, filename):
    # The stored name is random; the original name is kept on the row for downloads.
    import uuid

    return f"dossier-opinions/{instance.dossier.registration.organization_id}/{uuid.uuid4().hex}"


class DossierOpinion(ScopedThroughParent, models.Model):
    """The opinion of a committee or of the Front on a dossier: text, a scanned file, or both."""

    parent_field = "dossier"

    dossier = models.ForeignKey(RecognitionDossier, on_delete=models.CASCADE, related_name="opinions")
    body = models.CharField(_("cơ quan cho ý kiến"), max_length=30, choices=OpinionBody.choices)
    author = models.CharField(_("người ký, chức vụ"), max_length=255, blank=True)
    text = models.TextField(_("nội dung ý kiến"), blank=True)
    file = models.FileField(upload_to=opinion_path, max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    original_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("ý kiến về hồ sơ")
        verbose_name_plural = _("ý kiến về hồ sơ")
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text="") | ~models.Q(file=""), name="opinion_has_text_or_file"),
        ]

    def __str__(self):
        return self.get_body_display()


# --------------------------------------------------------------------------------------------
# Scoring (part 2): a member's scorecard on an assignment, its lines and on-site photos; the
# feed of what changed on a member's assignments; the scoring reminders.
# --------------------------------------------------------------------------------------------


class Scorecard(ScopedThroughParent, models.Model):
    """A member's scorecard (phiếu chấm) for one assignment: a draft they save as often as they
    like, then submit; a submitted card is locked until the head reopens it with a reason.
    Every write names the version it was based on (scoring_services): a stale one is refused
    with the server's copy, never merged."""

    parent_field = "assignment"

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="scorecard")
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT
    )
    comment = models.TextField(_("nhận xét chung"), blank=True)
    # The sum of the lines' points, kept with them (scoring_services) so results and ranks
    # need no aggregate over lines.
    total = models.DecimalField(_("tổng điểm"), max_digits=6, decimal_places=2, default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The last reopening by the head (history keeps every one).
    reopen_reason = models.TextField(_("lý do mở lại"), blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True, editable=False)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("phiếu chấm điểm")
        verbose_name_plural = _("phiếu chấm điểm")

    def __str__(self):
        return f"{self.assignment} – {self.get_status_display()}"


class ScoreLine(ScopedThroughParent, models.Model):
    """The points (and a comment) a scorecard gives one criterion of the campaign's rubric."""

    parent_field = "scorecard"

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="lines")
    # A criterion removed from the rubric takes its draft lines with it; once any scorecard of
    # the campaign is submitted the rubric is locked (services.rubric_locked).
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    points = models.DecimalField(_("điểm"), max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("nhận xét"), blank=True)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("điểm theo tiêu chí")
        verbose_name_plural = _("điểm theo tiêu chí")
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "criterion"], name="score_line_once"),
            models.CheckConstraint(
                condition=models.Q(points__isnull=True) | models.Q(points__gte=0), name="score_line_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.scorecard_id} – {self.criterion_id}: {self.points}"


def score_photo_path(instance, filename):
    """A random name under the board, with the sniffed suffix: the uploader's name is never a path."""
    import uuid
    from pathlib import PurePosixPath

    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"score-photos/{instance.scorecard.assignment.board_id}/{uuid.uuid4().hex}{suffix}"


class ScorePhoto(ScopedThroughParent, models.Model):
    """A photo a member took on site (`<input type=file accept=image/* capture>`), sniffed as
    an image by content, stored under a random name with a JPEG thumbnail."""

    parent_field = "scorecard"

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=score_photo_path, max_length=255)
    thumbnail = models.FileField(upload_to=score_photo_path, max_length=255, blank=True)
    content_type = models.CharField(max_length=100)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    caption = models.CharField(_("mô tả"), max_length=255, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("ảnh khảo sát")
        verbose_name_plural = _("ảnh khảo sát")
        ordering = ["added_at", "pk"]

    def __str__(self):
        return self.original_name


class AssignmentChange(ScopedThroughParent, models.Model):
    """One entry of the feed a member's device reads to catch up ("what changed since" cursor:
    the id). `user` is the member told; None for what the whole board is told (scoring closed).
    Rows outlive what they tell of: an unassignment deletes the assignment, not its entry."""

    parent_field = "board"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    registration = models.ForeignKey(Registration, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("loại thay đổi"), max_length=20, choices=ChangeKind.choices)
    detail = models.TextField(_("chi tiết"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("thay đổi phân công")
        verbose_name_plural = _("thay đổi phân công")
        ordering = ["pk"]
        indexes = [models.Index(fields=["board", "user", "id"], name="assignment_change_feed")]

    def __str__(self):
        return f"{self.board_id} – {self.kind}"


class ScoringReminder(ScopedThroughParent, models.Model):
    """A reminder to a member who has not submitted every scorecard before the end of a survey
    window: one row per (milestone occurrence, member, offset), claimed before sending and
    marked sent after, with the same mechanism as campaigns.Reminder (sent by the same sweep)."""

    parent_field = "member"

    milestone = models.ForeignKey("campaigns.Milestone", on_delete=models.CASCADE, related_name="+")
    occurrence = models.DateField()
    member = models.ForeignKey(BoardMember, on_delete=models.CASCADE, related_name="reminders")
    offset_days = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=20, choices=ScoringReminderStatus.choices, default=ScoringReminderStatus.PENDING
    )
    details = models.JSONField(default=dict, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("nhắc chấm điểm")
        verbose_name_plural = _("nhắc chấm điểm")
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "occurrence", "member", "offset_days"], name="scoring_reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.member_id} – {self.occurrence} – {self.offset_days}"


class OutboxImport(ScopedThroughParent, models.Model):
    """A member's exported outbox file that staff of the board's level applied on the server
    for them (appraisal.outbox_import): who did it, when, for whom, what the file was, and
    what became of each item. Kept when the member leaves the board (the member is a user)."""

    parent_field = "board"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="outbox_imports")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(max_length=64)
    # The file's own `exported_at`, as written on the tablet (for people: when it was saved).
    exported_at = models.CharField(max_length=64, blank=True)
    item_count = models.PositiveIntegerField(default=0)
    applied_count = models.PositiveIntegerField(default=0)
    replayed_count = models.PositiveIntegerField(default=0)
    refused_count = models.PositiveIntegerField(default=0)
    held_count = models.PositiveIntegerField(default=0)
    # One entry per item, in the file's order: outbox_import.ItemResult as a dict.
    results = models.JSONField(default=list, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("lần nhập hộp thư đi")
        verbose_name_plural = _("lần nhập hộp thư đi")
        ordering = ["-imported_at", "-pk"]
        indexes = [models.Index(fields=["board", "-imported_at"], name="outbox_import_of_board")]

    def __str__(self):
        return f"{self.board_id} – {self.file_name}"


# --------------------------------------------------------------------------------------------
# The review meeting (họp bình xét, meetings.py): attendance, a ballot per registration with
# each member's vote, the decision the board's rules draw from it.
# --------------------------------------------------------------------------------------------


class Meeting(ProducedByOrganization, models.Model):
    """A meeting of the board. `results` and `rules` are frozen when it opens: the ranked list
    the members vote on, and the decision rules the minutes print."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("ngày họp"))
    held_at = models.TimeField(_("giờ họp"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255)
    chair = models.ForeignKey(
        BoardMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("chủ trì")
    )
    secretary = models.ForeignKey(
        BoardMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("thư ký")
    )
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    # meetings.frozen_results: [{registration, name, unit, result, rank, band, reached}], result a
    # decimal string (unrounded); meetings.frozen_rules: the rules and thresholds.
    results = models.JSONField(default=list, blank=True, editable=False)
    rules = models.JSONField(default=dict, blank=True, editable=False)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = TenantManager()

    class Meta:
        verbose_name = _("cuộc họp bình xét")
        verbose_name_plural = _("cuộc họp bình xét")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.board_id} – {self.held_on}"


class MeetingAttendance(ScopedThroughParent, models.Model):
    parent_field = "meeting"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    # PROTECT: a member recorded at a meeting stays on the board (the minutes name them).
    member = models.ForeignKey(BoardMember, on_delete=models.PROTECT, related_name="+")
    attendance = models.CharField(_("có mặt"), max_length=10, choices=Attendance.choices)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="meeting_attendance_once")]

    def __str__(self):
        return f"{self.member_id}: {self.attendance}"


class Ballot(ProducedByOrganization, models.Model):
    """The vote on one registration at a meeting. Its decision belongs to the registration's
    unit (`organization`): the unit and the levels above it see it."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="ballots")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="ballots")
    # Frozen with the meeting's results: the unrounded result the rules compare.
    result = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    voters = models.PositiveSmallIntegerField(default=0)  # the ballot's voting members
    votes_for = models.PositiveSmallIntegerField(default=0)
    votes_against = models.PositiveSmallIntegerField(default=0)
    votes_abstain = models.PositiveSmallIntegerField(default=0)
    decision = models.CharField(_("quyết định"), max_length=20, choices=Decision.choices)
    version = models.PositiveIntegerField(default=1, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = TenantManager()

    class Meta:
        verbose_name = _("phiếu biểu quyết")
        verbose_name_plural = _("phiếu biểu quyết")
        constraints = [models.UniqueConstraint(fields=["meeting", "registration"], name="ballot_once_per_meeting")]

    def __str__(self):
        return f"{self.meeting_id} – {self.registration_id}: {self.decision}"


class Vote(ScopedThroughParent, models.Model):
    """One member's vote on a ballot. Seen where the meeting is (the board's level), not by the
    unit: the unit sees the counts and the decision."""

    parent_field = "meeting"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(BoardMember, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("biểu quyết"), max_length=10, choices=VoteChoice.choices)
    written = models.BooleanField(default=False)  # an absent member's written vote

    objects = TenantManager()

    class Meta:
        verbose_name = _("biểu quyết")
        verbose_name_plural = _("biểu quyết")
        constraints = [models.UniqueConstraint(fields=["ballot", "member"], name="vote_once_per_ballot")]

    def __str__(self):
        return f"{self.member_id}: {self.choice}"


# --------------------------------------------------------------------------------------------
# What the meeting's decisions become (meetings.meeting_end): a recognition at the deciding
# level, and for a model proposed, a proposal to the level above (proposals.py).
# --------------------------------------------------------------------------------------------


class Recognition(IssuedByOrganization, models.Model):
    """A model recognised by a level (công nhận mô hình "Dân vận khéo"). Issued by the deciding
    level (`organization`): seen by it, its ancestors and, once issued, everyone below it (the
    library of recognised models)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="recognitions")
    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, related_name="recognition")
    # The committee's decision (quyết định công nhận), recorded by staff of the level when issued.
    decision_number = models.CharField(_("số quyết định"), max_length=100, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("mô hình được công nhận")
        verbose_name_plural = _("mô hình được công nhận")
        constraints = [
            models.UniqueConstraint(fields=["organization", "registration"], name="recognised_once_per_level")
        ]

    def __str__(self):
        return f"{self.organization_id} – {self.registration_id}"

    @classmethod
    def published_q(cls, through=""):
        return Q(**{f"{through}issued_at__isnull": False})


class Proposal(ProducedByOrganization, models.Model):
    """A model the board proposed to the level above. Belongs to the registration's unit
    (`organization`): the unit, the proposing level and the levels above it see it; the
    receiving level (`to`) works its queue."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="proposals")
    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, related_name="proposal")
    proposed_by = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    to = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="proposals_received")
    status = models.CharField(max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.SENT)
    award = models.CharField(_("hình thức khen thưởng"), max_length=255, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=100, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decline_reason = models.TextField(_("lý do không công nhận"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    sent_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = TenantManager()

    class Meta:
        verbose_name = _("đề nghị cấp trên")
        verbose_name_plural = _("đề nghị cấp trên")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["to", "status", "-sent_at"], name="proposal_queue")]

    def __str__(self):
        return f"{self.registration_id} → {self.to_id}: {self.status}"
