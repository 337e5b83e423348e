"""The visit form (lịch khảo sát): the registration (a registration the board takes), the day
(dd/mm/yyyy), the time (HH:MM, optional), the place, a note, and the members going (the
board's members, ticked). The service checks the day against the survey window."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dvk.forms import DATE_PLACEHOLDER, BootstrapMixin

from . import visit_services
from .models import BoardMember


class RegistrationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.initiative.name} – {obj.organization.name}"


class MemberChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.display_name} ({obj.get_role_display()})"


class VisitForm(BootstrapMixin, forms.Form):
    registration = RegistrationChoice(
        label=_("Mô hình được khảo sát"),
        queryset=None,
        error_messages={
            "required": _("Hãy chọn mô hình được khảo sát."),
            "invalid_choice": _("Đoàn thẩm định không thẩm định đăng ký này (hoặc không tìm thấy đăng ký)."),
        },
    )
    visit_on = forms.DateField(
        label=_("Ngày khảo sát"),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": DATE_PLACEHOLDER, "autocomplete": "off"}),
        error_messages={
            "required": _("Hãy nhập ngày khảo sát."),
            "invalid": _("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 20/11/2026."),
        },
    )
    visit_at = forms.TimeField(
        label=_("Giờ"),
        required=False,
        input_formats=["%H:%M", "%Hh%M", "%H:%M:%S"],
        widget=forms.TimeInput(
            format="%H:%M", attrs={"placeholder": _("giờ:phút, ví dụ 08:00"), "inputmode": "numeric"}
        ),
        help_text=_("Không bắt buộc."),
        error_messages={"invalid": _("Giờ không hợp lệ; hãy nhập theo dạng giờ:phút, ví dụ 08:30.")},
    )
    place = forms.CharField(
        label=_("Địa điểm"),
        max_length=visit_services.PLACE_MAX,
        error_messages={"required": _("Hãy nhập địa điểm khảo sát.")},
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Gửi kèm thông báo cho đơn vị và các thành viên đi khảo sát."),
    )
    members = MemberChoices(
        label=_("Thành viên đoàn đi khảo sát"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Hãy chọn ít nhất một thành viên đoàn đi khảo sát."),
            "invalid_choice": _("Chỉ chọn được thành viên của đoàn thẩm định này."),
            "invalid_pk_value": _("Chỉ chọn được thành viên của đoàn thẩm định này."),
        },
    )
    # The version the editor read (editing only); the service refuses a stale change.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, data=None, *, board, visit=None):
        initial = {}
        if visit is not None:
            initial = {
                "visit_on": visit.visit_on,
                "visit_at": visit.visit_at,
                "place": visit.place,
                "note": visit.note,
                "members": [vm.member_id for vm in visit.going_members],
                "version": visit.version,
            }
        super().__init__(data, initial=initial)
        self.visit = visit
        self.fields["members"].queryset = (
            BoardMember.objects.filter(board=board).select_related("user").order_by("position_order", "pk")
        )
        if visit is None:
            self.fields["registration"].queryset = visit_services.registrations_taken(board)
        else:
            del self.fields["registration"]

    def service_kwargs(self):
        data = self.cleaned_data
        kwargs = {
            "visit_on": data["visit_on"],
            "visit_at": data.get("visit_at"),
            "place": data["place"],
            "note": data.get("note", ""),
            "members": list(data["members"]),
        }
        if self.visit is None:
            kwargs["registration"] = data["registration"]
        else:
            kwargs["expected_version"] = data.get("version")
        return kwargs
