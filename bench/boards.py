"""`make bench` (fourth part): the appraisal board's pages, on PostgreSQL with DEBUG off, in
the `dvk_bench` database.

Builds its own small tree under the root BAPP (no generate_scale needed):
  BAPP-C  a commune of 40 units with 3,000 registrations eligible for appraisal (accepted,
          in progress or completed) under its published plan, and the plan's board: 8
          members (the head is the commune's staffer; the other 7 hold their roles at units
          and reach the board through a seat), 60 registrations assigned to every member
          (480 assignments, each with its django-guardian grant), each of the 60 with 5
          evidence files and a visit with 3 members going;
  BAPP-S  its small twin: 10 eligible registrations, 4 members, 6 assigned with 1 evidence
          file each: the query counts must be the same.

Times, whole requests through Django's handler (median of 30 after 5 warm-ups), target
< 150 ms each on BAPP-C: the board page (as its head), a member's schedule (as a member
through a seat), the assignment page (as the commune's staffer, 3,000 eligible rows paged),
the member's own work page, and the head's, which lists every assignment of the board.

Usage: python bench/boards.py [--rebuild] [--runs 30]
"""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "dvk.settings.test"
os.environ.setdefault("DVK_DB_NAME", "dvk_bench")

DB = os.environ["DVK_DB_NAME"]
TARGET_MS = 150
BIG, SMALL = "BAPP-C", "BAPP-S"
SHAPES = {
    BIG: {"eligible": 3000, "members": 8, "assigned": 60, "evidence": 5},
    SMALL: {"eligible": 10, "members": 4, "assigned": 6, "evidence": 1},
}
UNITS = 40


def ensure_database():
    import psycopg2

    conn = psycopg2.connect(host=os.environ.get("DVK_DB_HOST", "127.0.0.1"), user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DB}"')
    conn.close()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], check=True, cwd=ROOT)
    import django

    django.setup()


def _delete_tree():
    from registrations import _delete_registrations

    from appraisal.models import Board
    from campaigns.models import Campaign, Milestone
    from dvk.models import Membership, Organization, User
    from models_registry.models import Evidence, Registration

    root = Organization.objects.filter(code="BAPP").first()
    if root is None:
        return
    for board in Board.objects.all_tenants().filter(organization__path__startswith=root.path):
        board.visits.all().delete()
        board.assignments.all().delete()
        board.members.all().delete()
        board.delete()
    Evidence.objects.all_tenants().filter(organization__path__startswith=root.path).delete()
    _delete_registrations(Registration.objects.all_tenants().filter(organization__path__startswith=root.path))
    for campaign in Campaign.objects.all_tenants().filter(organization__path__startswith=root.path):
        Milestone.objects.all_tenants().filter(campaign=campaign).delete()
        campaign.delete()
    Membership.objects.filter(organization__path__startswith=root.path).delete()
    User.objects.filter(username__startswith="bench-app-").delete()
    Organization.objects.filter(path__startswith=root.path).order_by("-depth").delete()


def _survey_window(campaign, today):
    from campaigns.models import Milestone, MilestoneKind

    kind = MilestoneKind.objects.get(code="survey")
    Milestone.objects.create(
        campaign=campaign,
        kind=kind,
        title="Khảo sát các mô hình",
        starts_on=today - datetime.timedelta(days=10),
        due_on=today + datetime.timedelta(days=30),
    )


def _build(code, name, shape, root, today, rng):
    from django.db import connection
    from registrations import _campaign, _commune, _registrations

    from appraisal.models import (
        Assignment,
        AssignmentUserObjectPermission,
        Board,
        BoardMember,
        Visit,
        VisitMember,
    )
    from dvk.models import Membership, Organization, User
    from models_registry.models import Evidence, Registration

    commune = _commune(root, code, name)
    staff = User.objects.create(username=f"bench-app-{code.lower()}-xa", full_name="Cán bộ xã")
    Membership.objects.create(user=staff, organization=commune, role="staff")
    campaign = _campaign(commune, f"BENCH-{code}", today)
    _survey_window(campaign, today)
    _registrations(campaign, commune, shape["eligible"], rng)
    registrations = list(Registration.objects.all_tenants().filter(campaign=campaign).order_by("pk"))
    statuses = ["accepted", "in_progress", "completed"]
    for i, r in enumerate(registrations):
        r.status = statuses[i % 3]
    Registration.objects.all_tenants().bulk_update(registrations, ["status"], batch_size=1000)
    board = Board.objects.create(organization=commune, campaign=campaign, created_by=staff)
    units = list(Organization.objects.filter(path__startswith=commune.path, depth=commune.depth + 1).order_by("path"))
    members = [BoardMember.objects.create(board=board, user=staff, role="head", position_order=0)]
    for i in range(1, shape["members"]):
        user = User.objects.create(username=f"bench-app-{code.lower()}-tv{i}", full_name=f"Thành viên {i}")
        # Roles at the last units, which get no assignment: no conflict through the tree.
        Membership.objects.create(user=user, organization=units[-i], role="secretary")
        role = "deputy" if i == 1 else ("secretary" if i == shape["members"] - 1 else "member")
        members.append(
            BoardMember.objects.create(board=board, user=user, role=role, position_order=i, voting=role != "secretary")
        )
    assigned = [r for r in registrations if r.organization_id not in {u.pk for u in units[-shape["members"] :]}]
    assigned = assigned[: shape["assigned"]]
    rows = [Assignment(board=board, member=m, registration=r) for r in assigned for m in members]
    Assignment.objects.all_tenants().bulk_create(rows, batch_size=1000)
    from django.contrib.auth.models import Permission

    perm = Permission.objects.get(codename="appraise_assignment")
    AssignmentUserObjectPermission.objects.bulk_create(
        [AssignmentUserObjectPermission(permission=perm, user_id=a.member.user_id, content_object=a) for a in rows],
        batch_size=1000,
    )
    Evidence.objects.all_tenants().bulk_create(
        [
            Evidence(
                organization=r.organization,
                registration=r,
                kind="image",
                content_type="image/jpeg",
                original_name=f"anh-{j}.jpg",
                size=120_000,
                file=f"evidence/bench/{r.pk}-{j}.jpg",
                thumbnail=f"evidence/bench/{r.pk}-{j}-thumb.jpg",
            )
            for r in assigned
            for j in range(shape["evidence"])
        ],
        batch_size=1000,
    )
    for i, r in enumerate(assigned):
        visit = Visit.objects.all_tenants().create(
            board=board,
            registration=r,
            visit_on=today + datetime.timedelta(days=i % 20),
            visit_at=datetime.time(8 + i % 8, 0),
            place=f"Nhà văn hóa {r.organization.name}",
            created_by=staff,
        )
        going = [members[0], members[1 + i % (len(members) - 1)], members[1 + (i + 1) % (len(members) - 1)]]
        VisitMember.objects.all_tenants().bulk_create(
            [VisitMember(visit=visit, member=m) for m in dict.fromkeys(going)]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return board


def ensure_data(rebuild):
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from appraisal.models import Assignment, Board
    from dvk.models import Organization

    with scopes_disabled():
        root = Organization.objects.filter(code="BAPP").first()
        if root is not None and not rebuild:
            counts = {
                code: Assignment.objects.all_tenants().filter(board__organization__code=code).count() for code in SHAPES
            }
            wanted = {code: s["members"] * s["assigned"] for code, s in SHAPES.items()}
            if counts == wanted:
                return {
                    b.organization.code: b
                    for b in Board.objects.all_tenants()
                    .select_related("organization")
                    .filter(organization__code__in=SHAPES)
                }
        print(f"Building the appraisal bench tree in {DB}...", flush=True)
        started = time.perf_counter()
        _delete_tree()
        today = timezone.localdate()
        rng = random.Random(2027)
        root = Organization.objects.add_root(
            {"code": "BAPP", "name": "Tỉnh Thẩm Định", "level": "province", "kind": "administrative"}
        )
        boards = {}
        for code, name in ((BIG, "Xã Thẩm Định Lớn"), (SMALL, "Xã Thẩm Định Nhỏ")):
            root = Organization.objects.get(pk=root.pk)
            boards[code] = _build(code, name, SHAPES[code], root, today, rng)
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
        return boards


PAGES = [
    # (label, url suffix under the board, who: "head" | "member")
    ("board page", "", "head"),
    ("member's schedule (seat)", "schedule/", "member"),
    ("assignment page (3,000 eligible)", "assignments/", "head"),
    ("member's own work (seat)", "mine/", "member"),
    ("head's work: all assignments, page 1", "mine/", "head"),
]


def bench_pages(boards, runs):
    from run import measure, signed_in

    results = []
    print(f"\nAppraisal pages, median of {runs} after 5 warm-up requests, whole request through Django")
    print(f"{'page':36} {'commune':8} {'eligible':>8} {'median ms':>10} {'queries':>8}  target")
    for label, suffix, who in PAGES:
        row = {}
        for code in (BIG, SMALL):
            username = f"bench-app-{code.lower()}-" + ("xa" if who == "head" else "tv1")
            client = signed_in(username)
            url = f"/o/{code}/appraisal/boards/{boards[code].pk}/{suffix}"
            median, queries = measure(client, url, runs)
            verdict = f"< {TARGET_MS} ms {'OK' if median < TARGET_MS else 'MISSED'}" if code == BIG else ""
            print(f"{label:36} {code:8} {SHAPES[code]['eligible']:>8,} {median:>10.1f} {queries:>8}  {verdict}")
            row[code] = {"median_ms": round(median, 2), "queries": queries}
        same = "same" if row[BIG]["queries"] == row[SMALL]["queries"] else "DIFFERS"
        print(f"  {label}: {row[BIG]['queries']} queries big, {row[SMALL]['queries']} small: {same}")
        results.append({"page": label, "target_ms": TARGET_MS, **row})
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="rebuild the appraisal bench tree")
    parser.add_argument("--runs", type=int, default=30)
    args, _others = parser.parse_known_args()  # `make bench` passes the same BENCH_ARGS to every part
    ensure_database()
    from django.conf import settings

    assert not settings.DEBUG
    boards = ensure_data(args.rebuild)
    print(f"\nDVK appraisal bench on {DB}, DEBUG={settings.DEBUG}")
    results = bench_pages(boards, args.runs)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "boards.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
