"""Writes a person may send twice are applied once.

A second tap on a slow phone, a browser retrying on a bad connection, two tabs, a tablet
replaying its offline outbox: each sends the same write again. Every such write carries a
key its client made (pages: the hidden `idempotency_key` field that `{% idempotency_key %}`
renders once per page; API: the `Idempotency-Key` header), and the first request with a
key claims it for the user by inserting an `IdempotentWrite` row in the same transaction as
the write itself:

- the same key again, with the same request, while the first is running: the insert waits
  on the unique index until the first commits, then answers what the first answered
  (pages: the same redirect; API: the same status and body); nothing is done twice;
- the same key with another request (another path, other fields): 409, nothing done;
- a first request that fails (a 4xx, an exception) rolls its claim back with everything
  else, so the corrected form can be sent again under the same key.

Only successful answers are kept (2xx and redirects), so a replay never repeats an error
the client has since fixed. Keys belong to one user: another user's key is another key.
Rows older than DVK_IDEMPOTENCY_DAYS are dropped when the user makes a new one.
"""

import hashlib
import json
import re
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotentWrite

FIELD = "idempotency_key"
HEADER = "Idempotency-Key"
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,100}$")
# What a form carries besides the user's data.
NOT_PAYLOAD = {"csrfmiddlewaretoken", FIELD}


def schema_parameter():
    """The header in the OpenAPI schema of each write that honours it."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        HEADER,
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        required=False,
        description=(
            "Mã do thiết bị tạo cho mỗi lần ghi (8-100 chữ, số, '-', '_'). Gửi lại cùng mã và cùng nội dung: "
            "nhận lại kết quả lần đầu, không ghi thêm; cùng mã mà nội dung khác: 409."
        ),
    )


class KeyRefused(Exception):
    """A key that cannot be used: malformed (400, code "key_invalid") or already used for
    another request (409, code "key_reused")."""

    def __init__(self, message, status):
        super().__init__(message)
        self.message, self.status = message, status
        self.code = "key_invalid" if status == 400 else "key_reused"


def fingerprint(method, path, fields, files=()):
    """A digest of what a request asks for: method, path, fields, and each file's name,
    size and content (a replay must be the same request, not one that looks like it)."""
    digest = hashlib.sha256()
    files_part = []
    for name, upload in sorted(files, key=lambda item: item[0]):
        content = hashlib.sha256()
        for chunk in upload.chunks():
            content.update(chunk)
        upload.seek(0)
        files_part.append([name, upload.name, upload.size, content.hexdigest()])
    payload = {"method": method, "path": path, "fields": fields, "files": files_part}
    digest.update(json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode())
    return digest.hexdigest()


def run_once(*, user, key, request_digest, perform, remember, replay):
    """Runs `perform()` once per (user, key), in one transaction with the claim.

    `remember(response)` returns what to keep of a successful response as
    (status, location, body), or None when the response is not a success (the claim is then
    rolled back with the rest); `replay(row)` rebuilds the answer from a kept row. Raises
    KeyRefused for a malformed key, or a key already used for another request."""
    if not KEY_RE.match(key):
        raise KeyRefused(_("Mã chống gửi trùng (idempotency key) không hợp lệ: 8-100 chữ, số, '-' hoặc '_'."), 400)
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = IdempotentWrite.objects.create(user=user, key=key, fingerprint=request_digest)
        except IntegrityError:
            earlier = IdempotentWrite.objects.get(user=user, key=key)
            if earlier.fingerprint != request_digest:
                raise KeyRefused(
                    _("Mã chống gửi trùng này đã dùng cho một yêu cầu khác; hãy tải lại trang rồi gửi lại."), 409
                ) from None
            return replay(earlier)
        _forget_old(user, keep=claim.pk)
        response = perform()
        kept = remember(response)
        if kept is None:
            transaction.set_rollback(True)
            return response
        claim.status, claim.location, claim.body = kept
        claim.save(update_fields=["status", "location", "body"])
        return response


def _forget_old(user, *, keep):
    cutoff = timezone.now() - timezone.timedelta(days=settings.DVK_IDEMPOTENCY_DAYS)
    IdempotentWrite.objects.filter(user=user, created_at__lt=cutoff).exclude(pk=keep).delete()


# --- pages ------------------------------------------------------------------------------------


def _page_remember(response):
    if response.status_code in (301, 302, 303):
        return response.status_code, response["Location"], None
    return None


def _page_replay(request):
    def replay(row):
        messages.info(request, _("Yêu cầu này đã được ghi nhận từ lần gửi trước; không thực hiện lại."))
        response = HttpResponseRedirect(row.location)
        response.status_code = row.status
        return response

    return replay


def refusal_page(request, refused):
    html = render_to_string("dvk/idempotency_refused.html", {"message": refused.message}, request=request)
    return HttpResponse(html, status=refused.status)


def idempotent(view):
    """For a page's POST view whose success is a redirect: a repeat of the same form (same
    key) gets the same redirect and changes nothing. A POST without a key runs as before."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not key or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        fields = sorted((k, request.POST.getlist(k)) for k in request.POST if k not in NOT_PAYLOAD)
        digest = fingerprint(request.method, request.path, fields, request.FILES.items())
        try:
            return run_once(
                user=request.user,
                key=key,
                request_digest=digest,
                perform=lambda: view(request, *args, **kwargs),
                remember=_page_remember,
                replay=_page_replay(request),
            )
        except KeyRefused as refused:
            return refusal_page(request, refused)

    return wrapper


# --- API --------------------------------------------------------------------------------------


def _api_remember(response):
    from rest_framework.utils.encoders import JSONEncoder

    if 200 <= response.status_code < 400:
        body = json.loads(json.dumps(response.data, cls=JSONEncoder)) if response.data is not None else None
        return response.status_code, response.get("Location", ""), body
    return None


def _api_replay(row):
    from rest_framework.response import Response

    response = Response(row.body, status=row.status)
    response["Idempotent-Replay"] = "true"
    return response


def api_once(*, user, key, request_digest, perform):
    """Runs `perform()` (which returns a DRF Response) once per (user, key), as
    `idempotent_api` does for a whole request: a repeat answers the first success with the
    header `Idempotent-Replay: true`. For writes that carry their keys in the body (a batch of
    scorecard writes, each item under its own key). Raises KeyRefused as `run_once`."""
    return run_once(
        user=user, key=key, request_digest=request_digest, perform=perform, remember=_api_remember, replay=_api_replay
    )


def idempotent_api(handler):
    """For a DRF view's write handler (post, patch, put): with an `Idempotency-Key` header, a
    repeat gets the first answer (status and body) and changes nothing; the same key with
    another body is 409."""
    from rest_framework.response import Response

    @wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "")
        if not key:
            return handler(self, request, *args, **kwargs)
        fields = {k: v for k, v in request.data.items() if not hasattr(v, "chunks")}
        files = [(k, v) for k, v in request.data.items() if hasattr(v, "chunks")]
        digest = fingerprint(request.method, request.path, fields, files)
        try:
            return api_once(
                user=request.user,
                key=key,
                request_digest=digest,
                perform=lambda: handler(self, request, *args, **kwargs),
            )
        except KeyRefused as refused:
            return Response({"detail": refused.message, "code": refused.code}, status=refused.status)

    return wrapper
