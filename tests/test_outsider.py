"""Another tenant's object answers 404, for every URL that takes an object or an organisation.

The list of URLs is generated (tests/outsider.py); a URL with no case here fails
`test_every_object_url_has_an_outsider_case`, and `test_a_new_view_without_a_case_fails_the_suite`
shows that it does."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from dvk.models import DeviceToken, Membership
from tests.conftest import client_for
from tests.outsider import missing_cases, object_urls, schema_object_paths

# name -> function(victim) -> list of (method, url). Every URL is tried as the outsider.
CASES = {
    "org_tree": lambda v: [("get", "/o/COMM/"), ("get", "/o/UNIT/")],
    "org_children": lambda v: [("get", "/o/COMM/children/")],
    "org_search": lambda v: [("get", "/o/COMM/search/?q=chi")],
    "org_add": lambda v: [("get", "/o/COMM/add/"), ("post", "/o/COMM/add/")],
    "org_edit": lambda v: [("get", "/o/UNIT/edit/"), ("post", "/o/UNIT/edit/")],
    "org_move": lambda v: [("get", "/o/UNIT/move/"), ("post", "/o/UNIT/move/")],
    "org_archive": lambda v: [("post", "/o/UNIT/archive/")],
    "org_import": lambda v: [("get", "/o/COMM/import/"), ("post", "/o/COMM/import/")],
    "org_import_template": lambda v: [("get", "/o/COMM/import/template.xlsx")],
    "org_export": lambda v: [("get", "/o/COMM/export.xlsx")],
    "members": lambda v: [("get", "/o/COMM/members/")],
    "member_add": lambda v: [("get", "/o/COMM/members/add/"), ("post", "/o/COMM/members/add/")],
    "member_remove": lambda v: [
        ("post", f"/o/COMM/members/{v.membership.pk}/remove/"),
        # Through the outsider's own organisation: the object is still not theirs.
        ("post", f"/o/SIBL/members/{v.membership.pk}/remove/"),
    ],
    "audit": lambda v: [("get", "/o/COMM/audit/")],
    "device_revoke": lambda v: [("post", f"/accounts/devices/{v.token.pk}/revoke/")],
    "api:organization": lambda v: [("get", "/api/v1/o/COMM/")],
    "api:organization_children": lambda v: [("get", "/api/v1/o/COMM/children/")],
    "api:members": lambda v: [("get", "/api/v1/o/COMM/members/")],
    "api:token_revoke": lambda v: [("delete", f"/api/v1/auth/tokens/{v.token.pk}/")],
}


def test_every_object_url_has_an_outsider_case():
    assert missing_cases(CASES) == [], "add an outsider case to tests/test_outsider.py CASES"


def test_every_api_path_with_a_parameter_is_in_the_url_list():
    """The schema and the URL conf agree, so the cases above cover the API too."""

    def shape(path):
        return re.sub(r"\{[^}]+\}", "{}", re.sub(r"<(?:\w+:)?\w+>", "{}", path))

    routes = {shape(route) for route in object_urls().values()}
    assert {shape(path) for path in schema_object_paths()} <= routes


@pytest.fixture
def victim(tree, secretary, commune_staff):
    token, _key = DeviceToken.issue(user=commune_staff, name="Máy của xã")
    return type("Victim", (), {"membership": Membership.objects.get(user=secretary), "token": token})


@pytest.mark.parametrize("name", sorted(CASES))
def test_outsider_gets_404(name, victim, outsider):
    page_client = client_for(outsider)
    api_client = APIClient()
    api_client.force_authenticate(outsider)
    counts_before = _counts()
    for method, url in CASES[name](victim):
        client = api_client if url.startswith("/api/") else page_client
        response = getattr(client, method)(url)
        assert response.status_code == 404, f"{method.upper()} {url} answered {response.status_code}"
    assert _counts() == counts_before


def _counts():
    with scopes_disabled():
        return (Membership.objects.count(), DeviceToken.objects.filter(revoked_at__isnull=True).count())


def test_a_new_view_without_a_case_fails_the_suite():
    """Runs the completeness test with a URL conf that adds one unchecked view: it must fail."""
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.settings_unchecked_view")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_outsider.py::test_every_object_url_has_an_outsider_case"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "unchecked_thing" in result.stdout
