from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import DeviceToken, Membership, Organization


class OrganizationSerializer(serializers.ModelSerializer):
    has_children = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["code", "name", "level", "kind", "address", "depth", "archived_at", "has_children"]

    def get_has_children(self, obj) -> bool:
        return obj.numchild > 0


class MyOrganizationSerializer(serializers.Serializer):
    organization = OrganizationSerializer()
    roles = serializers.ListField(child=serializers.CharField())


class SeatSerializer(serializers.Serializer):
    organization = OrganizationSerializer()
    label = serializers.CharField()
    url = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    organizations = MyOrganizationSerializer(many=True)
    seats = SeatSerializer(many=True)


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    full_name = serializers.CharField(source="user.full_name")
    organization = serializers.CharField(source="organization.code")

    class Meta:
        model = Membership
        fields = ["id", "username", "full_name", "organization", "role", "created_at"]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    device_name = serializers.CharField(max_length=100, label=_("tên thiết bị"))
    otp_code = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="Tài khoản cán bộ: mã xác thực hai lớp (6 chữ số, hoặc một mã khôi phục)",
    )


class DeviceTokenSerializer(serializers.ModelSerializer):
    expires_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = DeviceToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]


class IssuedTokenSerializer(DeviceTokenSerializer):
    key = serializers.CharField(read_only=True)

    class Meta(DeviceTokenSerializer.Meta):
        fields = DeviceTokenSerializer.Meta.fields + ["key"]
