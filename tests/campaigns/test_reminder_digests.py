"""Digests: the units a sweep reminds through an ancestor's staff (no secretary, no staff of
their own) reach that staff as one message per occurrence and offset, not one per unit.

    Tỉnh (PROV, staff: can-bo-tinh)                  ← issues the campaign
    ├── Xã Diễn Châu (COMM, staff: can-bo-xa, pho-ban-xa)
    │   ├── Chi bộ Xóm 1 (UNIT1, secretary: bi-thu-1)      behind: its own reminder
    │   ├── Ủy ban MTTQ xã (MTTQ, staff: can-bo-mttq)      behind: its own reminder
    │   ├── Chi bộ Xóm 3, 4, 5 (XOM3..5, nobody)            behind: the commune's digest
    │   └── Chi bộ Xóm 6 (XOM6, nobody)                     compliant
    └── Xã Diễn Thịnh (NOST, nobody)
        └── Chi bộ Xóm 9 (NU1, nobody)                      behind: the province's digest

Each unit is asked for two models (Xóm 4 has one); registration is due on 10/03/2026.
"""

import datetime
import re

import pytest
from django.db import DatabaseError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from campaigns import reminders
from campaigns.enums import RegistrationStatus, ReminderKind, ReminderStatus
from campaigns.models import Milestone, Reminder
from dvk.enums import Role
from dvk.models import Notification, Organization
from models_registry.models import Registration
from tests.campaigns.builders import campaign, org, quota, register
from tests.campaigns.test_reminders import at, inbox, person, rows, run_sweep
from tests.conftest import client_for
from tests.test_idempotency import in_parallel

DIGESTED = ("XOM3", "XOM4", "XOM5")
DEAD_SMTP = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 1,  # nothing listens there: the mail server is down
    "EMAIL_TIMEOUT": 2,
}


@pytest.fixture
def world(db):
    province = org(None, "PROV", "Tỉnh Nghệ An", "province", "administrative")
    commune = org(province, "COMM", "Xã Diễn Châu", "commune", "administrative")
    units = {"UNIT1": org(commune, "UNIT1", "Chi bộ Xóm 1")}
    units["MTTQ"] = org(commune, "MTTQ", "Ủy ban MTTQ xã Diễn Châu", kind="fatherland_front")
    for n in (3, 4, 5, 6):
        units[f"XOM{n}"] = org(commune, f"XOM{n}", f"Chi bộ Xóm {n}")
    nostaff = org(province, "NOST", "Xã Diễn Thịnh", "commune", "administrative")
    units["NU1"] = org(nostaff, "NU1", "Chi bộ Xóm 9")
    people = {
        "province": person("can-bo-tinh", province, Role.STAFF),
        "commune": person("can-bo-xa", commune, Role.STAFF),
        "deputy": person("pho-ban-xa", commune, Role.STAFF),
        "sec1": person("bi-thu-1", units["UNIT1"], Role.SECRETARY),
        "mttq": person("can-bo-mttq", units["MTTQ"], Role.STAFF),
    }
    c = campaign(province, "12-KH/TU", registration_due=DUE, target_kinds=["party_cell", "fatherland_front"])
    quota(c, "Mỗi chi bộ và MTTQ ít nhất 02 mô hình", min_total=2)
    register(c, units["XOM4"])
    register(c, units["XOM6"], n=2)
    return type("World", (), {"campaign": c, "units": units, "people": people, "commune": commune})


DUE = datetime.date(2026, 3, 10)


def notes(user):
    with scopes_disabled():
        return list(Notification.objects.filter(user=user).select_related("organization").order_by("pk"))


def digest_units(note):
    """The unit names a digest lists, in its order."""
    return [m.group(1) for m in re.finditer(r"^\d+\. ([^:]+):", note.body, re.M)]


def test_the_commune_staff_get_one_digest_of_their_units_without_anybody(world, mailoutbox):
    with at(-3):
        stats = run_sweep()
    c = world.campaign
    [digest] = notes(world.people["commune"])
    assert digest.title == (
        "[DVK] Còn 3 ngày: 3 đơn vị chưa đủ chỉ tiêu – Hạn đăng ký mô hình 10/03/2026 (KH 12-KH/TU)"
    )
    assert digest.organization == world.commune and digest.url == f"/o/COMM/campaigns/{c.pk}/compliance/"
    assert digest_units(digest) == ["Chi bộ Xóm 3", "Chi bộ Xóm 4", "Chi bộ Xóm 5"]  # tree order
    assert digest.body.startswith("Kính gửi: Xã Diễn Châu\n")
    assert "1. Chi bộ Xóm 3: tổng số 0/2 (thiếu 2)\n" in digest.body
    assert "2. Chi bộ Xóm 4: tổng số 1/2 (thiếu 1)\n" in digest.body
    for code in DIGESTED:
        assert f"http://127.0.0.1:8000/o/{code}/campaigns/{c.pk}/\n" in digest.body
    for elsewhere in ("Xóm 1", "Xóm 6", "MTTQ", "Xóm 9"):
        assert elsewhere not in digest.body
    # Every staff member of the commune gets it, once, by mail too.
    assert [n.body for n in notes(world.people["deputy"])] == [digest.body]
    mails = inbox(mailoutbox)
    assert mails["can-bo-xa@example.test"] == mails["pho-ban-xa@example.test"] == [digest.title]
    # The province's staff get theirs for the commune that has nobody.
    [above] = notes(world.people["province"])
    assert digest_units(above) == ["Chi bộ Xóm 9"] and above.title.startswith("[DVK] Còn 3 ngày: 1 đơn vị")
    assert above.url == f"/o/PROV/campaigns/{c.pk}/compliance/"
    # The claim-once rows stay one per unit.
    assert rows(status=ReminderStatus.SENT) == sorted(
        (code, ReminderKind.REMINDER, 3, ReminderStatus.SENT) for code in ("UNIT1", "MTTQ", *DIGESTED, "NU1")
    )
    with scopes_disabled():
        assert set(
            Reminder.objects.filter(organization__code__in=DIGESTED, offset_days=3).values_list("recipients", flat=True)
        ) == {2}
    assert stats["sent"] == 6 and stats["messages"] == 5 and stats["notifications"] == 5


def test_a_secretary_and_a_units_own_staff_keep_their_own_reminder(world, mailoutbox):
    with at(-3):
        run_sweep()
    [own] = notes(world.people["sec1"])
    assert own.title == "[DVK] Còn 3 ngày: Hạn đăng ký mô hình 10/03/2026 (KH 12-KH/TU)"
    assert own.body.startswith("Kính gửi: Chi bộ Xóm 1\n") and "Tổng số: đã đăng ký 0/2, còn thiếu 2" in own.body
    assert own.url == f"/o/UNIT1/campaigns/{world.campaign.pk}/"
    [mttq] = notes(world.people["mttq"])
    assert mttq.body.startswith("Kính gửi: Ủy ban MTTQ xã Diễn Châu\n") and mttq.organization.code == "MTTQ"


def test_a_rerun_sends_nothing_and_each_offset_has_its_digest(world, mailoutbox):
    staff = world.people["commune"]
    with at(-7):
        run_sweep()
    with at(-7, hour=15):
        assert run_sweep()["sent"] == 0
    assert len(notes(staff)) == 1 and len(inbox(mailoutbox)["can-bo-xa@example.test"]) == 1
    # Xóm 6 falls behind (one of its registrations withdrawn): the 3-day digest lists it too.
    with scopes_disabled():
        withdrawn = Registration.objects.filter(organization=world.units["XOM6"]).first()
        Registration.objects.filter(pk=withdrawn.pk).update(status=RegistrationStatus.WITHDRAWN)
    with at(-3):
        run_sweep()
    seven, three = notes(staff)
    assert seven.title.startswith("[DVK] Còn 7 ngày: 3 đơn vị") and digest_units(seven)[-1] == "Chi bộ Xóm 5"
    assert three.title.startswith("[DVK] Còn 3 ngày: 4 đơn vị") and digest_units(three)[-1] == "Chi bộ Xóm 6"
    assert rows(organization__code="XOM6", offset_days=3) == [("XOM6", ReminderKind.REMINDER, 3, ReminderStatus.SENT)]
    # Later that day Xóm 3 looks behind no more, and a new unit is: the new one is not skipped,
    # nothing is sent again.
    register(world.campaign, world.units["XOM3"], n=2)
    org(world.commune, "XOM7", "Chi bộ Xóm 7")
    with at(-3, hour=16):
        run_sweep()
    *_earlier, late_comer = notes(staff)
    assert digest_units(late_comer) == ["Chi bộ Xóm 7"] and len(notes(staff)) == 3
    with at(-3, hour=17):
        assert run_sweep()["sent"] == 0
    assert len(notes(staff)) == 3 and len(inbox(mailoutbox)["can-bo-xa@example.test"]) == 3


def test_a_sweep_that_crashes_midway_resends_nothing_and_skips_nobody(world, mailoutbox, settings):
    """One message a batch: the units' own reminders, then the two digests. The mail server
    goes down at the first digest, which stops the sweep. A rerun sends what was never
    claimed and nothing already sent; the digest whose claim is held waits for the claim
    timeout, then goes out once."""
    settings.DVK_REMINDER_BATCH_SIZE = 1
    batches = []

    def dispatch(**kwargs):
        with scopes_disabled():
            codes = set(
                Reminder.objects.filter(id__in=kwargs["reminder_ids"]).values_list("organization__code", flat=True)
            )
        batches.append(codes)
        if codes & {"XOM3", "NU1"}:
            with override_settings(**DEAD_SMTP):
                return reminders.send_batch(**kwargs)
        return reminders.send_batch(**kwargs)

    with at(-3), pytest.raises(ConnectionRefusedError):
        run_sweep(dispatch=dispatch)
    crashed = batches[-1]
    assert batches[:-1] == [{"UNIT1"}, {"MTTQ"}] and crashed in ({"NU1"}, set(DIGESTED))
    assert rows(status=ReminderStatus.SENT) == sorted(
        (code, ReminderKind.REMINDER, 3, ReminderStatus.SENT) for code in ("UNIT1", "MTTQ")
    )
    assert set(inbox(mailoutbox)) == {"bi-thu-1@example.test", "can-bo-mttq@example.test"}
    assert {status for *_rest, status in rows(organization__code__in=crashed, offset_days=3)} == {"pending"}
    assert Notification.objects.filter(title__contains="đơn vị chưa đủ").count() == 0

    with at(-3, hour=7, minute=10):  # rerun at once: the held claim is not taken, the rest goes
        stats = run_sweep()
    assert stats["claimed"] == stats["sent"] == 4 - len(crashed)
    assert Notification.objects.filter(title__contains="đơn vị chưa đủ").count() == (2 if "NU1" in crashed else 1)
    with at(-3, hour=7, minute=31):  # the claim timed out: the digest goes, once
        assert run_sweep()["sent"] == len(crashed)
    with at(-3, hour=9):
        assert run_sweep()["sent"] == 0
    assert {address: len(subjects) for address, subjects in inbox(mailoutbox).items()} == {
        "bi-thu-1@example.test": 1,
        "can-bo-mttq@example.test": 1,
        "can-bo-xa@example.test": 1,
        "pho-ban-xa@example.test": 1,
        "can-bo-tinh@example.test": 1,
    }
    [digest] = notes(world.people["commune"])
    assert digest_units(digest) == ["Chi bộ Xóm 3", "Chi bộ Xóm 4", "Chi bộ Xóm 5"]
    assert {status for *_rest, status in rows(offset_days=3)} == {ReminderStatus.SENT}


def test_a_failure_while_marking_leaves_no_digest_and_no_row_marked(world, mailoutbox, monkeypatch):
    """Marking the rows sent and making the notifications is one transaction: when it fails
    (here the notification insert), neither a digest nor a marked row is left behind."""
    real = reminders.notifications_create

    def failing(*, items):
        if any(item["organization_id"] == world.commune.pk for item in items):
            raise DatabaseError("the database went away")
        return real(items=items)

    monkeypatch.setattr(reminders, "notifications_create", failing)
    with at(-3), pytest.raises(DatabaseError):
        run_sweep()
    assert notes(world.people["commune"]) == []
    assert {status for *_rest, status in rows(organization__code__in=DIGESTED, offset_days=3)} == {"pending"}
    monkeypatch.setattr(reminders, "notifications_create", real)
    with at(-3, hour=7, minute=31):
        run_sweep()
    [digest] = notes(world.people["commune"])
    assert digest_units(digest) == ["Chi bộ Xóm 3", "Chi bộ Xóm 4", "Chi bộ Xóm 5"]
    assert {status for *_rest, status in rows(offset_days=3)} == {ReminderStatus.SENT}


def test_a_digest_lists_only_the_rows_its_batch_still_holds(world, mailoutbox):
    claims = []
    with at(-3):
        run_sweep(dispatch=lambda **kwargs: claims.append(kwargs))
    with scopes_disabled():
        taken = Reminder.objects.get(organization__code="XOM4", offset_days=3)
        Reminder.objects.filter(pk=taken.pk).update(claim_token="another-sweep")
        digest_claim = next(c for c in claims if taken.pk in c["reminder_ids"])
        with at(-3, hour=8):
            reminders.send_batch(**digest_claim)
        taken.refresh_from_db()
    [digest] = notes(world.people["commune"])
    assert digest_units(digest) == ["Chi bộ Xóm 3", "Chi bộ Xóm 5"]
    assert taken.status == ReminderStatus.PENDING


def test_the_milestone_keeps_its_capitals(world, mailoutbox):
    title = "Gửi đăng ký mô hình về Ban Xây dựng Đảng (theo mẫu)"
    with scopes_disabled():
        Milestone.objects.filter(campaign=world.campaign).update(title=title)
    with at(-3):
        run_sweep()
    with at(1):
        run_sweep()  # the escalations
    for message in mailoutbox:
        assert title in message.subject and f"mốc “{title}” đến hạn ngày 10/03/2026" in message.body
        assert "ban xây dựng đảng" not in message.body
    assert {m.to[0] for m in mailoutbox if "quá hạn" in m.subject} == {
        "can-bo-xa@example.test",
        "pho-ban-xa@example.test",
        "can-bo-tinh@example.test",
    }


def test_the_sweep_runs_the_same_queries_for_a_digest_of_3_or_23_units(world, mailoutbox):
    with at(-7), CaptureQueriesContext(connection) as few:
        run_sweep()
    for i in range(20):
        org(world.commune, f"MORE{i:02d}", f"Chi bộ Thôn {i}")
    with at(-3), CaptureQueriesContext(connection) as many:
        stats = run_sweep()
    assert stats["sent"] == 26
    assert len(digest_units(notes(world.people["commune"])[-1])) == 23
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_digest_in_the_notification_centre(world, mailoutbox, django_assert_num_queries):
    with at(-3):
        run_sweep()
    client = client_for(world.people["commune"])
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as one:
        page = client.get("/notifications/").content.decode()
    c = world.campaign
    assert 'id="notifications-unread">1<' in page
    assert "3 đơn vị chưa đủ chỉ tiêu" in page
    # The units' links open from the phone.
    assert f'<a href="http://127.0.0.1:8000/o/XOM3/campaigns/{c.pk}/"' in page
    for i in range(20):
        org(world.commune, f"MORE{i:02d}", f"Chi bộ Thôn {i}")
    register(c, world.units["XOM3"])
    with at(-1):
        run_sweep()
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get("/notifications/").content.decode()
    assert "23 đơn vị chưa đủ chỉ tiêu" in page


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_make_one_digest(world, mailoutbox):
    with at(-3):
        results = in_parallel(2, lambda i: run_sweep())
    assert sum(r["claimed"] for r in results) == 6
    assert [digest_units(n) for n in notes(world.people["commune"])] == [
        ["Chi bộ Xóm 3", "Chi bộ Xóm 4", "Chi bộ Xóm 5"]
    ]
    assert len(notes(world.people["deputy"])) == len(notes(world.people["province"])) == 1
    assert len(inbox(mailoutbox)["can-bo-xa@example.test"]) == 1
    with scopes_disabled():
        assert set(Reminder.objects.filter(status=ReminderStatus.SENT).values_list("attempts", flat=True)) == {1}
        assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == 6


def test_a_digest_for_a_communes_own_plan_opens_for_the_staff_above(world, mailoutbox):
    """Xã Diễn Thịnh has nobody: its own plan's reminders reach the province's staff, whose
    digest opens the plan's compliance from the province."""
    with scopes_disabled():
        nostaff = Organization.objects.get(code="NOST")
    c = campaign(nostaff, "03-KH/ĐU", registration_due=DUE, target_kinds=["party_cell"])
    quota(c, "Mỗi chi bộ ít nhất 01 mô hình", min_total=1)
    with at(-3):
        run_sweep()
    province_staff = world.people["province"]
    [digest] = [n for n in notes(province_staff) if "03-KH/ĐU" in n.title]
    assert digest.url == f"/o/PROV/campaigns/{c.pk}/compliance/" and digest_units(digest) == ["Chi bộ Xóm 9"]
    page = client_for(province_staff).get(digest.url)
    assert page.status_code == 200 and "Chi bộ Xóm 9" in page.content.decode()
