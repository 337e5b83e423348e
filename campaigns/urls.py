"""Campaign pages, under /o/<org_code>/campaigns/ (the acting organisation's scope)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("milestone-kinds/new/", views.milestone_kind_add, name="milestone_kind_add"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/publish/", views.campaign_publish, name="campaign_publish"),
    path("<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("<int:pk>/archive/", views.campaign_archive, name="campaign_archive"),
    path("<int:pk>/delete/", views.campaign_delete, name="campaign_delete"),
    path("<int:pk>/derive/", views.campaign_derive, name="campaign_derive"),
    path("<int:pk>/quotas/new/", views.quota_add, name="quota_add"),
    path("<int:pk>/quotas/<int:quota_id>/edit/", views.quota_edit, name="quota_edit"),
    path("<int:pk>/quotas/<int:quota_id>/delete/", views.quota_delete, name="quota_delete"),
    path("<int:pk>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/milestones/<int:milestone_id>/edit/", views.milestone_edit, name="milestone_edit"),
    path("<int:pk>/milestones/<int:milestone_id>/delete/", views.milestone_delete, name="milestone_delete"),
    path("<int:pk>/compliance/", views.campaign_compliance, name="campaign_compliance"),
    path("<int:pk>/compliance.xlsx", views.campaign_compliance_export, name="campaign_compliance_export"),
]
