"""A compliance report never shows more than the acting organisation's subtree today.

The tree of tests/conftest.py, with a closed Diễn Châu plan whose snapshot holds UNIT's and
MTTQ's registrations. After the close, organisations the snapshot does not hold appear:
a unit created in the commune, a unit moved in from Diễn Thịnh, a unit archived at closing
time and restored. Their secretaries may open the commune's plan, and its compliance page,
export and API answer them with nothing of the siblings' rows."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django_scopes import scope, scopes_disabled
from rest_framework.test import APIClient

from campaigns import services as campaign_services
from campaigns.compliance import compliance_report
from campaigns.enums import RegistrationStatus
from dvk import services as org_services
from dvk.enums import Role
from dvk.models import Membership, Organization
from tests.campaigns.builders import campaign, org, quota, register
from tests.conftest import client_for, fresh, make_user, persona

AFTER_CLOSE = datetime.datetime(2026, 4, 1, 9, 0, tzinfo=datetime.UTC)
# Names of the rows in the snapshot: none may reach a unit that is not them.
SIBLING_NAMES = ("Chi bộ Xóm 1", "Ủy ban MTTQ xã Diễn Châu")


def secretary_of(org, username):
    return persona(username, org, Role.SECRETARY)


@pytest.fixture
def closed_plan(tree, commune_staff):
    """Diễn Châu's plan, closed with UNIT and MTTQ registered; CB02 archived at the time."""
    archived = org(tree.commune, "CB02", "Chi bộ Xóm 2")
    plan = campaign(tree.commune, "01-KH/ĐU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])
    quota(plan, "Mỗi đơn vị ít nhất 01 mô hình", min_total=1)
    register(plan, tree.unit, n=2)
    register(plan, tree.mttq)
    with scopes_disabled():
        org_services.organization_archive(organization=fresh(archived))
    with scope(org=tree.commune):
        campaign_services.campaign_close(campaign=plan)
    with scopes_disabled():
        org_services.organization_unarchive(organization=fresh(archived))
    return plan


def _newcomers(tree):
    """The three kinds of unit the snapshot does not hold, each with its secretary."""
    created = org(fresh(tree.commune), "NEWU", "Chi bộ Xóm Mới")
    with scopes_disabled():
        moved = org_services.organization_move(organization=fresh(tree.sibling_unit), new_parent=fresh(tree.commune))
    return {
        "created after the close": (created, secretary_of(created, "bi-thu-moi")),
        "moved in from another commune": (moved, secretary_of(moved, "bi-thu-chuyen-den")),
        "archived when it closed": (fresh_code("CB02"), secretary_of(fresh_code("CB02"), "bi-thu-2")),
    }


def fresh_code(code):
    return Organization.objects.get(code=code)


def _texts(response):
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    return response.content.decode()


@time_machine.travel(AFTER_CLOSE, tick=False)
@pytest.mark.parametrize(
    "newcomer", ["created after the close", "moved in from another commune", "archived when it closed"]
)
def test_a_unit_missing_from_the_snapshot_sees_none_of_its_siblings(tree, closed_plan, newcomer):
    unit, user = _newcomers(tree)[newcomer]
    base = f"/o/{unit.code}/campaigns/{closed_plan.pk}/"
    pages = client_for(user)
    api = APIClient()
    api.force_authenticate(user)
    page = pages.get(base + "compliance/")
    export = pages.get(base + "compliance.xlsx")
    body = api.get(f"/api/v1/o/{unit.code}/campaigns/{closed_plan.pk}/compliance/")
    for response in (page, export, body):
        assert response.status_code == 200
        text = _texts(response)
        assert not [name for name in SIBLING_NAMES if name in text], response.request["PATH_INFO"]
    assert page.context["report"].targets == [] and page.context["children"] == []
    assert 'id="not-in-snapshot"' in page.content.decode()
    assert body.json()["from_snapshot"] is True and body.json()["in_snapshot"] is False
    assert body.json()["children"] == [] and body.json()["targets"] == []
    # Drilling down through the unit's own code or a sibling's gives nothing more.
    assert pages.get(base + "compliance/?node=UNIT").status_code == 404


@time_machine.travel(AFTER_CLOSE, tick=False)
def test_a_unit_in_the_snapshot_sees_its_own_row_only(tree, closed_plan):
    user = secretary_of(tree.unit, "bi-thu-xom-1")
    response = client_for(user).get(f"/o/UNIT/campaigns/{closed_plan.pk}/compliance/")
    report = response.context["report"]
    assert [t.org["code"] for t in report.targets] == ["UNIT"]
    assert report.root.registered.total == 2
    assert "Ủy ban MTTQ xã Diễn Châu" not in response.content.decode()


@time_machine.travel(AFTER_CLOSE, tick=False)
def test_the_commune_still_sees_its_closed_history_whole(tree, closed_plan, as_commune_staff):
    _newcomers(tree)
    report = as_commune_staff.get(f"/o/COMM/campaigns/{closed_plan.pk}/compliance/").context["report"]
    assert sorted(t.org["code"] for t in report.targets) == ["MTTQ", "UNIT"]
    assert report.root.registered.total == 3


@time_machine.travel(AFTER_CLOSE, tick=False)
def test_a_unit_moved_out_after_the_close_leaves_a_lower_viewer_of_the_upper_plan(tree, province_staff):
    """A province plan closed; then UNIT moved to Diễn Thịnh. Diễn Châu's staff no longer see
    its row (it is not under them today); the province, the plan's level, still does."""
    plan = campaign(tree.province, "12-KH/TU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])
    quota(plan, "Mỗi đơn vị ít nhất 01 mô hình", min_total=1)
    register(plan, tree.unit)
    with scope(org=tree.province):
        campaign_services.campaign_close(campaign=plan)
    with scopes_disabled():
        org_services.organization_move(organization=fresh(tree.unit), new_parent=fresh(tree.sibling))
    commune = make_user("can-bo-xa-2")
    Membership.objects.create(user=commune, organization=tree.commune, role=Role.STAFF)
    seen = client_for(commune).get(f"/o/COMM/campaigns/{plan.pk}/compliance/").context["report"]
    assert "UNIT" not in {t.org["code"] for t in seen.targets}
    whole = client_for(province_staff).get(f"/o/PROV/campaigns/{plan.pk}/compliance/").context["report"]
    assert "UNIT" in {t.org["code"] for t in whole.targets}


def test_a_report_is_never_made_outside_the_acting_branch(tree, closed_plan):
    """The engine refuses a node on another branch than the acting organisation's."""
    with pytest.raises(ValueError):
        compliance_report(campaign(tree.sibling, "02-KH/ĐU"), fresh(tree.sibling), acting=fresh(tree.commune))


def test_live_counts_as_a_unit_never_include_a_siblings_registrations(tree, secretary):
    plan = campaign(tree.commune, "03-KH/ĐU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])
    quota(plan, "Mỗi đơn vị ít nhất 01 mô hình", min_total=1)
    register(plan, tree.mttq, n=3)
    register(plan, tree.unit, status=RegistrationStatus.DRAFT)
    report = compliance_report(plan, tree.unit, acting=tree.unit)
    assert [(t.org["code"], t.registered.total) for t in report.targets] == [("UNIT", 0)]
    assert report.root.registered.total == 0
