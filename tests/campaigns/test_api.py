"""The campaign API: the same plans and the same compliance numbers as the pages."""

import datetime

import pytest
import time_machine
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from campaigns import services
from campaigns.compliance import compliance_report
from campaigns.enums import CampaignStatus, SubjectType
from campaigns.models import MilestoneKind
from dvk.enums import Role
from dvk.models import Membership
from tests.campaigns.builders import campaign, quota, register
from tests.conftest import make_user

FEB_2026 = datetime.datetime(2026, 2, 1, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def province_campaign(tree):
    c = campaign(tree.province, "12-KH/TU", target_levels=["unit"], registration_due=datetime.date(2026, 3, 5))
    with scopes_disabled():
        services.milestone_save(
            campaign=c,
            kind=MilestoneKind.objects.get(code="periodic_review"),
            due_on=datetime.date(2026, 3, 31),
            recurrence="quarterly",
        )
    quota(c, "Mỗi đơn vị ít nhất 01 mô hình", min_total=1)
    quota(c, "Chi bộ Xóm 1: thêm 01 cá nhân", min_individual=1, organizations=[tree.unit], excluded=[tree.mttq])
    quota(c, "Toàn tỉnh ít nhất 03 mô hình", scope="total", min_total=3)
    return c


def test_list_shows_the_plans_in_scope_with_quotas_and_milestones(tree, commune_staff, province_campaign):
    lower = campaign(
        tree.commune,
        "20-KH/ĐU",
        derived_from=province_campaign,
        title="Thực hiện",
        issuing_body_name="Đảng ủy xã Diễn Châu",
        status=CampaignStatus.DRAFT,
    )
    campaign(tree.sibling, "99-KH/ĐU")
    data = api_for(commune_staff).get("/api/v1/o/COMM/campaigns/").json()
    assert data["count"] == 2
    by_number = {c["number"]: c for c in data["results"]}
    assert set(by_number) == {"12-KH/TU", "20-KH/ĐU"}
    upper = by_number["12-KH/TU"]
    assert upper["organization"] == {"code": "PROV", "name": "Tỉnh Nghệ An"}
    assert (upper["period_start"], upper["period_end"], upper["status"]) == ("2026-01-01", "2026-12-31", "published")
    assert [(q["label"], q["scope"], q["organizations"], q["excluded"]) for q in upper["quotas"]] == [
        ("Mỗi đơn vị ít nhất 01 mô hình", "per_target", [], []),
        ("Chi bộ Xóm 1: thêm 01 cá nhân", "per_target", ["UNIT"], ["MTTQ"]),
        ("Toàn tỉnh ít nhất 03 mô hình", "total", [], []),
    ]
    review = next(m for m in upper["milestones"] if m["kind"] == "periodic_review")
    assert review["occurrences"] == ["2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31"]
    assert by_number["20-KH/ĐU"]["derived_from"] == province_campaign.pk == lower.derived_from_id


def test_list_hides_drafts_from_a_unit_and_filters_by_status(tree, secretary, commune_staff, province_campaign):
    campaign(tree.commune, "21-KH/ĐU", status=CampaignStatus.DRAFT)
    assert [c["number"] for c in api_for(secretary).get("/api/v1/o/UNIT/campaigns/").json()["results"]] == ["12-KH/TU"]
    drafts = api_for(commune_staff).get("/api/v1/o/COMM/campaigns/?status=draft").json()["results"]
    assert [c["number"] for c in drafts] == ["21-KH/ĐU"]


def test_detail_and_its_refusals(tree, commune_staff, outsider, province_campaign):
    data = api_for(commune_staff).get(f"/api/v1/o/COMM/campaigns/{province_campaign.pk}/").json()
    assert (data["id"], data["number"], data["target_levels"]) == (province_campaign.pk, "12-KH/TU", ["unit"])
    draft = campaign(tree.commune, "22-KH/ĐU", status=CampaignStatus.DRAFT)
    member = make_user("thanh-vien")
    Membership.objects.create(user=member, organization=tree.commune, role=Role.MEMBER)
    assert api_for(member).get(f"/api/v1/o/COMM/campaigns/{draft.pk}/").status_code == 403
    assert api_for(outsider).get(f"/api/v1/o/SIBL/campaigns/{draft.pk}/").status_code == 404
    assert api_for(outsider).get(f"/api/v1/o/COMM/campaigns/{province_campaign.pk}/").status_code == 404


@time_machine.travel(FEB_2026, tick=False)
def test_compliance_has_the_engines_numbers(tree, province_staff, commune_staff, province_campaign):
    register(province_campaign, tree.unit)
    register(province_campaign, tree.unit, SubjectType.INDIVIDUAL)
    register(province_campaign, tree.sibling_unit, n=2)
    data = api_for(province_staff).get(f"/api/v1/o/PROV/campaigns/{province_campaign.pk}/compliance/").json()
    with scopes_disabled():
        engine = compliance_report(province_campaign, tree.province, acting=tree.province, today=FEB_2026.date())
    assert (data["node"], data["registration_due"], data["days_left"]) == ("PROV", "2026-03-05", 32)
    root = data["root"]
    assert (
        (root["targets"], root["met"], root["behind"], root["percent"], root["compliance_status"])
        == (engine.root.targets, engine.root.met, engine.root.behind, engine.root.percent, engine.root.status)
        == (3, 2, 1, 67, "behind")
    )
    assert root["registered"] == {"collective": 3, "individual": 1, "total": 4}
    totals = [
        (t["label"], t["required"]["total"], t["registered"]["total"], t["compliance_status"]) for t in data["totals"]
    ]
    assert totals == [("Toàn tỉnh ít nhất 03 mô hình", 3, 4, "met")]
    assert [(c["organization"]["code"], c["targets"], c["met"], c["has_children"]) for c in data["children"]] == [
        ("COMM", 2, 1, True),
        ("SIBL", 1, 1, True),
    ]
    targets = {t["organization"]["code"]: t for t in data["targets"]}
    assert targets["UNIT"]["required"] == {"collective": 0, "individual": 1, "total": 1}
    assert {code: t["compliance_status"] for code, t in targets.items()} == {
        "UNIT": "met",
        "MTTQ": "behind",
        "SIBU": "met",
    }

    drilled = (
        api_for(province_staff).get(f"/api/v1/o/PROV/campaigns/{province_campaign.pk}/compliance/?node=COMM").json()
    )
    assert (drilled["root"]["targets"], drilled["root"]["registered"]["total"]) == (2, 2)
    assert drilled["totals"] == []  # total quotas belong to the issuing level

    # From the commune: its own subtree, never the sibling's registrations.
    own = api_for(commune_staff).get(f"/api/v1/o/COMM/campaigns/{province_campaign.pk}/compliance/").json()
    assert own["root"] == drilled["root"]
    assert {t["organization"]["code"] for t in own["targets"]} == {"UNIT", "MTTQ"}
    response = api_for(commune_staff).get(f"/api/v1/o/COMM/campaigns/{province_campaign.pk}/compliance/?node=SIBL")
    assert response.status_code == 404


@time_machine.travel(FEB_2026, tick=False)
def test_a_units_own_target_row(tree, secretary, province_campaign):
    register(province_campaign, tree.unit)
    data = api_for(secretary).get(f"/api/v1/o/UNIT/campaigns/{province_campaign.pk}/compliance/").json()
    assert data["own"]["compliance_status"] == "behind"  # 1 collective, but an individual is required too
    assert data["own"]["registered"] == {"collective": 1, "individual": 0, "total": 1}
    assert data["children"] == []


def test_outsider_gets_404_everywhere(tree, outsider, province_campaign):
    c = campaign(tree.commune, "23-KH/ĐU")
    client = api_for(outsider)
    for url in (
        "/api/v1/o/COMM/campaigns/",
        f"/api/v1/o/COMM/campaigns/{c.pk}/",
        f"/api/v1/o/SIBL/campaigns/{c.pk}/",
        f"/api/v1/o/SIBL/campaigns/{c.pk}/compliance/",
        f"/api/v1/o/SIBL/campaigns/{province_campaign.pk}/compliance/?node=COMM",
    ):
        assert client.get(url).status_code == 404, url


def test_schema_documents_the_campaign_paths(db, client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {
        "/api/v1/o/{org_code}/campaigns/",
        "/api/v1/o/{org_code}/campaigns/{id}/",
        "/api/v1/o/{org_code}/campaigns/{id}/compliance/",
    } <= set(paths)
    compliance = paths["/api/v1/o/{org_code}/campaigns/{id}/compliance/"]["get"]
    assert "node" in [p["name"] for p in compliance["parameters"]]
    ref = compliance["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    properties = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]
    assert {"root", "totals", "children", "targets", "registration_due"} <= set(properties)


def test_fast_target_rows_match_the_documented_serializer(db):
    from campaigns.compliance import Required, Tally, TargetRow
    from campaigns.serializers import TargetRowSerializer, target_row_data

    row = TargetRow(
        org={"id": 1, "code": "X", "name": "Chi bộ", "level": "unit", "kind": "party_cell", "path": "0001"},
        required=Required(2, 4, 0),
        registered=Tally(1, 5),
        status="behind",
    )
    assert target_row_data(row) == TargetRowSerializer(row).data
