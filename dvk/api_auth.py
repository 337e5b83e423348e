from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions

from .models import DeviceToken

# Writing last_used_at on every request would turn each read into a write; a few minutes'
# precision is plenty for a 30-day idle expiry.
TOUCH_EVERY = timezone.timedelta(minutes=5)


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` with a per-device token that expires after 30 days unused."""

    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Tiêu đề Authorization không hợp lệ."))
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Mã truy cập không hợp lệ.")) from None
        token = DeviceToken.find(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Mã truy cập không hợp lệ, đã bị thu hồi hoặc đã hết hạn."))
        now = timezone.now()
        if now - token.last_used_at > TOUCH_EVERY:
            DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    """Describes the device token in the OpenAPI schema."""

    target_class = DeviceTokenAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix=self.target.keyword)
