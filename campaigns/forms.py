"""Forms of the campaign pages. They only validate input; writes go through campaigns.services."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from dvk.enums import Kind, Level
from dvk.forms import DATE_PLACEHOLDER, BootstrapMixin
from dvk.pickers import PickerField, in_order_or_refuse
from dvk.selectors import subtree_of

from .enums import Recurrence
from .models import Campaign, Field, Milestone, MilestoneKind, Quota
from .services import normalize_number, number_taken, upper_campaigns_for


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": DATE_PLACEHOLDER, "autocomplete": "off"}),
        error_messages={"invalid": _("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 27/09/2025.")},
    )


def checkboxes(label, choices, *, help_text=""):
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple, help_text=help_text
    )


def organization_picker(label, help_text):
    """Organisations picked by name with the search picker (dvk/pickers.py); the form posts
    their codes, one a line, and checks them with organizations_from_codes. The form binds
    the picker to the organisation whose subtree it searches."""
    return PickerField(source="organizations", multiple=True, label=label, help_text=help_text)


def organizations_from_codes(root, codes):
    """The organisations `codes` name inside the subtree of `root`, in the order given; a
    ValidationError naming every code that is unknown or outside (the same message for both:
    no existence leak)."""
    if not codes:
        return []
    found = {o.code: o for o in subtree_of(root).filter(code__in=codes)}
    return in_order_or_refuse(codes, found, _("Không tìm thấy mã %(names)s trong phạm vi của %(org)s."), root)


def codes_of(organizations):
    return "\n".join(o.code for o in organizations)


class CheckboxAwareMixin(BootstrapMixin):
    """BootstrapMixin, but checkbox lists get Bootstrap's check class, not form-control."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"


class CampaignForm(CheckboxAwareMixin, forms.ModelForm):
    """Header, fields and targets of a campaign. `organization` is the issuing level: the picked
    organisations and the phase must come from its subtree and its own campaigns."""

    issued_on = date_field(_("Ngày ban hành"), required=False)
    period_start = date_field(_("Thực hiện từ ngày"))
    period_end = date_field(_("Đến ngày"))
    # The real choices (this level's phases) are set per request, inside the scope.
    phase = forms.ModelChoiceField(label=_("Thuộc giai đoạn"), queryset=Campaign.objects.none(), required=False)
    fields = forms.ModelMultipleChoiceField(
        label=_("Lĩnh vực"), queryset=Field.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    target_levels = checkboxes(_("Cấp được giao"), Level.choices, help_text=_("Để trống: mọi cấp."))
    target_kinds = checkboxes(_("Loại tổ chức được giao"), Kind.choices, help_text=_("Để trống: mọi loại."))
    target_codes = organization_picker(
        _("Tổ chức được chọn thêm"),
        _("Gõ một phần tên (không cần dấu) hoặc mã rồi chọn; chỉ các tổ chức thuộc cấp ban hành."),
    )

    class Meta:
        model = Campaign
        fields = [
            "number",
            "title",
            "issuing_body",
            "issuing_body_name",
            "signer_name",
            "signer_title",
            "issued_on",
            "legal_bases",
            "purposes",
            "requirements",
            "period_start",
            "period_end",
            "is_phase",
            "phase",
            "fields",
            "target_levels",
            "target_kinds",
            "target_direct_only",
        ]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "legal_bases": forms.Textarea(attrs={"rows": 4}),
            "purposes": forms.Textarea(attrs={"rows": 4}),
            "requirements": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["target_codes"].bind(organization)
        phases = Campaign.objects.filter(organization=organization, is_phase=True)
        if self.instance.pk:
            phases = phases.exclude(pk=self.instance.pk)
            self.fields["target_codes"].initial = codes_of(self.instance.target_organizations.order_by("path"))
        self.fields["phase"].queryset = phases.order_by("-period_start")
        self.fields["phase"].empty_label = _("(không thuộc giai đoạn nào)")
        self.fields["legal_bases"].help_text = _("Mỗi căn cứ một dòng, ví dụ “Căn cứ Điều lệ Đảng;”.")

    def clean_target_codes(self):
        return organizations_from_codes(self.organization, self.cleaned_data["target_codes"])

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data

    def service_kwargs(self):
        """cleaned_data in the shape campaigns.services takes."""
        data = dict(self.cleaned_data)
        data["target_organizations"] = data.pop("target_codes")
        data.pop("version", None)
        return data


class CampaignEditForm(CampaignForm):
    # The version the user read; the service refuses the save if someone saved since.
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version


class DeriveForm(BootstrapMixin, forms.Form):
    number = forms.CharField(label=_("Số, ký hiệu kế hoạch của cấp mình"), max_length=60)
    title = forms.CharField(label=_("Trích yếu"), max_length=500)
    issuing_body_name = forms.CharField(label=_("Tên cơ quan ban hành"), max_length=255)

    def __init__(self, *args, parent=None, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parent is not None and organization is not None:
            self.fields["title"].initial = _("Thực hiện %(title)s") % {"title": parent.title[:480]}
            self.fields["issuing_body_name"].initial = organization.name
        self.fields["number"].widget.attrs["placeholder"] = _("Ví dụ: 12-KH/ĐU")


class QuotaForm(CheckboxAwareMixin, forms.ModelForm):
    levels = checkboxes(_("Cấp"), Level.choices, help_text=_("Để trống: mọi cấp được giao."))
    kinds = checkboxes(_("Loại tổ chức"), Kind.choices, help_text=_("Để trống: mọi loại."))
    organization_codes = organization_picker(
        _("Tổ chức được chọn"),
        _(
            "Gõ một phần tên (không cần dấu) hoặc mã rồi chọn. "
            "Dòng chỉ có tổ chức được chọn thì chỉ áp dụng cho các tổ chức đó."
        ),
    )
    excluded_codes = organization_picker(_("Trừ các tổ chức"), _("Các tổ chức không phải đạt chỉ tiêu này."))

    class Meta:
        model = Quota
        fields = [
            "label",
            "scope",
            "levels",
            "kinds",
            "counts_subtree",
            "min_total",
            "min_collective",
            "min_individual",
        ]

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        for name in ("organization_codes", "excluded_codes"):
            self.fields[name].bind(campaign.organization)
        if self.instance.pk:
            self.fields["organization_codes"].initial = codes_of(self.instance.organizations.order_by("path"))
            self.fields["excluded_codes"].initial = codes_of(self.instance.excluded.order_by("path"))
        for name in ("min_total", "min_collective", "min_individual"):
            self.fields[name].widget.attrs["min"] = 0

    def _post_clean(self):
        # The service saves; the model's constraint would only repeat clean()'s message in English.
        pass

    def clean_organization_codes(self):
        return organizations_from_codes(self.campaign.organization, self.cleaned_data["organization_codes"])

    def clean_excluded_codes(self):
        return organizations_from_codes(self.campaign.organization, self.cleaned_data["excluded_codes"])

    def clean(self):
        data = super().clean()
        numbers = [data.get(n) or 0 for n in ("min_total", "min_collective", "min_individual")]
        if not any(numbers) and not self.has_error("min_total"):
            raise forms.ValidationError(_("Chỉ tiêu phải có ít nhất một con số lớn hơn 0."))
        return data

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["organizations"] = data.pop("organization_codes")
        data["excluded"] = data.pop("excluded_codes")
        return data


class MilestoneForm(BootstrapMixin, forms.ModelForm):
    starts_on = date_field(_("Từ ngày"), required=False, help_text=_("Chỉ cho khoảng thời gian, ví dụ đợt khảo sát."))
    due_on = date_field(_("Hạn (đến ngày)"))
    recurs_until = date_field(_("Lặp đến ngày"), required=False, help_text=_("Để trống: đến hết kỳ kế hoạch."))

    class Meta:
        model = Milestone
        fields = ["kind", "title", "starts_on", "due_on", "recurrence", "recurs_until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = MilestoneKind.objects.order_by("sequence", "name")
        self.fields["title"].help_text = _("Để trống: dùng tên loại mốc.")

    def _post_clean(self):
        # The order of dates is the service's to judge, against the campaign's other
        # milestones, with its own messages; the model's own checks are left to it too.
        pass

    def clean(self):
        data = super().clean()
        recurrence, until, due = data.get("recurrence"), data.get("recurs_until"), data.get("due_on")
        if recurrence == Recurrence.NONE and until:
            data["recurs_until"] = None
        elif until and due and until < due:
            self.add_error("recurs_until", _("Ngày lặp đến phải sau hạn đầu tiên."))
        return data


class MilestoneKindForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Tên loại mốc"), max_length=150)
    sequence = forms.IntegerField(
        label=_("Thứ tự logic"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_(
            "Để trống nếu không phụ thuộc mốc khác. Các mốc có thứ tự: đăng ký 1, hoàn thành 2, báo cáo kết quả 3, "
            "hồ sơ khen thưởng 4, báo cáo tổng hợp 5; mốc có thứ tự lớn hơn không được có hạn sớm hơn."
        ),
    )
    is_window = forms.BooleanField(label=_("Là khoảng thời gian (có ngày bắt đầu và kết thúc)"), required=False)


SHIFT_YEAR, SHIFT_DAYS = "year", "days"


class CopyForm(BootstrapMixin, forms.Form):
    """ "Sao chép kế hoạch": what the new plan needs that the original cannot give (its number,
    its title, how far its dates move, and for a derived plan which upper plan it implements)."""

    number = forms.CharField(
        label=_("Số, ký hiệu của kế hoạch mới"),
        max_length=60,
        error_messages={"required": _("Hãy nhập số, ký hiệu của kế hoạch mới.")},
    )
    title = forms.CharField(label=_("Trích yếu"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    shift = forms.ChoiceField(
        label=_("Dời thời gian thực hiện và các mốc"),
        choices=[
            (SHIFT_YEAR, _("Sang năm sau (cùng ngày, tháng; 29/02 thành 28/02)")),
            (SHIFT_DAYS, _("Một số ngày")),
        ],
        initial=SHIFT_YEAR,
        widget=forms.RadioSelect,
    )
    days = forms.IntegerField(
        label=_("Số ngày dời"),
        required=False,
        min_value=0,
        max_value=3660,
        help_text=_("Từ 0 đến 3660 ngày; chỉ dùng khi chọn “Một số ngày”."),
        error_messages={
            "invalid": _("Số ngày dời phải là một số nguyên, ví dụ 365."),
            "min_value": _("Số ngày dời phải từ 0 đến 3660."),
            "max_value": _("Số ngày dời phải từ 0 đến 3660."),
        },
    )
    # The real choices (published upper plans) are set per request, inside the scope.
    upper = forms.ModelChoiceField(
        label=_("Kế hoạch cấp trên mà bản sao thực hiện"),
        queryset=Campaign.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Hãy chọn một kế hoạch cấp trên đang thực hiện trong danh sách.")},
    )

    def __init__(self, *args, original, **kwargs):
        super().__init__(*args, **kwargs)
        self.original = original
        self.fields["shift"].widget.attrs["class"] = "form-check-input"
        self.fields["number"].widget.attrs["placeholder"] = _("Ví dụ: 12-KH/ĐU")
        year = original.period_start.year
        self.fields["title"].initial = re.sub(rf"\b{year}\b", str(year + 1), original.title)
        if original.derived_from_id is None:
            del self.fields["upper"]
            return
        uppers = upper_campaigns_for(original.organization)
        field = self.fields["upper"]
        field.queryset = uppers
        field.empty_label = _("(không thực hiện kế hoạch cấp trên nào)")
        field.label_from_instance = lambda c: f"{c.number} – {c.title[:120]} ({c.organization.name})"
        field.help_text = _(
            "Kế hoạch gốc thực hiện kế hoạch số %(number)s; chọn kế hoạch cấp trên đang thực hiện mà bản sao thực "
            "hiện (mặc định: kế hoạch mới nhất của cùng cấp trên)."
        ) % {"number": original.derived_from.number}
        same_level = [c for c in uppers if c.organization_id == original.derived_from.organization_id]
        if same_level:
            field.initial = same_level[0].pk

    def clean_number(self):
        number = normalize_number(self.cleaned_data["number"])
        if number_taken(self.original.organization, number):
            raise forms.ValidationError(
                _("%(org)s đã có kế hoạch số %(number)s; hãy nhập số, ký hiệu khác.")
                % {"org": self.original.organization.name, "number": number}
            )
        return number

    def clean(self):
        data = super().clean()
        if data.get("shift") == SHIFT_DAYS and data.get("days") is None and not self.has_error("days"):
            self.add_error("days", _("Hãy nhập số ngày dời."))
        return data

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "number": data["number"],
            "title": data["title"],
            "days": data["days"] if data["shift"] == SHIFT_DAYS else None,
            "upper": data.get("upper"),
        }
