"""Appraisal pages, under /o/<org_code>/appraisal/ (the acting organisation's scope)."""

from django.urls import path

from . import views

app_name = "appraisal"

urlpatterns = [
    path("campaigns/<id:pk>/rubric/", views.rubric, name="rubric"),
]
