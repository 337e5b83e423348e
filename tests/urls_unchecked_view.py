from django.http import HttpResponse
from django.urls import path

from dvk.urls import urlpatterns as dvk_urlpatterns


def unchecked_thing(request, org_code, pk):
    return HttpResponse("a view added without an outsider test")


urlpatterns = [
    path("o/<str:org_code>/things/<int:pk>/", unchecked_thing, name="unchecked_thing"),
    *dvk_urlpatterns,
]
