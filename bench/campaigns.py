"""`make bench` (second part): campaign compliance and the national reminder sweep, on the
national tree with ≈150,000 registrations, on PostgreSQL with DEBUG off.

Builds what is missing in the `dvk_bench` database (the tree through bench/run.py's
`ensure_database`, then `generate_scale_registrations`: one campaign per province, derived
campaigns for S01-C001.., registrations with ≈30% of the units behind, a secretary per unit)
and gives the small twins of bench/run.py (BSMALL, BSMALL-C) a campaign of the same shape.

Then times, as a logged-in user, whole requests through Django's handler (median after
warm-up, and the query count next to the small twin's, to show it does not grow with the
subtree): the compliance page and API of one commune (its own derived campaign, target
< 50 ms) and of one province (≈4,000 organisations, target < 500 ms). If the compliance URLs
do not resolve (the views not there yet), it times `compliance_report()` itself and says so.

Last, the national reminder sweep (`campaigns.reminders.sweep()`), twice, with Django's
in-memory mail backend: reminders and mails of each run (target < 60 s; the second run sends
nothing). The reminders and notifications of earlier bench runs are removed first and the
deadlines moved back to "registration in five days", so every run measures the same work.

Usage: python bench/campaigns.py [--rebuild] [--runs 30] [--no-sweep]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "dvk.settings.test"
os.environ.setdefault("DVK_DB_NAME", "dvk_bench")

import run as tree_bench  # noqa: E402  (bench/run.py: the database, the tree, the small twins)

DB = os.environ["DVK_DB_NAME"]
TARGETS_MS = {"province": 500, "commune": 50}
SWEEP_TARGET_S = 60
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def ensure_data(rebuild):
    try:
        tree_bench.ensure_database(rebuild)
    except subprocess.CalledProcessError:
        # A tree to rebuild while campaigns still point at it (PROTECT): drop ours, retry.
        subprocess.run([*MANAGE, "generate_scale_registrations", "--delete"], check=True, cwd=ROOT)
        tree_bench.ensure_database(False)
    from models_registry.scale import scale_status

    status = scale_status()
    if not status["campaigns"]:
        print(f"Building campaigns and ≈150,000 registrations in {DB}...", flush=True)
        started = time.perf_counter()
        subprocess.run([*MANAGE, "generate_scale_registrations"], check=True, cwd=ROOT)
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
        subprocess.run(
            [*MANAGE, "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')"],
            check=True,
            cwd=ROOT,
        )


def ensure_small_campaigns(today):
    """BSMALL gets the province campaign, BSMALL-C a derived one with one registration."""
    from django_scopes import scopes_disabled

    from campaigns.models import Campaign
    from dvk.models import Organization
    from models_registry.models import Initiative, Registration
    from models_registry.scale import CAMPAIGN_NUMBER, DERIVED_NUMBER, create_scale_campaign

    with scopes_disabled():
        province = Organization.objects.get(code="BSMALL")
        commune = Organization.objects.get(code="BSMALL-C")
        if not Campaign.objects.filter(organization=province, number=CAMPAIGN_NUMBER).exists():
            _campaign, [derived] = create_scale_campaign(province, today=today, derive=[commune])
            unit = Organization.objects.get(code="BSMALL-C-U")
            initiative = Initiative.objects.create(organization=unit, name="Tuyến đường sáng - xanh - sạch - đẹp")
            Registration.objects.create(
                campaign=derived,
                organization=unit,
                initiative=initiative,
                subject_type="collective",
                status="submitted",
            )
        return (
            Campaign.objects.get(organization=province, number=CAMPAIGN_NUMBER),
            Campaign.objects.get(organization=commune, number=DERIVED_NUMBER),
        )


def measure_function(fn, runs, warmup=5):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return statistics.median(timings), len(ctx.captured_queries)


def url_exists(url):
    from django.urls import Resolver404, resolve

    try:
        resolve(url.split("?")[0])
    except Resolver404:
        return False
    return True


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def bench_sweep(campaigns):
    """Two national sweeps with the in-memory mail backend; None when there is no sweep yet."""
    try:
        from campaigns.reminders import sweep
    except ImportError:
        return None
    from django.core import mail
    from django.db import connection
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from campaigns.models import Reminder
    from dvk.celery import app
    from dvk.models import Notification
    from models_registry.scale import realign_milestones

    app.conf.task_always_eager = True  # should the sweep hand batches to Celery, run them here
    with scopes_disabled():
        Reminder.objects.all_tenants().all().delete()
        Notification.objects.all().delete()
        realign_milestones(campaigns, timezone.localdate())
    runs = []
    for attempt in (1, 2):
        mail.outbox = []
        counter = QueryCounter()
        reminders_before = Reminder.objects.all_tenants().count()
        notifications_before = Notification.objects.count()
        started = time.perf_counter()
        with connection.execute_wrapper(counter), scopes_disabled():
            stats = sweep()
        seconds = time.perf_counter() - started
        runs.append(
            {
                "run": attempt,
                "seconds": round(seconds, 2),
                "reminder_rows": Reminder.objects.all_tenants().count() - reminders_before,
                "mails": len(mail.outbox),
                "notifications": Notification.objects.count() - notifications_before,
                "queries": counter.count,
                "stats": stats,
            }
        )
    return runs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-sweep", action="store_true", help="skip the national reminder sweep")
    args = parser.parse_args()
    ensure_data(args.rebuild)

    from django.conf import settings
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from campaigns.compliance import compliance_report
    from campaigns.enums import COUNTED_STATUSES
    from campaigns.models import Campaign
    from dvk.models import Organization
    from models_registry.models import Registration
    from models_registry.scale import CAMPAIGN_NUMBER, DERIVED_NUMBER, realign_milestones, scale_campaigns

    assert not settings.DEBUG
    today = timezone.localdate()
    small_province, small_commune = ensure_small_campaigns(today)
    with scopes_disabled():
        province = Campaign.objects.get(organization__code="S01", number=CAMPAIGN_NUMBER)
        commune = Campaign.objects.get(organization__code="S01-C001", number=DERIVED_NUMBER)
        everything = [*scale_campaigns(), small_province, small_commune]
        realign_milestones(everything, today)
        registrations = Registration.objects.all_tenants().count()
        counted = Registration.objects.all_tenants().filter(status__in=COUNTED_STATUSES).count()

    def subtree(code):
        return Organization.objects.filter(path__startswith=Organization.objects.get(code=code).path).count()

    client_for = tree_bench.signed_in

    clients = {
        "scale-tinh": client_for("scale-tinh"),
        "scale-xa": client_for("scale-xa"),
        "bench-small-tinh": client_for("bench-small-tinh"),
        "bench-small-xa": client_for("bench-small-xa"),
    }
    # (level, label, user, org code, campaign, api?, target ms)
    pages = [
        ("commune", "compliance page", "scale-xa", "S01-C001", commune, False, TARGETS_MS["commune"]),
        ("commune", "compliance page (small twin)", "bench-small-xa", "BSMALL-C", small_commune, False, None),
        ("commune", "compliance API", "scale-xa", "S01-C001", commune, True, TARGETS_MS["commune"]),
        ("commune", "compliance API (small twin)", "bench-small-xa", "BSMALL-C", small_commune, True, None),
        ("province", "compliance page", "scale-tinh", "S01", province, False, TARGETS_MS["province"]),
        ("province", "compliance page (small twin)", "bench-small-tinh", "BSMALL", small_province, False, None),
        ("province", "compliance API", "scale-tinh", "S01", province, True, TARGETS_MS["province"]),
        ("province", "compliance API (small twin)", "bench-small-tinh", "BSMALL", small_province, True, None),
    ]
    print(
        f"\nDVK campaign bench on {DB}: {Organization.objects.count():,} organisations, {registrations:,} "
        f"registrations ({counted:,} counted), DEBUG={settings.DEBUG}, median of {args.runs} after 5 warm-up "
        "requests, whole request through Django's handler"
    )
    print(f"{'level':9} {'what':30} {'subtree':>8} {'median ms':>10} {'queries':>8}  target")
    results = []
    notes = set()
    for level, label, username, code, campaign, api, target in pages:
        prefix = "/api/v1" if api else ""
        url = f"{prefix}/o/{code}/campaigns/{campaign.pk}/compliance/"
        if url_exists(url):
            median, queries = tree_bench.measure(clients[username], url, args.runs)
            how = "request"
        else:
            org = Organization.objects.get(code=code)

            def report(campaign=campaign, org=org):
                with scopes_disabled():
                    compliance_report(campaign, org, acting=org, today=today)

            median, queries = measure_function(report, args.runs)
            how = "compliance_report()"
            notes.add(f"{url} does not resolve yet: timed compliance_report(campaign, org) itself, not the request.")
        size = subtree(code)
        verdict = "" if target is None else f"< {target} ms {'OK' if median < target else 'MISSED'}"
        print(f"{level:9} {label:30} {size:>8,} {median:>10.1f} {queries:>8}  {verdict}")
        results.append(
            {
                "level": level,
                "what": label,
                "url": url,
                "measured": how,
                "subtree": size,
                "median_ms": round(median, 2),
                "queries": queries,
                "target_ms": target,
            }
        )
    for note in sorted(notes):
        print(f"NOTE: {note}")
    for level in ("commune", "province"):
        for kind in ("compliance page", "compliance API"):
            big = next(r for r in results if r["level"] == level and r["what"] == kind)
            small = next(r for r in results if r["level"] == level and r["what"] == f"{kind} (small twin)")
            verdict = "independent of subtree size" if big["queries"] == small["queries"] else "DIFFERS"
            print(
                f"{level} {kind} queries: {big['queries']} at {big['subtree']:,} organisations, "
                f"{small['queries']} at {small['subtree']:,}: {verdict}"
            )

    sweep_runs = None
    if not args.no_sweep:
        sweep_runs = bench_sweep(everything)
        if sweep_runs is None:
            print("\nReminder sweep: SKIPPED, campaigns.reminders.sweep does not exist yet.")
        else:
            print("\nNational reminder sweep (campaigns.reminders.sweep(), in-memory mail backend):")
            for run in sweep_runs:
                target = (
                    f"< {SWEEP_TARGET_S} s {'OK' if run['seconds'] < SWEEP_TARGET_S else 'MISSED'}"
                    if run["run"] == 1
                    else ("sends nothing OK" if run["mails"] == 0 and run["reminder_rows"] == 0 else "RESENT")
                )
                print(
                    f"  run {run['run']}: {run['seconds']:.1f} s, {run['reminder_rows']:,} reminder rows, "
                    f"{run['mails']:,} mails, {run['notifications']:,} notifications, {run['queries']:,} queries  "
                    f"{target}"
                )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "campaigns.json").write_text(
        json.dumps({"compliance": results, "sweep": sweep_runs}, indent=2, ensure_ascii=False, default=str)
    )


if __name__ == "__main__":
    main()
