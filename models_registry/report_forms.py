"""Forms of the report and evidence pages. They only read input; writes go through
models_registry.reports and models_registry.evidence."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.forms import date_field
from dvk.forms import BootstrapMixin
from dvk.uploads import MAX_FILES_PER_REQUEST, file_too_large_message, max_file_bytes

from .enums import ReportKind

ACCEPT = ",".join(
    [
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "application/pdf",
        ".pdf",
        ".docx",
        ".xlsx",
        "video/mp4",
        "video/quicktime",
        ".mp4",
        ".mov",
    ]
)
DIGITS = re.compile(r"^\d+$")


def _ungroup(whole):
    """ "12.000.000" -> "12000000"; None when the dots do not group by thousands."""
    if "." not in whole:
        return whole
    head, *groups = whole.split(".")
    if not 1 <= len(head) <= 3 or any(len(g) != 3 for g in groups):
        return None
    return head + "".join(groups)


def parse_amount(text):
    """A figure as people type it in Vietnam: "12.000.000", "12 000 000", "6,5", "6.5".

    A dot followed by exactly three digits groups thousands ("6.500" is six thousand five
    hundred); a comma is the decimal mark. None when it is not a number."""
    text = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if text.startswith("-"):
        amount = parse_amount(text[1:])
        return -amount if amount is not None else None
    if not text:
        return None
    if "," in text:
        whole, _sep, fraction = text.rpartition(",")
    elif text.count(".") == 1 and len(text.rpartition(".")[2]) != 3:
        whole, _sep, fraction = text.partition(".")
    else:
        whole, fraction = text, ""
    whole = _ungroup(whole or "0")
    if whole is None or not DIGITS.match(whole) or (fraction and not DIGITS.match(fraction)):
        return None
    try:
        return Decimal(f"{whole}.{fraction or '0'}")
    except InvalidOperation:
        return None


class AmountField(forms.CharField):
    """A non-negative figure with at most two decimals (ReportEntry.achieved)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        amount = parse_amount(text)
        if amount is None:
            raise forms.ValidationError(_("Hãy nhập một con số, ví dụ 12.000.000 hoặc 6,5."))
        if amount < 0:
            raise forms.ValidationError(_("Số liệu không được âm."))
        if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("Chỉ ghi tối đa hai chữ số thập phân."))
        if amount >= Decimal("1e12"):
            raise forms.ValidationError(_("Con số quá lớn."))
        return amount.quantize(Decimal("0.01"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none and not required)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_FILES_PER_REQUEST:
            raise forms.ValidationError(
                _("Mỗi lần gửi tối đa %(n)s tệp.") % {"n": MAX_FILES_PER_REQUEST}, code="too_many"
            )
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def evidence_files_field(*, required):
    return MultipleFileField(
        label=_("Tệp minh chứng"),
        required=required,
        help_text=_("Ảnh, PDF, Word, Excel hoặc video MP4; có thể chọn nhiều tệp."),
    )


class FilesLimitMixin:
    """Tells the page script the per-file limit, so a phone is warned before it uploads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        attrs = self.fields["files"].widget.attrs
        attrs["data-max-file-bytes"] = max_file_bytes()
        attrs["data-too-large-message"] = file_too_large_message()


class ReportForm(FilesLimitMixin, BootstrapMixin, forms.Form):
    """Date, summary, one figure per target (with the latest figure so far), files."""

    reported_on = date_field(_("Ngày báo cáo"))
    summary = forms.CharField(
        label=_("Nội dung báo cáo"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Những việc đã làm, kết quả nổi bật, khó khăn."),
    )
    files = evidence_files_field(required=False)
    caption = forms.CharField(label=_("Mô tả minh chứng"), required=False, max_length=255)

    def __init__(self, *args, kind, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.rows = []
        for target in targets:
            achieved = AmountField(
                label=target.indicator,
                # A result report states the final figure of every target ("rõ kết quả").
                required=kind == ReportKind.RESULT,
            )
            note = forms.CharField(
                label=_("Ghi chú"),
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"placeholder": _("Ghi chú (không bắt buộc)")}),
            )
            self.fields[f"achieved_{target.pk}"] = achieved
            self.fields[f"note_{target.pk}"] = note
            achieved.widget.attrs["class"] = "form-control"
            note.widget.attrs["class"] = "form-control form-control-sm mt-1"
            self.rows.append(target)

    def target_rows(self):
        """(target, achieved bound field, note bound field) for the template."""
        return [(t, self[f"achieved_{t.pk}"], self[f"note_{t.pk}"]) for t in self.rows]

    def entries(self):
        data = self.cleaned_data
        return [
            {"target": t, "achieved": data[f"achieved_{t.pk}"], "note": data.get(f"note_{t.pk}", "")}
            for t in self.rows
            if data.get(f"achieved_{t.pk}") is not None
        ]


class EvidenceUploadForm(FilesLimitMixin, BootstrapMixin, forms.Form):
    files = evidence_files_field(required=True)
    caption = forms.CharField(label=_("Mô tả"), required=False, max_length=255)
    report = forms.TypedChoiceField(label=_("Thuộc báo cáo"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.reports = {r.pk: r for r in reports}
        self.fields["report"].choices = [("", _("— Minh chứng chung của mô hình —"))] + [
            (r.pk, str(r)) for r in reports
        ]

    def clean_report(self):
        pk = self.cleaned_data.get("report")
        return self.reports.get(pk) if pk is not None else None
