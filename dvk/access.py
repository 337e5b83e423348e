"""The one answer, for pages and API alike, to "this object, for this user, here".

The tenancy middleware (pages) or `dvk.api.OrganizationScopedMixin` (API) has put the request
in the acting organisation's scope. An object the scope does not see is another tenant's:
it does not exist here (404, so nothing leaks about it). One it sees but the user may not act
on is the same tenant without the role (403). Permissions are asked with `has_perm`; what
each one means lives in the apps' `rules.py`."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _


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
