"""Small builders for campaign tests (real rows, no mocks)."""

import datetime

from django_scopes import scopes_disabled

from campaigns.enums import CampaignStatus, RegistrationStatus, SubjectType
from campaigns.models import Campaign, MilestoneKind
from campaigns.services import campaign_create, milestone_save, quota_save
from dvk.models import Organization
from models_registry.models import Initiative, Registration


def org(parent, code, name, level="unit", kind="party_cell"):
    if parent is None:
        return Organization.objects.add_root({"code": code, "name": name, "level": level, "kind": kind})
    return Organization.objects.add_child(parent, {"code": code, "name": name, "level": level, "kind": kind})


def ensure_default_lists():
    """The fields and milestone kinds the data migration creates. A transactional test
    (browser, Celery worker) flushes the tables after itself, taking them along."""
    from importlib import import_module

    from django.apps import apps

    import_module("campaigns.migrations.0002_default_fields_and_milestone_kinds").add_defaults(apps, None)


def campaign(
    level_org,
    number,
    *,
    start=datetime.date(2026, 1, 1),
    end=datetime.date(2026, 12, 31),
    status=CampaignStatus.PUBLISHED,
    registration_due=None,
    derived_from=None,
    **data,
):
    data.setdefault("title", f"Kế hoạch {number}")
    data.setdefault("issuing_body", "party_committee")
    data.setdefault("issuing_body_name", f"Đảng ủy {level_org.name}")
    ensure_default_lists()
    with scopes_disabled():
        if derived_from is not None:
            from campaigns.services import campaign_derive

            c = campaign_derive(parent=derived_from, organization=level_org, user=None, number=number, **data)
            c.milestones.all().delete()
        else:
            c = campaign_create(
                organization=level_org, user=None, number=number, period_start=start, period_end=end, **data
            )
        if registration_due:
            milestone_save(campaign=c, kind=MilestoneKind.objects.get(code="registration"), due_on=registration_due)
        if status != CampaignStatus.DRAFT:
            Campaign.objects.filter(pk=c.pk).update(status=status)
            c.refresh_from_db()
    return c


def quota(c, label, **data):
    with scopes_disabled():
        return quota_save(campaign=c, label=label, **data)


_counter = [0]


def register(c, organization, subject=SubjectType.COLLECTIVE, status=RegistrationStatus.SUBMITTED, n=1, continues=None):
    made = []
    with scopes_disabled():
        for _ in range(n):
            _counter[0] += 1
            initiative = Initiative.objects.create(organization=organization, name=f"Mô hình số {_counter[0]}")
            made.append(
                Registration.objects.create(
                    campaign=c,
                    organization=organization,
                    initiative=initiative,
                    subject_type=subject,
                    status=status,
                    continues=continues,
                )
            )
    return made
