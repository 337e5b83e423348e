"""Upload limits that hold before anything is stored, answered with 413 (Payload Too Large).

Django alone answers 400 to oversize form data and streams files of any size to a temporary
file. Here:

- `UploadLimitMiddleware` refuses, before the body is read, a POST to an upload view (one
  marked with `upload_view`) whose Content-Length is over what one request may carry, or
  which has no Content-Length at all (chunked: Django would read nothing of it anyway);
- `UploadLimitHandler`, first in FILE_UPLOAD_HANDLERS, counts each file's bytes as they
  arrive and stops the upload when one file is over DVK_EVIDENCE_MAX_FILE_BYTES, whatever
  the Content-Length said; the chunks already received are dropped with the temporary file;
- the middleware parses every multipart POST itself, before any view (as CSRF checking
  does anyway), so no view ever runs on a half-received upload: a stopped one answers 413.

A view may carry its own per-file limit instead of the evidence one (`upload_view(max_file_setting=...)`:
the staff import of a tablet's outbox file, a single file larger than any evidence file); the
request's limit is then that file plus the form's fields.

The 413 is an HTML page for pages and JSON (`{"detail": ...}`) under /api/. Services that
refuse for size (the per-registration total) raise an error the view turns into the same
response with `too_large_response`.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

KB = 1024
MB = 1024 * KB
# One request may carry this many files of the per-file limit (the report form takes several).
MAX_FILES_PER_REQUEST = 10
# Room for the non-file fields and the multipart headers of a request.
FORM_OVERHEAD_BYTES = 256 * KB
REFUSED_ATTR = "dvk_upload_refused"
# The per-file limit of the view being served, when it has its own (set before the body is parsed).
LIMIT_ATTR = "dvk_upload_file_limit"


def human_size(size):
    """20 MB, 1,5 MB, 300 KB: sizes as a Vietnamese reader writes them."""
    if size >= MB:
        value = size / MB
        text = f"{value:.0f}" if size % MB == 0 else f"{value:.1f}".replace(".", ",")
        return f"{text} MB"
    if size >= KB:
        return f"{round(size / KB)} KB"
    return f"{size} byte"


def max_file_bytes():
    return settings.DVK_EVIDENCE_MAX_FILE_BYTES


def max_request_bytes():
    """The most one upload request may carry: a few files of the per-file limit, never more
    than a registration may hold in total, plus the form's own fields."""
    files = min(settings.DVK_EVIDENCE_MAX_REGISTRATION_BYTES, MAX_FILES_PER_REQUEST * max_file_bytes())
    return files + FORM_OVERHEAD_BYTES


def file_too_large_message(name="", limit=None):
    """`limit`: a view's own limit; without it, the evidence limit and how to shrink evidence."""
    if limit is not None and name:
        return _("Tệp “%(name)s” quá lớn: tối đa %(limit)s.") % {"name": name, "limit": human_size(limit)}
    if limit is not None:
        return _("Tệp quá lớn: tối đa %(limit)s.") % {"limit": human_size(limit)}
    values = {"name": name, "limit": human_size(max_file_bytes())}
    if name:
        return (
            _(
                "Tệp quá lớn: tối đa %(limit)s mỗi tệp (tệp “%(name)s”). "
                "Hãy giảm dung lượng (nén ảnh, cắt ngắn video) rồi gửi lại."
            )
            % values
        )
    return (
        _("Tệp quá lớn: tối đa %(limit)s mỗi tệp. Hãy giảm dung lượng (nén ảnh, cắt ngắn video) rồi gửi lại.") % values
    )


def request_too_large_message():
    return _(
        "Tệp quá lớn: tối đa %(file)s mỗi tệp và %(total)s mỗi lần gửi. "
        "Hãy gửi ít tệp hơn mỗi lần hoặc giảm dung lượng tệp."
    ) % {"file": human_size(max_file_bytes()), "total": human_size(max_request_bytes() - FORM_OVERHEAD_BYTES)}


def upload_view(view=None, *, max_file_setting=None):
    """Marks a view (or a DRF view class) as one that receives files: the middleware checks its
    Content-Length before the body is read. `max_file_setting` names the setting of the view's
    own per-file limit (read per request), instead of DVK_EVIDENCE_MAX_FILE_BYTES."""

    def mark(view):
        view.dvk_upload = True
        if max_file_setting:
            view.dvk_upload_max_file_setting = max_file_setting
        return view

    return mark(view) if view is not None else mark


def _view_attr(view_func, name, default=None):
    found = getattr(view_func, name, None)
    if found is None:
        found = getattr(getattr(view_func, "cls", None), name, None)
    return default if found is None else found


def _is_upload_view(view_func):
    return _view_attr(view_func, "dvk_upload", False)


def _own_limit(view_func):
    setting = _view_attr(view_func, "dvk_upload_max_file_setting")
    return getattr(settings, setting) if setting else None


def _back_url(request):
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return ""


def too_large_response(request, message, status=413):
    """The 413 answer: JSON under /api/, else the HTML page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    html = render_to_string("413.html", {"message": message, "back_url": _back_url(request)}, request=request)
    return HttpResponse(html, status=status)


class UploadLimitHandler(FileUploadHandler):
    """Stops the upload as soon as one file is over the per-file limit.

    It passes every chunk on unchanged to the handlers after it (memory, temporary file), so
    it must come first in FILE_UPLOAD_HANDLERS."""

    def __init__(self, request=None):
        super().__init__(request)
        self.own_limit = getattr(request, LIMIT_ATTR, None)
        self.limit = self.own_limit or max_file_bytes()
        self.request_length = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length
        return None

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        if content_length is not None and content_length > self.limit:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None

    def _refuse(self):
        if self.request is not None:
            setattr(self.request, REFUSED_ATTR, file_too_large_message(self.file_name or "", self.own_limit))
        # Read the rest of a body of reasonable size so the client gets the 413 page; past
        # that, drop the connection rather than read on.
        most = self.own_limit + FORM_OVERHEAD_BYTES if self.own_limit else max_request_bytes()
        raise StopUpload(connection_reset=self.request_length > most)


class UploadLimitMiddleware:
    """Goes before CsrfViewMiddleware: its view hook must parse the upload before CSRF does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A body parsed late (a PUT through DRF, say) was still cut at the limit: say so.
        refused = getattr(request, REFUSED_ATTR, None)
        if refused and response.status_code != 413:
            return too_large_response(request, refused)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST":
            return None
        own_limit = _own_limit(view_func)
        if own_limit:
            setattr(request, LIMIT_ATTR, own_limit)
        if _is_upload_view(view_func):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or "")
            except ValueError:
                length = None
            if length is None:
                return too_large_response(
                    request, _("Hãy gửi tệp kèm độ dài (Content-Length); không nhận gửi theo từng khúc."), status=411
                )
            if own_limit and length > own_limit + FORM_OVERHEAD_BYTES:
                return too_large_response(request, file_too_large_message(limit=own_limit))
            if not own_limit and length > max_request_bytes():
                return too_large_response(request, request_too_large_message())
        if request.content_type == "multipart/form-data":
            # Parse now, through UploadLimitHandler; a parse error is Django's own 400.
            request.POST  # noqa: B018
            refused = getattr(request, REFUSED_ATTR, None)
            if refused:
                return too_large_response(request, refused)
        return None
