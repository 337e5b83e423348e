"""Registration pages, under /o/<org_code>/registrations/ (the acting organisation's scope)."""

from django.urls import path

from . import list_views, report_views, views

urlpatterns = [
    # Lists, bulk review and annex 01 (list_views).
    path("", list_views.registration_list, name="registration_list"),
    path("bulk/", list_views.registration_bulk, name="registration_bulk"),
    path("export.xlsx", list_views.registration_export, name="registration_export"),
    path("import/", list_views.registration_import, name="registration_import"),
    path("import/template.xlsx", list_views.registration_import_template, name="registration_import_template"),
    # One registration: the form, autosave and the workflow (views).
    path("open/", views.open_campaigns, name="registration_open_campaigns"),
    path("new/<id:campaign_id>/", views.registration_create, name="registration_create"),
    path("<id:pk>/", views.registration_detail, name="registration_detail"),
    path("<id:pk>/edit/", views.registration_edit, name="registration_edit"),
    path("<id:pk>/autosave/", views.registration_autosave, name="registration_autosave"),
    path("<id:pk>/submit/", views.registration_submit, name="registration_submit"),
    path("<id:pk>/withdraw/", views.registration_withdraw, name="registration_withdraw"),
    path("<id:pk>/review/", views.registration_review, name="registration_review"),
    # Progress and result reports, evidence (report_views).
    path("<id:pk>/reports/new/", report_views.report_create, name="report_create"),
    path("<id:pk>/evidence/", report_views.evidence_upload, name="evidence_upload"),
    path("<id:pk>/evidence/<id:evidence_id>/", report_views.evidence_download, name="evidence_download"),
    path(
        "<id:pk>/evidence/<id:evidence_id>/thumbnail.jpg",
        report_views.evidence_thumbnail,
        name="evidence_thumbnail",
    ),
    path("<id:pk>/evidence/<id:evidence_id>/delete/", report_views.evidence_delete, name="evidence_delete"),
]
