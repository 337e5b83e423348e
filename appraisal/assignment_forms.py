"""Forms of the assignment pages: the eligible list's filters (the registration list's, minus
the campaign, which is the board's), the bulk assignment, and a conflict's reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.enums import RegistrationStatus
from dvk.forms import BootstrapMixin
from models_registry.list_forms import RegistrationFiltersBase
from models_registry.selectors import DEFAULT_SORT

from .enums import APPRAISABLE_REGISTRATION_STATUSES


class EligibleFilterForm(RegistrationFiltersBase):
    """The query string of the assignment page: the registration list's filters
    (models_registry.list_forms), minus the campaign, which is the board's, and with only the
    appraisable statuses. An organisation code outside the board's subtree empties the list."""

    org_missing_message = _("Không có tổ chức mã %s trong phạm vi của đoàn.")

    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Đã duyệt, đang thực hiện, hoàn thành"))]
        + [(v, label) for v, label in RegistrationStatus.choices if v in APPRAISABLE_REGISTRATION_STATUSES],
    )
    field_order = ["q", "field", "status", "org", "sort"]

    def __init__(self, data, *, organization):
        super().__init__(data, organization=organization)
        self.style_and_validate()

    def filters(self):
        """Keyword arguments of assignment_selectors.eligible_registrations."""
        data = getattr(self, "cleaned_data", {})
        return {
            "field": data.get("field"),
            "status": data.get("status") or None,
            "subtree": self.subtree,
            "search": data.get("q") or "",
            "sort": data.get("sort") or DEFAULT_SORT,
        }

    @property
    def filtered(self):
        data = getattr(self, "cleaned_data", {})
        return any(data.get(k) for k in ("q", "field", "status", "org"))


class AssignForm(forms.Form):
    """The bulk action: the ticked registrations (`ids`) to or from the ticked members."""

    ASSIGN = "assign"
    UNASSIGN = "unassign"

    action = forms.ChoiceField(choices=[(ASSIGN, _("Phân công")), (UNASSIGN, _("Bỏ phân công"))])


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Lý do được lưu cùng hồ sơ thẩm định; trưởng đoàn và cán bộ phụ trách xem được."),
    )
