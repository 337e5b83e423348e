"""Campaign API, under /api/v1/o/<org_code>/campaigns/ (namespace "api")."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.CampaignListView.as_view(), name="campaigns"),
    path("<id:pk>/", api.CampaignDetailView.as_view(), name="campaign"),
    path("<id:pk>/compliance/", api.CampaignComplianceView.as_view(), name="campaign_compliance"),
]
