"""Resolving the acting organisation from the URL and running the request in its scope."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import Resolver404, resolve
from django_scopes import scope, scopes_disabled

from .models import Organization
from .selectors import roles_at

ORG_KWARG = "org_code"


def resolve_acting_organization(user, code):
    """The organisation `code` names, if the user holds a role there or above; else 404.

    A user with no role there must not learn whether the organisation exists, so an
    unknown code and a foreign one answer the same.
    """
    if not user.is_authenticated:
        raise Http404
    with scopes_disabled():
        org = Organization.objects.filter(code=code).first()
    if org is None:
        raise Http404
    if not user.is_superuser and not roles_at(user, org):
        raise Http404
    return org


class OrganizationScopeMiddleware:
    """For page URLs under /o/<code>/: check the user's role and run the view in scope.

    API URLs are left to `dvk.api.OrganizationScopedMixin`: token users exist only inside DRF.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        code = match.kwargs.get(ORG_KWARG)
        if code is None or "api" in match.namespaces:
            return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        org = resolve_acting_organization(request.user, code)
        request.organization = org
        with scope(org=org):
            return self.get_response(request)
