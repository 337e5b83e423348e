"""Campaign pages, under /o/<org_code>/campaigns/ (the acting organisation's scope)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("milestone-kinds/new/", views.milestone_kind_add, name="milestone_kind_add"),
    path("<id:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<id:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<id:pk>/publish/", views.campaign_publish, name="campaign_publish"),
    path("<id:pk>/close/", views.campaign_close, name="campaign_close"),
    path("<id:pk>/archive/", views.campaign_archive, name="campaign_archive"),
    path("<id:pk>/delete/", views.campaign_delete, name="campaign_delete"),
    path("<id:pk>/derive/", views.campaign_derive, name="campaign_derive"),
    path("<id:pk>/copy/", views.campaign_copy, name="campaign_copy"),
    path("<id:pk>/copy-review/dismiss/", views.campaign_copy_review_dismiss, name="campaign_copy_review_dismiss"),
    path("<id:pk>/quotas/new/", views.quota_add, name="quota_add"),
    path("<id:pk>/quotas/<id:quota_id>/edit/", views.quota_edit, name="quota_edit"),
    path("<id:pk>/quotas/<id:quota_id>/delete/", views.quota_delete, name="quota_delete"),
    path("<id:pk>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("<id:pk>/milestones/<id:milestone_id>/edit/", views.milestone_edit, name="milestone_edit"),
    path("<id:pk>/milestones/<id:milestone_id>/delete/", views.milestone_delete, name="milestone_delete"),
    path("<id:pk>/compliance/", views.campaign_compliance, name="campaign_compliance"),
    path("<id:pk>/compliance.xlsx", views.campaign_compliance_export, name="campaign_compliance_export"),
]
