"""Two sweeps at once on a real Celery worker (Redis broker, threads pool: each task on its own
database connection) make exactly one reminder per key, and each is sent once.

The worker is a subprocess on a queue of its own, reading the test database (data committed:
transactional test). Mail goes to the worker's in-memory backend, so the assertions read the
Reminder and Notification rows."""

import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django_scopes import scopes_disabled

from campaigns.enums import ReminderKind, ReminderStatus
from campaigns.models import MilestoneKind, Reminder
from dvk.celery import app
from dvk.enums import Role
from dvk.models import Membership, Notification
from tests.campaigns.builders import campaign, org, quota, register
from tests.conftest import make_user

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent
UNITS = 30


def celery_executable():
    local = ROOT / ".venv" / "bin" / "celery"
    return str(local) if local.exists() else shutil.which("celery") or str(Path(sys.executable).parent / "celery")


@pytest.fixture
def worker():
    """A real worker on a unique queue; yields the queue name. Killed whatever happens."""
    queue = f"dvk-test-reminders-{uuid.uuid4().hex[:12]}"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="dvk.settings.test",
        DVK_DB_NAME=connection.settings_dict["NAME"],  # already the test database ("test_…")
        DVK_REDIS_URL=settings.CELERY_BROKER_URL,
        DVK_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DVK_REMINDER_BATCH_SIZE="4",  # many batch tasks, racing the second sweep
    )
    log = tempfile.NamedTemporaryFile("w+", prefix="dvk-worker-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [
            celery_executable(),
            "-A",
            "dvk",
            "worker",
            "--pool=threads",
            "--concurrency=4",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield type("Worker", (), {"queue": queue, "log": log.name, "process": process})
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        os.unlink(log.name)
        # Kombu leaves the queue's binding keys behind; they are this run's alone.
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
        )


def worker_log(worker):
    return Path(worker.log).read_text()[-3000:]


@pytest.fixture
def late_units():
    """A commune whose units are behind on two campaigns: one due in two days (reminders;
    the 7- and 3-day offsets have both passed), one due yesterday (escalation)."""
    # A transactional test may run after another one flushed the data migrations' rows.
    MilestoneKind.objects.get_or_create(
        code="registration", defaults={"name": "Hạn đăng ký mô hình", "sequence": 1, "chases": "quota"}
    )
    today = timezone.localdate()
    province = org(None, "PROV", "Tỉnh Nghệ An", "province", "administrative")
    commune = org(province, "COMM", "Xã Diễn Châu", "commune", "administrative")
    staff = make_user("can-bo-xa")
    Membership.objects.create(user=staff, organization=commune, role=Role.STAFF)
    recipients = {}  # unit id: how many secretaries get its own reminder
    digested = []  # units reminded in the commune staff's digest
    units = []
    for i in range(UNITS):
        unit = org(commune, f"U{i:02d}", f"Chi bộ Thôn {i}")
        units.append(unit)
        if i % 5 == 4:
            digested.append(unit.pk)  # nobody of its own: the commune's staff
            continue
        count = 2 if i % 7 == 0 else 1
        for n in range(count):
            user = make_user(f"bi-thu-{i}-{n}")
            Membership.objects.create(user=user, organization=unit, role=Role.SECRETARY)
        recipients[unit.pk] = count
    period = {
        "start": today - datetime.timedelta(days=60),
        "end": today + datetime.timedelta(days=300),
        "target_kinds": ["party_cell"],
    }
    soon = campaign(commune, "01-KH/ĐU", registration_due=today + datetime.timedelta(days=2), **period)
    past = campaign(commune, "02-KH/ĐU", registration_due=today - datetime.timedelta(days=1), **period)
    for c in (soon, past):
        quota(c, "Mỗi chi bộ ít nhất 01 mô hình", min_total=1)
    compliant = org(commune, "DONE", "Chi bộ đã đăng ký")
    register(soon, compliant)
    register(past, compliant)
    return type(
        "Late", (), {"recipients": recipients, "digested": digested, "staff": staff, "soon": soon, "past": past}
    )


def wait_until_sent(worker, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with scopes_disabled():
            if not Reminder.objects.filter(status=ReminderStatus.PENDING).exists():
                return
        assert worker.process.poll() is None, worker_log(worker)
        time.sleep(0.2)
    raise AssertionError("reminders still pending\n" + worker_log(worker))


def test_two_sweeps_at_once_make_one_reminder_per_key_each_sent_once(worker, late_units):
    from campaigns.tasks import reminder_sweep

    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    first = reminder_sweep.apply_async(queue=worker.queue)
    second = reminder_sweep.apply_async(queue=worker.queue)
    try:
        results = [first.get(timeout=120), second.get(timeout=120)]
    except Exception as exc:
        raise AssertionError(f"{exc!r}\n{worker_log(worker)}") from exc
    for result in (first, second):
        result.forget()
    wait_until_sent(worker)

    with scopes_disabled():
        keys = Reminder.objects.values("milestone", "occurrence", "organization", "kind", "offset_days")
        assert keys.annotate(n=Count("id")).filter(n__gt=1).count() == 0
        by_status = dict(Reminder.objects.values_list("status").annotate(n=Count("id")).order_by())
        assert by_status == {ReminderStatus.SENT: 2 * UNITS, ReminderStatus.SUPERSEDED: UNITS}
        sent = Reminder.objects.filter(status=ReminderStatus.SENT)
        assert set(sent.values_list("attempts", flat=True)) == {1}  # claimed once, by one sweep
        reminded = sent.filter(kind=ReminderKind.REMINDER, offset_days=3, milestone__campaign=late_units.soon)
        escalated = sent.filter(kind=ReminderKind.ESCALATION, milestone__campaign=late_units.past)
        assert reminded.count() == escalated.count() == UNITS
        assert not Reminder.objects.filter(organization__code="DONE").exists()

        # Every row to send was claimed by exactly one of the two sweeps.
        assert sum(r["claimed"] for r in results) == 2 * UNITS
        assert {r["chased"] for r in results} == {2 * UNITS}

        # One notification per secretary per sent reminder, one digest of the units without
        # one for the commune's staff (whichever sweep claimed it), and one escalation.
        digest = Notification.objects.get(title__contains="01-KH/ĐU", user=late_units.staff)
        assert digest.title.startswith(f"[DVK] Còn 2 ngày: {len(late_units.digested)} đơn vị chưa đủ chỉ tiêu")
        reminder_notes = sum(late_units.recipients.values()) + 1
        assert Notification.objects.filter(title__contains="01-KH/ĐU").count() == reminder_notes
        escalations = Notification.objects.filter(title__contains="02-KH/ĐU")
        assert list(escalations.values_list("user", flat=True)) == [late_units.staff.pk]
        assert escalations.get().title.startswith(f"[DVK] {UNITS} đơn vị quá hạn:")
        assert Notification.objects.count() == reminder_notes + 1
