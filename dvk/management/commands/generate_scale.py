from django.core.management.base import BaseCommand, CommandError

from dvk.scale import BENCH_PASSWORD, COMMUNE_USER, PROVINCE_USER, ScaleError, build_scale_tree


class Command(BaseCommand):
    help = (
        "Build a synthetic national-size organisation tree for benchmarks: PROVINCES roots "
        "(codes S01, S02...) placed after the existing roots, COMMUNES communes under each "
        "(S01-C001...) and UNITS units or villages under each commune (S01-C001-U01...). "
        f"Also sets up the users {PROVINCE_USER} (staff of S01) and {COMMUNE_USER} (staff of "
        f"S01-C001), password {BENCH_PASSWORD}. The nodes are written with bulk_create, so no "
        "django-simple-history rows are recorded for them (nor when --reset deletes them): "
        "acceptable for synthetic benchmark data, never for real data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--provinces", type=int, default=34, help="generated roots (default 34)")
        parser.add_argument("--communes", type=int, default=100, help="communes per province (default 100)")
        parser.add_argument("--units", type=int, default=40, help="units and villages per commune (default 40)")
        parser.add_argument(
            "--reset", action="store_true", help="delete a previously generated scale tree (S.. roots) first"
        )

    def handle(self, *args, provinces, communes, units, reset, verbosity, **options):
        log = self.stdout.write if verbosity >= 2 else None
        try:
            result = build_scale_tree(provinces, communes, units, reset=reset, log=log)
        except ScaleError as exc:
            raise CommandError(str(exc)) from exc
        if reset:
            self.stdout.write(f"Deleted {result.deleted} organisations of the previous scale tree.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.organizations} organisations: {result.provinces} provinces, "
                f"{result.communes} communes, {result.units} units ({result.villages} of them villages); "
                f"{result.users} benchmark users; in {result.seconds:.1f}s."
            )
        )
