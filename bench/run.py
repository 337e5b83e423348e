"""`make bench`: the tree pages on a national-size tree, on PostgreSQL with DEBUG off.

Builds (once) a `dvk_bench` database with `generate_scale --provinces 34 --communes 100
--units 40` (≈139,000 organisations), then times whole requests through Django's handler as
a logged-in user: session, the middleware's role check and scope, the view and the template.
Reports the median after warm-up and the query count, next to the same page for a small
subtree to show the count does not depend on the subtree's size.

Usage: python bench/run.py [--rebuild] [--runs 30]
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
os.environ["DJANGO_SETTINGS_MODULE"] = "dvk.settings.test"
os.environ.setdefault("DVK_DB_NAME", "dvk_bench")
DB = os.environ["DVK_DB_NAME"]
SIZE = {"provinces": 34, "communes": 100, "units": 40}
TARGETS_MS = {"province": 300, "commune": 100}
PICK = "/o/"


def ensure_database(rebuild):
    import psycopg2

    conn = psycopg2.connect(host=os.environ.get("DVK_DB_HOST", "127.0.0.1"), user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB])
        exists = cur.fetchone() is not None
        if exists and rebuild:
            cur.execute(f'DROP DATABASE "{DB}" WITH (FORCE)')
            exists = False
        if not exists:
            cur.execute(f'CREATE DATABASE "{DB}"')
    conn.close()
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], check=True, cwd=ROOT)

    import django

    django.setup()
    from dvk.models import Organization

    expected = SIZE["provinces"] * (1 + SIZE["communes"] * (1 + SIZE["units"]))
    have = Organization.objects.filter(code__regex=r"^S[0-9]+(-|$)").count()
    if have != expected:
        print(f"Building the national tree in {DB} ({expected:,} organisations)...", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [*manage, "generate_scale", "--reset", *[f"--{k}={v}" for k, v in SIZE.items()]], check=True, cwd=ROOT
        )
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    ensure_small_tree()
    subprocess.run(
        [*manage, "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')"],
        check=True,
        cwd=ROOT,
    )


def ensure_small_tree():
    """A province with one commune of one unit: the same page shapes as S01, at the smallest size."""
    from dvk.models import Membership, Organization, User

    if Organization.objects.filter(code="BSMALL").exists():
        return
    province = Organization.objects.add_root(
        {"code": "BSMALL", "name": "Tỉnh Nhỏ", "level": "province", "kind": "administrative"}
    )
    commune = Organization.objects.add_child(
        province, {"code": "BSMALL-C", "name": "Xã Nhỏ", "level": "commune", "kind": "administrative"}
    )
    Organization.objects.add_child(
        commune, {"code": "BSMALL-C-U", "name": "Chi bộ Thôn 1", "level": "unit", "kind": "party_cell"}
    )
    for username, org in (("bench-small-tinh", province), ("bench-small-xa", commune)):
        user = User.objects.create(username=username)
        Membership.objects.create(user=user, organization=org, role="staff")


def signed_in(username):
    """A test client signed in as `username`; a staff account has given its second factor
    (a confirmed device, verified in this session), as after a real sign-in, so what is timed
    includes the second-factor check every staff request passes."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dvk.models import User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client, url, runs, warmup=5):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(timings), len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    ensure_database(args.rebuild)

    from django.conf import settings

    from dvk.models import Organization

    assert not settings.DEBUG

    def subtree(code):
        return Organization.objects.filter(path__startswith=Organization.objects.get(code=code).path).count()

    client_for = signed_in
    province_client, commune_client = client_for("scale-tinh"), client_for("scale-xa")
    small_province_client, small_commune_client = client_for("bench-small-tinh"), client_for("bench-small-xa")
    # (level, page, client, url, code of the subtree, target in ms)
    rows = [
        ("province", "tree page", province_client, "/o/S01/", "S01", TARGETS_MS["province"]),
        ("province", "tree page (small twin)", small_province_client, "/o/BSMALL/", "BSMALL", None),
        ("province", "tree page, page 2", province_client, "/o/S01/?page=2", "S01", None),
        ("province", "search in subtree", province_client, "/o/S01/?q=chi+bo+thon+12", "S01", None),
        ("province", "API children", province_client, "/api/v1/o/S01/children/", "S01", None),
        # The search picker (dvk/pickers.py) of quota targets and the list filter, as typed.
        (
            "province",
            "picker 'chi bo thon 12'",
            province_client,
            PICK + "S01/pick/organizations/?q=chi+bo+thon+12",
            "S01",
            None,
        ),
        ("province", "picker 'cong an'", province_client, PICK + "S01/pick/organizations/?q=cong+an", "S01", None),
        (
            "province",
            "picker (small twin)",
            small_province_client,
            PICK + "BSMALL/pick/organizations/?q=chi+bo",
            "BSMALL",
            None,
        ),
        ("commune", "tree page", commune_client, "/o/S01-C001/", "S01-C001", TARGETS_MS["commune"]),
        ("commune", "tree page (small twin)", small_commune_client, "/o/BSMALL-C/", "BSMALL-C", None),
        ("commune", "children (htmx)", commune_client, "/o/S01-C001/children/", "S01-C001", None),
        (
            "commune",
            "picker 'chi bo thon 1'",
            commune_client,
            PICK + "S01-C001/pick/organizations/?q=chi+bo+thon+1",
            "S01-C001",
            None,
        ),
    ]
    results = []
    print(
        f"\nDVK bench on {DB}: {Organization.objects.count():,} organisations, DEBUG={settings.DEBUG}, "
        f"median of {args.runs} after 5 warm-up requests, whole request through Django's handler"
    )
    print(f"{'level':9} {'page':28} {'subtree':>8} {'median ms':>10} {'queries':>8}  target")
    for level, label, client, url, code, target in rows:
        median, queries = measure(client, url, args.runs)
        size = subtree(code)
        verdict = "" if target is None else (f"< {target} ms {'OK' if median < target else 'MISSED'}")
        print(f"{level:9} {label:28} {size:>8,} {median:>10.1f} {queries:>8}  {verdict}")
        results.append(
            {
                "level": level,
                "page": label,
                "url": url,
                "subtree": size,
                "median_ms": round(median, 2),
                "queries": queries,
                "target_ms": target,
            }
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "tree.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    for level in ("province", "commune"):
        big = next(r for r in results if r["level"] == level and r["page"] == "tree page")
        small = next(r for r in results if r["level"] == level and r["page"] == "tree page (small twin)")
        verdict = "independent of subtree size" if big["queries"] == small["queries"] else "DIFFERS"
        print(
            f"{level} tree page queries: {big['queries']} at {big['subtree']:,} organisations, "
            f"{small['queries']} at {small['subtree']:,}: {verdict}"
        )


if __name__ == "__main__":
    main()
