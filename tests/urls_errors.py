"""The URL conf of tests/test_error_pages.py: the site plus a page and an API route that fail."""

from django.urls import path

from dvk.urls import handler400, handler403, handler404, handler500  # noqa: F401 (looked up here)
from dvk.urls import urlpatterns as dvk_urlpatterns


def boom(request, **kwargs):
    raise RuntimeError("secret detail of a bug 8f3a")


urlpatterns = [
    path("o/<str:org_code>/boom/", boom),
    path("api/v1/boom/", boom),
    *dvk_urlpatterns,
]
