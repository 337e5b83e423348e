"""API shapes of registrations: a list row, the full form, and what a tablet writes.

Writes go through models_registry.services; these serializers only parse and describe. The
objects a body names by id or code (campaign, organisation, field, continued registration)
are looked up by the view inside the acting organisation's scope, not here."""

from rest_framework import serializers

from campaigns.enums import RegistrationStatus, SubjectType
from campaigns.serializers import OrganizationRefSerializer

from .enums import ReportKind
from .models import ProgressReport, Registration, RegistrationTarget
from .selectors import DEFAULT_SORT, SORTS

# The registration form's own fields (seed 004's form and the model plan), written as typed.
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


class RegistrationCampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="Số hiệu kế hoạch, ví dụ 08-KH/ĐU")


class TargetSerializer(serializers.ModelSerializer):
    """A measurable expected result ("rõ kết quả")."""

    class Meta:
        model = RegistrationTarget
        fields = ["indicator", "value", "unit"]


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


class RegistrationWriteSerializer(serializers.ModelSerializer):
    """What a tablet sends to save a draft. Blank fields are allowed: a draft may be incomplete;
    submitting checks the "06 rõ"."""

    name = serializers.CharField(max_length=500, help_text="Tên mô hình")
    field = serializers.SlugField(required=False, allow_blank=True, help_text="Mã lĩnh vực (trống: chưa chọn)")
    continues = serializers.IntegerField(
        required=False, allow_null=True, help_text="Mô hình duy trì: id đăng ký năm trước của chính mô hình này"
    )
    targets = TargetSerializer(many=True, required=False, help_text="Thay toàn bộ kết quả cần đạt")

    class Meta:
        model = Registration
        fields = ["name", "subject_type", "field", "continues", *FORM_FIELDS, "targets"]
        extra_kwargs = {name: {"required": False} for name in ["subject_type", *FORM_FIELDS]}


class RegistrationCreateSerializer(RegistrationWriteSerializer):
    campaign = serializers.IntegerField(help_text="Id kế hoạch đăng ký theo")
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


class RegistrationFilterSerializer(serializers.Serializer):
    """The list's query parameters; the list page takes the same ones."""

    campaign = serializers.IntegerField(required=False, help_text="Id kế hoạch")
    field = serializers.SlugField(required=False, help_text="Mã lĩnh vực")
    status = serializers.ChoiceField(
        choices=RegistrationStatus.choices, required=False, help_text="Trạng thái đăng ký"
    )
    subject_type = serializers.ChoiceField(choices=SubjectType.choices, required=False)
    org = serializers.CharField(required=False, help_text="Mã một tổ chức trong phạm vi: chỉ nhánh của tổ chức đó")
    search = serializers.CharField(
        required=False, allow_blank=True, help_text="Tìm theo tên mô hình hoặc họ tên, không phân biệt dấu"
    )
    sort = serializers.ChoiceField(
        choices=list(SORTS), required=False, default=DEFAULT_SORT, help_text="Thứ tự sắp xếp"
    )


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Lý do bị từ chối")
