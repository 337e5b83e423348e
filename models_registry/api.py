"""Registration API under /api/v1/o/<org_code>/registrations/: the tablets list, read, draft,
save and submit registrations with the same rules as the pages.

Reads go through models_registry.selectors (the list page's filters and search), writes
through models_registry.services. A registration outside the acting organisation's scope
answers 404; one in scope that the user may not change answers 403. A save carrying an older
`version`, or a second submit, answers 409 Conflict and changes nothing."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from campaigns.models import Field
from campaigns.selectors import campaigns_here
from dvk.access import object_or_404
from dvk.api import OrganizationScopedMixin
from dvk.idempotency import idempotent_api, schema_parameter
from dvk.selectors import find_in_subtree

from . import selectors, services
from .enums import EDITABLE
from .models import ProgressReport, Registration
from .serializers import (
    FORM_FIELDS,
    ConflictSerializer,
    RegistrationCreateSerializer,
    RegistrationDetailSerializer,
    RegistrationFilterSerializer,
    RegistrationListSerializer,
    RegistrationUpdateSerializer,
)

REFUSED = OpenApiResponse(description="Dữ liệu không hợp lệ: thông báo theo từng trường")
FORBIDDEN = OpenApiResponse(description="Cùng phạm vi nhưng không có quyền")
NOT_FOUND = OpenApiResponse(description="Không có trong phạm vi của tổ chức đang thao tác")
IDEMPOTENCY_KEY = schema_parameter()
CONFLICT = OpenApiResponse(ConflictSerializer, description="Đăng ký đã đổi ở nơi khác, hoặc đã được gửi rồi")


def _refusal(error):
    """A Django ValidationError from a service, as DRF's 400 body: messages keyed by field."""
    if hasattr(error, "error_dict"):
        return {
            api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


def _conflict(message):
    return Response({"detail": message}, status=status.HTTP_409_CONFLICT)


def _detail_queryset():
    return selectors.registrations_here().prefetch_related(
        "targets", Prefetch("reports", queryset=ProgressReport.objects.order_by("reported_on", "pk"))
    )


class RegistrationScopedMixin(OrganizationScopedMixin):
    def get_registration(self, perm):
        return object_or_404(self.request, _detail_queryset(), perm, pk=self.kwargs["pk"])

    def detail_response(self, registration, code=status.HTTP_200_OK):
        fresh = _detail_queryset().get(pk=registration.pk)
        return Response(RegistrationDetailSerializer(fresh).data, status=code)

    def service_fields(self, data, organization, campaign):
        """Validated body → keyword arguments of the services: codes and ids become rows of
        the scope, targets plain dicts. Raises a 400 naming the field that points nowhere.

        `continues` must be a registration of the same organisation under another campaign."""
        fields = dict(data)
        if "field" in fields:
            code = fields.pop("field")
            fields["field"] = None
            if code:
                fields["field"] = Field.objects.filter(code=code).first()
                if fields["field"] is None:
                    raise ValidationError({"field": [_("Không có lĩnh vực mã “%s”.") % code]})
        if fields.get("continues") is not None:
            earlier = (
                selectors.registrations_here()
                .filter(pk=fields["continues"], organization=organization)
                .exclude(campaign=campaign)
                .first()
            )
            if earlier is None:
                raise ValidationError(
                    {"continues": [_("Không tìm thấy đăng ký năm trước này của chính đơn vị đăng ký.")]}
                )
            fields["continues"] = earlier
        if "targets" in fields:
            fields["targets"] = [dict(target) for target in fields["targets"]]
        return fields


class RegistrationListCreateView(RegistrationScopedMixin, generics.ListAPIView):
    """Registrations of the acting organisation's subtree; a new draft."""

    serializer_class = RegistrationListSerializer
    required_perm = "models_registry.list_registrations"

    @extend_schema(
        parameters=[RegistrationFilterSerializer],
        responses=RegistrationListSerializer(many=True),
        summary="Các đăng ký mô hình trong phạm vi, lọc, tìm kiếm và sắp xếp như trang danh sách",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = RegistrationFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        given = filters.validated_data
        org = self.organization
        campaign = field = subtree = None
        if "campaign" in given:
            campaign = campaigns_here().filter(pk=given["campaign"]).first()
            if campaign is None:
                raise ValidationError({"campaign": [_("Không tìm thấy kế hoạch này trong phạm vi.")]})
        if "field" in given:
            field = Field.objects.filter(code=given["field"]).first()
            if field is None:
                raise ValidationError({"field": [_("Không có lĩnh vực mã “%s”.") % given["field"]]})
        if "org" in given:
            subtree = find_in_subtree(org, given["org"])
            if subtree is None:
                raise ValidationError({"org": [_("Không tìm thấy tổ chức mã “%s” trong phạm vi.") % given["org"]]})
        return selectors.registrations_for_list(
            org,
            campaign=campaign,
            field=field,
            status=given.get("status"),
            subject_type=given.get("subject_type"),
            subtree=subtree,
            search=given.get("search", ""),
            sort=given["sort"],
        )

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=RegistrationCreateSerializer,
        responses={201: RegistrationDetailSerializer, 400: REFUSED, 403: FORBIDDEN},
        summary="Đăng ký một mô hình (lưu bản nháp)",
        description=(
            "Bí thư của đơn vị, hoặc cán bộ phụ trách của đơn vị hay cấp trên, đăng ký cho đơn vị "
            "(mặc định: tổ chức đang thao tác). Sau hạn đăng ký chỉ cán bộ cấp ban hành đăng ký bổ sung được, "
            "kèm lý do."
        ),
    )
    @idempotent_api
    def post(self, request, org_code):
        body = RegistrationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        code = data.pop("organization", "") or self.organization.code
        organization = find_in_subtree(self.organization, code)
        if organization is None:
            raise ValidationError({"organization": [_("Không tìm thấy tổ chức mã “%s” trong phạm vi.") % code]})
        if not request.user.has_perm("models_registry.add_registration", organization):
            raise PermissionDenied(
                _("Chỉ bí thư của đơn vị hoặc cán bộ phụ trách của đơn vị, cấp trên mới đăng ký mô hình được.")
            )
        campaign = campaigns_here().filter(pk=data.pop("campaign")).first()
        if campaign is None:
            raise ValidationError({"campaign": [_("Không tìm thấy kế hoạch này trong phạm vi.")]})
        fields = self.service_fields(data, organization, campaign)
        try:
            registration = services.registration_create(
                campaign=campaign, organization=organization, user=request.user, **fields
            )
        except DjangoValidationError as error:
            raise ValidationError(_refusal(error)) from None
        return self.detail_response(registration, status.HTTP_201_CREATED)


# What a full replacement (PUT) leaves blank when the body omits it.
BLANK = {name: None if name in ("starts_on", "completes_on") else "" for name in FORM_FIELDS} | {
    "field": "",
    "continues": None,
    "targets": [],
}


class RegistrationDetailView(RegistrationScopedMixin, APIView):
    """One registration: read it, or save a draft (or a returned one) with optimistic locking."""

    @extend_schema(
        responses={200: RegistrationDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
        summary="Một đăng ký: toàn bộ phiếu, “06 rõ”, kế hoạch mô hình, kết quả cần đạt, các báo cáo",
    )
    def get(self, request, org_code, pk):
        return Response(RegistrationDetailSerializer(self.get_registration("models_registry.view_registration")).data)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=RegistrationUpdateSerializer,
        responses={200: RegistrationDetailSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
        summary="Sửa một phần bản nháp (hoặc bản bị trả lại); bắt buộc gửi kèm version",
    )
    @idempotent_api
    def patch(self, request, org_code, pk):
        return self._update(request, partial=True)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=RegistrationUpdateSerializer,
        responses={200: RegistrationDetailSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
        summary="Thay toàn bộ phiếu của bản nháp; trường không gửi được để trống; bắt buộc gửi kèm version",
    )
    @idempotent_api
    def put(self, request, org_code, pk):
        return self._update(request, partial=False)

    def _update(self, request, *, partial):
        registration = self.get_registration("models_registry.change_registration")
        body = RegistrationUpdateSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "version" not in data:
            raise ValidationError(
                {"version": [_("Hãy gửi kèm phiên bản (version) của đăng ký đã đọc, để không ghi đè bản mới hơn.")]}
            )
        version = data.pop("version")
        if not partial:
            data = {**BLANK, **data}
        fields = self.service_fields(data, registration.organization, registration.campaign)
        try:
            registration = services.registration_update(registration=registration, expected_version=version, **fields)
        except DjangoValidationError as error:
            if getattr(error, "code", None) == "stale":
                return _conflict(error.messages[0])
            raise ValidationError(_refusal(error)) from None
        return self.detail_response(registration)


class RegistrationSubmitView(RegistrationScopedMixin, APIView):
    """Draft or returned → submitted, when the form is complete."""

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses={200: RegistrationDetailSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
        summary="Gửi đăng ký lên cấp duyệt (kiểm tra đủ “06 rõ”)",
    )
    @idempotent_api
    def post(self, request, org_code, pk):
        registration = self.get_registration("models_registry.change_registration")
        try:
            registration = services.registration_submit(registration=registration, user=request.user)
        except DjangoValidationError as error:
            sent = Registration.objects.filter(pk=registration.pk).exclude(status__in=EDITABLE).exists()
            if sent and not hasattr(error, "error_dict"):
                return _conflict(error.messages[0])  # another tab or device submitted it first
            raise ValidationError(_refusal(error)) from None
        return self.detail_response(registration)
