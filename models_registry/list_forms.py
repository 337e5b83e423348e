"""Forms of the registration list: filters (GET), bulk review (POST) and the annex 01 import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.enums import COUNTED_STATUSES, CampaignStatus, RegistrationStatus, SubjectType
from campaigns.models import Campaign, Field
from dvk.access import ID_BOUNDS
from dvk.enums import Level
from dvk.forms import BootstrapMixin
from dvk.pickers import PickerField
from dvk.selectors import find_in_subtree

from .selectors import DEFAULT_SORT, SORTS

SORT_LABELS = {
    "org": _("Theo tổ chức"),
    "name": _("Theo tên mô hình"),
    "person": _("Theo tên người (A–Z)"),
    "status": _("Theo trạng thái"),
    "-submitted": _("Mới gửi trước"),
    "-updated": _("Mới cập nhật trước"),
}
ALL_STATUSES = "all"
COUNTED = "counted"
# Where a secretary acts: the list starts with every status (see RegistrationFilterForm.status).
UNIT_LEVELS = {Level.UNIT, Level.VILLAGE}
FILTER_NAMES = ("campaign", "field", "status", "subject_type", "org", "q", "sort")


def list_campaigns(org, selected=None):
    """Campaigns a list may be filtered by, issued at the acting organisation or above it
    (the select stays short for a province with thousands of derived commune campaigns),
    plus `selected` if it came from elsewhere in the scope."""
    campaigns = list(
        Campaign.objects.filter(organization__path__in=org.ancestor_paths())
        .exclude(status=CampaignStatus.DRAFT)
        .select_related("organization")
        .order_by("-period_start", "organization__path", "number")
    )
    if selected is not None and selected not in campaigns:
        campaigns.insert(0, selected)
    return campaigns


class RegistrationFiltersBase(forms.Form):
    """What every list of registrations filters by (this list, and appraisal's list of the
    registrations a board may take): search, field, an area of the tree picked by name
    (`?org=CODE`), order. An organisation code outside `organization`'s subtree empties the
    list (`subtree_missing`), never widens it."""

    org_missing_message = _("Không có tổ chức mã %s trong phạm vi được xem.")

    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=200)
    field = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Field.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Mọi lĩnh vực"),
    )
    # Picked by name (dvk/pickers.py); the query string keeps carrying the code (?org=CODE).
    org = PickerField(source="organizations", multiple=False, label=_("Tổ chức"), max_length=40)
    sort = forms.ChoiceField(label=_("Sắp xếp"), required=False, choices=[(k, SORT_LABELS[k]) for k in SORTS])

    def __init__(self, data, *, organization):
        super().__init__(data)
        self.organization = organization
        self.subtree = None
        self.subtree_missing = False

    def style_and_validate(self):
        """Small controls for a filter bar, the picker bound to the organisation; validates."""
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"
        self.fields["q"].widget.attrs.update({"placeholder": _("Tên mô hình, họ tên..."), "type": "search"})
        self.fields["org"].widget.attrs["placeholder"] = _("Mã tổ chức, VD: %s") % self.organization.code
        self.fields["org"].bind(self.organization)
        self.is_valid()

    def clean_org(self):
        code = self.cleaned_data.get("org") or ""
        if code:
            self.subtree = find_in_subtree(self.organization, code)
            if self.subtree is None:
                self.subtree_missing = True
                raise forms.ValidationError(self.org_missing_message % code)
        return code


class RegistrationFilterForm(RegistrationFiltersBase):
    """The list's query string. An unknown or foreign value filters nothing in: it is dropped,
    except an organisation code, which must not widen the list (it empties it)."""

    campaign = forms.IntegerField(label=_("Kế hoạch"), required=False, widget=forms.Select, **ID_BOUNDS)
    # By default the list and its annex 01 hold what counts toward the quotas (what a report
    # sends up); drafts, returned, withdrawn and refused ones are one choice away. At a unit
    # the default is every status: a secretary's list is their own work, and a draft or a
    # registration returned for revision is what they came for (__init__ relabels "").
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[
            ("", _("Được tính chỉ tiêu")),
            (ALL_STATUSES, _("Mọi trạng thái")),
            *RegistrationStatus.choices,
        ],
    )
    subject_type = forms.ChoiceField(
        label=_("Chủ thể"), required=False, choices=[("", _("Tập thể và cá nhân")), *SubjectType.choices]
    )
    field_order = ["q", "campaign", "field", "status", "subject_type", "org", "sort"]

    def __init__(self, data, *, organization):
        super().__init__(data, organization=organization)
        self.campaign = None
        self.every_status_by_default = organization.level in UNIT_LEVELS
        if self.every_status_by_default:
            self.fields["status"].choices = [
                ("", _("Mọi trạng thái")),
                (COUNTED, _("Được tính chỉ tiêu")),
                *RegistrationStatus.choices,
            ]
        self.style_and_validate()
        self.campaigns = list_campaigns(organization, self.campaign)
        self.fields["campaign"].widget.choices = [("", _("Mọi kế hoạch"))] + [
            (c.pk, f"{c.number} – {c.organization.name}") for c in self.campaigns
        ]

    def clean_campaign(self):
        pk = self.cleaned_data.get("campaign")
        if pk is not None:
            # The scope decides: a campaign the acting organisation cannot see is not found.
            self.campaign = Campaign.objects.select_related("organization").filter(pk=pk).first()
        return self.campaign

    def filters(self):
        """Keyword arguments of selectors.registrations_for_list."""
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or ""
        return {
            "campaign": self.campaign,
            "field": data.get("field"),
            "status": status if status in RegistrationStatus.values else None,
            "statuses": COUNTED_STATUSES if self._counted(status) else None,
            "subject_type": data.get("subject_type") or None,
            "subtree": self.subtree,
            "search": data.get("q") or "",
            "sort": data.get("sort") or DEFAULT_SORT,
        }

    def _counted(self, status):
        return status == COUNTED or (status == "" and not self.every_status_by_default)

    def query(self):
        """The valid filters as query-string pairs, for the export and pagination links."""
        data = getattr(self, "cleaned_data", {})
        pairs = {
            "q": data.get("q") or "",
            "campaign": self.campaign.pk if self.campaign else "",
            "field": data["field"].code if data.get("field") else "",
            "status": data.get("status") or "",
            "subject_type": data.get("subject_type") or "",
            "org": data.get("org") or "",
            "sort": data.get("sort") or "",
        }
        return {k: v for k, v in pairs.items() if v != ""}


class BulkReviewForm(forms.Form):
    ACCEPT = "accept"
    RETURN = "return"

    action = forms.ChoiceField(choices=[(ACCEPT, _("Duyệt")), (RETURN, _("Trả lại để sửa"))])
    comment = forms.CharField(label=_("Ý kiến"), required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("action") == self.RETURN and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Trả lại đăng ký thì phải ghi ý kiến để đơn vị biết cần sửa gì."))
        return data


def importable_campaigns(org):
    """Published campaigns issued at the acting organisation or above it: the ones its staff
    may import registrations under."""
    return (
        Campaign.objects.filter(organization__path__in=org.ancestor_paths(), status=CampaignStatus.PUBLISHED)
        .select_related("organization")
        .order_by("-period_start", "-organization__depth", "number")
    )


class RegistrationImportForm(BootstrapMixin, forms.Form):
    campaign = forms.ModelChoiceField(label=_("Kế hoạch"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("Tệp Excel phụ lục 01 (.xlsx)"),
        help_text=_("Cùng các cột như tệp xuất danh sách; dòng đầu tiên là dòng tiêu đề."),
    )
    late_reason = forms.CharField(
        label=_("Lý do đăng ký muộn"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi đã quá hạn đăng ký của kế hoạch; các đăng ký nhập vào sẽ được đánh dấu muộn."),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = importable_campaigns(organization)
        self.fields["campaign"].label_from_instance = lambda c: f"{c.number} – {c.title} ({c.organization.name})"


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
