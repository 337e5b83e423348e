from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from appraisal import pwa

from . import api, views
from .access import IdConverter

register_converter(IdConverter, "id")

org_patterns = [
    path("", views.org_tree, name="org_tree"),
    path("children/", views.org_children, name="org_children"),
    path("pick/<slug:source>/", views.picker_search, name="picker_search"),
    path("add/", views.org_add, name="org_add"),
    path("edit/", views.org_edit, name="org_edit"),
    path("move/", views.org_move, name="org_move"),
    path("archive/", views.org_archive, name="org_archive"),
    path("import/", views.org_import, name="org_import"),
    path("import/template.xlsx", views.org_import_template, name="org_import_template"),
    path("export.xlsx", views.org_export, name="org_export"),
    path("members/", views.members, name="members"),
    path("members/add/", views.member_add, name="member_add"),
    path("members/<id:membership_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "members/<id:membership_id>/reset-2fa/",
        views.member_second_factor_reset,
        name="member_second_factor_reset",
    ),
    path("audit/", views.audit, name="audit"),
    path("campaigns/", include("campaigns.urls")),
    path("registrations/", include("models_registry.urls")),
    path("appraisal/", include("appraisal.urls")),
]

api_org_patterns = [
    path("", api.OrganizationDetailView.as_view(), name="organization"),
    path("children/", api.OrganizationChildrenView.as_view(), name="organization_children"),
    path("members/", api.MembershipListView.as_view(), name="members"),
    path("campaigns/", include("campaigns.api_urls")),
    path("registrations/", include("models_registry.api_urls")),
    path("appraisal/", include("appraisal.api_urls")),
]

api_patterns = [
    path("me/", api.MeView.as_view(), name="me"),
    path("auth/tokens/", api.TokenListCreateView.as_view(), name="tokens"),
    path("auth/tokens/<id:pk>/", api.TokenRevokeView.as_view(), name="token_revoke"),
    path("o/<str:org_code>/", include(api_org_patterns)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    # The tablet app's worker and manifest, at the root so the worker controls /o/<code>/...
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="web_manifest"),
    path("outbox/", pwa.outbox, name="outbox"),
    path("orgs/", views.org_picker, name="org_picker"),
    path("o/<str:org_code>/", include(org_patterns)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("accounts/2fa/", views.second_factor, name="second_factor"),
    path("accounts/2fa/setup/", views.second_factor_setup, name="second_factor_setup"),
    path("accounts/2fa/recovery/", views.second_factor_recovery, name="second_factor_recovery"),
    path("accounts/devices/", views.devices, name="devices"),
    path("accounts/devices/<id:pk>/revoke/", views.device_revoke, name="device_revoke"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
    path("notifications/<id:pk>/read/", views.notification_read, name="notification_read"),
    path("api/v1/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]

handler400 = "dvk.errors.bad_request"
handler403 = "dvk.errors.permission_denied"
handler404 = "dvk.errors.page_not_found"
handler500 = "dvk.errors.server_error"
