"""`make bench` (review meeting): the meeting's minutes page with 60 registrations, on
PostgreSQL with DEBUG off, in the `dvk_bench` database.

Data: bench/scoring.py's BSCO-C commune (60 registrations assigned to its board's 8 members,
built when missing) and its small twin BSCO-S (6 registrations): the query counts must match.
Inside one transaction that is rolled back at the end (so the scoring benches keep their
open board), scoring is closed, a meeting recorded with every member present, opened (the 60
results frozen) and a ballot recorded on every registration through appraisal.meetings; then
the minutes page (GET .../appraisal/boards/<id>/meetings/<id>/) is timed through Django's
handler as the head (a staffer with the second factor given): median of 30 after 5 warm-ups,
target < 200 ms.

Not yet measured: the upper level's queue of 500 incoming proposals (issue 14 builds it later).

Usage: python bench/meetings.py [--rebuild] [--runs 30]
"""

import argparse
import datetime
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from boards import DB, ensure_database  # noqa: E402  (sets the settings and the database first)

TARGET_MS = 200


class Rollback(Exception):
    pass


def _meeting(built):
    from django.utils import timezone
    from django_scopes import scope

    from appraisal import meetings
    from appraisal.enums import Attendance, VoteChoice
    from appraisal.models import Board, BoardMember
    from models_registry.models import Registration

    board = Board.objects.all_tenants().select_related("campaign", "organization").get(pk=built.board.pk)
    Board.objects.all_tenants().filter(pk=board.pk).update(scoring_closed_at=timezone.now())
    board.refresh_from_db()
    head = BoardMember.objects.all_tenants().get(board=board, role="head")
    with scope(org=board.organization):
        meeting = meetings.meeting_create(
            board=board, held_on=datetime.date(2026, 12, 1), place="Hội trường", chair=head, user=head.user
        )
        roll = {m.pk: Attendance.PRESENT for m in BoardMember.objects.filter(board=board)}
        meeting = meetings.attendance_set(meeting=meeting, attendance=roll, expected_version=1, user=head.user)
        meeting = meetings.meeting_open(meeting=meeting, expected_version=meeting.version, user=head.user)
        for row in meeting.results:
            registration = Registration.objects.get(pk=row["registration"])
            seats = meetings.ballot_seats(meeting, registration)
            meetings.ballot_record(
                meeting=meeting,
                registration_id=registration.pk,
                votes={m.pk: VoteChoice.FOR for m in seats.attending},
                expected_version=0,
                user=head.user,
            )
    return meeting


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="rebuild the scoring bench tree")
    parser.add_argument("--runs", type=int, default=30)
    args, _others = parser.parse_known_args()  # `make bench` passes the same BENCH_ARGS to every part
    ensure_database()
    from django.conf import settings
    from django.db import transaction
    from run import measure, signed_in
    from scoring import BIG, SMALL, ensure_scoring_data

    assert not settings.DEBUG
    built = ensure_scoring_data(args.rebuild)
    print(f"\nDVK review meeting bench on {DB}, DEBUG={settings.DEBUG}")
    print(f"{'request':34} {'commune':8} {'rows':>5} {'median ms':>10} {'queries':>8}  target")
    result = {"request": "meeting minutes page", "target_ms": TARGET_MS}
    try:
        with transaction.atomic():
            for code in (BIG, SMALL):
                meeting = _meeting(built[code])
                url = f"/o/{code}/appraisal/boards/{meeting.board_id}/meetings/{meeting.pk}/"
                median, queries = measure(signed_in(built[code].head), url, args.runs)
                rows = len(meeting.results)
                verdict = f"< {TARGET_MS} ms {'OK' if median < TARGET_MS else 'MISSED'}" if code == BIG else ""
                print(f"{'meeting minutes page':34} {code:8} {rows:>5} {median:>10.1f} {queries:>8}  {verdict}")
                result[code] = {"median_ms": round(median, 2), "queries": queries, "rows": rows}
            raise Rollback
    except Rollback:
        pass
    same = "same" if result[BIG]["queries"] == result[SMALL]["queries"] else "DIFFERS"
    print(f"  meeting minutes page: {result[BIG]['queries']} queries big, {result[SMALL]['queries']} small: {same}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "meetings.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
