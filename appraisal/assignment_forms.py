"""Forms of the assignment pages: the eligible list's filters (the registration list's, minus
the campaign, which is the board's), the bulk assignment, and a conflict's reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.enums import RegistrationStatus
from campaigns.models import Field
from dvk.forms import BootstrapMixin
from dvk.pickers import PickerField
from dvk.selectors import find_in_subtree
from models_registry.list_forms import SORT_LABELS
from models_registry.selectors import DEFAULT_SORT, SORTS

from .enums import APPRAISABLE_REGISTRATION_STATUSES


class EligibleFilterForm(forms.Form):
    """The query string of the assignment page. An unknown value filters nothing in; an
    organisation code outside the board's subtree empties the list (never widens it)."""

    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=200)
    field = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Field.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Mọi lĩnh vực"),
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Đã duyệt, đang thực hiện, hoàn thành"))]
        + [(v, label) for v, label in RegistrationStatus.choices if v in APPRAISABLE_REGISTRATION_STATUSES],
    )
    org = PickerField(source="organizations", multiple=False, label=_("Tổ chức"), max_length=40)
    sort = forms.ChoiceField(label=_("Sắp xếp"), required=False, choices=[(k, SORT_LABELS[k]) for k in SORTS])

    def __init__(self, data, *, organization):
        super().__init__(data)
        self.organization = organization
        self.subtree = None
        self.subtree_missing = False
        for f in self.fields.values():
            select = isinstance(f.widget, forms.Select)
            f.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"
        self.fields["q"].widget.attrs.update({"placeholder": _("Tên mô hình, họ tên..."), "type": "search"})
        self.fields["org"].widget.attrs["placeholder"] = _("Mã tổ chức, VD: %s") % organization.code
        self.fields["org"].bind(organization)
        self.is_valid()

    def clean_org(self):
        code = self.cleaned_data.get("org") or ""
        if code:
            self.subtree = find_in_subtree(self.organization, code)
            if self.subtree is None:
                self.subtree_missing = True
                raise forms.ValidationError(_("Không có tổ chức mã %s trong phạm vi của đoàn.") % code)
        return code

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
