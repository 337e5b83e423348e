"""Runs the reminder sweep once (what the daily beat task does), and prints its counts."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

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
        dispatch = extension_dispatch = None
        if enqueue:
            from campaigns.tasks import enqueue_batch, enqueue_extension_batch

            dispatch, extension_dispatch = enqueue_batch(), enqueue_extension_batch()

        started = time.perf_counter()
        stats = reminders.sweep(today=today, dispatch=dispatch, extension_dispatch=extension_dispatch)
        elapsed = time.perf_counter() - started
        for key, value in stats.items():
            self.stdout.write(f"{key}: {value}")
        self.stdout.write(f"seconds: {elapsed:.1f}")
