"""The URL conf of tests/settings_unchecked_view.py: the site plus routes nobody wrote an
outsider case for, one of each kind the generated list must not miss."""

from django.http import HttpResponse
from django.urls import path, re_path

from dvk.urls import urlpatterns as dvk_urlpatterns


def unchecked_thing(request, org_code, pk):
    return HttpResponse("a view added without an outsider test")


def by_query(request):
    """Takes its tenant from the query string only."""
    return HttpResponse(f"{request.GET.get('org', '')} page {request.GET.get('page', '1')}")


urlpatterns = [
    path("o/<str:org_code>/things/<int:pk>/", unchecked_thing, name="unchecked_thing"),
    path("o/<str:org_code>/unnamed/<int:pk>/", unchecked_thing),
    re_path(r"^o/(?P<org_code>[A-Z0-9_-]+)/regex/(?P<pk>[0-9]+)/$", unchecked_thing, name="unchecked_regex"),
    path("by-query/", by_query),
    *dvk_urlpatterns,
]
