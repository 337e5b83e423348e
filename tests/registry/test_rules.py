"""Each permission is decided in one place, rules.py; views, API and services ask has_perm."""

import datetime

import time_machine
from django_scopes import scope

from campaigns.enums import RegistrationStatus as S
from dvk.enums import Role
from dvk.models import Membership
from tests.campaigns.builders import campaign
from tests.conftest import make_user
from tests.registry.builders import complete_registration

BEFORE, AFTER = (
    datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC),
    datetime.datetime(2026, 3, 6, 9, tzinfo=datetime.UTC),
)


def _plan(tree):
    return campaign(tree.commune, "01-KH/ĐU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])


def test_withdrawing_is_for_the_unit_before_the_deadline_and_in_a_withdrawable_state(tree, secretary, commune_staff):
    plan = _plan(tree)
    accepted = complete_registration(plan, tree.unit, status=S.ACCEPTED)
    completed = complete_registration(plan, tree.unit, name="Một mô hình khác", status=S.COMPLETED)
    perm = "models_registry.withdraw_registration"
    with scope(org=tree.unit), time_machine.travel(BEFORE, tick=False):
        assert secretary.has_perm(perm, accepted) and commune_staff.has_perm(perm, accepted)
        assert not secretary.has_perm(perm, completed)
    with scope(org=tree.unit), time_machine.travel(AFTER, tick=False):
        assert not secretary.has_perm(perm, accepted)


def test_late_registration_and_review_belong_to_the_campaigns_level_and_above(
    tree, secretary, commune_staff, province_staff
):
    plan = _plan(tree)
    unit_staff = make_user("can-bo-chi-bo")
    Membership.objects.create(user=unit_staff, organization=tree.unit, role=Role.STAFF)
    for user, allowed in ((commune_staff, True), (province_staff, True), (secretary, False), (unit_staff, False)):
        assert user.has_perm("models_registry.register_late", plan) is allowed
        registration = complete_registration(plan, tree.unit, name=f"Mô hình của {user.username}", status=S.SUBMITTED)
        assert user.has_perm("models_registry.review_registration", registration) is allowed


def test_importing_a_list_is_for_staff_not_for_a_unit_secretary(tree, secretary, commune_staff):
    assert commune_staff.has_perm("models_registry.import_registrations", tree.commune)
    assert commune_staff.has_perm("models_registry.import_registrations", tree.unit)
    assert not secretary.has_perm("models_registry.import_registrations", tree.unit)
