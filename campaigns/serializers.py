"""API shapes of campaigns and of their compliance (read-only)."""

from rest_framework import serializers

from dvk.enums import Kind, Level

from .enums import ComplianceStatus
from .models import Campaign, Milestone, Quota

# drf-spectacular names an enum after the field that carries it, and the deploy check fails on
# its warnings: one choice set under two names (level / levels) or two sets under one name
# (status) would warn. So lists of levels and kinds are strings documented in words, and a
# row's compliance is `compliance_status`, not a second kind of `status`.


def code_list(**kwargs):
    return serializers.SlugRelatedField(many=True, read_only=True, slug_field="code", **kwargs)


def value_list(choices, what):
    values = ", ".join(choices.values)
    return serializers.ListField(child=serializers.CharField(), help_text=f"{what}; trống: mọi giá trị ({values})")


class OrganizationRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class QuotaSerializer(serializers.ModelSerializer):
    levels = value_list(Level, "Cấp áp dụng")
    kinds = value_list(Kind, "Loại tổ chức áp dụng")
    organizations = code_list(help_text="Mã các tổ chức được chọn")
    excluded = code_list(help_text="Mã các tổ chức được trừ ra")

    class Meta:
        model = Quota
        fields = [
            "id",
            "label",
            "scope",
            "levels",
            "kinds",
            "organizations",
            "excluded",
            "counts_subtree",
            "min_total",
            "min_collective",
            "min_individual",
        ]


class MilestoneSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="kind.code")
    kind_name = serializers.CharField(source="kind.name")
    is_window = serializers.BooleanField(source="kind.is_window")
    occurrences = serializers.ListField(
        child=serializers.DateField(), help_text="Hạn của từng lần (một phần tử nếu không lặp lại)"
    )

    class Meta:
        model = Milestone
        fields = [
            "id",
            "kind",
            "kind_name",
            "is_window",
            "title",
            "starts_on",
            "due_on",
            "recurrence",
            "recurs_until",
            "occurrences",
        ]


class CampaignSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(help_text="Cấp ban hành")
    fields = code_list(help_text="Mã các lĩnh vực kế hoạch chấp nhận")
    target_levels = value_list(Level, "Cấp được giao")
    target_kinds = value_list(Kind, "Loại tổ chức được giao")
    target_organizations = code_list(help_text="Mã các tổ chức được chọn thêm")
    quotas = QuotaSerializer(many=True)
    milestones = MilestoneSerializer(many=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "number",
            "title",
            "organization",
            "issuing_body",
            "issuing_body_name",
            "signer_name",
            "signer_title",
            "issued_on",
            "legal_bases",
            "purposes",
            "requirements",
            "period_start",
            "period_end",
            "status",
            "is_phase",
            "phase",
            "derived_from",
            "fields",
            "target_levels",
            "target_kinds",
            "target_direct_only",
            "target_organizations",
            "quotas",
            "milestones",
            "published_at",
            "closed_at",
        ]
        read_only_fields = fields


# Compliance: the engine's dataclasses (campaigns.compliance) rendered as they are.


class CountsSerializer(serializers.Serializer):
    collective = serializers.IntegerField()
    individual = serializers.IntegerField()
    total = serializers.IntegerField()


class ComplianceOrganizationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    kind = serializers.ChoiceField(choices=Kind.choices)


class TargetRowSerializer(serializers.Serializer):
    organization = ComplianceOrganizationSerializer(source="org")
    required = CountsSerializer()
    registered = CountsSerializer()
    compliance_status = serializers.ChoiceField(choices=ComplianceStatus.choices, source="status")


def target_row_data(row):
    """TargetRowSerializer's output, built directly: a province has thousands of target rows
    and DRF's nested serializers cost most of the response time there (tested equal)."""
    org, required, registered = row.org, row.required, row.registered
    return {
        "organization": {"code": org["code"], "name": org["name"], "level": org["level"], "kind": org["kind"]},
        "required": {"collective": required.collective, "individual": required.individual, "total": required.total},
        "registered": {
            "collective": registered.collective,
            "individual": registered.individual,
            "total": registered.total,
        },
        "compliance_status": row.status,
    }


class NodeRowSerializer(serializers.Serializer):
    organization = ComplianceOrganizationSerializer(source="org")
    has_children = serializers.SerializerMethodField()
    targets = serializers.IntegerField(help_text="Số tổ chức được giao chỉ tiêu trong nhánh")
    met = serializers.IntegerField()
    behind = serializers.IntegerField()
    overdue = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True, help_text="Tỉ lệ tổ chức đạt (%)")
    compliance_status = serializers.ChoiceField(choices=ComplianceStatus.choices, source="status")
    required = CountsSerializer(help_text="Tổng yêu cầu của các tổ chức được giao trong nhánh")
    registered = CountsSerializer(help_text="Tổng đăng ký được tính trong nhánh")

    def get_has_children(self, node) -> bool:
        return node.org.get("numchild", 0) > 0


class TotalLineSerializer(serializers.Serializer):
    quota = serializers.IntegerField(source="quota.id")
    label = serializers.CharField(source="quota.label")
    required = CountsSerializer()
    registered = CountsSerializer()
    compliance_status = serializers.ChoiceField(choices=ComplianceStatus.choices, source="status")


class CampaignRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()


class ComplianceSerializer(serializers.Serializer):
    campaign = CampaignRefSerializer()
    node = serializers.CharField(help_text="Mã tổ chức gốc của báo cáo")
    today = serializers.DateField()
    registration_due = serializers.DateField(allow_null=True, help_text="Hạn đăng ký mô hình")
    days_left = serializers.IntegerField(allow_null=True, help_text="Số ngày còn lại đến hạn đăng ký (âm: đã quá)")
    from_snapshot = serializers.BooleanField(help_text="Số liệu chốt khi kế hoạch kết thúc")
    in_snapshot = serializers.BooleanField(
        help_text="Sai khi tổ chức gốc không có trong số liệu chốt (lập, chuyển đến hoặc khôi phục sau khi kết thúc)"
    )
    root = NodeRowSerializer()
    own = TargetRowSerializer(allow_null=True, help_text="Chỉ tiêu của chính tổ chức gốc, nếu được giao")
    totals = TotalLineSerializer(many=True, help_text="Các chỉ tiêu tổng cho toàn cấp ban hành")
    children = NodeRowSerializer(many=True, help_text="Các tổ chức trực thuộc (xem sâu một cấp)")
    targets = TargetRowSerializer(many=True, help_text="Mọi tổ chức được giao trong nhánh")
