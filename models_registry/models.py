"""Initiatives ("Dân vận khéo" models) and their registrations under campaigns.

Only what counting needs is here for now (campaign, organisation, collective or individual,
status, the earlier registration it continues); forms, workflow and reports come next."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaigns.enums import RegistrationStatus, SubjectType
from campaigns.models import Campaign, Field
from dvk.models import Organization
from dvk.scoping import ProducedByOrganization, TenantManager
from dvk.text import clean_text, normalize_search, vietnamese_name_sort_key


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

    history = HistoricalRecords()
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
        super().save(*args, **kwargs)


class RegistrationTarget(models.Model):
    """A measurable expected result ("rõ kết quả"): an indicator, a figure and its unit."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("chỉ tiêu"), max_length=255)
    value = models.DecimalField(_("con số"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("đơn vị tính"), max_length=50)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kết quả cần đạt")
        verbose_name_plural = _("kết quả cần đạt")
        ordering = ["position", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(value__gt=0), name="target_value_positive")]

    def __str__(self):
        return f"{self.indicator}: {self.value} {self.unit}"
