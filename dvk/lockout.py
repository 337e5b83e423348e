"""What a locked-out login sees: a page for browsers, JSON for the API (django-axes)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

LOCKED_MESSAGE = _(
    "Tài khoản tạm thời bị khóa 30 phút do đăng nhập sai quá 5 lần. "
    "Nếu quên mật khẩu, hãy dùng chức năng “Quên mật khẩu”."
)


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(LOCKED_MESSAGE)}, status=429)
    return render(request, "registration/locked_out.html", status=429)
