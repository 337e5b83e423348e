"""Forms of the recognition dossier. They read input only; appraisal.dossier_services checks
the dossier as a whole (the length budget, the state, the version) and writes it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.forms import date_field
from dvk.forms import BootstrapMixin
from dvk.uploads import file_too_large_message, max_file_bytes
from models_registry.report_forms import ACCEPT

from .dossier_services import LETTER_FIELDS, REPORT_FIELDS
from .enums import REPORT_CHARACTER_BUDGET, OpinionBody


def _text(label, rows=4, **attrs):
    return forms.CharField(
        label=label, required=False, strip=False, widget=forms.Textarea(attrs={"rows": rows, **attrs})
    )


def _report(label, help_text=""):
    field = _text(label, rows=8, **{"data-report-field": "1"})
    field.help_text = help_text
    return field


class DossierForm(BootstrapMixin, forms.Form):
    """The proposal letter and the detailed report (seed 004 III). `version` is the version
    read (0: no dossier yet), so a save from a stale tab is refused and its text kept."""

    letter_number = forms.CharField(label=_("Số tờ trình"), max_length=100, required=False)
    letter_date = date_field(_("Ngày tờ trình"), required=False)
    letter_to = forms.CharField(label=_("Kính gửi"), max_length=255, required=False)
    letter_request = _text(_("Nội dung đề nghị"), rows=4)
    signer_name = forms.CharField(label=_("Người ký"), max_length=150, required=False)
    signer_position = forms.CharField(label=_("Chức vụ người ký"), max_length=150, required=False)
    report_purposes = _report(_("2. Mục đích, ý nghĩa, phạm vi ảnh hưởng của mô hình"))
    report_content = _report(_("3. Nội dung, cách thức triển khai thực hiện qua các giai đoạn"))
    report_results = _report(
        _("4. Kết quả đạt được (có số liệu, minh chứng cụ thể, phân tích hiệu quả qua thời gian)"),
        _(
            "Khi còn trống, ô này được điền sẵn chỉ tiêu và số liệu đã báo cáo của mô hình qua các năm (tối đa 5 năm); "
            "hãy bổ sung phân tích hiệu quả."
        ),
    )
    report_creativity = _report(_("5. Đánh giá về tính sáng tạo, bền vững, mức độ lan tỏa và sự tham gia của Nhân dân"))
    report_lessons = _report(_("6. Bài học kinh nghiệm, kiến nghị, đề xuất"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, data=None, *, dossier, prefill_results=""):
        initial = {name: getattr(dossier, name) for name in LETTER_FIELDS + REPORT_FIELDS}
        initial["version"] = dossier.version if dossier.pk else 0
        if not initial["report_results"] and prefill_results:
            initial["report_results"] = prefill_results
        super().__init__(data, initial=initial)
        self.fields["letter_request"].widget.attrs["placeholder"] = _(
            "Ví dụ: Chi ủy Chi bộ Xóm 5 đề nghị Ban Thường vụ Đảng ủy xã xem xét, công nhận mô hình … "
            "đạt mô hình “Dân vận khéo” cấp xã năm 2026."
        )

    def service_kwargs(self):
        data = self.cleaned_data
        fields = {name: data.get(name) for name in LETTER_FIELDS + REPORT_FIELDS}
        return {"expected_version": data["version"], **fields}


class VersionForm(forms.Form):
    """The submit button's form: the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReturnForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do trả lại"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi lý do trả lại để đơn vị biết cần bổ sung gì.")},
    )


class OpinionForm(BootstrapMixin, forms.Form):
    body = forms.ChoiceField(label=_("Cơ quan cho ý kiến"), choices=[("", "---------"), *OpinionBody.choices])
    author = forms.CharField(label=_("Người ký, chức vụ"), max_length=255, required=False)
    text = forms.CharField(label=_("Nội dung ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(
        label=_("Tệp đính kèm (bản chụp, PDF, Word)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("Có thể ghi nội dung, đính kèm tệp, hoặc cả hai."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_opinion_%s")
        super().__init__(*args, **kwargs)
        attrs = self.fields["file"].widget.attrs
        attrs["data-max-file-bytes"] = max_file_bytes()
        attrs["data-too-large-message"] = file_too_large_message()

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("file"):
            raise forms.ValidationError(_("Ý kiến cần có nội dung, hoặc tệp đính kèm, hoặc cả hai."))
        return data


BUDGET = REPORT_CHARACTER_BUDGET
