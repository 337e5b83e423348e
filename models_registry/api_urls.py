"""Registration API, under /api/v1/o/<org_code>/registrations/ (namespace "api")."""

urlpatterns = []
