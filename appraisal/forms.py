"""The rubric editor: a formset of criteria (add, remove, reorder), the threshold and a
formset of bands. The service checks the rubric as a whole (validate_rubric); the fields
here accept what a person may type so that its messages, in Vietnamese, say what is wrong.

The board's forms (board_views): its decision, a member added (picked by name), a member's
role and vote; board_services checks what depends on the board (twice, a second head)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dvk.forms import BootstrapMixin
from dvk.pickers import PickerField

from . import services
from .enums import BoardRole
from .models import BoardMember


class CriterionForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Tiêu chí"), max_length=255, required=False)
    description = forms.CharField(label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    max_points = forms.IntegerField(label=_("Điểm tối đa"), required=False, min_value=-32768, max_value=32767)
    required = forms.BooleanField(label=_("Bắt buộc chấm"), required=False)


class BandForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Xếp loại"), max_length=60, required=False)
    min = forms.IntegerField(label=_("Từ (điểm)"), required=False, min_value=-32768, max_value=32767)


class StyledFormSet(forms.BaseFormSet):
    """The formset's own fields (order, removal) styled like the rest of the form."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = _("Thứ tự")
            form.fields["ORDER"].widget.attrs["class"] = "form-control"
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Xóa")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


CriterionFormSet = forms.formset_factory(
    CriterionForm, formset=StyledFormSet, extra=2, can_delete=True, can_order=True, max_num=50
)
BandFormSet = forms.formset_factory(BandForm, formset=StyledFormSet, extra=1, can_delete=True, max_num=10)


class RubricForm(BootstrapMixin, forms.Form):
    threshold = forms.IntegerField(label=_("Điểm tối thiểu để công nhận"), min_value=-32768, max_value=32767)
    # The version the editor read (0: the default); the service refuses a stale save.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, data=None, *, view):
        self.view = view
        initial = {"threshold": view.threshold, "version": view.version}
        super().__init__(data, initial=initial)
        # A bound formset is read as sent, without the rows first shown: compared with them,
        # a row sent unchanged would count as blank and be dropped.
        criteria = [
            {
                "name": c.name,
                "description": c.description,
                "max_points": c.max_points,
                "required": c.required,
                "ORDER": i + 1,
            }
            for i, c in enumerate(view.criteria)
        ]
        self.criteria = CriterionFormSet(data, prefix="criteria", initial=None if data else criteria)
        self.bands = BandFormSet(data, prefix="bands", initial=None if data else list(view.bands))

    def clean(self):
        data = super().clean()
        if services.rubric_locked(self.view.rubric):
            raise forms.ValidationError(_("Đoàn đã bắt đầu chấm điểm: bộ tiêu chí đã khóa, không sửa được nữa."))
        return data

    def is_valid(self):
        # Every part is validated, so each shows its own errors.
        results = [super().is_valid(), self.criteria.is_valid(), self.bands.is_valid()]
        return all(results)

    @staticmethod
    def _rows(formset, keys):
        """The rows a person filled in and did not tick for removal, whatever the management
        form says was shown first: a blank row is no row."""
        rows = []
        for index, f in enumerate(formset.forms):
            data = getattr(f, "cleaned_data", {})
            if data.get("DELETE"):
                continue
            values = {k: data.get(k) for k in keys}
            if any(v not in (None, "", False) for k, v in values.items() if k != "required"):
                rows.append((data.get("ORDER") or 10**6, index, values))
        return [values for _order, _index, values in sorted(rows, key=lambda r: (r[0], r[1]))]

    def service_kwargs(self):
        return {
            "criteria": self._rows(self.criteria, ("name", "description", "max_points", "required")),
            "threshold": self.cleaned_data["threshold"],
            "bands": [{"name": b["name"], "min": b["min"]} for b in self._rows(self.bands, ("name", "min"))],
            "expected_version": self.cleaned_data["version"],
        }


# --- the board (board_views) ------------------------------------------------------------------

# A member's vote: the role's default (the secretary and guests do not vote), or stated.
VOTING_DEFAULT, VOTING_YES, VOTING_NO = "", "yes", "no"
VOTING_CHOICES = [
    (VOTING_DEFAULT, _("Theo vai trò (mặc định)")),
    (VOTING_YES, _("Có biểu quyết")),
    (VOTING_NO, _("Không biểu quyết")),
]


def voting_value(choice):
    """The service's `voting`: None for the role's default, else True or False."""
    return {VOTING_YES: True, VOTING_NO: False}.get(choice)


class BoardForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Tên đoàn"), max_length=255)
    decision_number = forms.CharField(label=_("Số quyết định thành lập"), max_length=100, required=False)
    decided_on = forms.DateField(label=_("Ngày quyết định"), required=False)
    # The version the page read; the service refuses a stale save (two tabs).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, data=None, *, board):
        initial = {
            "name": board.name,
            "decision_number": board.decision_number,
            "decided_on": board.decided_on,
            "version": board.version,
        }
        super().__init__(data, initial=initial, prefix="board")


class MemberAddForm(BootstrapMixin, forms.Form):
    username = PickerField(
        source="people",
        multiple=False,
        required=True,
        label=_("Người được cử"),
        max_length=150,
        help_text=_("Gõ một phần họ tên (không cần dấu) hoặc tên đăng nhập, rồi chọn."),
    )
    role = forms.ChoiceField(label=_("Vai trò trong đoàn"), choices=BoardRole.choices, initial=BoardRole.MEMBER)
    voting = forms.ChoiceField(label=_("Biểu quyết"), choices=VOTING_CHOICES, required=False)
    position = forms.CharField(
        label=_("Chức vụ"),
        max_length=255,
        required=False,
        help_text=_("Chức vụ của người này ngoài đoàn, in trong danh sách đoàn (ví dụ: Chủ tịch Ủy ban MTTQ xã)."),
    )

    def __init__(self, data=None, *, board):
        super().__init__(data, prefix="add")
        self.fields["username"].bind(board.organization)

    def service_kwargs(self):
        d = self.cleaned_data
        voting = voting_value(d["voting"])
        return {"user": d["username"], "role": d["role"], "voting": voting, "position": d["position"]}


class MemberChangeForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label=_("Vai trò trong đoàn"), choices=BoardRole.choices)
    voting = forms.ChoiceField(label=_("Biểu quyết"), choices=VOTING_CHOICES, required=False)
    position = forms.CharField(label=_("Chức vụ"), max_length=255, required=False)

    def __init__(self, data=None, *, member):
        self.member = member
        # A vote as the role gives it shows as the default, so a new role brings its own.
        voting = VOTING_YES if member.voting else VOTING_NO
        if member.voting == BoardMember.votes_by_default(member.role):
            voting = VOTING_DEFAULT
        initial = {"role": member.role, "voting": voting, "position": member.position}
        super().__init__(data, initial=initial, prefix=f"m{member.pk}")

    def service_kwargs(self):
        d = self.cleaned_data
        return {"role": d["role"], "voting": voting_value(d["voting"]), "position": d["position"]}


class OutboxImportForm(BootstrapMixin, forms.Form):
    """The staff import of a member's outbox file (appraisal.outbox_import)."""

    file = forms.FileField(
        label=_("Tệp hộp thư đi (.json)"),
        help_text=_("Tệp thành viên tải về từ trang “Hộp thư đi” trên máy tính bảng (nút “Tải tệp hộp thư đi”)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
