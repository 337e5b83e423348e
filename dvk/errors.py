"""The product's own error pages (400, 403, 404, 405, 500, CSRF failure), in Vietnamese.

They are what a newcomer meets on `make run` (DEBUG off) and what users meet in production.
Under /api/ they answer JSON, like the API's own errors: a client never has to parse a page.
"""

import logging

from django.http import HttpResponseForbidden, HttpResponseNotAllowed, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# Last resort when even the 500 template cannot be rendered (a broken base template, say).
PLAIN_500 = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Lỗi hệ thống · DVK</title></head><body><h1>Đã có lỗi xảy ra</h1>"
    "<p>Hệ thống gặp sự cố. Dữ liệu bạn đã lưu không bị mất; vui lòng thử lại sau ít phút.</p>"
    '<p><a href="/">Về trang chủ</a></p></body></html>'
)


def _is_api(request):
    return request.path_info.startswith("/api/")


def _json(detail, status, code=None):
    body = {"detail": detail} if code is None else {"detail": detail, "code": code}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@requires_csrf_token
def bad_request(request, exception):
    if _is_api(request):
        return _json(_("Yêu cầu không hợp lệ."), 400)
    return defaults.bad_request(request, exception)


@requires_csrf_token
def permission_denied(request, exception):
    if _is_api(request):
        return _json(str(exception) or _("Bạn không có quyền thực hiện thao tác này."), 403)
    return defaults.permission_denied(request, exception)


@requires_csrf_token
def page_not_found(request, exception):
    if _is_api(request):
        return _json(_("Không tìm thấy."), 404)
    return defaults.page_not_found(request, exception)


@requires_csrf_token
def server_error(request):
    """Rendered without the request's context processors: they query the database, which may be
    what failed. The page still has the product's header (base.html needs no request)."""
    if _is_api(request):
        return _json(_("Hệ thống gặp sự cố. Vui lòng thử lại sau ít phút."), 500)
    try:
        body = loader.get_template("500.html").render()
    except Exception:
        logger.exception("The 500 page could not be rendered; answering the plain one.")
        body = PLAIN_500
    return HttpResponseServerError(body)


def csrf_failure(request, reason=""):
    """A form sent with a missing or stale CSRF token: usually a page left open past the session,
    or cookies blocked. Django's own page is English and technical; `reason` is logged by Django."""
    if _is_api(request):
        # The same code as the API's own CSRF refusal (dvk.api_auth): "sign in again".
        return _json(_("Thiếu hoặc sai mã CSRF. Hãy tải lại trang rồi thử lại."), 403, "csrf")
    template = loader.get_template("403_csrf.html")
    return HttpResponseForbidden(template.render({"no_referer": "Referer" in reason}, request))


class MethodNotAllowedPage:
    """Django answers a GET to a POST-only address (`require_POST`) with an empty 405, which
    browsers show as their own English error. A person meets it after a refused form was shown
    again at the address it was sent to, then reloaded from the address bar: they get the
    product's page in Vietnamese instead (JSON under /api/), with the same Allow header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or getattr(response, "streaming", False):
            return response
        if _is_api(request):
            replaced = _json(
                _("Phương thức %(method)s không được hỗ trợ ở địa chỉ này.") % {"method": request.method}, 405
            )
        else:
            replaced = HttpResponseNotAllowed(
                response.get("Allow", "").split(", "), loader.get_template("405.html").render({}, request)
            )
        if response.has_header("Allow"):
            replaced["Allow"] = response["Allow"]
        return replaced
