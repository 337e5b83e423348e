import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dvk.models import Organization
from dvk.scoping import IssuedByOrganization, ProducedByOrganization, ScopedThroughParent, TenantManager

from .enums import (
    CampaignStatus,
    IssuingBody,
    QuotaScope,
    Recurrence,
    ReminderKind,
    ReminderStatus,
)


class Field(models.Model):
    """A field of work (lĩnh vực) a model belongs to; each campaign picks the ones it accepts."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=150)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Campaign(IssuedByOrganization):
    """A plan (Kế hoạch) issued by one level of the tree for its subtree.

    `lineage` is the derivation chain as ids ("/3/17/"): a commune plan derived from a province
    plan extends the province plan's lineage, so the province counts the commune's
    registrations with one prefix filter."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("cấp ban hành")
    )
    number = models.CharField(_("số, ký hiệu"), max_length=60, help_text=_("Ví dụ: 11-KH/ĐU"))
    title = models.CharField(_("trích yếu"), max_length=500)
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=40, choices=IssuingBody.choices)
    issuing_body_name = models.CharField(
        _("tên cơ quan ban hành"), max_length=255, help_text=_("Ví dụ: Đảng ủy xã Đồng Phú")
    )
    signer_name = models.CharField(_("người ký"), max_length=150, blank=True)
    signer_title = models.CharField(
        _("chức danh người ký"), max_length=150, blank=True, help_text=_("Ví dụ: T/M ĐẢNG ỦY, BÍ THƯ")
    )
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    legal_bases = models.TextField(_("căn cứ"), blank=True, help_text=_("Mỗi căn cứ một dòng: “Căn cứ ...”"))
    purposes = models.TextField(_("mục đích"), blank=True)
    requirements = models.TextField(_("yêu cầu"), blank=True)
    period_start = models.DateField(_("thực hiện từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    is_phase = models.BooleanField(_("là giai đoạn nhiều năm"), default=False)
    phase = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="yearly_campaigns",
        verbose_name=_("thuộc giai đoạn"),
    )
    derived_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived_campaigns",
        verbose_name=_("thực hiện kế hoạch cấp trên"),
    )
    lineage = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    fields = models.ManyToManyField(Field, blank=True, related_name="+", verbose_name=_("lĩnh vực"))
    # Who is targeted: organisations below the issuing level matching these levels and
    # kinds (empty: any), plus any picked one by one.
    target_levels = models.JSONField(_("cấp được giao"), default=list, blank=True)
    target_kinds = models.JSONField(_("loại tổ chức được giao"), default=list, blank=True)
    target_direct_only = models.BooleanField(
        _("chỉ các tổ chức trực thuộc trực tiếp"),
        default=False,
        help_text=_("Ví dụ: các sở, ngành và huyện trực thuộc tỉnh, không tính phòng ban hay xã bên dưới."),
    )
    target_organizations = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name=_("tổ chức được chọn thêm")
    )
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # What "Sao chép kế hoạch" left out of this draft, for its staff to review
    # (campaigns.services.CopyReview.as_record): {"original": number, "rows": [{"id", "name",
    # "code", "archived", "places"}], "quotas": [labels]}; {} once reviewed or published.
    # Kept on the row so every colleague who may edit the draft sees it, on any device.
    copy_review = models.JSONField(default=dict, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[fields], excluded_fields=["version", "copy_review"])
    objects = TenantManager()

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-period_start", "number"]
        indexes = [
            models.Index(fields=["lineage"], name="campaign_lineage_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return f"{self.number} – {self.title}"

    @classmethod
    def published_q(cls, through=""):
        return ~Q(**{f"{through}status": CampaignStatus.DRAFT})

    @property
    def is_open(self):
        return self.status == CampaignStatus.PUBLISHED

    def lineage_for_child(self):
        return f"{self.lineage}{self.pk}/"

    def selects_target(self, org, picked_ids):
        """Whether `org` (a dict of path, depth, level, kind, id) is a target of this campaign."""
        campaign_path = self.organization.path
        if org["id"] in picked_ids:
            return True
        if org["path"] == campaign_path or not org["path"].startswith(campaign_path):
            return False
        if self.target_direct_only and org["depth"] != self.organization.depth + 1:
            return False
        if not self.target_levels and not self.target_kinds:
            return False
        return (not self.target_levels or org["level"] in self.target_levels) and (
            not self.target_kinds or org["kind"] in self.target_kinds
        )

    def targets_organization(self, org):
        """Whether the Organization `org` is a target (one query for the picks)."""
        picked = set(self.target_organizations.values_list("id", flat=True))
        as_dict = {"id": org.pk, "path": org.path, "depth": org.depth, "level": org.level, "kind": org.kind}
        return self.selects_target(as_dict, picked)


class Quota(ScopedThroughParent, models.Model):
    """A quota line (chỉ tiêu). Per target: each selected organisation must have at least
    these registrations (its own, or its whole subtree's). Total: the issuing level's whole
    subtree must reach them."""

    parent_field = "campaign"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="quotas")
    label = models.CharField(_("diễn giải"), max_length=255)
    scope = models.CharField(_("áp dụng"), max_length=20, choices=QuotaScope.choices, default=QuotaScope.PER_TARGET)
    levels = models.JSONField(_("cấp"), default=list, blank=True, help_text=_("Để trống: mọi cấp được giao"))
    kinds = models.JSONField(_("loại tổ chức"), default=list, blank=True, help_text=_("Để trống: mọi loại"))
    organizations = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name=_("tổ chức được chọn")
    )
    excluded = models.ManyToManyField(Organization, blank=True, related_name="+", verbose_name=_("trừ các tổ chức"))
    counts_subtree = models.BooleanField(
        _("tính cả tổ chức trực thuộc"),
        default=False,
        help_text=_("Ví dụ: chỉ tiêu của huyện bao gồm phòng chuyên môn và UBND cấp xã."),
    )
    min_total = models.PositiveIntegerField(_("tối thiểu (tổng)"), default=0)
    min_collective = models.PositiveIntegerField(_("tối thiểu tập thể"), default=0)
    min_individual = models.PositiveIntegerField(_("tối thiểu cá nhân"), default=0)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(m2m_fields=[organizations, excluded])
    objects = TenantManager()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_total__gt=0) | Q(min_collective__gt=0) | Q(min_individual__gt=0),
                name="quota_requires_a_number",
            ),
        ]

    def __str__(self):
        return self.label

    def selects(self, org, picked_ids, excluded_ids):
        """Whether this per-target line applies to `org` (picks prefetched as id sets)."""
        if org["id"] in excluded_ids:
            return False
        if org["id"] in picked_ids:
            return True
        if not self.levels and not self.kinds:
            return not picked_ids  # a line with picks only applies to the picks
        return (not self.levels or org["level"] in self.levels) and (not self.kinds or org["kind"] in self.kinds)


class MilestoneKind(models.Model):
    """Kinds of milestone; staff can add their own. `sequence` orders the dependent
    deadlines (registration before completion before result report...); windows have none."""

    # The kind whose due date closes registering (compliance, reminders, lateness): one per campaign.
    REGISTRATION = "registration"

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=150)
    sequence = models.PositiveSmallIntegerField(_("thứ tự logic"), null=True, blank=True)
    is_window = models.BooleanField(_("là khoảng thời gian"), default=False)
    # Which reminders the sweep sends for it: "quota" (behind on registrations), "report"
    # (registrations not yet reported on) or "" (none).
    chases = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("loại mốc thời gian")
        verbose_name_plural = _("loại mốc thời gian")
        ordering = ["sequence", "name"]

    def __str__(self):
        return self.name


class Milestone(ScopedThroughParent, models.Model):
    """A deadline (due_on) or a window (starts_on..due_on), possibly recurring.

    Deadlines are due at the end of the stored day, Asia/Ho_Chi_Minh."""

    parent_field = "campaign"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones")
    kind = models.ForeignKey(MilestoneKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("loại"))
    title = models.CharField(_("nội dung"), max_length=255, blank=True)
    starts_on = models.DateField(_("từ ngày"), null=True, blank=True)
    due_on = models.DateField(_("hạn (đến ngày)"))
    recurrence = models.CharField(_("lặp lại"), max_length=20, choices=Recurrence.choices, default=Recurrence.NONE)
    recurs_until = models.DateField(_("lặp đến ngày"), null=True, blank=True)
    # Copied from the kind on save, so the database itself keeps one registration deadline per
    # campaign (a partial unique index cannot look at the kind's code through the join).
    is_registration = models.BooleanField(default=False, editable=False)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("mốc thời gian")
        verbose_name_plural = _("mốc thời gian")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(starts_on__lte=models.F("due_on")),
                name="milestone_window_starts_before_it_ends",
            ),
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(is_registration=True),
                name="one_registration_deadline_per_campaign",
            ),
        ]

    def __str__(self):
        return self.title or str(self.kind)

    def save(self, *args, **kwargs):
        self.is_registration = self.kind.code == MilestoneKind.REGISTRATION
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "kind" in update_fields:
            kwargs["update_fields"] = {*update_fields, "is_registration"}
        super().save(*args, **kwargs)

    STEP = {
        Recurrence.MONTHLY: relativedelta(months=1),
        Recurrence.QUARTERLY: relativedelta(months=3),
        Recurrence.YEARLY: relativedelta(years=1),
    }

    def occurrences(self):
        """Due dates of every occurrence (one for a one-off milestone)."""
        if self.recurrence == Recurrence.NONE:
            return [self.due_on]
        until = self.recurs_until or self.campaign.period_end
        step = self.STEP[Recurrence(self.recurrence)]
        dates, n = [], 0
        while True:
            due = self.due_on + step * n
            if due > until or n > 600:
                return dates
            dates.append(due)
            n += 1

    def window_for(self, due):
        """(start, end) of the occurrence ending on `due`."""
        if self.starts_on is None:
            return None, due
        return due - (self.due_on - self.starts_on), due


def end_of_day(day):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


class ComplianceSnapshot(ScopedThroughParent, models.Model):
    """The compliance of a campaign when it closed: closed history does not move with the tree."""

    parent_field = "campaign"

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="snapshot")
    taken_at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField()

    objects = TenantManager()

    class Meta:
        verbose_name = _("ảnh chụp kết quả")

    def __str__(self):
        return f"{self.campaign} @ {self.taken_at:%d/%m/%Y}"


class Reminder(ProducedByOrganization, models.Model):
    """One reminder: a milestone occurrence, an organisation, an offset. Claimed before
    sending, marked sent after; the unique key makes two sweeps produce one row."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="reminders")
    occurrence = models.DateField()
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices, default=ReminderKind.REMINDER)
    offset_days = models.SmallIntegerField()
    status = models.CharField(max_length=20, choices=ReminderStatus.choices, default=ReminderStatus.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(default=0)
    # What the sweep found when it made the row (what is missing, who is told, through which
    # organisation), so a batch task renders the message from the row alone.
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("lời nhắc")
        verbose_name_plural = _("lời nhắc")
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "occurrence", "organization", "kind", "offset_days"], name="reminder_once_per_key"
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"], name="reminder_claim_idx")]

    def __str__(self):
        return f"{self.milestone} {self.occurrence:%d/%m/%Y} {self.organization} -{self.offset_days}"
