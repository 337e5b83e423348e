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
