"""Runs the reminder sweep once (what the daily beat task does), and prints its counts."""

import datetime
import time
from functools import partial

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from campaigns import reminders


class Command(BaseCommand):
    help = "Quét nhắc hạn một lần: tạo, nhận và gửi lời nhắc đến hạn; in số lượng."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Ngày quét (YYYY-MM-DD); mặc định hôm nay.")
        parser.add_argument(
            "--enqueue", action="store_true", help="Giao các lô cho Celery worker thay vì gửi ngay trong lệnh."
        )
        parser.add_argument(
            "--install-schedule",
            action="store_true",
            help="Chỉ ghi lịch quét hằng ngày (DVK_REMINDER_SWEEP_TIME) vào django-celery-beat.",
        )

    def handle(self, *args, date=None, enqueue=False, install_schedule=False, **options):
        if install_schedule:
            task = reminders.install_sweep_schedule()
            self.stdout.write(f"Lịch quét: {task.name} – {task.crontab}")
            return
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError("--date phải có dạng YYYY-MM-DD.") from None
        dispatch = None
        if enqueue:
            from campaigns.tasks import send_reminder_batch

            def dispatch(*, reminder_ids, claim_token):
                kwargs = {"reminder_ids": reminder_ids, "claim_token": claim_token}
                transaction.on_commit(partial(send_reminder_batch.apply_async, kwargs=kwargs))

        started = time.perf_counter()
        stats = reminders.sweep(today=today, dispatch=dispatch)
        elapsed = time.perf_counter() - started
        for key, value in stats.items():
            self.stdout.write(f"{key}: {value}")
        self.stdout.write(f"seconds: {elapsed:.1f}")
