"""`make bench` (scoring): the scoring API a member's tablet uses, on PostgreSQL with DEBUG off,
in the `dvk_bench` database.

Builds its own small tree under the root BSCO (no generate_scale needed):
  BSCO-C  a commune of 40 units, its published plan with the default rubric stored, and the
          plan's board: 8 members (the head is the commune's staffer; the other 7 hold their
          roles at units and reach the board through a seat), 60 registrations assigned to
          every member (480 assignments, each with its django-guardian grant), each of the 60
          with 5 evidence files (small files really stored, one an image with its thumbnail),
          a progress report, a submitted recognition dossier and a visit with 3 members going;
  BSCO-S  its small twin: 4 members, 6 registrations of 1 evidence file each: the list's
          query count must be the same.

`build_scoring_world` is the dataset builder another bench imports (page timings of the
member's list and the dossier page run on the same rows): it returns a ScoringBench with the
board, the usernames and each member's assignments.

Times, whole requests through Django's handler with a signed-in session:
  - the member's assignments (GET .../appraisal/assignments/, as a member through a seat),
    median of 30 after 5 warm-ups, target < 150 ms;
  - the tablet's pages: the member's list page and one model's (dossier) page, and the reads
    the dossier page's script makes (one assignment with its dossier, the scorecard), each
    < 150 ms with the same number of queries in the big and the small commune;
  - a batch of 50 scorecard writes (POST .../appraisal/batch/, every criterion scored, each
    item under its own key, based on the card's current version), median of 7 after one
    warm-up, target < 1 s.

Usage: python bench/scoring.py [--rebuild] [--runs 30]
"""

import argparse
import datetime
import json
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from boards import DB, ensure_database  # noqa: E402  (sets the settings and the database first)

LIST_TARGET_MS, BATCH_TARGET_MS = 150, 1000
BATCH_SIZE, BATCH_RUNS = 50, 7
ROOT_CODE = "BSCO"
BIG, SMALL = "BSCO-C", "BSCO-S"
SHAPES = {
    BIG: {"members": 8, "assigned": 60, "evidence": 5, "name": "Xã Chấm Điểm Lớn"},
    SMALL: {"members": 4, "assigned": 6, "evidence": 1, "name": "Xã Chấm Điểm Nhỏ"},
}
USER_PREFIX = "bench-sco-"
PDF = b"%PDF-1.4\n%%EOF\n"


@dataclass
class ScoringBench:
    """What a bench needs of one built commune: its code, board, the head's and the members'
    usernames (members[0] is the head) and {username: [assignment id]} in registration order."""

    code: str
    board: object
    head: str
    members: list
    assignments: dict = field(default_factory=dict)


def _jpeg():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 6), "green").save(out, "JPEG")
    return out.getvalue()


def build_scoring_world(root, code, *, name, members, assigned, evidence, today=None, rng=None):
    """Builds, with scopes off, a commune `code` under `root` with `members` board members and
    `assigned` registrations assigned to each (grants made), each registration with
    `evidence` stored files, a report, a submitted dossier and a visit. Returns ScoringBench."""
    from django.contrib.auth.models import Permission
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from django_scopes import scope
    from registrations import _campaign, _commune, _registrations

    from appraisal.models import (
        Assignment,
        AssignmentUserObjectPermission,
        Board,
        BoardMember,
        RecognitionDossier,
        Visit,
        VisitMember,
    )
    from appraisal.scoring_services import rubric_criteria
    from dvk.models import Membership, Organization, User
    from models_registry.models import Evidence, ProgressReport, Registration

    today = today or timezone.localdate()
    rng = rng or random.Random(2026)
    commune = _commune(root, code, name)
    staff = User.objects.create(username=f"{USER_PREFIX}{code.lower()}-xa", full_name="Cán bộ xã")
    Membership.objects.create(user=staff, organization=commune, role="staff")
    campaign = _campaign(commune, f"BENCH-{code}", today)
    units = list(Organization.objects.filter(path__startswith=commune.path, depth=commune.depth + 1).order_by("path"))
    # Registrations only at the first units: members hold their roles at the last ones, so
    # no member is conflicted through the tree.
    _registrations(campaign, commune, assigned * 3, rng)
    seated_units = {u.pk for u in units[-members:]}
    chosen = [
        r
        for r in Registration.objects.all_tenants().filter(campaign=campaign).order_by("pk")
        if r.organization_id not in seated_units
    ][:assigned]
    for r in chosen:
        r.status = "accepted"
    Registration.objects.all_tenants().bulk_update(chosen, ["status"])
    board = Board.objects.create(organization=commune, campaign=campaign, created_by=staff)
    seats = [BoardMember.objects.create(board=board, user=staff, role="head", position_order=0)]
    for i in range(1, members):
        user = User.objects.create(username=f"{USER_PREFIX}{code.lower()}-tv{i}", full_name=f"Thành viên {i}")
        Membership.objects.create(user=user, organization=units[-i], role="secretary")
        seats.append(BoardMember.objects.create(board=board, user=user, role="member", position_order=i))
    rows = Assignment.objects.all_tenants().bulk_create(
        [Assignment(board=board, member=m, registration=r) for r in chosen for m in seats], batch_size=1000
    )
    perm = Permission.objects.get(codename="appraise_assignment")
    AssignmentUserObjectPermission.objects.bulk_create(
        [AssignmentUserObjectPermission(permission=perm, user_id=a.member.user_id, content_object=a) for a in rows],
        batch_size=1000,
    )
    jpeg = _jpeg()
    for r in chosen:
        report = ProgressReport.objects.all_tenants().create(
            organization=r.organization, registration=r, kind="progress", reported_on=today, summary="Tiến độ tốt"
        )
        for j in range(evidence):
            image = j == 0
            Evidence.objects.all_tenants().create(
                organization=r.organization,
                registration=r,
                report=report if j == 1 else None,
                kind="image" if image else "pdf",
                content_type="image/jpeg" if image else "application/pdf",
                original_name=f"minh-chung-{j}.{'jpg' if image else 'pdf'}",
                size=len(jpeg if image else PDF),
                file=ContentFile(jpeg if image else PDF, name=f"e{j}.{'jpg' if image else 'pdf'}"),
                thumbnail=ContentFile(jpeg, name="t.jpg") if image else "",
            )
        RecognitionDossier.objects.all_tenants().create(
            registration=r, status="submitted", report_results="Kết quả cụ thể", submitted_at=timezone.now()
        )
    for i, r in enumerate(chosen):
        visit = Visit.objects.all_tenants().create(
            board=board,
            registration=r,
            visit_on=today + datetime.timedelta(days=i % 20),
            visit_at=datetime.time(8 + i % 8, 0),
            place=f"Nhà văn hóa {r.organization.name}",
            created_by=staff,
        )
        going = dict.fromkeys([seats[0], seats[1 + i % (members - 1)], seats[1 + (i + 1) % (members - 1)]])
        VisitMember.objects.all_tenants().bulk_create([VisitMember(visit=visit, member=m) for m in going])
    with scope(org=commune):
        rubric_criteria(campaign)
    built = ScoringBench(code=code, board=board, head=staff.username, members=[m.user.username for m in seats])
    for a in sorted(rows, key=lambda a: a.registration_id):
        built.assignments.setdefault(a.member.user.username, []).append(a.pk)
    return built


def _delete_tree():
    from registrations import _delete_registrations

    from appraisal.models import AssignmentChange, Board, RecognitionDossier, Rubric
    from campaigns.models import Campaign
    from dvk.models import IdempotentWrite, Membership, Organization, User
    from models_registry.models import Evidence, ProgressReport, Registration

    root = Organization.objects.filter(code=ROOT_CODE).first()
    if root is None:
        return
    inside = {"organization__path__startswith": root.path}
    for board in Board.objects.all_tenants().filter(**inside):
        AssignmentChange.objects.all_tenants().filter(board=board).delete()
        board.visits.all().delete()
        board.assignments.all().delete()  # their scorecards, lines and grants with them
        board.members.all().delete()
        board.delete()
    RecognitionDossier.objects.all_tenants().filter(registration__organization__path__startswith=root.path).delete()
    for e in Evidence.objects.all_tenants().filter(**inside):
        e.file.delete(save=False)
        if e.thumbnail:
            e.thumbnail.delete(save=False)
        e.delete()
    ProgressReport.objects.all_tenants().filter(**inside).delete()
    _delete_registrations(Registration.objects.all_tenants().filter(**inside))
    for campaign in Campaign.objects.all_tenants().filter(**inside):
        Rubric.objects.all_tenants().filter(campaign=campaign).delete()
        campaign.milestones.all().delete()
        campaign.delete()
    IdempotentWrite.objects.filter(user__username__startswith=USER_PREFIX).delete()
    Membership.objects.filter(**inside).delete()
    User.objects.filter(username__startswith=USER_PREFIX).delete()
    Organization.objects.filter(path__startswith=root.path).order_by("-depth").delete()


def ensure_scoring_data(rebuild=False):
    """{code: ScoringBench} of BSCO-C and BSCO-S, built (or rebuilt) when missing."""
    from django.db import connection
    from django_scopes import scopes_disabled

    from appraisal.models import Assignment
    from dvk.models import Organization

    with scopes_disabled():
        root = Organization.objects.filter(code=ROOT_CODE).first()
        if root is not None and not rebuild:
            counts = {
                code: Assignment.objects.all_tenants().filter(board__organization__code=code).count() for code in SHAPES
            }
            if counts == {code: s["members"] * s["assigned"] for code, s in SHAPES.items()}:
                return {code: _reload(code) for code in SHAPES}
        print(f"Building the scoring bench tree in {DB}...", flush=True)
        started = time.perf_counter()
        _delete_tree()
        root = Organization.objects.add_root(
            {"code": ROOT_CODE, "name": "Tỉnh Chấm Điểm", "level": "province", "kind": "administrative"}
        )
        built = {}
        for code, shape in SHAPES.items():
            root = Organization.objects.get(pk=root.pk)
            built[code] = build_scoring_world(
                root,
                code,
                name=shape["name"],
                members=shape["members"],
                assigned=shape["assigned"],
                evidence=shape["evidence"],
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
        return built


def _reload(code):
    from appraisal.models import Assignment, Board, BoardMember

    board = Board.objects.all_tenants().select_related("organization").get(organization__code=code)
    seats = list(
        BoardMember.objects.all_tenants().filter(board=board).select_related("user").order_by("position_order")
    )
    built = ScoringBench(code=code, board=board, head=seats[0].user.username, members=[m.user.username for m in seats])
    for a in (
        Assignment.objects.all_tenants().filter(board=board).select_related("member__user").order_by("registration_id")
    ):
        built.assignments.setdefault(a.member.user.username, []).append(a.pk)
    return built


def _criteria(board):
    from django_scopes import scopes_disabled

    from appraisal.models import Criterion

    with scopes_disabled():
        return list(Criterion.objects.filter(rubric__campaign_id=board.campaign_id))


def _versions(assignment_ids):
    from django_scopes import scopes_disabled

    from appraisal.models import Scorecard

    with scopes_disabled():
        found = dict(Scorecard.objects.filter(assignment_id__in=assignment_ids).values_list("assignment_id", "version"))
    return {pk: found.get(pk, 0) for pk in assignment_ids}


def bench_list(built, runs):
    from run import measure, signed_in

    print(f"\nScoring API, median of {runs} after 5 warm-ups, whole request through Django (session)")
    print(f"{'request':40} {'commune':8} {'items':>6} {'median ms':>10} {'queries':>8}  target")
    row = {}
    for code in (BIG, SMALL):
        username = built[code].members[1]  # a member through a seat
        client = signed_in(username)
        url = f"/api/v1/o/{code}/appraisal/assignments/"
        median, queries = measure(client, url, runs)
        items = len(built[code].assignments[username])
        verdict = f"< {LIST_TARGET_MS} ms {'OK' if median < LIST_TARGET_MS else 'MISSED'}" if code == BIG else ""
        print(f"{'member assignments API':40} {code:8} {items:>6} {median:>10.1f} {queries:>8}  {verdict}")
        row[code] = {"median_ms": round(median, 2), "queries": queries, "items": items}
    same = "same" if row[BIG]["queries"] == row[SMALL]["queries"] else "DIFFERS"
    print(f"  member assignments API: {row[BIG]['queries']} queries big, {row[SMALL]['queries']} small: {same}")
    return {"request": "member assignments API", "target_ms": LIST_TARGET_MS, **row}


# What a member's tablet loads: the list page and one model's page (shells), then the API
# reads their scripts make (the list; one assignment with its dossier and the scorecard).
PAGES = (
    ("member's list page", "/o/{code}/appraisal/scoring/"),
    ("dossier page", "/o/{code}/appraisal/scoring/{pk}/"),
    ("dossier API (one assignment)", "/api/v1/o/{code}/appraisal/assignments/{pk}/"),
    ("scorecard API", "/api/v1/o/{code}/appraisal/assignments/{pk}/scorecard/"),
)


def bench_pages(built, runs):
    from run import measure, signed_in

    print(f"\nTablet pages and their reads, median of {runs} after 5 warm-ups (session)")
    print(f"{'request':40} {'commune':8} {'median ms':>10} {'queries':>8}  target")
    rows = []
    for name, pattern in PAGES:
        row = {"request": name, "target_ms": LIST_TARGET_MS}
        for code in (BIG, SMALL):
            username = built[code].members[1]  # a member through a seat
            # The last of the member's models: the one the list shows last, as far from any cache as any.
            url = pattern.format(code=code, pk=built[code].assignments[username][-1])
            median, queries = measure(signed_in(username), url, runs)
            verdict = f"< {LIST_TARGET_MS} ms {'OK' if median < LIST_TARGET_MS else 'MISSED'}" if code == BIG else ""
            print(f"{name:40} {code:8} {median:>10.1f} {queries:>8}  {verdict}")
            row[code] = {"median_ms": round(median, 2), "queries": queries}
        same = "same" if row[BIG]["queries"] == row[SMALL]["queries"] else "DIFFERS"
        print(f"  {name}: {row[BIG]['queries']} queries big, {row[SMALL]['queries']} small: {same}")
        rows.append(row)
    return rows


def _batch_body(assignment_ids, criteria, versions, fraction):
    return {
        "items": [
            {
                "key": uuid.uuid4().hex,
                "assignment": pk,
                "version": versions[pk],
                "comment": "Nhận xét chung",
                "lines": [
                    {"criterion": c.pk, "points": round(c.max_points * fraction, 2), "comment": ""} for c in criteria
                ],
                "submit": False,
            }
            for pk in assignment_ids
        ]
    }


def _check(response):
    assert response.status_code == 200, response.content[:500]
    statuses = {r["status"] for r in response.json()["results"]}
    assert statuses == {200}, statuses


def bench_batch(built):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from run import signed_in

    bench = built[BIG]
    username = bench.members[1]
    client = signed_in(username)
    ids = bench.assignments[username][:BATCH_SIZE]
    criteria = _criteria(bench.board)
    url = f"/api/v1/o/{BIG}/appraisal/batch/"
    timings = []
    for run in range(BATCH_RUNS + 1):
        data = json.dumps(_batch_body(ids, criteria, _versions(ids), 0.5 + 0.05 * (run % 5)))
        started = time.perf_counter()
        response = client.post(url, data, content_type="application/json")
        elapsed = (time.perf_counter() - started) * 1000
        _check(response)
        if run:  # the first made the cards; the rest update them
            timings.append(elapsed)
    with CaptureQueriesContext(connection) as ctx:
        _check(
            client.post(
                url, json.dumps(_batch_body(ids, criteria, _versions(ids), 0.6)), content_type="application/json"
            )
        )
    queries = len(ctx.captured_queries)
    median = statistics.median(timings)
    verdict = f"< {BATCH_TARGET_MS} ms {'OK' if median < BATCH_TARGET_MS else 'MISSED'}"
    print(f"\nBatch of {BATCH_SIZE} scorecard writes, median of {BATCH_RUNS} after one warm-up (cards made)")
    print(f"{'batch of 50 writes':40} {BIG:8} {BATCH_SIZE:>6} {median:>10.1f} {queries:>8}  {verdict}")
    print(f"  {queries / BATCH_SIZE:.1f} queries per write")
    return {
        "request": f"batch of {BATCH_SIZE} scorecard writes",
        "target_ms": BATCH_TARGET_MS,
        "median_ms": round(median, 2),
        "queries": queries,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="rebuild the scoring bench tree")
    parser.add_argument("--runs", type=int, default=30)
    args, _others = parser.parse_known_args()  # `make bench` passes the same BENCH_ARGS to every part
    ensure_database()
    from django.conf import settings

    assert not settings.DEBUG
    built = ensure_scoring_data(args.rebuild)
    print(f"\nDVK scoring bench on {DB}, DEBUG={settings.DEBUG}")
    results = [bench_list(built, args.runs), *bench_pages(built, args.runs), bench_batch(built)]
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "scoring.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
