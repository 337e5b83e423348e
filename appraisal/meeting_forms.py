"""The review meeting's forms (meeting_views): its details, the roll, a ballot."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dvk.forms import DATE_PLACEHOLDER, BootstrapMixin

from . import meetings
from .enums import Attendance, VoteChoice
from .models import BoardMember


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.display_name} ({obj.get_role_display()})"


class MeetingForm(BootstrapMixin, forms.Form):
    held_on = forms.DateField(
        label=_("Ngày họp"),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": DATE_PLACEHOLDER, "autocomplete": "off"}),
        error_messages={
            "required": _("Hãy nhập ngày họp."),
            "invalid": _("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 01/12/2026."),
        },
    )
    held_at = forms.TimeField(
        label=_("Giờ"),
        required=False,
        input_formats=["%H:%M", "%Hh%M", "%H:%M:%S"],
        widget=forms.TimeInput(
            format="%H:%M", attrs={"placeholder": _("giờ:phút, ví dụ 14:00"), "inputmode": "numeric"}
        ),
        error_messages={"invalid": _("Giờ không hợp lệ; hãy nhập theo dạng giờ:phút, ví dụ 14:00.")},
    )
    place = forms.CharField(
        label=_("Địa điểm"), max_length=meetings.PLACE_MAX, error_messages={"required": _("Hãy nhập địa điểm họp.")}
    )
    chair = MemberChoice(
        label=_("Chủ trì"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("Chỉ chọn được thành viên của đoàn.")},
    )
    secretary = MemberChoice(
        label=_("Thư ký cuộc họp"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("Chỉ chọn được thành viên của đoàn.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, data=None, *, board, meeting=None):
        initial = {}
        if meeting is not None:
            initial = {
                "held_on": meeting.held_on,
                "held_at": meeting.held_at,
                "place": meeting.place,
                "chair": meeting.chair_id,
                "secretary": meeting.secretary_id,
                "version": meeting.version,
            }
        super().__init__(data, initial=initial)
        members = BoardMember.objects.filter(board=board).select_related("user").order_by("position_order", "pk")
        self.fields["chair"].queryset = members
        self.fields["secretary"].queryset = members
        self.meeting = meeting

    def service_kwargs(self):
        d = self.cleaned_data
        kwargs = {name: d.get(name) for name in ("held_on", "held_at", "place", "chair", "secretary")}
        if self.meeting is not None:
            kwargs["expected_version"] = d.get("version")
        return kwargs


class AttendanceForm(BootstrapMixin, forms.Form):
    """One choice per member of the board (`member-<id>`)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, data=None, *, members, meeting, roll):
        super().__init__(data, initial={"version": meeting.version})
        self.members = members
        for m in members:
            self.fields[f"member-{m.pk}"] = forms.ChoiceField(
                label=m.user.display_name,
                choices=Attendance.choices,
                initial=roll.get(m.pk, Attendance.PRESENT),
                widget=forms.RadioSelect,
                error_messages={"required": _("Hãy chọn có mặt hay vắng mặt."), "invalid_choice": _("Không hợp lệ.")},
            )

    def rows(self):
        return [(m, self[f"member-{m.pk}"]) for m in self.members]

    def attendance(self):
        return {m.pk: self.cleaned_data[f"member-{m.pk}"] for m in self.members}


class BallotForm(BootstrapMixin, forms.Form):
    """One vote per attending voter of the ballot (`vote-<id>`)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, data=None, *, voters, ballot, votes):
        super().__init__(data, initial={"version": ballot.version if ballot else 0})
        self.voters = voters
        for m in voters:
            self.fields[f"vote-{m.pk}"] = forms.ChoiceField(
                label=m.user.display_name,
                choices=VoteChoice.choices,
                initial=votes.get(m.pk),
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Hãy ghi biểu quyết của thành viên này."),
                    "invalid_choice": _("Biểu quyết không hợp lệ."),
                },
            )

    def rows(self):
        return [(m, self[f"vote-{m.pk}"]) for m in self.voters]

    def votes(self):
        return {m.pk: self.cleaned_data[f"vote-{m.pk}"] for m in self.voters}
