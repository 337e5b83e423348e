"""The daily reminder sweep, with frozen time: who is told, when, once.

    Tỉnh (PROV, staff: can-bo-tinh)                 ← issues the campaign
    ├── Xã Diễn Châu (COMM, staff: can-bo-xa)
    │   ├── Chi bộ Xóm 1 (UNIT1, secretary: bi-thu-1)      behind
    │   ├── Chi bộ Xóm 2 (UNIT2, secretary: bi-thu-2)      compliant
    │   ├── Ủy ban MTTQ xã (MTTQ, staff: can-bo-mttq)      behind, no secretary
    │   └── Chi bộ Xóm 3 (CB3, nobody)                     behind, no one of its own
    └── Xã Diễn Thịnh (NOST, nobody)
        └── Chi bộ Xóm 9 (NU1, nobody)                     behind, nobody up to the province

Registration is due on 10/03/2026; offsets 7, 3, 1.
"""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask
from django_scopes import scopes_disabled

from campaigns import reminders
from campaigns.enums import CampaignStatus, RegistrationStatus, ReminderKind, ReminderStatus
from campaigns.models import Campaign, MilestoneKind, Reminder
from campaigns.services import campaign_derive, milestone_save
from dvk.enums import Role
from dvk.models import Membership, Notification, User
from tests.campaigns.builders import campaign, org, quota, register
from tests.conftest import client_for, make_user

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DUE = datetime.date(2026, 3, 10)


def at(day, hour=7, minute=0):
    """Frozen time on `day` (a date, or days relative to DUE) at hour:minute in Hà Nội time."""
    if isinstance(day, int):
        day = DUE + datetime.timedelta(days=day)
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=HCM), tick=False)


def run_sweep(**kwargs):
    with scopes_disabled():
        return reminders.sweep(**kwargs)


def person(username, organization, role, **extra):
    user = make_user(username, **extra)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def world(db):
    province = org(None, "PROV", "Tỉnh Nghệ An", "province", "administrative")
    commune = org(province, "COMM", "Xã Diễn Châu", "commune", "administrative")
    units = {
        "UNIT1": org(commune, "UNIT1", "Chi bộ Xóm 1"),
        "UNIT2": org(commune, "UNIT2", "Chi bộ Xóm 2"),
        "MTTQ": org(commune, "MTTQ", "Ủy ban MTTQ xã Diễn Châu", kind="fatherland_front"),
        "CB3": org(commune, "CB3", "Chi bộ Xóm 3"),
    }
    nostaff = org(province, "NOST", "Xã Diễn Thịnh", "commune", "administrative")
    units["NU1"] = org(nostaff, "NU1", "Chi bộ Xóm 9")
    people = {
        "province": person("can-bo-tinh", province, Role.STAFF),
        "commune": person("can-bo-xa", commune, Role.STAFF),
        "sec1": person("bi-thu-1", units["UNIT1"], Role.SECRETARY),
        "sec2": person("bi-thu-2", units["UNIT2"], Role.SECRETARY),
        "mttq": person("can-bo-mttq", units["MTTQ"], Role.STAFF),
    }
    # A member (read-only) is never reminded.
    person("thanh-vien", units["UNIT1"], Role.MEMBER)
    c = campaign(
        province,
        "12-KH/TU",
        registration_due=DUE,
        target_kinds=["party_cell", "fatherland_front"],
    )
    quota(c, "Mỗi chi bộ và MTTQ ít nhất 01 mô hình", min_total=1)
    register(c, units["UNIT2"])
    return type(
        "World", (), {"campaign": c, "units": units, "people": people, "province": province, "commune": commune}
    )


def inbox(mailoutbox):
    """{recipient address: [subjects]}"""
    got = {}
    for message in mailoutbox:
        for address in message.to:
            got.setdefault(address, []).append(message.subject)
    return got


def rows(**filters):
    with scopes_disabled():
        return sorted(
            Reminder.objects.filter(**filters).values_list("organization__code", "kind", "offset_days", "status"),
        )


EXPECTED_RECIPIENTS = {
    "bi-thu-1@example.test",  # UNIT1's secretary
    "can-bo-mttq@example.test",  # MTTQ has no secretary: its own staff
    "can-bo-xa@example.test",  # CB3 has nobody: its parent's staff
    "can-bo-tinh@example.test",  # NU1 and its commune have nobody: the province's staff
}


@pytest.mark.parametrize("days_before", [7, 3, 1])
def test_reminder_at_each_offset_goes_to_secretary_else_own_staff_else_nearest_staff_above(
    world, mailoutbox, days_before
):
    with at(-days_before):
        stats = run_sweep()
    assert set(inbox(mailoutbox)) == EXPECTED_RECIPIENTS
    assert all(len(subjects) == 1 for subjects in inbox(mailoutbox).values())
    assert stats["sent"] == 4 and stats["messages"] == 4
    sent = rows(status=ReminderStatus.SENT)
    assert sent == sorted(
        (code, ReminderKind.REMINDER, days_before, ReminderStatus.SENT) for code in ("CB3", "MTTQ", "NU1", "UNIT1")
    )
    mail = next(m for m in mailoutbox if m.to == ["bi-thu-1@example.test"])
    assert mail.subject == f"[DVK] Còn {days_before} ngày: Hạn đăng ký mô hình 10/03/2026 (KH 12-KH/TU)"
    assert "Kính gửi: Chi bộ Xóm 1" in mail.body
    assert "Tổng số: đã đăng ký 0/1, còn thiếu 1" in mail.body
    assert f"http://127.0.0.1:8000/o/UNIT1/campaigns/{world.campaign.pk}/" in mail.body


def test_nothing_before_the_first_offset_and_nothing_for_a_compliant_unit(world, mailoutbox):
    with at(-8):
        assert run_sweep()["sent"] == 0
    assert mailoutbox == [] and rows() == []
    with at(-7):
        run_sweep()
    assert "bi-thu-2@example.test" not in inbox(mailoutbox)
    assert "UNIT2" not in {code for code, *_ in rows()}


def test_catch_up_sends_the_nearest_passed_offset_once_and_supersedes_the_older(world, mailoutbox):
    with at(-2):  # the 7- and 3-day offsets have both passed: one mail, the 3-day one
        run_sweep()
    assert {address: len(s) for address, s in inbox(mailoutbox).items()} == dict.fromkeys(EXPECTED_RECIPIENTS, 1)
    assert all(m.subject.startswith("[DVK] Còn 2 ngày:") for m in mailoutbox)
    assert rows(organization__code="UNIT1") == [
        ("UNIT1", ReminderKind.REMINDER, 3, ReminderStatus.SENT),
        ("UNIT1", ReminderKind.REMINDER, 7, ReminderStatus.SUPERSEDED),
    ]
    with at(-2, hour=15):  # the same day again: the rows make it a no-op
        assert run_sweep()["sent"] == 0
    assert len(mailoutbox) == 4
    with at(-1):  # the 1-day offset is new
        run_sweep()
    assert len(mailoutbox) == 8
    assert rows(organization__code="UNIT1", status=ReminderStatus.SENT) == [
        ("UNIT1", ReminderKind.REMINDER, 1, ReminderStatus.SENT),
        ("UNIT1", ReminderKind.REMINDER, 3, ReminderStatus.SENT),
    ]


def test_a_second_run_sends_nothing(world, mailoutbox):
    with at(-3):
        first = run_sweep()
        second = run_sweep()
    assert first["sent"] == 4
    assert second["sent"] == second["claimed"] == 0
    assert len(mailoutbox) == 4
    with scopes_disabled():
        assert Notification.objects.count() == 4


def test_on_the_due_day_the_last_reminder_says_today(world, mailoutbox):
    with at(0):
        run_sweep()
    assert all(m.subject.startswith("[DVK] Hôm nay: ") for m in mailoutbox)
    assert all("Hạn đăng ký mô hình 10/03/2026 (KH 12-KH/TU)" in m.subject for m in mailoutbox)
    assert all("hôm nay là hạn cuối" in m.body for m in mailoutbox)


def test_escalation_after_the_deadline_one_message_per_nearest_ancestor_with_staff(world, mailoutbox):
    with at(0, hour=23, minute=59):  # due at the end of the stored day: no escalation yet
        run_sweep()
    assert rows(kind=ReminderKind.ESCALATION) == []
    mailoutbox.clear()
    with at(1):
        stats = run_sweep()
    assert stats["sent"] == 4
    assert inbox(mailoutbox) == {
        "can-bo-xa@example.test": ["[DVK] 3 đơn vị quá hạn: Hạn đăng ký mô hình 10/03/2026 (KH 12-KH/TU)"],
        "can-bo-tinh@example.test": ["[DVK] 1 đơn vị quá hạn: Hạn đăng ký mô hình 10/03/2026 (KH 12-KH/TU)"],
    }
    to_commune = next(m for m in mailoutbox if m.to == ["can-bo-xa@example.test"])
    for line in ("Chi bộ Xóm 1 (UNIT1): tổng số 0/1", "Ủy ban MTTQ xã Diễn Châu (MTTQ)", "Chi bộ Xóm 3 (CB3)"):
        assert line in to_commune.body
    assert "UNIT2" not in to_commune.body and "NU1" not in to_commune.body
    assert f"/o/COMM/campaigns/{world.campaign.pk}/" in to_commune.body
    assert rows(kind=ReminderKind.ESCALATION) == [
        (code, ReminderKind.ESCALATION, 0, ReminderStatus.SENT) for code in ("CB3", "MTTQ", "NU1", "UNIT1")
    ]
    with at(2):  # once per occurrence
        assert run_sweep()["sent"] == 0
    assert len(mailoutbox) == 2


def test_a_first_run_long_after_the_deadline_does_not_escalate_old_history(world, mailoutbox):
    with at(31):
        run_sweep()
    assert mailoutbox == [] and rows() == []


def test_a_unit_that_caught_up_is_no_longer_reminded_and_its_unsent_row_is_dropped(world, mailoutbox):
    with at(-3):
        run_sweep(dispatch=lambda **kwargs: None)  # claimed, then the worker died
    register(world.campaign, world.units["UNIT1"])
    with at(-2, hour=12):  # after the claim timeout
        run_sweep()
    assert "bi-thu-1@example.test" not in inbox(mailoutbox)
    assert rows(organization__code="UNIT1") == [
        ("UNIT1", ReminderKind.REMINDER, 3, ReminderStatus.SUPERSEDED),
        ("UNIT1", ReminderKind.REMINDER, 7, ReminderStatus.SUPERSEDED),
    ]


@pytest.mark.parametrize("status", [CampaignStatus.CLOSED, CampaignStatus.ARCHIVED, CampaignStatus.DRAFT])
def test_nothing_for_a_campaign_that_is_not_open(world, mailoutbox, status):
    with scopes_disabled():
        Campaign.objects.filter(pk=world.campaign.pk).update(status=status)
    for day in (-3, 1):
        with at(day):
            run_sweep()
    assert mailoutbox == [] and rows() == []


def test_closing_the_campaign_drops_reminders_not_yet_sent(world, mailoutbox):
    with at(-3):
        run_sweep(dispatch=lambda **kwargs: None)
    with scopes_disabled():
        Campaign.objects.filter(pk=world.campaign.pk).update(status=CampaignStatus.CLOSED)
    with at(-3, hour=9):
        run_sweep()
    assert mailoutbox == []
    assert {status for *_rest, status in rows()} == {ReminderStatus.SUPERSEDED}


def test_a_claim_older_than_the_timeout_is_retried(world, mailoutbox):
    with at(-3, hour=7):
        first = run_sweep(dispatch=lambda **kwargs: None)  # claimed, never sent: the worker died
    assert first["claimed"] == 4 and mailoutbox == []
    with at(-3, hour=7, minute=20):  # the claim is still fresh: nobody else takes it
        assert run_sweep()["claimed"] == 0
    assert mailoutbox == []
    with at(-3, hour=7, minute=31):  # older than DVK_REMINDER_CLAIM_TIMEOUT_MINUTES (30)
        retried = run_sweep()
    assert retried["sent"] == 4
    assert set(inbox(mailoutbox)) == EXPECTED_RECIPIENTS
    with scopes_disabled():
        assert set(Reminder.objects.filter(status=ReminderStatus.SENT).values_list("attempts", flat=True)) == {2}


@override_settings(DVK_REMINDER_MAX_ATTEMPTS=2)
def test_a_reminder_is_not_retried_forever(world, mailoutbox):
    for minute in (0, 31):
        with at(-3, hour=7, minute=minute):
            run_sweep(dispatch=lambda **kwargs: None)
    with at(-3, hour=8, minute=2):
        stats = run_sweep()
    assert stats["claimed"] == 0 and stats["exhausted"] == 4 and mailoutbox == []


def test_a_batch_is_sent_only_by_the_holder_of_its_claim(world, mailoutbox):
    claims = []
    with at(-3):
        run_sweep(dispatch=lambda **kwargs: claims.append(kwargs))
    with at(-3, hour=8):  # the claim timed out and another sweep took the rows over
        run_sweep(dispatch=lambda **kwargs: None)
        assert reminders.send_batch(**claims[0]) == {"sent": 0, "messages": 0, "notifications": 0}
    assert mailoutbox == []


def test_a_reminder_whose_deadline_passed_while_it_waited_is_not_sent(world, mailoutbox):
    claims = []
    with at(0, hour=23, minute=50):
        run_sweep(dispatch=lambda **kwargs: claims.append(kwargs))
    with at(1, hour=0, minute=5):  # the batch task runs after midnight
        assert reminders.send_batch(**claims[0])["sent"] == 0
    assert mailoutbox == []
    assert {status for *_rest, status in rows(kind=ReminderKind.REMINDER)} == {ReminderStatus.SUPERSEDED}


def test_batches_respect_the_batch_size_and_keep_an_ancestors_escalation_whole(world, mailoutbox, settings):
    settings.DVK_REMINDER_BATCH_SIZE = 2
    batches = []

    def dispatch(**kwargs):
        batches.append(kwargs["reminder_ids"])
        return reminders.send_batch(**kwargs)

    with at(-3):
        run_sweep(dispatch=dispatch)
    assert [len(b) for b in batches] == [2, 2]
    batches.clear()
    mailoutbox.clear()
    with at(1):
        run_sweep(dispatch=dispatch)
    assert sorted(len(b) for b in batches) == [1, 3]  # the commune's three late units stay together
    assert len(mailoutbox) == 2


def test_notifications_for_every_recipient_and_the_unread_count_in_the_header(world, mailoutbox):
    no_email = person("bi-thu-khong-email", world.units["UNIT1"], Role.SECRETARY)
    User.objects.filter(pk=no_email.pk).update(email="")
    with at(-3):
        run_sweep()
    assert "bi-thu-1@example.test" in inbox(mailoutbox)  # mail to those who have an address
    with scopes_disabled():
        notes = Notification.objects.filter(user=no_email)
        assert [(n.organization.code, n.url) for n in notes] == [("UNIT1", f"/o/UNIT1/campaigns/{world.campaign.pk}/")]
        assert notes[0].title == "[DVK] Còn 3 ngày: Hạn đăng ký mô hình 10/03/2026 (KH 12-KH/TU)"
        assert Notification.objects.filter(user=world.people["commune"]).count() == 1  # for CB3
    page = client_for(no_email).get("/notifications/").content.decode()
    assert 'id="notifications-unread">1<' in page
    assert "Hạn đăng ký mô hình 10/03/2026" in page


def test_a_report_milestone_chases_units_with_registrations_not_yet_reported(world, mailoutbox):
    c, units = world.campaign, world.units
    with scopes_disabled():
        report_kind = MilestoneKind.objects.get(code="result_report")
        milestone_save(campaign=c, kind=report_kind, due_on=datetime.date(2026, 11, 10))
    register(c, units["UNIT1"], status=RegistrationStatus.IN_PROGRESS, n=2)
    register(c, units["MTTQ"], status=RegistrationStatus.COMPLETED)
    with at(datetime.date(2026, 11, 7)):
        run_sweep()
    # UNIT2 registered (submitted) and has not reported either; MTTQ has completed.
    assert set(inbox(mailoutbox)) == {"bi-thu-1@example.test", "bi-thu-2@example.test"}
    mail = next(m for m in mailoutbox if m.to == ["bi-thu-1@example.test"])
    assert "Hạn báo cáo kết quả" in mail.subject and "còn 2 mô hình đã đăng ký chưa báo cáo kết quả" in mail.body


def test_a_report_milestone_never_chases_a_unit_that_moved_out_of_the_level(world, mailoutbox):
    """The sweep reads registrations of every tenant; the report chase keeps to the campaign's
    own level itself: a unit that moved to another province with its registration is that
    province's now, and neither it nor this level's staff hear about it from this campaign."""
    from dvk.services import organization_move

    c, units = world.campaign, world.units
    with scopes_disabled():
        report_kind = MilestoneKind.objects.get(code="result_report")
        milestone_save(campaign=c, kind=report_kind, due_on=datetime.date(2026, 11, 10))
    register(c, units["UNIT1"], status=RegistrationStatus.IN_PROGRESS)
    elsewhere = org(None, "KHAC", "Tỉnh khác", "province", "administrative")
    commune = org(elsewhere, "KHAC-XA", "Xã khác", "commune", "administrative")
    with scopes_disabled():
        organization_move(organization=units["UNIT1"], new_parent=commune)
    with at(datetime.date(2026, 11, 7)):
        run_sweep()
    assert set(inbox(mailoutbox)) == {"bi-thu-2@example.test"}
    with at(datetime.date(2026, 11, 11)):
        run_sweep()
    assert not any("Chi bộ Xóm 1" in m.body for m in mailoutbox)


def test_a_unit_under_a_derived_campaign_is_reminded_by_that_campaign_only(world, mailoutbox):
    with scopes_disabled():
        derived = campaign_derive(
            parent=world.campaign,
            organization=world.commune,
            user=None,
            number="05-KH/ĐU",
            title="Thực hiện kế hoạch 12-KH/TU",
            issuing_body_name="Đảng ủy xã Diễn Châu",
        )
        Campaign.objects.filter(pk=derived.pk).update(status=CampaignStatus.PUBLISHED)
    with at(-3):
        run_sweep()
    by_address = inbox(mailoutbox)
    assert by_address["bi-thu-1@example.test"] == ["[DVK] Còn 3 ngày: Hạn đăng ký mô hình 10/03/2026 (KH 05-KH/ĐU)"]
    assert by_address["can-bo-tinh@example.test"][0].endswith("(KH 12-KH/TU)")  # NU1 is not under the commune


def test_each_occurrence_of_a_recurring_milestone_has_its_own_reminders(world, mailoutbox):
    c = world.campaign
    with scopes_disabled():
        review = MilestoneKind.objects.get(code="periodic_review")
        milestone_save(campaign=c, kind=review, due_on=datetime.date(2026, 3, 31), recurrence="quarterly")
    register(c, world.units["UNIT1"], status=RegistrationStatus.ACCEPTED)
    for day in (datetime.date(2026, 3, 30), datetime.date(2026, 6, 29)):
        with at(day):
            run_sweep()
    with scopes_disabled():
        occurrences = set(
            Reminder.objects.filter(milestone__kind=review, organization__code="UNIT1").values_list(
                "occurrence", flat=True
            )
        )
    assert occurrences == {datetime.date(2026, 3, 31), datetime.date(2026, 6, 30)}
    assert len(inbox(mailoutbox)["bi-thu-1@example.test"]) == 2


def test_the_daily_sweep_is_in_the_beat_schedule_after_migrate(db):
    task = PeriodicTask.objects.get(task="campaigns.reminder_sweep")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("7", "0", "Asia/Ho_Chi_Minh")


def test_installing_the_schedule_again_applies_a_new_time(db, settings):
    settings.DVK_REMINDER_SWEEP_TIME = "06:30"
    reminders.install_sweep_schedule()
    reminders.install_sweep_schedule()
    tasks = PeriodicTask.objects.filter(task="campaigns.reminder_sweep")
    assert [(t.crontab.hour, t.crontab.minute) for t in tasks] == [("6", "30")]


def test_the_sweep_runs_the_same_queries_for_4_or_24_late_units(world, mailoutbox):
    with at(-7), CaptureQueriesContext(connection) as few:
        run_sweep()
    for i in range(20):
        unit = org(world.commune, f"MORE{i:02d}", f"Chi bộ Thôn {i}")
        person(f"bi-thu-them-{i}", unit, Role.SECRETARY)
    with at(-3), CaptureQueriesContext(connection) as many:
        stats = run_sweep()
    assert stats["sent"] == 24
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_command_prints_its_counts_and_installs_the_schedule(world, mailoutbox, settings):
    out = io.StringIO()
    call_command("run_reminder_sweep", "--date", "2026-03-07", stdout=out)
    assert "sent: 4" in out.getvalue() and len(mailoutbox) == 4
    assert mailoutbox[0].subject.startswith("[DVK] Còn 3 ngày:")  # counted from --date
    out = io.StringIO()
    call_command("run_reminder_sweep", "--date", "2026-03-07", stdout=out)
    assert "sent: 0" in out.getvalue() and len(mailoutbox) == 4
    settings.DVK_REMINDER_SWEEP_TIME = "6:05"
    call_command("run_reminder_sweep", "--install-schedule", stdout=io.StringIO())
    crontab = PeriodicTask.objects.get(task="campaigns.reminder_sweep").crontab
    assert (crontab.hour, crontab.minute) == ("6", "5")
