"""Forms of the results pages: how the board draws its results (staff of its level) and the
head's reason for reopening a submitted scorecard."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dvk.forms import BootstrapMixin

from .enums import ResultMethod
from .result_services import DISAGREEMENT_MAX
from .scoring_services import REASON_MAX


class ResultSettingsForm(BootstrapMixin, forms.Form):
    result_method = forms.ChoiceField(label=_("Cách tính kết quả"), choices=ResultMethod.choices)
    disagreement_points = forms.IntegerField(
        label=_("Chênh lệch điểm cần thảo luận"),
        min_value=0,
        max_value=DISAGREEMENT_MAX,
        help_text=_("Mô hình có điểm của các thành viên chênh nhau nhiều hơn số điểm này được đánh dấu cần thảo luận."),
    )
    # The version the page read; the service refuses a stale save (two tabs).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, data=None, *, board):
        initial = {
            "result_method": board.result_method,
            "disagreement_points": board.disagreement_points,
            "version": board.version,
        }
        super().__init__(data, initial=initial, prefix="results")


class DecisionRulesForm(BootstrapMixin, forms.Form):
    """The review meeting's decision rules (appraisal.meetings), fractions of the voting members."""

    quorum_share = forms.CharField(
        label=_("Tỷ lệ có mặt tối thiểu"),
        max_length=7,
        help_text=_("Phân số số thành viên có quyền biểu quyết có mặt trực tiếp, làm tròn lên; mặc định 2/3."),
    )
    recognise_share = forms.CharField(
        label=_("Công nhận khi số tán thành trên"),
        max_length=7,
        help_text=_("Phân số số thành viên biểu quyết về mô hình; mặc định 1/2 (quá bán)."),
    )
    propose_share = forms.CharField(
        label=_("Đề nghị cấp trên khi số tán thành từ"),
        max_length=7,
        help_text=_("Làm tròn lên; mặc định 4/5 (80%, như Nghị định 98/2023); tỉnh có thể quy định khác."),
    )
    proposal_threshold = forms.IntegerField(
        label=_("Điểm tối thiểu để đề nghị cấp trên"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=_("Để trống: bằng điểm tối thiểu để công nhận."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, data=None, *, board):
        initial = {
            "quorum_share": board.quorum_share,
            "recognise_share": board.recognise_share,
            "propose_share": board.propose_share,
            "proposal_threshold": board.proposal_threshold,
            "version": board.version,
        }
        super().__init__(data, initial=initial, prefix="rules")


class ReopenForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do mở lại phiếu"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Lý do được lưu cùng phiếu chấm và báo cho thành viên."),
    )


class ScoringOpenForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do mở lại chấm điểm"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kết quả đã là của đoàn: lý do được lưu và báo cho các thành viên."),
    )
