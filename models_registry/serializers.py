"""API shapes of registrations: a list row, the full form, and what a tablet writes.

Writes go through models_registry.services; these serializers only parse and describe. The
objects a body names by id or code (campaign, organisation, field, continued registration)
are looked up by the view inside the acting organisation's scope, not here."""

from rest_framework import serializers

from campaigns.enums import RegistrationStatus, SubjectType
from campaigns.serializers import OrganizationRefSerializer
from dvk.access import ID_BOUNDS

from .enums import ReportKind
from .models import ProgressReport, Registration, RegistrationTarget
from .selectors import DEFAULT_SORT, SORTS

# The registration form's own fields (seed 004's form and the model plan), written as typed.
# The registration's plan: the "06 rõ" and the model plan's text (the board reads these too).
PLAN_FIELDS = (
    "location",
    "responsible_person",
    "participants",
    "content",
    "responsibility",
    "authority",
    "schedule",
    "purposes",
    "solutions",
    "forces",
    "coordinating_forces",
    "review_dates",
    "launch_event",
    "assignments",
    "conditions",
)
FORM_FIELDS = (
    "location",
    "starts_on",
    "completes_on",
    "contact_phone",
    "person_name",
    "person_position",
    "person_unit",
    "person_address",
    "person_phone",
    *PLAN_FIELDS[1:],
)


# DRF's Vietnamese catalogue is partial: the messages a tablet shows its user, in Vietnamese.
MESSAGES = {
    "required": "Trường này là bắt buộc.",
    "null": "Trường này không được để trống.",
    "blank": "Trường này không được bỏ trống.",
    "max_length": "Tối đa {max_length} ký tự.",
    "invalid_choice": "“{input}” không phải là giá trị hợp lệ.",
    "max_digits": "Tối đa {max_digits} chữ số.",
    "max_decimal_places": "Tối đa {max_decimal_places} chữ số sau dấu phẩy.",
    "max_whole_digits": "Phần nguyên tối đa {max_whole_digits} chữ số.",
    "max_string_length": "Số quá lớn.",
    "min_value": "Không được nhỏ hơn {min_value}.",
    "max_value": "Không được lớn hơn {max_value}.",
    "not_a_list": "Cần một danh sách, không phải “{input_type}”.",
}
INVALID = (  # the "invalid" message by field type, most specific first
    (serializers.SlugField, "Mã chỉ gồm chữ không dấu, chữ số, gạch ngang hoặc gạch dưới."),
    (serializers.DateField, "Ngày sai định dạng: hãy dùng YYYY-MM-DD."),
    (serializers.IntegerField, "Hãy nhập một số nguyên."),
    (serializers.DecimalField, "Hãy nhập một số."),
    (serializers.CharField, "Hãy nhập một chuỗi ký tự."),
    (serializers.Serializer, "Dữ liệu phải là một đối tượng JSON."),
)


def _vietnamese(field):
    for code, message in MESSAGES.items():
        if code in field.error_messages:
            field.error_messages[code] = message
    for kind, message in INVALID:
        if isinstance(field, kind):
            field.error_messages["invalid"] = message
            break


class VietnameseErrors:
    """Serializer mixin: every field's (and the body's own) error messages in Vietnamese."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _vietnamese(self)

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            _vietnamese(field)
        return fields


class RegistrationCampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="Số hiệu kế hoạch, ví dụ 08-KH/ĐU")


class TargetSerializer(VietnameseErrors, serializers.ModelSerializer):
    """A measurable expected result ("rõ kết quả")."""

    class Meta:
        model = RegistrationTarget
        fields = ["indicator", "value", "unit"]

    def validate_value(self, value):
        if value <= 0:
            raise serializers.ValidationError("Con số cần đạt phải lớn hơn 0.")
        return value


class ReportSummarySerializer(serializers.ModelSerializer):
    # A string, not a second enum called "kind" (the schema names enums after their field).
    kind = serializers.CharField(help_text=f"Loại báo cáo: {', '.join(ReportKind.values)}")

    class Meta:
        model = ProgressReport
        fields = ["id", "kind", "reported_on"]


class RegistrationListSerializer(serializers.ModelSerializer):
    campaign = RegistrationCampaignSerializer()
    organization = OrganizationRefSerializer(help_text="Tổ chức đăng ký")
    name = serializers.CharField(help_text="Tên mô hình")
    field = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="Mã lĩnh vực")
    # A string documented in words, like campaigns' own refs: a "status" enum here would
    # collide in the schema with the campaign's (drf-spectacular names enums after fields).
    status = serializers.CharField(help_text=f"Trạng thái đăng ký: {', '.join(RegistrationStatus.values)}")

    class Meta:
        model = Registration
        fields = [
            "id",
            "campaign",
            "organization",
            "name",
            "subject_type",
            "status",
            "field",
            "is_late",
            "submitted_at",
            "person_name",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class RegistrationDetailSerializer(RegistrationListSerializer):
    targets = TargetSerializer(many=True, help_text="Kết quả cần đạt (rõ kết quả)")
    reports = ReportSummarySerializer(many=True, help_text="Các báo cáo tiến độ và kết quả")

    class Meta(RegistrationListSerializer.Meta):
        fields = [
            *RegistrationListSerializer.Meta.fields,
            *FORM_FIELDS,
            "targets",
            "continues",
            "late_reason",
            "review_comment",
            "reviewed_at",
            "created_at",
            "reports",
        ]
        read_only_fields = fields


class RegistrationWriteSerializer(VietnameseErrors, serializers.ModelSerializer):
    """What a tablet sends to save a draft. Blank fields are allowed: a draft may be incomplete;
    submitting checks the "06 rõ"."""

    name = serializers.CharField(max_length=500, help_text="Tên mô hình")
    field = serializers.SlugField(required=False, allow_blank=True, help_text="Mã lĩnh vực (trống: chưa chọn)")
    continues = serializers.IntegerField(
        **ID_BOUNDS,
        required=False,
        allow_null=True,
        help_text="Mô hình duy trì: id đăng ký năm trước của chính mô hình này",
    )
    targets = TargetSerializer(many=True, required=False, help_text="Thay toàn bộ kết quả cần đạt")

    class Meta:
        model = Registration
        fields = ["name", "subject_type", "field", "continues", *FORM_FIELDS, "targets"]
        extra_kwargs = {name: {"required": False} for name in ["subject_type", *FORM_FIELDS]}


class RegistrationCreateSerializer(RegistrationWriteSerializer):
    campaign = serializers.IntegerField(**ID_BOUNDS, help_text="Id kế hoạch đăng ký theo")
    organization = serializers.CharField(
        required=False, allow_blank=True, help_text="Mã tổ chức đăng ký (mặc định: tổ chức đang thao tác)"
    )
    subject_type = serializers.ChoiceField(choices=SubjectType.choices)
    late_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Lý do đăng ký sau hạn (bắt buộc khi đã quá hạn)"
    )

    class Meta(RegistrationWriteSerializer.Meta):
        fields = ["campaign", "organization", *RegistrationWriteSerializer.Meta.fields, "late_reason"]


class RegistrationUpdateSerializer(RegistrationWriteSerializer):
    version = serializers.IntegerField(
        help_text="Phiên bản đã đọc (khóa lạc quan): bản cũ hơn bản đang lưu bị từ chối với mã 409"
    )

    class Meta(RegistrationWriteSerializer.Meta):
        fields = ["version", *RegistrationWriteSerializer.Meta.fields]


SORT_LABELS = {
    "org": "theo tổ chức (thứ tự cây)",
    "name": "theo tên mô hình",
    "person": "theo tên người (thứ tự tên tiếng Việt)",
    "status": "theo trạng thái",
    "-submitted": "mới gửi trước",
    "-updated": "mới sửa trước",
}


class RegistrationFilterSerializer(VietnameseErrors, serializers.Serializer):
    """The list's query parameters; the list page takes the same ones (its status filter
    defaults to the statuses counted toward quotas, the API's to every status: a tablet syncs
    its drafts too)."""

    campaign = serializers.IntegerField(
        **ID_BOUNDS, required=False, help_text="Id kế hoạch (kể cả các kế hoạch cấp dưới thực hiện kế hoạch này)"
    )
    field = serializers.SlugField(required=False, help_text="Mã lĩnh vực")
    status = serializers.ChoiceField(
        choices=RegistrationStatus.choices, required=False, help_text="Trạng thái đăng ký (để trống: mọi trạng thái)"
    )
    subject_type = serializers.ChoiceField(choices=SubjectType.choices, required=False)
    org = serializers.CharField(required=False, help_text="Mã một tổ chức trong phạm vi: chỉ nhánh của tổ chức đó")
    search = serializers.CharField(
        required=False, allow_blank=True, help_text="Tìm theo tên mô hình hoặc họ tên, không phân biệt dấu"
    )
    sort = serializers.ChoiceField(
        choices=[(key, SORT_LABELS.get(key, key)) for key in SORTS], required=False, default=DEFAULT_SORT
    )


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Lý do bị từ chối")
