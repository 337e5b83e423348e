"""Resolving the acting organisation from the URL and running the request in its scope."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import Resolver404, resolve
from django_scopes import scope, scopes_disabled

from .models import Organization
from .seats import seat_at, view_accepts_seat
from .selectors import roles_at

ORG_KWARG = "org_code"


def resolve_acting_organization(user, code, *, accept_seat=False):
    """`(organisation, seat)` for `code`: the organisation if the user holds a role there or
    above (seat None), or, when the view accepts one, a seat at exactly it; else 404.

    A user with no role there must not learn whether the organisation exists, so an
    unknown code and a foreign one answer the same. Seats are looked up only for views that
    accept them, so every other view costs what it did and stays membership-only.
    """
    if not user.is_authenticated:
        raise Http404
    with scopes_disabled():
        org = Organization.objects.filter(code=code).first()
    if org is None:
        raise Http404
    if user.is_superuser or roles_at(user, org):
        return org, None
    if accept_seat and (seat := seat_at(user, org)) is not None:
        return org, seat
    raise Http404


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
        org, seat = resolve_acting_organization(request.user, code, accept_seat=view_accepts_seat(match.func))
        request.organization = org
        # Set only when the seat alone let the user in: the view then narrows to the seat's work.
        request.seat = seat
        request.via_seat = seat is not None
        with scope(org=org):
            return self.get_response(request)
