"""Reminder.details, and the daily reminder sweep in django-celery-beat's database schedule.

The sweep runs every day at DVK_REMINDER_SWEEP_TIME, Asia/Ho_Chi_Minh. To change the time
later, set the variable and run `manage.py run_reminder_sweep --install-schedule`
(campaigns.reminders.install_sweep_schedule, the same steps with today's models; they are
repeated here with the historical ones so this migration keeps its meaning)."""

import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations, models
from django.utils import timezone

TASK_NAME = "campaigns.reminder_sweep"
SCHEDULE_NAME = "Quét nhắc hạn hằng ngày (campaigns.reminder_sweep)"
TIME_ZONE = "Asia/Ho_Chi_Minh"


def install_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    value = getattr(settings, "DVK_REMINDER_SWEEP_TIME", "07:00")
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value)
    if match is None:
        raise ImproperlyConfigured(f"DVK_REMINDER_SWEEP_TIME must be HH:MM, not {value!r}.")
    hour, minute = match.groups()
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=str(int(minute)),
        hour=str(int(hour)),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=zoneinfo.ZoneInfo(TIME_ZONE),
    )
    PeriodicTask.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={"task": TASK_NAME, "crontab": crontab, "interval": None, "kwargs": "{}", "enabled": True},
    )
    # A running beat reloads its schedule when this marker moves.
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_default_fields_and_milestone_kinds"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="reminder",
            name="details",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(install_schedule, remove_schedule),
    ]
