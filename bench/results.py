"""`make bench` (fifth part): a board's ranked results, on PostgreSQL with DEBUG off.

Builds its own tree under the root BRES (no generate_scale needed):
  BRES-C  a commune of 40 units with 3,000 accepted registrations under its published plan,
          every one assigned to the board's 3 members (the head is the commune's staffer; the
          other two reach the board through a seat), every card submitted with its 5 lines
          (9,000 scorecards, 45,000 lines, bulk-inserted), scoring closed;
  BRES-S  its small twin: 10 registrations, the same members: the query counts must match.

Times (median of 30 after 5 warm-ups), target < 300 ms on BRES-C:
- the ranked results selector: appraisal.results.board_results (every registration's result,
  spread, flag, band, rank; conflicts decided; members' statistics) and, for the first page
  of 25, the cards with their normalised totals and the per-criterion breakdown, inside the
  board's scope;
- the results page through Django's handler, as the head (scoring closed: everything shown).

Usage: python bench/results.py [--rebuild] [--runs 30]
"""

import argparse
import json
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from boards import DB, ensure_database  # noqa: E402  (sets the settings and the database first)

TARGET_MS = 300
BIG, SMALL = "BRES-C", "BRES-S"
SHAPES = {BIG: 3000, SMALL: 10}
MEMBERS = 3


def _delete_tree():
    from registrations import _delete_registrations

    from appraisal.models import Board, Rubric
    from campaigns.models import Campaign, Milestone
    from dvk.models import Membership, Organization, User
    from models_registry.models import Registration

    root = Organization.objects.filter(code="BRES").first()
    if root is None:
        return
    for board in Board.objects.all_tenants().filter(organization__path__startswith=root.path):
        board.changes.all().delete()
        board.assignments.all().delete()  # their scorecards and lines with them
        board.members.all().delete()
        board.delete()
    _delete_registrations(Registration.objects.all_tenants().filter(organization__path__startswith=root.path))
    for campaign in Campaign.objects.all_tenants().filter(organization__path__startswith=root.path):
        Rubric.objects.all_tenants().filter(campaign=campaign).delete()
        Milestone.objects.all_tenants().filter(campaign=campaign).delete()
        campaign.delete()
    Membership.objects.filter(organization__path__startswith=root.path).delete()
    User.objects.filter(username__startswith="bench-res-").delete()
    Organization.objects.filter(path__startswith=root.path).order_by("-depth").delete()


def _build(code, name, count, root, today, rng):
    from django.db import connection
    from django.utils import timezone
    from django_scopes import scope
    from registrations import _campaign, _commune, _registrations

    from appraisal.models import Assignment, Board, BoardMember, Scorecard, ScoreLine
    from appraisal.scoring_services import rubric_criteria
    from dvk.models import Membership, User
    from models_registry.models import Registration

    commune = _commune(root, code, name)
    staff = User.objects.create(username=f"bench-res-{code.lower()}-xa", full_name="Cán bộ xã")
    Membership.objects.create(user=staff, organization=commune, role="staff")
    campaign = _campaign(commune, f"BENCH-{code}", today)
    _registrations(campaign, commune, count, rng)
    registrations = list(Registration.objects.all_tenants().filter(campaign=campaign).order_by("pk"))
    for r in registrations:
        r.status = "accepted"
    Registration.objects.all_tenants().bulk_update(registrations, ["status"], batch_size=1000)
    board = Board.objects.create(organization=commune, campaign=campaign, created_by=staff)
    members = [BoardMember.objects.create(board=board, user=staff, role="head", position_order=0)]
    for i in range(1, MEMBERS):
        user = User.objects.create(username=f"bench-res-{code.lower()}-tv{i}", full_name=f"Thành viên {i}")
        # A role outside the commune's units: no conflict through the tree.
        Membership.objects.create(user=user, organization=root, role="member")
        members.append(BoardMember.objects.create(board=board, user=user, role="member", position_order=i))
    with scope(org=commune):
        criteria = rubric_criteria(campaign)
    assignments = Assignment.objects.all_tenants().bulk_create(
        [Assignment(board=board, member=m, registration=r) for r in registrations for m in members], batch_size=2000
    )
    now = timezone.now()
    cards, lines = [], []
    for a in assignments:
        # Each member has their own leniency, so normalising has something to do.
        lean = 0.55 + 0.1 * (a.member_id % 4)
        points = [
            Decimal(round(c.max_points * min(1.0, rng.uniform(lean - 0.2, lean + 0.2)) * 4) / 4) for c in criteria
        ]
        cards.append(
            Scorecard(assignment=a, status="submitted", total=sum(points), submitted_at=now, updated_by=a.member.user)
        )
        lines.append(points)
    cards = Scorecard.objects.all_tenants().bulk_create(cards, batch_size=2000)
    ScoreLine.objects.all_tenants().bulk_create(
        [
            ScoreLine(scorecard=card, criterion=c, points=p)
            for card, points in zip(cards, lines, strict=True)
            for c, p in zip(criteria, points, strict=True)
        ],
        batch_size=5000,
    )
    Board.objects.all_tenants().filter(pk=board.pk).update(scoring_closed_at=now, scoring_closed_by=staff)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return board


def ensure_data(rebuild):
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from appraisal.models import Board, Scorecard
    from dvk.models import Organization

    with scopes_disabled():
        root = Organization.objects.filter(code="BRES").first()
        if root is not None and not rebuild:
            counts = {
                code: Scorecard.objects.filter(assignment__board__organization__code=code, status="submitted").count()
                for code in SHAPES
            }
            if counts == {code: n * MEMBERS for code, n in SHAPES.items()}:
                return {
                    b.organization.code: b
                    for b in Board.objects.select_related("organization", "campaign").filter(
                        organization__code__in=SHAPES
                    )
                }
        print(f"Building the results bench tree in {DB}...", flush=True)
        started = time.perf_counter()
        _delete_tree()
        today = timezone.localdate()
        rng = random.Random(2028)
        root = Organization.objects.add_root(
            {"code": "BRES", "name": "Tỉnh Kết Quả", "level": "province", "kind": "administrative"}
        )
        boards = {}
        for code, name in ((BIG, "Xã Kết Quả Lớn"), (SMALL, "Xã Kết Quả Nhỏ")):
            root = Organization.objects.get(pk=root.pk)
            boards[code] = _build(code, name, SHAPES[code], root, today, rng)
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
        return ensure_data(False)


def measure_selector(board, runs, warmup=5):
    """Median ms and queries of the ranked results and a first page's breakdown."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope

    from appraisal.models import Board
    from appraisal.results import board_results, breakdowns

    def once():
        fresh = Board.objects.select_related("organization", "campaign").get(pk=board.pk)
        results = board_results(fresh)
        page = results.ranked()[:25]
        results.with_cards(page)
        breakdowns(results, page)
        return results

    with scope(org=board.organization):
        for _ in range(warmup):
            once()
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            once()
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            results = once()
    ranked = [r for r in results.by_registration.values() if r.rank is not None]
    return statistics.median(timings), len(ctx.captured_queries), len(ranked)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="rebuild the results bench tree")
    parser.add_argument("--runs", type=int, default=30)
    args, _others = parser.parse_known_args()  # `make bench` passes the same BENCH_ARGS to every part
    ensure_database()
    from django.conf import settings
    from run import measure, signed_in

    assert not settings.DEBUG
    boards = ensure_data(args.rebuild)
    print(f"\nDVK results bench on {DB}, DEBUG={settings.DEBUG}; median of {args.runs} after 5 warm-ups")
    print(f"{'what':44} {'commune':8} {'ranked':>7} {'median ms':>10} {'queries':>8}  target")
    out = []
    for label in ("ranked results (selector + page breakdown)", "results page (head, scoring closed)"):
        row = {}
        for code in (BIG, SMALL):
            board = boards[code]
            if label.startswith("ranked"):
                median, queries, ranked = measure_selector(board, args.runs)
            else:
                client = signed_in(f"bench-res-{code.lower()}-xa")
                median, queries = measure(client, f"/o/{code}/appraisal/boards/{board.pk}/results/", args.runs)
                ranked = SHAPES[code]
            verdict = f"< {TARGET_MS} ms {'OK' if median < TARGET_MS else 'MISSED'}" if code == BIG else ""
            print(f"{label:44} {code:8} {ranked:>7,} {median:>10.1f} {queries:>8}  {verdict}")
            row[code] = {"median_ms": round(median, 2), "queries": queries}
        same = "same" if row[BIG]["queries"] == row[SMALL]["queries"] else "DIFFERS"
        print(f"  {label}: {row[BIG]['queries']} queries big, {row[SMALL]['queries']} small: {same}")
        out.append({"what": label, "target_ms": TARGET_MS, **row})
    directory = ROOT / "bench" / "results"
    directory.mkdir(exist_ok=True)
    (directory / "results.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
