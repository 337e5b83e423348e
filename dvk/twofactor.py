"""The second factor: a time-based code (TOTP, django-otp) for every staff account.

Who needs it
    Anyone holding a staff role anywhere in the tree, and Django's admin users (is_staff,
    superusers): they decide for whole levels. Unit secretaries and members do not. The
    accounts `seed_demo` creates are exempt while the demo switch is on, so a newcomer can
    try the demo with the published password; a demo account that enrols a device is asked
    for its codes like any other (README: how to try it). Every settings module applies
    this: production, `make run` and the tests.

How
    After the password, `SecondFactorMiddleware` sends such a user to enter a code (or, the
    first time, to set up an authenticator app from a QR code) before any other page; the
    API, reached through the session, answers 403 until then. A confirmed device comes with
    ten one-time recovery codes (django-otp's static device). Staff of a higher level reset
    a lost device (`second_factor_reset`); each reset is recorded (SecondFactorReset).
    Tablets and scripts get their tokens from /api/v1/auth/tokens/, which asks a staff
    account for a code too (`token_refusal`).
"""

import base64
import secrets

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .enums import Role
from .models import SecondFactorReset
from .selectors import memberships_of

RECOVERY_CODES = 10
DEVICE_NAME = "Ứng dụng xác thực"
# Reachable before the second factor: the pages that give it, and leaving.
# The tablet app's worker and manifest are fixed code with no data: a browser registering the
# worker on a page before the second factor is given must not be redirected (it refuses that).
OPEN_PATHS = ("/accounts/2fa/", "/accounts/logout/", "/healthz/", "/static/", "/sw.js", "/manifest.webmanifest")


def is_staff_account(user):
    """A staff role anywhere in the tree, or Django's admin."""
    return user.is_authenticated and (
        user.is_superuser or user.is_staff or any(m.role == Role.STAFF for m in memberships_of(user))
    )


def requires_second_factor(user):
    if not is_staff_account(user):
        return False
    if settings.DVK_DEMO and user.demo_account:
        return has_device(user)
    return True


def has_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def users_with_device(user_ids):
    """Of `user_ids`, those with a confirmed authenticator device (one query)."""
    return set(TOTPDevice.objects.filter(user_id__in=list(user_ids), confirmed=True).values_list("user_id", flat=True))


def is_satisfied(request):
    """The request's user needs no second factor, or gave it in this session."""
    return not requires_second_factor(request.user) or request.user.is_verified()


class SecondFactorMiddleware:
    """After authentication and django-otp's OTPMiddleware: a staff user who has not given
    the second factor in this session reaches only the pages that ask for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(OPEN_PATHS) or is_satisfied(request):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            message = _("Tài khoản cán bộ cần xác thực hai lớp: hãy đăng nhập trên trang web và nhập mã xác thực.")
            return JsonResponse({"detail": message}, status=403)
        target = "second_factor" if has_device(request.user) else "second_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


# --- enrolling and verifying ------------------------------------------------------------------


def pending_device(user):
    """The user's unconfirmed authenticator device, made on first use (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_text(device):
    """The device's key as an authenticator app asks for it when typed in (base32, grouped)."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device):
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff", title=_("Mã QR"))


@transaction.atomic
def device_confirm(*, device, code):
    """Confirms `device` if `code` is its current code, replacing any earlier device of the
    user and issuing new recovery codes. Returns the recovery codes, or None for a wrong code.
    Side effects: the user's other TOTP and static devices are deleted."""
    if not device.verify_token(code.replace(" ", "")):
        return None
    user = device.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_issue(user=user)


@transaction.atomic
def recovery_codes_issue(*, user):
    """Ten new one-time recovery codes (the old ones stop working). Returns them; only their
    use is checked later, by django-otp's static device."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=_("Mã khôi phục"), confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return [f"{c[:4]}-{c[4:]}" for c in codes]


def device_for_code(user, code):
    """The device whose code (TOTP, or a recovery code, used up) `code` is; None otherwise.
    django-otp throttles repeated failures per device."""
    return match_token(user, code.replace(" ", "").replace("-", ""))


def must_wait(user):
    """True while django-otp holds back the user's next try after wrong codes (1 s, 2 s, 4 s...)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device is not None and not device.verify_is_allowed()[0]


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user).count()


# --- reset and tokens ---------------------------------------------------------------------------


@transaction.atomic
def second_factor_reset(*, user, by, organization):
    """Removes every device of `user` (a lost phone): at their next sign-in they set up a new
    one. Side effects: the devices deleted, one SecondFactorReset row (who, whom, where)."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    return SecondFactorReset.objects.create(user=user, reset_by=by, organization=organization)


def token_refusal(user, code):
    """Why a device token may not be issued to `user` with `code` (None when it may): a staff
    account needs its second factor here too, or a token would bypass it."""
    if not requires_second_factor(user):
        return None
    if not has_device(user):
        return _(
            "Tài khoản cán bộ phải bật xác thực hai lớp trước khi cấp mã cho thiết bị: "
            "hãy đăng nhập trên trang web một lần để cài đặt."
        )
    if not code or device_for_code(user, code) is None:
        return _("Hãy gửi kèm mã xác thực hai lớp (otp_code) đúng của tài khoản cán bộ.")
    return None
