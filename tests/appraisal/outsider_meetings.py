"""Outsider cases for the board's review meeting, merged into tests/test_outsider.py CASES.

The victim commune's board has an open meeting (v.meeting) whose frozen list names the
victim's registration, with a ballot on it. Tried through COMM, where only the seat holder
is admitted (deputy head of v.board through a seat, assigned nothing): he reads the minutes
(200: through a seat only his own assignments' rows, so nothing of the victim's), and every
write is the head's or the secretary's (403). Through each persona's own code and UNIT the
board is not in scope: 404. The queue of proposals received (the victim's went to PROV) is
staff work at the persona's own level: 200 for staff with nothing of the victim's, 403 for a
unit's secretary; through COMM and PROV, where no persona has a role, 404."""

from tests.appraisal.outsider_boards import board_probes
from tests.outsider import get

DETAILS = {"held_on": "02/12/2026", "place": "Đổi địa điểm", "version": "1"}
VERSION = {"version": "1"}


def _meeting(v, rest=""):
    return f"meetings/{v.meeting.pk}/{rest}"


def _ballot(v, p, registration):
    rest = _meeting(v, f"ballots/{registration.pk}/")
    votes = {f"vote-{v.head.pk}": "against", "version": "1"}
    return board_probes(v, p, "get", rest, seated=403) + board_probes(v, p, "post", rest, seated=403, data=votes)


def _queue(v, p):
    rest = "appraisal/proposals/"
    probes = [get(f"/o/{p.code}/{rest}{q}", p.own(200)) for q in ("", "?status=sent", "?page=2")]
    return probes + [get(f"/o/COMM/{rest}"), get(f"/o/PROV/{rest}?status=sent")]


CASES = {
    "appraisal:proposal_queue": _queue,
    "appraisal:meeting": lambda v, p: board_probes(v, p, "get", _meeting(v), seated=200),
    "appraisal:meeting_create": lambda v, p: (
        board_probes(v, p, "get", "meetings/new/", seated=403)
        + board_probes(v, p, "post", "meetings/new/", seated=403, data=DETAILS)
    ),
    "appraisal:meeting_edit": lambda v, p: (
        board_probes(v, p, "get", _meeting(v, "edit/"), seated=403)
        + board_probes(v, p, "post", _meeting(v, "edit/"), seated=403, data=DETAILS)
    ),
    "appraisal:meeting_attendance": lambda v, p: board_probes(
        v, p, "post", _meeting(v, "attendance/"), seated=403, data={f"member-{v.head.pk}": "absent", "version": "1"}
    ),
    "appraisal:meeting_open": lambda v, p: board_probes(v, p, "post", _meeting(v, "open/"), seated=403, data=VERSION),
    "appraisal:meeting_end": lambda v, p: board_probes(v, p, "post", _meeting(v, "end/"), seated=403, data=VERSION),
    # The victim's registration, and the persona's own (not on the meeting's list).
    "appraisal:meeting_ballot": lambda v, p: _ballot(v, p, v.registration) + _ballot(v, p, p.registration),
}
