from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaigns.models import Campaign
from dvk.scoping import ScopedThroughParent, TenantManager

from .enums import DEFAULT_BANDS, DEFAULT_THRESHOLD


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
