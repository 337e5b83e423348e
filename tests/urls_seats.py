"""The URL conf of tests/test_seats.py: the site plus test-only views that accept a seat
(a page and an API class) and one that does not. Never the site's ROOT_URLCONF, so the
outsider test's URL listing does not see them."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import include, path
from django_scopes import get_scope
from rest_framework.response import Response
from rest_framework.views import APIView

from dvk.api import OrganizationScopedMixin
from dvk.seats import accepts_seat
from dvk.urls import urlpatterns as dvk_urlpatterns


def _where(request, organization):
    seat = request.seat
    return {
        "organization": organization.code,
        "scope": get_scope()["org"].code,
        "via_seat": request.via_seat,
        "label": seat.label if seat else None,
    }


@accepts_seat
def board(request, org_code):
    return JsonResponse(_where(request, request.organization))


@accepts_seat
def board_page(request, org_code):
    """A full page, so the header (organisation switcher, nav) is rendered for a seat holder."""
    return render(request, "base.html")


def plain(request, org_code):
    return HttpResponse("an ordinary page of the organisation")


class BoardAPI(OrganizationScopedMixin, APIView):
    accepts_seat = True

    def get(self, request, org_code):
        return Response(_where(request, self.organization))


class PlainAPI(OrganizationScopedMixin, APIView):
    def get(self, request, org_code):
        return Response({"organization": self.organization.code})


api_test_patterns = [
    path("o/<str:org_code>/test-board/", BoardAPI.as_view()),
    path("o/<str:org_code>/test-plain/", PlainAPI.as_view()),
]

urlpatterns = [
    *dvk_urlpatterns,
    path("o/<str:org_code>/test-board/", board),
    path("o/<str:org_code>/test-board-page/", board_page),
    path("o/<str:org_code>/test-plain/", plain),
    # In an "api" namespace like the site's API, so the page middleware leaves it to DRF (the
    # site's own "api" comes first, so reversing "api:..." still finds the site's routes).
    path("api/v1/test/", include((api_test_patterns, "api"))),
]
