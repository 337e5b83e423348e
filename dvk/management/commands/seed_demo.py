"""`manage.py seed_demo [--reset]`: the demo tree and accounts (only when settings.DVK_DEMO is on).

The data and the build steps live in dvk/demo.py; this command checks the switch and reports.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dvk import demo


class Command(BaseCommand):
    help = "Tạo dữ liệu trình diễn (cây tổ chức, tài khoản demo). Chỉ chạy khi DVK_DEMO bật."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Xóa dữ liệu demo (các cây tổ chức demo, tài khoản demo) rồi tạo lại.",
        )

    def handle(self, *args, reset=False, **options):
        if not getattr(settings, "DVK_DEMO", False):
            raise CommandError(
                "The demo switch is off (settings.DVK_DEMO is False): seed_demo refuses to run. "
                "Set DVK_DEMO=1 in a non-production environment to seed the demo data."
            )
        if reset:
            deleted = demo.reset()
            self.stdout.write(
                f"Đã xóa dữ liệu demo: {deleted['organizations']} tổ chức, {deleted['accounts']} tài khoản."
            )
        ctx = demo.build()
        self.stdout.write(
            self.style.SUCCESS(
                f"Tổ chức: {ctx.created['organizations']} tạo mới, {ctx.existing['organizations']} đã có. "
                f"Tài khoản: {ctx.created['accounts']} tạo mới, {ctx.existing['accounts']} đã có. "
                f"Vai trò: {ctx.created['memberships']} tạo mới, {ctx.existing['memberships']} đã có."
            )
        )
        for line in ctx.log:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"Mật khẩu chung của các tài khoản demo: {demo.DEMO_PASSWORD}")
