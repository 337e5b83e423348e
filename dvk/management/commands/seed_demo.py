"""`manage.py seed_demo [--reset]`: the demo data (only when settings.DVK_DEMO is on).

The core's data and the builder live in dvk/demo.py; each feature app adds its own in its
`demo` module (campaigns/demo.py, models_registry/demo.py...), found through the installed
apps and run in app order, so the core imports no feature app. This command checks the switch
and reports.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dvk import demo


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu trình diễn (cây tổ chức, tài khoản demo, kế hoạch, đăng ký mô hình, lời nhắc) "
        "của mọi ứng dụng có mô-đun demo. Chỉ chạy khi DVK_DEMO bật."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Xóa dữ liệu demo (cây tổ chức demo, tài khoản demo và mọi dữ liệu gắn với chúng) rồi tạo lại.",
        )

    def handle(self, *args, reset=False, verbosity=1, **options):
        if not getattr(settings, "DVK_DEMO", False):
            raise CommandError(
                "The demo switch is off (settings.DVK_DEMO is False): seed_demo refuses to run. "
                "Set DVK_DEMO=1 in a non-production environment to seed the demo data."
            )
        labels = demo.labels()
        if reset:
            deleted = demo.reset()
            parts = [f"{n} {labels.get(key, key).lower()}" for key, n in deleted.items() if n]
            self.stdout.write(f"Đã xóa dữ liệu demo: {', '.join(parts) or 'không có gì'}.")
        ctx = demo.build(verbosity=verbosity)
        keys = list(labels) + [k for k in {**ctx.created, **ctx.existing} if k not in labels]
        summary = [
            f"{labels.get(key, key)}: {ctx.created[key]} tạo mới, {ctx.existing[key]} đã có."
            for key in keys
            if ctx.created[key] or ctx.existing[key]
        ]
        self.stdout.write(self.style.SUCCESS(" ".join(summary)))
        for line in ctx.log:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"Mật khẩu chung của các tài khoản demo: {demo.DEMO_PASSWORD}")
