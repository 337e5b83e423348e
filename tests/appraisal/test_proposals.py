"""The level above a campaign's level (appraisal.proposals.level_above)."""

import datetime

import pytest
from django_scopes import scopes_disabled

from appraisal.proposals import level_above
from campaigns.models import Campaign
from dvk.enums import Level, Role
from tests.campaigns.builders import campaign
from tests.conftest import add_child, persona

pytestmark = pytest.mark.django_db


def plan(org, number, **extra):
    return campaign(org, number, registration_due=datetime.date(2026, 3, 5), target_levels=["unit"], **extra)


def test_a_derived_campaign_proposes_to_the_issuer_it_derives_from(tree, province_staff):
    province_plan = plan(tree.province, "10-KH/TU")
    commune_plan = plan(tree.commune, "01-KH/ĐU")
    with scopes_disabled():
        Campaign.objects.filter(pk=commune_plan.pk).update(derived_from=province_plan)
        commune_plan.refresh_from_db()
    assert level_above(commune_plan) == tree.province


def test_without_one_the_nearest_ancestor_with_staff(tree, province_staff):
    # A legacy district between the province and a commune, with no one working there.
    district = add_child(tree.province, "HUYN", "Huyện cũ", level=Level.COMMUNE)
    commune = add_child(district, "XAMO", "Xã Mới", level=Level.COMMUNE)
    persona("can-bo-xa-moi", commune, Role.STAFF)
    assert level_above(plan(commune, "02-KH/ĐU")) == tree.province
    # Someone with another role there does not make it a level that receives proposals.
    persona("bi-thu-huyen", district, Role.SECRETARY)
    assert level_above(plan(commune, "04-KH/ĐU")) == tree.province
    persona("can-bo-huyen", district, Role.STAFF)
    assert level_above(plan(commune, "03-KH/ĐU")) == district
    # The root has no level above.
    assert level_above(plan(tree.province, "11-KH/TU")) is None
