"""The demo campaigns (campaigns/demo.py) and registrations (models_registry/demo.py): the seeds'
real numbers and dates as closed history, live 2027 plans relative to the build day."""

import datetime
from collections import Counter
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from campaigns.compliance import compliance_report
from campaigns.enums import COUNTED_STATUSES, CampaignStatus, ComplianceStatus, QuotaScope, SubjectType
from campaigns.models import Campaign, Reminder
from campaigns.selectors import open_campaign_for
from dvk.models import Notification, Organization
from models_registry.models import Registration

D = datetime.date
MET, BEHIND, OVERDUE = ComplianceStatus.MET, ComplianceStatus.BEHIND, ComplianceStatus.OVERDUE


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """The demo stores evidence files (models_registry/demo.py): not in the project's media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    seed()
    with scopes_disabled():
        yield


def get(org_code, number):
    return Campaign.objects.select_related("organization", "derived_from").get(
        organization__code=org_code, number=number
    )


def milestones(campaign):
    return {m.kind.code: (m.starts_on, m.due_on) for m in campaign.milestones.select_related("kind")}


def quotas(campaign):
    return [
        {
            "scope": q.scope,
            "levels": q.levels,
            "numbers": (q.min_total, q.min_collective, q.min_individual),
            "picked": {o.code for o in q.organizations.all()},
            "excluded": {o.code for o in q.excluded.all()},
            "subtree": q.counts_subtree,
        }
        for q in campaign.quotas.all()
    ]


def report(campaign, root=None):
    return compliance_report(campaign, root or campaign.organization, acting=root or campaign.organization)


def statuses(rep):
    return {t.org["code"]: t.status for t in rep.targets}


def test_dong_phu_11_kh_du(seeded):
    c = get("DNAI-DONGPHU", "11-KH/ĐU")
    assert c.status == CampaignStatus.CLOSED and c.snapshot.data["orgs"]
    assert (c.issuing_body, c.issuing_body_name) == ("party_committee", "Đảng ủy xã Đồng Phú")
    assert c.signer_title == "T/M ĐẢNG ỦY, BÍ THƯ"
    assert (c.issued_on.year, c.issued_on.month) == (2025, 9)
    assert milestones(c) == {
        "registration": (None, D(2025, 9, 27)),
        "completion": (None, D(2025, 10, 31)),
        "survey": (D(2025, 11, 1), D(2025, 11, 30)),  # the survey window overlaps the report date
        "result_report": (None, D(2025, 11, 10)),
    }
    assert [(q["scope"], q["numbers"]) for q in quotas(c)] == [(QuotaScope.PER_TARGET, (1, 0, 0))]
    rep = report(c)
    assert rep.from_snapshot
    targets = statuses(rep)
    # Every chi bộ (police, military, school, health station included) and every MTTQ body.
    assert {"DNAI-DONGPHU-CB-KPTANAN", "DNAI-DONGPHU-CB-CONGAN", "DNAI-DONGPHU-CB-TYT", "DNAI-DONGPHU-MTTQ"} <= set(
        targets
    )
    assert {"DNAI-DONGPHU-HND", "DNAI-DONGPHU-LHPN"} <= set(targets)
    assert not {"DNAI-DONGPHU-DU", "DNAI-DONGPHU-UBND"} & set(targets)
    assert targets["DNAI-DONGPHU-MTTQ"] == MET
    assert targets["DNAI-DONGPHU-CB-THCS"] == OVERDUE


def test_vinh_long_553_qd_ubnd(seeded):
    c = get("VL", "553/QĐ-UBND")
    assert c.status == CampaignStatus.CLOSED
    assert (c.issuing_body, c.issued_on) == ("peoples_committee", D(2025, 4, 2))
    assert "553/QĐ-UBND ngày 02/4/2025" in c.title
    assert milestones(c) == {"registration": (None, D(2025, 4, 15)), "award_dossier": (None, D(2025, 12, 15))}
    assert (c.target_levels, c.target_direct_only) == (["unit", "legacy_district"], True)
    exceptions = {"VL-CONGAN", "VL-BCHQS", "VL-SOGDDT", "VL-SOYT"}
    assert quotas(c) == [
        {
            "scope": QuotaScope.PER_TARGET,
            "levels": ["unit"],
            "numbers": (0, 2, 4),
            "picked": set(),
            "excluded": exceptions,
            "subtree": False,
        },
        {
            "scope": QuotaScope.PER_TARGET,
            "levels": ["legacy_district"],
            "numbers": (0, 5, 10),
            "picked": exceptions,
            "excluded": set(),
            "subtree": True,
        },
    ]
    targets = {t.org["code"]: t for t in report(c).targets}
    required = {code: (t.required.collective, t.required.individual) for code, t in targets.items()}
    assert required["VL-SONV"] == required["VL-SOTC"] == (2, 4)
    assert {required[code] for code in exceptions} == {(5, 10)}
    assert required["VL-LONGHO"] == required["VL-MANGTHIT"] == (5, 10)
    assert "VL-LONGHO-PNV" not in targets and "VL-THANHDUC" not in targets  # offices count for their district
    assert targets["VL-SONV"].status == targets["VL-CONGAN"].status == MET
    # Long Hồ's 5 + 10 come from its offices and communes (counts_subtree).
    assert (targets["VL-LONGHO"].registered.collective, targets["VL-LONGHO"].registered.individual) == (5, 10)
    assert targets["VL-LONGHO"].status == MET
    assert targets["VL-SOYT"].status == targets["VL-MANGTHIT"].status == OVERDUE


def test_dien_chau_2026_derives_from_the_nghe_an_guidance(seeded):
    province = get("NA", "12-HD/BCĐ")
    assert (province.issued_on, province.issuing_body) == (D(2025, 9, 19), "steering_committee")
    c = get("NA-DIENCHAU", "08-KH/ĐU")
    assert c.derived_from == province and c.lineage.startswith(province.lineage)
    assert "Hướng dẫn số 12-HD/BCĐ, ngày 19/9/2025" in c.legal_bases
    assert c.signer_title == "T/M BAN THƯỜNG VỤ, PHÓ BÍ THƯ THƯỜNG TRỰC"
    assert province.status == c.status == CampaignStatus.CLOSED
    assert {k: due for k, (_s, due) in milestones(c).items()} == {
        "registration": D(2026, 3, 5),
        "completion": D(2026, 8, 31),
        "result_report": D(2026, 9, 10),
        "survey": D(2026, 10, 10),
        "consolidated_report": D(2026, 10, 15),
    }
    # The appraisal board's survey window, before the consolidated report.
    assert milestones(c)["survey"] == (D(2026, 9, 15), D(2026, 10, 10))
    assert sorted((q["scope"], q["numbers"]) for q in quotas(c)) == [
        (QuotaScope.PER_TARGET, (1, 0, 0)),
        (QuotaScope.TOTAL, (42, 0, 0)),
    ]
    rep = report(c)
    [total] = rep.totals
    assert total.required.total == 42 and 30 <= total.registered.total <= 40
    assert rep.root.met >= 25 and Counter(statuses(rep).values())[OVERDUE] >= 3
    # The province counts the commune's registrations once, plus Hải Châu's own.
    assert report(province).root.registered.total == rep.root.registered.total + 5


def test_dien_chau_2026_registrations(seeded):
    registrations = Registration.objects.filter(campaign=get("NA-DIENCHAU", "08-KH/ĐU"))
    counted = registrations.filter(status__in=COUNTED_STATUSES)
    assert 30 <= counted.count() <= 40
    assert {"submitted", "accepted", "in_progress", "completed"} <= set(counted.values_list("status", flat=True))
    assert set(counted.values_list("subject_type", flat=True)) == {SubjectType.COLLECTIVE, SubjectType.INDIVIDUAL}
    assert counted.values("organization").distinct().count() >= 25
    assert registrations.filter(is_late=True).count() >= 2
    names = set(registrations.values_list("initiative__name", flat=True))
    assert "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa" in names
    assert "Tuyến đường sáng - xanh - sạch - đẹp" in names


def test_live_2027_plans_relative_to_today(seeded):
    today = timezone.localdate()
    province, commune = get("NA", "21-KH/BCĐ"), get("NA-DIENCHAU", "27-KH/ĐU")
    assert province.status == commune.status == CampaignStatus.PUBLISHED
    assert commune.derived_from == province and commune.lineage.startswith(province.lineage)
    for c in (province, commune):
        dues = {k: due for k, (_s, due) in milestones(c).items()}
        assert dues["registration"] == today + datetime.timedelta(days=5)
        assert dues["registration"] <= dues["completion"] <= dues["result_report"] <= dues["consolidated_report"]
        assert dues["consolidated_report"].year >= 2027
        assert c.period_start <= today <= c.period_end
    # The commune's survey window holds today and the three weeks after it (the board's visits).
    start, end = milestones(commune)["survey"]
    assert start <= today and today + datetime.timedelta(days=21) <= end
    assert "survey" not in milestones(province)
    assert sorted((q["scope"], q["numbers"]) for q in quotas(commune)) == [
        (QuotaScope.PER_TARGET, (1, 0, 0)),
        (QuotaScope.TOTAL, (42, 0, 0)),
    ]


def test_dien_chau_2027_has_units_behind_among_them_demo_chibos(seeded):
    c = get("NA-DIENCHAU", "27-KH/ĐU")
    xom5 = Organization.objects.get(code="NA-DIENCHAU-CB-XOM05")
    assert open_campaign_for(xom5) == c  # where the secretary registers, still open
    rep = report(c)
    by_status = Counter(statuses(rep).values())
    assert statuses(rep)["NA-DIENCHAU-CB-XOM05"] == BEHIND
    assert by_status[BEHIND] >= 10 and by_status[MET] >= 10
    assert rep.totals[0].status == BEHIND and rep.totals[0].required.total == 42
    # Seen from the party cell itself, it is behind too.
    assert report(c, xom5).root.status == BEHIND

    registrations = Registration.objects.filter(campaign=c)
    assert 12 <= registrations.count() <= 20
    continuing = registrations.filter(continues__isnull=False).select_related("continues")
    assert continuing.count() >= 5
    for registration in continuing:
        assert registration.continues.campaign == get("NA-DIENCHAU", "08-KH/ĐU")
        assert registration.continues.initiative_id == registration.initiative_id


def test_the_sweep_has_reminded_demo_chibo(seeded):
    from campaigns import reminders

    if not hasattr(reminders, "sweep"):
        pytest.skip("campaigns.reminders.sweep is not there yet")
    xom5 = Organization.objects.get(code="NA-DIENCHAU-CB-XOM05")
    reminder = Reminder.objects.get(organization=xom5, milestone__campaign=get("NA-DIENCHAU", "27-KH/ĐU"))
    assert reminder.offset_days == 7 and reminder.kind == "reminder"
    assert Notification.objects.filter(user__username="demo-chibo").count() == 1
    # Nothing for closed history, nothing for a compliant unit.
    assert not Reminder.objects.filter(milestone__campaign__status=CampaignStatus.CLOSED).exists()
    assert not Reminder.objects.filter(organization__code="NA-DIENCHAU-MTTQ").exists()


def test_the_dien_chau_staff_get_one_digest_not_one_reminder_per_unit(seeded):
    """The commune's party cells and associations without a secretary are reminded through
    demo-xa: one digest listing them all, the milestone's capitals kept."""
    c = get("NA-DIENCHAU", "27-KH/ĐU")
    # (demo-xa's other notifications are the dossiers the units sent: appraisal's demo.)
    [digest] = Notification.objects.filter(user__username="demo-xa", title__startswith="[DVK] Còn")
    units = Reminder.objects.filter(milestone__campaign=c, status="sent").exclude(organization__code__endswith="XOM05")
    assert units.count() >= 20
    assert digest.title.startswith(f"[DVK] Còn 5 ngày: {units.count()} đơn vị chưa đủ chỉ tiêu – ")
    assert "Ban Xây dựng Đảng" in digest.title and "ban xây dựng đảng" not in digest.body
    assert digest.url == f"/o/NA-DIENCHAU/campaigns/{c.pk}/compliance/"
    for unit in units.select_related("organization"):
        assert f"{unit.organization.name}: tổng số 0/1 (thiếu 1)" in digest.body
        assert f"/o/{unit.organization.code}/campaigns/{c.pk}/" in digest.body
    assert "Chi bộ Xóm 5:" not in digest.body  # demo-chibo has its own


def test_live_milestones_keep_their_order_late_in_2027(db):
    with time_machine.travel(datetime.datetime(2027, 10, 1, 9, tzinfo=datetime.UTC), tick=False):
        seed()
        today = timezone.localdate()
        with scopes_disabled():
            c = get("NA-DIENCHAU", "27-KH/ĐU")
            dues = {k: due for k, (_s, due) in milestones(c).items()}
    assert dues["registration"] == today + datetime.timedelta(days=5)
    assert dues["registration"] <= dues["completion"] <= dues["result_report"] <= dues["consolidated_report"]
    assert c.period_start <= today <= c.period_end


def test_demo_xa_copies_the_closed_2026_plan_as_next_years_draft(db):
    """Nothing to seed for "Sao chép kế hoạch": Diễn Châu's closed 2026 plan is there to copy,
    and its copy implements the province's live 2027 plan by default."""
    from dvk.models import User
    from tests.conftest import client_for

    seed()
    with scopes_disabled():
        original, upper = get("NA-DIENCHAU", "08-KH/ĐU"), get("NA", "21-KH/BCĐ")
    client = client_for(User.objects.get(username="demo-xa"))
    assert 'id="campaign-copy"' in client.get(f"/o/NA-DIENCHAU/campaigns/{original.pk}/").content.decode()
    form = client.get(f"/o/NA-DIENCHAU/campaigns/{original.pk}/copy/").context["form"]
    assert form["upper"].value() == upper.pk
    data = {"number": "35-KH/ĐU", "title": form["title"].value(), "shift": "year", "days": "", "upper": upper.pk}
    response = client.post(f"/o/NA-DIENCHAU/campaigns/{original.pk}/copy/", data)
    assert response.status_code == 302
    with scopes_disabled():
        copy = get("NA-DIENCHAU", "35-KH/ĐU")
        assert (copy.status, copy.derived_from, copy.period_start.year) == (CampaignStatus.DRAFT, upper, 2027)
        assert milestones(copy)["registration"] == (None, D(2027, 3, 5))
        assert len(quotas(copy)) == len(quotas(original))
