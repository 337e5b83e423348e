"""Registration API, under /api/v1/o/<org_code>/registrations/ (namespace "api")."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.RegistrationListCreateView.as_view(), name="registrations"),
    path("<id:pk>/", api.RegistrationDetailView.as_view(), name="registration"),
    path("<id:pk>/submit/", api.RegistrationSubmitView.as_view(), name="registration_submit"),
]
