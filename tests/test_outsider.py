"""Another tenant's object answers 404, for every URL that takes an object or an organisation.

The list of URLs is generated (tests/outsider.py); a URL with no case here fails
`test_every_object_url_has_an_outsider_case`, and `test_a_new_view_without_a_case_fails_the_suite`
shows that it does."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from campaigns.enums import RegistrationStatus
from campaigns.models import Campaign, Milestone, MilestoneKind, Quota
from dvk.models import DeviceToken, Membership
from models_registry.models import Evidence, Initiative, ProgressReport, Registration, RegistrationTarget
from tests.campaigns.builders import campaign, quota
from tests.conftest import client_for
from tests.outsider import missing_cases, object_urls, schema_object_paths
from tests.registry import outsider_api, outsider_lists, outsider_pages, outsider_reports
from tests.registry.builders import complete_registration, report

# name -> function(victim) -> list of (method, url) or (method, url, data). Every URL is tried
# as the outsider.
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
    # Campaigns: through the victim's organisation, and through the outsider's own (the object
    # is still not theirs); quota and milestone ids also through the outsider's own campaign.
    "campaign_list": lambda v: [("get", "/o/COMM/campaigns/"), ("get", "/o/UNIT/campaigns/")],
    "campaign_create": lambda v: [("get", "/o/COMM/campaigns/new/"), ("post", "/o/COMM/campaigns/new/")],
    "milestone_kind_add": lambda v: [
        ("get", "/o/COMM/campaigns/milestone-kinds/new/"),
        ("post", "/o/COMM/campaigns/milestone-kinds/new/"),
    ],
    "campaign_detail": lambda v: _campaign_urls(v, "get", ""),
    "campaign_edit": lambda v: _campaign_urls(v, "get", "edit/") + _campaign_urls(v, "post", "edit/"),
    "campaign_publish": lambda v: _campaign_urls(v, "post", "publish/"),
    "campaign_close": lambda v: _campaign_urls(v, "post", "close/"),
    "campaign_archive": lambda v: _campaign_urls(v, "post", "archive/"),
    "campaign_delete": lambda v: _campaign_urls(v, "post", "delete/"),
    "campaign_derive": lambda v: _campaign_urls(v, "post", "derive/"),
    "campaign_compliance": lambda v: (
        _campaign_urls(v, "get", "compliance/")
        + [("get", f"/o/SIBL/campaigns/{v.own_campaign.pk}/compliance/?node=UNIT")]
    ),
    "campaign_compliance_export": lambda v: (
        _campaign_urls(v, "get", "compliance.xlsx")
        + [("get", f"/o/SIBL/campaigns/{v.own_campaign.pk}/compliance.xlsx?node=UNIT")]
    ),
    "quota_add": lambda v: _campaign_urls(v, "get", "quotas/new/") + _campaign_urls(v, "post", "quotas/new/"),
    "quota_edit": lambda v: (
        _campaign_urls(v, "get", f"quotas/{v.quota.pk}/edit/", own=True)
        + _campaign_urls(v, "post", f"quotas/{v.quota.pk}/edit/", own=True)
    ),
    "quota_delete": lambda v: _campaign_urls(v, "post", f"quotas/{v.quota.pk}/delete/", own=True),
    "milestone_add": lambda v: (
        _campaign_urls(v, "get", "milestones/new/") + _campaign_urls(v, "post", "milestones/new/")
    ),
    "milestone_edit": lambda v: (
        _campaign_urls(v, "get", f"milestones/{v.milestone.pk}/edit/", own=True)
        + _campaign_urls(v, "post", f"milestones/{v.milestone.pk}/edit/", own=True)
    ),
    "milestone_delete": lambda v: _campaign_urls(v, "post", f"milestones/{v.milestone.pk}/delete/", own=True),
    "device_revoke": lambda v: [("post", f"/accounts/devices/{v.token.pk}/revoke/")],
    "notification_read": lambda v: [("post", f"/notifications/{v.notification.pk}/read/")],
    "api:organization": lambda v: [("get", "/api/v1/o/COMM/")],
    "api:organization_children": lambda v: [("get", "/api/v1/o/COMM/children/")],
    "api:members": lambda v: [("get", "/api/v1/o/COMM/members/")],
    "api:token_revoke": lambda v: [("delete", f"/api/v1/auth/tokens/{v.token.pk}/")],
    "api:campaigns": lambda v: [("get", "/api/v1/o/COMM/campaigns/")],
    "api:campaign": lambda v: [("get", f"/api/v1/o/{code}/campaigns/{v.campaign.pk}/") for code in ("COMM", "SIBL")],
    "api:campaign_compliance": lambda v: (
        [("get", f"/api/v1/o/{code}/campaigns/{v.campaign.pk}/compliance/") for code in ("COMM", "SIBL")]
        + [("get", f"/api/v1/o/SIBL/campaigns/{v.own_campaign.pk}/compliance/?node=UNIT")]
    ),
}
# Registrations: each part of models_registry keeps its cases next to its tests.
for part in (outsider_pages, outsider_lists, outsider_reports, outsider_api):
    assert not set(part.CASES) & set(CASES), f"{part.__name__} repeats a case"
    CASES.update(part.CASES)


def _campaign_urls(v, method, rest, *, own=False):
    """A victim campaign URL through COMM and through SIBL; with `own`, also through the
    outsider's own campaign (for ids of the victim's quotas and milestones)."""
    urls = [(method, f"/o/{code}/campaigns/{v.campaign.pk}/{rest}") for code in ("COMM", "SIBL")]
    if own:
        urls.append((method, f"/o/SIBL/campaigns/{v.own_campaign.pk}/{rest}"))
    return urls


def _victim_campaign(tree):
    """A published plan of the victim commune with a quota and a milestone, and a draft of
    the outsider's own commune."""
    plan = campaign(tree.commune, "01-KH/ĐU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])
    with scopes_disabled():
        milestone = plan.milestones.get()
    return {
        "campaign": plan,
        "quota": quota(plan, "Mỗi chi bộ ít nhất 01 mô hình", min_total=1),
        "milestone": milestone,
        "own_campaign": campaign(tree.sibling, "09-KH/ĐU", status="draft"),
    }


def _victim_registration(tree, plan):
    """An accepted registration of the victim's unit with a report and an evidence file, and
    one of the outsider's own unit (for ids of the victim's reports and files through it)."""
    registration = complete_registration(plan, tree.unit, status=RegistrationStatus.ACCEPTED)
    progress = report(registration, summary="Đã quyên góp được 6.000.000 đồng")
    with scopes_disabled():
        evidence = Evidence.objects.create(
            organization=tree.unit,
            registration=registration,
            report=progress,
            kind="pdf",
            content_type="application/pdf",
            original_name="bien-ban.pdf",
            size=20,
            file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="bien-ban.pdf"),
        )
    own_plan = campaign(tree.sibling, "10-KH/ĐU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])
    own = complete_registration(own_plan, tree.sibling_unit, name="Một giúp một", status=RegistrationStatus.ACCEPTED)
    return {
        "registration": registration,
        "report": progress,
        "evidence": evidence,
        "own_plan": own_plan,
        "own_registration": own,
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
    notification = secretary.notifications.create(title="Nhắc hạn đăng ký mô hình", url="/o/UNIT/")
    return type(
        "Victim",
        (),
        {
            "membership": Membership.objects.get(user=secretary),
            "token": token,
            "notification": notification,
            **(victim_campaign := _victim_campaign(tree)),
            **_victim_registration(tree, victim_campaign["campaign"]),
        },
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_outsider_gets_404(name, victim, outsider):
    page_client = client_for(outsider)
    api_client = APIClient()
    api_client.force_authenticate(outsider)
    counts_before = _counts()
    for method, url, *data in CASES[name](victim):
        client = api_client if url.startswith("/api/") else page_client
        response = getattr(client, method)(url, *data)
        assert response.status_code == 404, f"{method.upper()} {url} answered {response.status_code}"
    assert _counts() == counts_before


def _counts():
    with scopes_disabled():
        return (
            Membership.objects.count(),
            DeviceToken.objects.filter(revoked_at__isnull=True).count(),
            sorted(Campaign.objects.values_list("pk", "status", "version")),
            sorted(Quota.objects.values_list("pk", "min_total")),
            sorted(Milestone.objects.values_list("pk", "due_on")),
            MilestoneKind.objects.count(),
            sorted(Registration.objects.values_list("pk", "status", "version", "is_late")),
            Initiative.objects.count(),
            RegistrationTarget.objects.count(),
            ProgressReport.objects.count(),
            sorted(Evidence.objects.values_list("pk", "file", "report_id")),
        )


def test_a_new_view_without_a_case_fails_the_suite():
    """Runs the completeness test with a URL conf that adds one unchecked view: it must fail."""
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.settings_unchecked_view")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_outsider.py::test_every_object_url_has_an_outsider_case",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "unchecked_thing" in result.stdout
