"""Campaigns and registrations on the synthetic tree (`manage.py generate_scale_registrations`),
checked on a tiny tree."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone
from django_scopes import scopes_disabled

from campaigns.compliance import compliance_report
from campaigns.enums import COUNTED_STATUSES, CampaignStatus, ComplianceStatus, QuotaScope, RegistrationStatus
from campaigns.models import Campaign
from dvk.enums import Role
from dvk.models import Membership, Organization, User
from dvk.text import normalize_search
from models_registry.models import Initiative, Registration
from models_registry.scale import CAMPAIGN_NUMBER, DERIVED_NUMBER, scale_campaigns

pytestmark = pytest.mark.django_db

TREE = {"provinces": 3, "communes": 4, "units": 10}  # 3 × 4 × 10 = 120 units and villages
TARGETS = 120


def generate(*args, **options):
    out = StringIO()
    call_command("generate_scale", *[f"--{k}={v}" for k, v in TREE.items()], stdout=StringIO())
    options = {"registrations": 150, "derived-communes": 2, **options}
    call_command("generate_scale_registrations", *args, *[f"--{k}={v}" for k, v in options.items()], stdout=out)
    return out.getvalue()


def again(*args, **options):
    out = StringIO()
    options = {"registrations": 150, "derived-communes": 2, **options}
    call_command("generate_scale_registrations", *args, *[f"--{k}={v}" for k, v in options.items()], stdout=out)
    return out.getvalue()


def test_campaign_shapes():
    generate()
    today = timezone.localdate()
    with scopes_disabled():
        provinces = list(Campaign.objects.filter(number=CAMPAIGN_NUMBER).order_by("organization__path"))
        assert [c.organization.code for c in provinces] == ["S01", "S02", "S03"]
        derived = list(Campaign.objects.filter(number=DERIVED_NUMBER).order_by("organization__path"))
        assert [c.organization.code for c in derived] == ["S01-C001", "S01-C002"]
        assert all(c.derived_from == provinces[0] and c.lineage.startswith(provinces[0].lineage) for c in derived)
        for c in provinces + derived:
            assert c.status == CampaignStatus.PUBLISHED
            assert c.target_levels == ["unit", "village"]
            [quota] = c.quotas.all()
            assert (quota.scope, quota.min_total) == (QuotaScope.PER_TARGET, 1)
            dues = {m.kind.code: m.due_on for m in c.milestones.select_related("kind")}
            assert dues["registration"] == today + datetime.timedelta(days=5)
            assert dues["result_report"] > dues["registration"]


def test_counts_statuses_and_where_units_register():
    output = generate()
    assert "150 registrations" in output
    with scopes_disabled():
        registrations = Registration.objects.all()
        assert registrations.count() == Initiative.objects.count() == 150
        statuses = dict(registrations.values_list("status").annotate(n=Count("id")))
        assert set(statuses) == {RegistrationStatus.SUBMITTED, RegistrationStatus.ACCEPTED, RegistrationStatus.DRAFT}
        assert statuses[RegistrationStatus.DRAFT] == round(150 * 0.05)
        for initiative in Initiative.objects.all():
            assert initiative.search_name == normalize_search(initiative.name)
        # A unit of a commune with its own campaign registers there; elsewhere under the province's.
        for registration in registrations.select_related("campaign__organization", "organization"):
            assert registration.organization.path.startswith(registration.campaign.organization.path)
            in_derived = registration.organization.code.startswith(("S01-C001-", "S01-C002-"))
            assert registration.campaign.number == (DERIVED_NUMBER if in_derived else CAMPAIGN_NUMBER)
        assert registrations.filter(status=RegistrationStatus.DRAFT, submitted_at__isnull=False).count() == 0


def test_behind_fraction_and_compliance():
    generate(registrations=300)
    with scopes_disabled():
        counted = Registration.objects.filter(status__in=COUNTED_STATUSES)
        with_counted = counted.values("organization").distinct().count()
        without_any = TARGETS - Registration.objects.values("organization").distinct().count()
        # Drafts are only ever a unit's extra models: a unit with a registration has a counted one.
        assert with_counted == TARGETS - without_any
        assert 0.15 <= without_any / TARGETS <= 0.45

        behind = 0
        for c in Campaign.objects.filter(number=CAMPAIGN_NUMBER):
            report = compliance_report(c, c.organization, acting=c.organization)
            assert report.root.targets == TARGETS // 3
            behind += sum(t.status == ComplianceStatus.BEHIND for t in report.targets)
        assert behind == without_any


def test_secretaries_for_every_target():
    generate()
    memberships = Membership.objects.filter(role=Role.SECRETARY, user__username__startswith="bt-s")
    assert memberships.count() == TARGETS
    assert memberships.values("organization").distinct().count() == TARGETS
    user = User.objects.get(username="bt-s01-c001-u01")
    assert user.email == "bt-s01-c001-u01@scale.dvk.local"
    assert user.memberships.get().organization.code == "S01-C001-U01"


def test_refuses_twice_and_reset_replaces_everything():
    generate()
    with pytest.raises(CommandError, match="exist already"):
        again()
    output = again("--reset", registrations=60)
    assert "Deleted 150 registrations" in output
    with scopes_disabled():
        assert Registration.objects.count() == Initiative.objects.count() == 60
        assert scale_campaigns().count() == 3 + 2
        assert Campaign.history.filter(number=CAMPAIGN_NUMBER).values("id").distinct().count() == 3
    assert User.objects.filter(username__startswith="bt-s").count() == TARGETS


def test_delete_leaves_the_tree_and_other_data_alone():
    generate()
    other = Organization.objects.add_root(
        {"code": "HN", "name": "Hà Nội", "level": "province", "kind": "administrative"}
    )
    output = again("--delete")
    assert "150 registrations" in output
    with scopes_disabled():
        assert not Registration.objects.exists() and not Initiative.objects.exists()
        assert not Campaign.objects.exists() and not Campaign.history.exists()
    assert not User.objects.filter(username__startswith="bt-s").exists()
    assert User.objects.filter(username="scale-tinh").exists()
    assert Organization.objects.filter(pk=other.pk).exists()
    assert Organization.objects.filter(code__startswith="S01").count() == 1 + 4 + 40
    # With the campaigns gone, the tree itself can be regenerated.
    call_command("generate_scale", "--reset", *[f"--{k}={v}" for k, v in TREE.items()], stdout=StringIO())


def test_refuses_without_a_tree():
    with pytest.raises(CommandError, match="generate_scale"):
        again()
