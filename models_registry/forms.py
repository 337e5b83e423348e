"""Forms of the registration pages. They only validate input; writes go through
models_registry.services, which also decides what a submission must contain."""

import re
from decimal import Decimal, InvalidOperation
from itertools import zip_longest

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from campaigns.enums import RegistrationStatus, SubjectType
from campaigns.models import Field
from dvk.forms import DATE_PLACEHOLDER, BootstrapMixin
from dvk.pickers import PickerField, people_from_usernames
from dvk.text import clean_text

from .models import Registration

DATE_ERROR = _lazy("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 27/09/2025.")
# Blank rows of the expected-results table shown without JavaScript (the script adds more).
MIN_TARGET_ROWS = 3
TARGET_KEYS = ("indicator", "value", "unit")
TARGET_MAX = {"indicator": 255, "unit": 50}
VALUE_LIMIT = Decimal("1e12")  # max_digits=14, decimal_places=2

COMMON_FIELDS = ["field", "location", "starts_on", "completes_on", "contact_phone", "continues"]
PERSON_FIELDS = ["person_name", "person_position", "person_unit", "person_address", "person_phone"]
SIX_CLEAR_FIELDS = ["responsible_person", "participants", "content", "responsibility", "authority", "schedule"]
PLAN_FIELDS = [
    "purposes",
    "solutions",
    "forces",
    "coordinating_forces",
    "review_dates",
    "launch_event",
    "assignments",
    "conditions",
]
# An earlier registration a new one may continue: one that went through, not a draft or a refusal.
NOT_CONTINUABLE = (RegistrationStatus.DRAFT, RegistrationStatus.WITHDRAWN, RegistrationStatus.REJECTED)


def parse_number(text):
    """A figure as Vietnamese write it: "12.000.000", "12000000", "2,5" (comma decimals).

    A dot followed by exactly three digits groups thousands; otherwise it is a decimal point.
    Returns a Decimal, or None when the text is not a number."""
    text = re.sub(r"[\s\u00a0]", "", text or "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".", 1)
    elif text.count(".") > 1 or re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def format_number(value):
    """The stored figure as the form shows it: no trailing zeros, dots between thousands."""
    if value is None:
        return ""
    value = Decimal(value).normalize()
    whole, _sep, decimals = f"{value:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    grouped = ".".join(digits[max(i - 3, 0) : i] for i in range(len(digits), 0, -3)[::-1])
    return sign + grouped + ("," + decimals if decimals else "")


def date_input():
    # Typed as dd/mm/yyyy like every date of the product: a phone's own picker shows the
    # phone's locale order, which is not always the Vietnamese one.
    return forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": DATE_PLACEHOLDER, "autocomplete": "off"})


class RegisteringUnitForm(forms.Form):
    """Which unit a staff member registers for on the open-campaigns page: picked by name
    (models_registry.pickers, only the units the user may register for), posted as the code
    (?org=CODE, as links and the page without JavaScript always did). The view checks the
    code itself (_registering_org, then the add_registration rule)."""

    org = PickerField(source="registering-units", multiple=False, label=_lazy("Đăng ký cho đơn vị"), max_length=40)

    def __init__(self, *, acting, registering):
        super().__init__(initial={"org": registering.code})
        self.fields["org"].bind(acting)
        self.fields["org"].widget.attrs["class"] = "form-control form-control-sm"


class RegistrationCreateForm(BootstrapMixin, forms.Form):
    """The first step: what the model is called and who carries it out. The rest is the
    edit page, which saves as the secretary types."""

    name = forms.CharField(
        label=_lazy("Tên mô hình"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_lazy("Ví dụ: Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa."),
        error_messages={"required": _lazy("Hãy ghi tên mô hình.")},
    )
    subject_type = forms.ChoiceField(
        label=_lazy("Chủ thể"), choices=SubjectType.choices, widget=forms.RadioSelect, initial=SubjectType.COLLECTIVE
    )
    late_reason = forms.CharField(
        label=_lazy("Lý do đăng ký muộn"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, late=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject_type"].widget.attrs["class"] = "form-check-input"
        if not late:
            del self.fields["late_reason"]

    def clean_name(self):
        return clean_text(self.cleaned_data["name"])


class RegistrationForm(BootstrapMixin, forms.ModelForm):
    """Every field of the registration and the model plan, plus the expected results as
    rows of `target_indicator` / `target_value` / `target_unit`.

    Nothing here is required: a draft saves as it is typed. What a submission needs is
    checked by models_registry.validation (through the service); its errors, keyed by the
    same names, land on the same fields ("targets" on the table)."""

    name = forms.CharField(
        label=_lazy("Tên mô hình"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The real choices (the organisation's earlier registrations) are set per request, inside
    # the scope: the registration manager refuses to query outside one.
    continues = forms.ModelChoiceField(
        label=_lazy("Mô hình mới hay duy trì"),
        queryset=Registration.objects.none(),
        required=False,
        help_text=_lazy(
            "Mô hình duy trì từ năm trước: chọn lần đăng ký trước và đặt mục tiêu cao hơn ở ít nhất một chỉ tiêu."
        ),
    )
    # The version the user read; the service refuses the save if someone saved since.
    version = forms.IntegerField(widget=forms.HiddenInput)
    # An individual registration's link to the person's own account (Registration.person_user),
    # by username: a board member who is that person may not appraise it.
    person_account = forms.CharField(
        label=_lazy("Tên đăng nhập DVK của người được đề nghị (nếu có)"),
        max_length=150,
        required=False,
        help_text=_lazy("Để đoàn thẩm định biết người này không chấm, không biểu quyết mô hình của chính mình."),
    )

    class Meta:
        model = Registration
        fields = COMMON_FIELDS + PERSON_FIELDS + SIX_CLEAR_FIELDS + PLAN_FIELDS
        widgets = {
            "starts_on": date_input(),
            "completes_on": date_input(),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "person_phone": forms.TextInput(attrs={"type": "tel"}),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in SIX_CLEAR_FIELDS + PLAN_FIELDS
                if name not in ("responsible_person", "authority")
            },
        }
        labels = {"field": _lazy("Lĩnh vực")}
        help_texts = {
            "responsible_person": _lazy("Họ tên, chức vụ người chịu trách nhiệm chính."),
            "authority": _lazy("Cấp phê duyệt, chỉ đạo thực hiện mô hình."),
        }
        error_messages = {
            "starts_on": {"invalid": DATE_ERROR},
            "completes_on": {"invalid": DATE_ERROR},
        }

    def __init__(self, *args, registration, **kwargs):
        kwargs.setdefault("instance", registration)
        kwargs.setdefault("initial", {"name": registration.name, "version": registration.version})
        super().__init__(*args, **kwargs)
        self.registration = registration
        if registration.subject_type != SubjectType.INDIVIDUAL:
            for name in [*PERSON_FIELDS, "person_account"]:
                del self.fields[name]
        elif registration.person_user_id and not self.is_bound:
            self.initial["person_account"] = registration.person_user.username
        campaign_fields = list(registration.campaign.fields.all())
        field = self.fields["field"]
        field.queryset = (
            Field.objects.filter(pk__in=[f.pk for f in campaign_fields]) if campaign_fields else (Field.objects.all())
        )
        field.empty_label = _("— Chọn lĩnh vực —")
        continues = self.fields["continues"]
        continues.queryset = (
            Registration.objects.filter(organization_id=registration.organization_id)
            .exclude(campaign_id=registration.campaign_id)
            .filter(campaign__period_start__lt=registration.campaign.period_start)
            .exclude(status__in=NOT_CONTINUABLE)
            .select_related("initiative", "campaign")
            .order_by("-campaign__period_start", "-pk")
        )
        continues.empty_label = _("Mô hình mới (chưa đăng ký năm trước)")
        continues.label_from_instance = lambda r: (
            _("Duy trì: %(name)s (kế hoạch %(number)s)")
            % {
                "name": r.initiative.name,
                "number": r.campaign.number,
            }
        )
        self.target_errors = []
        self.targets_invalid = False
        self.target_rows = self._rows_from_data() if self.is_bound else self._rows_from_registration()

    def _post_clean(self):
        """The form validates input only: the service writes the registration (and checks
        it), so the instance is neither changed nor model-validated here."""

    # The expected results ("rõ kết quả").

    def _rows_from_registration(self):
        rows = [
            {"indicator": t.indicator, "value": format_number(t.value), "unit": t.unit, "errors": []}
            for t in self.registration.targets.all()
        ]
        return self._padded(rows)

    def _rows_from_data(self):
        columns = [self.data.getlist(f"target_{key}") for key in TARGET_KEYS]
        rows = [
            {"indicator": i or "", "value": v or "", "unit": u or "", "errors": []} for i, v, u in zip_longest(*columns)
        ]
        return self._padded([r for r in rows if any(r[k].strip() for k in TARGET_KEYS)])

    @staticmethod
    def _padded(rows):
        blank = {"indicator": "", "value": "", "unit": "", "errors": []}
        return rows + [dict(blank) for _i in range(max(MIN_TARGET_ROWS - len(rows), 1))]

    def _clean_targets(self):
        targets = []
        for number, row in enumerate((r for r in self.target_rows if any(r[k].strip() for k in TARGET_KEYS)), 1):
            indicator, unit = clean_text(row["indicator"]), clean_text(row["unit"])
            value = parse_number(row["value"])
            missing = []
            if not indicator:
                missing.append(_("hãy ghi chỉ tiêu"))
            if not row["value"].strip():
                missing.append(_("hãy ghi con số"))
            elif value is None:
                row["errors"].append(_("con số “%s” không hợp lệ") % row["value"].strip())
            elif value <= 0:
                row["errors"].append(_("con số phải lớn hơn 0"))
            elif abs(value) >= VALUE_LIMIT or value != value.quantize(Decimal("0.01")):
                row["errors"].append(_("con số quá lớn hoặc quá 2 chữ số thập phân"))
            if not unit:
                missing.append(_("hãy ghi đơn vị tính"))
            for key, limit in TARGET_MAX.items():
                if len(clean_text(row[key])) > limit:
                    row["errors"].append(_("quá %(n)s ký tự") % {"n": limit})
            self.targets_invalid = self.targets_invalid or bool(row["errors"])
            row["errors"] = missing + row["errors"]
            if row["errors"]:
                self.target_errors.append(
                    _("Kết quả dòng %(n)s: %(errors)s.") % {"n": number, "errors": "; ".join(row["errors"])}
                )
            else:
                targets.append({"indicator": indicator, "value": value, "unit": unit})
        return targets

    def only_targets_unfinished(self):
        """True when everything is valid but a row of expected results is still being typed
        (some of its cells blank): the rest of the draft can be saved without the table."""
        return self.is_bound and not self.errors and bool(self.target_errors) and not self.targets_invalid

    def clean(self):
        cleaned = super().clean()
        cleaned["targets"] = self._clean_targets()
        if "name" in cleaned:
            cleaned["name"] = clean_text(cleaned["name"])
        return cleaned

    def is_valid(self):
        return super().is_valid() and not self.target_errors

    def add_submission_errors(self, errors):
        """Errors of models_registry.validation (or of a service), each on its own field.

        On an unbound form (the stored registration, checked) they are shown with the
        stored values."""
        if not self.is_bound and self._errors is None:
            self._errors = ErrorDict(renderer=self.renderer)
            self.cleaned_data = {}
        for key, messages in errors.items():
            if key == "targets":
                self.target_errors.extend(messages)
            else:
                self.add_error(key if key in self.fields else None, messages)

    def all_errors(self):
        """{field: [messages]} including the expected results, for the autosave's answer."""
        errors = {key: [str(m) for m in messages] for key, messages in self.errors.items()}
        if self.target_errors:
            errors["targets"] = [str(m) for m in self.target_errors]
        return errors

    def clean_person_account(self):
        """The account named, among the people with a role under the campaign's level (the
        people its board is formed from); empty unlinks."""
        username = (self.cleaned_data.get("person_account") or "").strip()
        if not username:
            return None
        [person] = people_from_usernames(self.registration.campaign.organization, [username])
        return person

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if "person_account" in data:
            data["person_user"] = data.pop("person_account")
        return data


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", "accept"), ("return", "return"), ("reject", "reject")])
    comment = forms.CharField(required=False, max_length=4000)
