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
from dvk.text import clean_text, normalize_search


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
