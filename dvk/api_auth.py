from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
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


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (the tablet's pages, signed in as a person), whose CSRF
    refusal says what it is: a queued write sent with the token of an earlier session (signing
    in rotates it) must lead the tablet to "sign in again", not mark the write refused. The
    answer is 403 `{"detail", "code": "csrf"}`."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise CsrfFailed() from None


class CsrfFailed(exceptions.PermissionDenied):
    default_code = "csrf"

    def __init__(self):
        message = _(
            "Phiên đăng nhập đã thay đổi (đã đăng nhập lại hoặc hết hạn) nên mã CSRF không còn đúng. "
            "Hãy tải lại trang hoặc đăng nhập lại rồi gửi lại; chưa có gì được ghi."
        )
        super().__init__({"detail": message, "code": self.default_code})


def exception_handler(exc, context):
    """DRF's handler, with a `code` the tablet can act on when no one is signed in (401
    `not_authenticated`: the session ended) or a device token is refused (401
    `authentication_failed`)."""
    from rest_framework.views import exception_handler as drf_handler

    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.NotAuthenticated):
        response.data = {
            "detail": str(_("Bạn chưa đăng nhập hoặc phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.")),
            "code": "not_authenticated",
        }
    elif isinstance(exc, exceptions.AuthenticationFailed) and isinstance(response.data, dict):
        response.data = {**response.data, "code": "authentication_failed"}
    return response


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    """Describes the device token in the OpenAPI schema."""

    target_class = DeviceTokenAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix=self.target.keyword)


class SessionCookieScheme(SessionScheme):
    """The session cookie in the OpenAPI schema, as drf-spectacular describes DRF's own."""

    target_class = SessionAuthentication
    priority = 0
