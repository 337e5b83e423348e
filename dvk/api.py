"""The JSON API (DRF) the tablets use. Every tenant URL is /api/v1/o/<code>/..."""

from contextlib import ExitStack

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, twofactor
from .access import object_or_404
from .lockout import LOCKED_MESSAGE
from .models import DeviceHasToken, DeviceToken
from .seats import seats_of
from .serializers import (
    DeviceTokenSerializer,
    IssuedTokenSerializer,
    MembershipSerializer,
    MeSerializer,
    OrganizationSerializer,
    TokenRequestSerializer,
)
from .tenancy import ORG_KWARG, resolve_acting_organization


class OrganizationScopedMixin:
    """Resolves /api/v1/o/<code>/ after DRF has authenticated the user (session or token),
    answers 404 without a role there or above, and runs the handler in that scope.
    `required_perm`, if set, is asked of the acting organisation (403 when refused).
    `accepts_seat = True` admits a user whose only link is a seat at exactly that
    organisation (`dvk.seats`); `self.seat` / `request.seat` is then set, else None."""

    required_perm = None
    accepts_seat = False

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as stack:
            self._scope_stack = stack
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.organization, self.seat = resolve_acting_organization(
            request.user, kwargs[ORG_KWARG], accept_seat=self.accepts_seat
        )
        request.seat = self.seat
        request.via_seat = self.seat is not None
        self._scope_stack.enter_context(scope(org=self.organization))
        if self.required_perm and not request.user.has_perm(self.required_perm, self.organization):
            raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này tại tổ chức này."))


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="Người dùng hiện tại, các tổ chức và vai trò")
    def get(self, request):
        user = request.user
        data = {
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "organizations": selectors.organizations_of(user),
            # Apart from the memberships: a seat opens only the pages that accept one.
            "seats": seats_of(user),
        }
        return Response(MeSerializer(data).data)


class OrganizationDetailView(OrganizationScopedMixin, APIView):
    @extend_schema(responses=OrganizationSerializer, summary="Tổ chức đang thao tác")
    def get(self, request, org_code):
        return Response(OrganizationSerializer(self.organization).data)


class OrganizationChildrenView(OrganizationScopedMixin, generics.ListAPIView):
    serializer_class = OrganizationSerializer

    @extend_schema(summary="Các tổ chức trực thuộc")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.children_of(self.organization)


class MembershipListView(OrganizationScopedMixin, generics.ListAPIView):
    serializer_class = MembershipSerializer
    required_perm = "dvk.view_members"

    def get_queryset(self):
        return selectors.members_of(self.organization)


class TokenListCreateView(APIView):
    """Tablets exchange a password for a per-device token; the lockout counts failures."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(responses=DeviceTokenSerializer(many=True), summary="Các mã truy cập thiết bị của tôi")
    def get(self, request):
        tokens = DeviceToken.objects.filter(user=request.user, revoked_at__isnull=True).order_by("-created_at")
        return Response(DeviceTokenSerializer(tokens, many=True).data)

    @extend_schema(request=TokenRequestSerializer, responses=IssuedTokenSerializer, summary="Cấp mã truy cập")
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credentials = {"username": serializer.validated_data["username"]}
        if AxesProxyHandler.is_locked(request._request, credentials):
            return Response({"detail": LOCKED_MESSAGE}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            return Response(
                {"detail": _("Tên đăng nhập hoặc mật khẩu không đúng.")}, status=status.HTTP_401_UNAUTHORIZED
            )
        if refusal := twofactor.token_refusal(user, serializer.validated_data.get("otp_code", "")):
            return Response({"detail": refusal}, status=status.HTTP_403_FORBIDDEN)
        name = serializer.validated_data["device_name"]
        try:
            token, key = DeviceToken.issue(user=user, name=name)
        except DeviceHasToken:
            message = _(
                "Thiết bị “%s” đã có mã truy cập đang dùng; mã chỉ hiện một lần nên không cấp lại được. "
                "Hãy thu hồi mã cũ (tại “Thiết bị của tôi”) rồi xin mã mới."
            )
            return Response({"detail": message % name}, status=status.HTTP_409_CONFLICT)
        data = IssuedTokenSerializer(token).data
        data["key"] = key
        return Response(data, status=status.HTTP_201_CREATED)


class TokenRevokeView(APIView):
    @extend_schema(responses={204: None}, summary="Thu hồi một mã truy cập")
    def delete(self, request, pk):
        token = object_or_404(request, DeviceToken.objects.filter(user=request.user, revoked_at__isnull=True), pk=pk)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        return Response(status=status.HTTP_204_NO_CONTENT)
