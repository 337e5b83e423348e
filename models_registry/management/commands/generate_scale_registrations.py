from django.core.management.base import BaseCommand, CommandError

from models_registry.scale import (
    CAMPAIGN_NUMBER,
    SECRETARY_PREFIX,
    ScaleRegistrationsError,
    build_scale_registrations,
    delete_scale_registrations,
)


class Command(BaseCommand):
    help = (
        "On the tree of `generate_scale`: one published campaign per generated province "
        f"({CAMPAIGN_NUMBER}; every unit and village a target of one model, registration due in 5 days, "
        "result report later), derived campaigns for the first communes of S01, about 150,000 registrations "
        "spread over the tree with about 30%% of the targets left with none (behind), and a secretary "
        f"({SECRETARY_PREFIX}<code>) for every target. Written with bulk_create, so no django-simple-history "
        "rows: acceptable for synthetic benchmark data, never for real data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--registrations", type=int, default=150_000, help="registrations (default 150000)")
        parser.add_argument(
            "--behind", type=float, default=0.30, help="share of targets with no registration (default 0.30)"
        )
        parser.add_argument("--drafts", type=float, default=0.05, help="share of drafts (default 0.05)")
        parser.add_argument(
            "--derived-communes", type=int, default=5, help="communes of S01 with a derived campaign (default 5)"
        )
        parser.add_argument("--no-secretaries", action="store_true", help="do not create the secretaries")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--reset", action="store_true", help="delete what an earlier run made first")
        parser.add_argument(
            "--delete", action="store_true", help="only delete what an earlier run made (before generate_scale --reset)"
        )

    def handle(self, *args, verbosity, **options):
        if options["delete"]:
            deleted = delete_scale_registrations()
            self.stdout.write(self.style.SUCCESS(f"Deleted {self._counts(deleted)}."))
            return
        log = self.stdout.write if verbosity >= 2 else None
        try:
            result = build_scale_registrations(
                options["registrations"],
                behind=options["behind"],
                drafts=options["drafts"],
                derived_communes=options["derived_communes"],
                with_secretaries=not options["no_secretaries"],
                reset=options["reset"],
                seed=options["seed"],
                log=log,
            )
        except ScaleRegistrationsError as exc:
            raise CommandError(str(exc)) from exc
        if options["reset"]:
            self.stdout.write(f"Deleted {self._counts(result.deleted)}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.campaigns} campaigns (+{result.derived} derived), {result.registrations} "
                f"registrations ({result.drafts} drafts) over {result.targets} targets, {result.behind} of them "
                f"({result.behind_share:.0%}) with none; {result.secretaries} secretaries; in {result.seconds:.1f}s."
            )
        )

    @staticmethod
    def _counts(deleted):
        return ", ".join(f"{n} {what}" for what, n in deleted.items()) or "nothing"
