"""Initiatives ("Dân vận khéo" models) and their registrations under campaigns.

A registration carries the seed 004 form and the model plan; progress and result reports
hold dated entries against its targets, with evidence files."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaigns.enums import RegistrationStatus, SubjectType
from campaigns.models import Campaign, Field
from dvk.models import Organization
from dvk.scoping import ProducedByOrganization, ScopedThroughParent, TenantManager
from dvk.text import clean_text, normalize_search, vietnamese_name_sort_key

from .enums import EvidenceKind, ReportKind


class Initiative(ProducedByOrganization, models.Model):
    """A model (mô hình) itself; it lives across years and is registered under campaigns."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="initiatives")
    name = models.CharField(_("tên mô hình"), max_length=500)
    search_name = models.CharField(max_length=500, db_index=True, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["search_name"])
    objects = TenantManager()

    class Meta:
        verbose_name = _("mô hình")
        verbose_name_plural = _("mô hình")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = clean_text(self.name)
        self.search_name = normalize_search(self.name)
        super().save(*args, **kwargs)


class Registration(ProducedByOrganization, models.Model):
    """An initiative registered under one campaign by one organisation."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="registrations")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="registrations")
    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="registrations")
    subject_type = models.CharField(_("chủ thể"), max_length=20, choices=SubjectType.choices)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.DRAFT
    )
    field = models.ForeignKey(Field, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_late = models.BooleanField(_("đăng ký muộn"), default=False)
    continues = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="continued_by",
        verbose_name=_("tiếp nối mô hình đã đăng ký"),
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Diacritic-free model name and person name (dvk.text.normalize_search), for search.
    search_text = models.CharField(max_length=700, db_index=True, editable=False, default="")
    # Optimistic locking: every save bumps it; a form or autosave carrying an older one is refused.
    version = models.PositiveIntegerField(default=1)
    late_reason = models.TextField(_("lý do đăng ký muộn"), blank=True)
    review_comment = models.TextField(_("ý kiến của cấp duyệt"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    # The registration form (seed 004, annex 01). A draft may leave anything blank; submitting
    # requires the "06 rõ" (see models_registry.validation).
    location = models.CharField(_("địa điểm thực hiện"), max_length=255, blank=True)
    starts_on = models.DateField(_("thời gian bắt đầu"), null=True, blank=True)
    completes_on = models.DateField(_("thời gian hoàn thành"), null=True, blank=True)
    contact_phone = models.CharField(_("số điện thoại liên hệ"), max_length=20, blank=True)
    # An individual's registration names a person, who need not be a user.
    person_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    person_name_sort_key = models.CharField(max_length=400, blank=True, db_index=True, editable=False)
    person_position = models.CharField(_("chức vụ"), max_length=150, blank=True)
    person_unit = models.CharField(_("đơn vị công tác"), max_length=255, blank=True)
    person_address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    person_phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    # The person an individual registration is about, when they have an account: a board member
    # who is that person may not appraise it (appraisal's conflicts of interest).
    person_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("tài khoản của người được đề nghị"),
    )
    # "06 rõ": who, what, responsibility, authority, time, result (the result is the targets).
    responsible_person = models.CharField(_("rõ người: người chịu trách nhiệm"), max_length=255, blank=True)
    participants = models.TextField(_("rõ người: lực lượng tham gia"), blank=True)
    content = models.TextField(_("rõ việc: nội dung thực hiện"), blank=True)
    responsibility = models.TextField(_("rõ trách nhiệm"), blank=True)
    authority = models.CharField(_("rõ thẩm quyền: cấp phê duyệt"), max_length=255, blank=True)
    schedule = models.TextField(_("rõ thời gian: tiến độ"), blank=True)
    # The model plan (kế hoạch triển khai mô hình) is part of the same record.
    purposes = models.TextField(_("mục đích, yêu cầu"), blank=True)
    solutions = models.TextField(_("giải pháp, phương thức thực hiện"), blank=True)
    forces = models.TextField(_("lực lượng thực hiện"), blank=True)
    coordinating_forces = models.TextField(_("lực lượng phối hợp"), blank=True)
    review_dates = models.TextField(_("thời gian sơ kết, tổng kết, báo cáo"), blank=True)
    launch_event = models.TextField(_("tổ chức ra mắt mô hình (nếu có)"), blank=True)
    assignments = models.TextField(_("phân công nhiệm vụ"), blank=True)
    conditions = models.TextField(_("điều kiện bảo đảm"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text", "person_name_sort_key"])
    objects = TenantManager()

    class Meta:
        verbose_name = _("đăng ký mô hình")
        verbose_name_plural = _("đăng ký mô hình")
        constraints = [
            models.UniqueConstraint(fields=["initiative", "campaign"], name="registration_once_per_campaign"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="registration_campaign_status"),
            models.Index(fields=["organization", "status"], name="registration_org_status"),
        ]

    def __str__(self):
        return f"{self.initiative} ({self.campaign.number})"

    def save(self, *args, **kwargs):
        self.person_name = clean_text(self.person_name)
        self.person_name_sort_key = vietnamese_name_sort_key(self.person_name)
        self.search_text = normalize_search(f"{self.initiative.name} {self.person_name}")[:700]
        super().save(*args, **kwargs)

    @property
    def name(self):
        return self.initiative.name


class RegistrationTarget(ScopedThroughParent, models.Model):
    """A measurable expected result ("rõ kết quả"): an indicator, a figure and its unit."""

    parent_field = "registration"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("chỉ tiêu"), max_length=255)
    value = models.DecimalField(_("con số"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("đơn vị tính"), max_length=50)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("kết quả cần đạt")
        verbose_name_plural = _("kết quả cần đạt")
        ordering = ["position", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(value__gt=0), name="target_value_positive")]

    def __str__(self):
        return f"{self.indicator}: {self.value} {self.unit}"


class ProgressReport(ProducedByOrganization, models.Model):
    """A dated report on a registration: progress while it runs, then its result.

    The first report moves an accepted registration to in progress; the result report
    completes it (models_registry.reports)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("loại báo cáo"), max_length=20, choices=ReportKind.choices)
    reported_on = models.DateField(_("ngày báo cáo"))
    summary = models.TextField(_("nội dung báo cáo"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        ordering = ["reported_on", "pk"]
        constraints = [
            # One result report per registration: it is what completes it.
            models.UniqueConstraint(
                fields=["registration"], condition=models.Q(kind="result"), name="one_result_report"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reported_on:%d/%m/%Y}"


class ReportEntry(ScopedThroughParent, models.Model):
    """What was achieved, as of the report's date, against one target of the registration."""

    parent_field = "report"

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="entries")
    target = models.ForeignKey(RegistrationTarget, on_delete=models.CASCADE, related_name="entries")
    achieved = models.DecimalField(_("đã đạt"), max_digits=14, decimal_places=2)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("kết quả đạt được")
        verbose_name_plural = _("kết quả đạt được")
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="one_entry_per_target"),
            models.CheckConstraint(condition=models.Q(achieved__gte=0), name="achieved_not_negative"),
        ]

    def __str__(self):
        return f"{self.target.indicator}: {self.achieved}"


def evidence_path(instance, filename):
    """A random name under the producing organisation: the uploader's name is never a path."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{instance.organization_id}/{instance.registration_id}/{uuid.uuid4().hex}{suffix}"


def thumbnail_path(instance, filename):
    return f"evidence/{instance.organization_id}/{instance.registration_id}/thumbs/{uuid.uuid4().hex}.jpg"


class Evidence(ProducedByOrganization, models.Model):
    """A file proving a result (photo, video, document), stored through Django's storage API.

    Its kind is sniffed from the content on upload; it is served only to those who may see
    the registration, as an attachment (models_registry.evidence)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="evidence")
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    file = models.FileField(upload_to=evidence_path, max_length=255)
    thumbnail = models.FileField(upload_to=thumbnail_path, max_length=255, blank=True)
    kind = models.CharField(_("loại tệp"), max_length=20, choices=EvidenceKind.choices)
    content_type = models.CharField(max_length=100)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    caption = models.CharField(_("mô tả"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = TenantManager()

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def download_name(self):
        """The uploader's name with the extension of what the file is (sniffed on upload and
        kept in the stored name): a PDF uploaded as "bien-ban.html" downloads as "bien-ban.pdf",
        so nothing is saved on a reader's machine under a runnable extension."""
        stem = PurePosixPath(self.original_name.replace("\\", "/")).stem.strip(" .") or "minh-chung"
        return f"{stem}{PurePosixPath(self.file.name).suffix}"
