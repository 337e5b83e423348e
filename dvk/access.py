"""The one answer, for pages and API alike, to "this object, for this user, here".

The tenancy middleware (pages) or `dvk.api.OrganizationScopedMixin` (API) has put the request
in the acting organisation's scope. An object the scope does not see is another tenant's:
it does not exist here (404, so nothing leaks about it). One it sees but the user may not act
on is the same tenant without the role (403). Permissions are asked with `has_perm`; what
each one means lives in the apps' `rules.py`."""

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

# Ids from users (URLs, ticked rows, API bodies and filters) are positive integers that fit
# a database id column; anything else names nothing, the same answer as an id outside the
# scope. One rule for every entry point: the URL converter, `ids_or_404`, `ID_BOUNDS`.
MAX_ID = 2**63 - 1
ID_BOUNDS = {"min_value": 1, "max_value": MAX_ID}
_ID_RE = re.compile(r"[1-9][0-9]{0,18}")


def parse_id(value):
    """`value` as an id, or None."""
    text = str(value).strip()
    if not _ID_RE.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def ids_or_404(values):
    """The set of ids in `values` (the rows a user ticked), or 404 if any is not an id."""
    ids = {parse_id(v) for v in values}
    if None in ids:
        raise Http404
    return ids


class IdConverter:
    """`<id:pk>` in URLs: an id as `parse_id` reads it; anything else does not resolve (404)."""

    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value):
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value):
        return str(value)


def require_perm(request, perm, obj, message=None):
    """403 with `message` (or a general one) unless the user holds `perm` on `obj`."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(message or _("Bạn không có quyền thực hiện thao tác này."))


def object_or_404(request, queryset, perm=None, **lookup):
    """The row of `queryset` (a scoped manager's queryset) that `lookup` names, or 404; then
    `perm` on it (when given), or 403."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    if perm is not None:
        require_perm(request, perm, obj)
    return obj
