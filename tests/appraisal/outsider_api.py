"""Outsider cases for the scoring API (appraisal/api.py), merged into tests/test_outsider.py CASES.

Every route is tried through COMM (the victim board's level: the seat holder is admitted
there, but v.assignment is the head's, so even he does not find it), through UNIT (no role,
and no board there) and through the persona's own code (no board of that organisation holds
the victim's assignment). The lists and the feed answer the seat holder (COMM) and every
persona (own code) 200 with nothing of the victim's: only one's own assignments and feed
entries are listed. Writes (PUT, POST, DELETE) find nothing either and change no row. The review meeting's
routes: see their cases."""

from tests.outsider import Probe, get

LINES = [{"criterion": 0, "points": 1, "comment": "Viết đè"}]


def _api(code, rest):
    return f"/api/v1/o/{code}/appraisal/{rest}"


def _everywhere(v, p, method, rest, data=None, format=None):
    """`rest` under COMM, UNIT and the persona's own code: not found for all."""
    return [Probe(method, _api(code, rest), data, 404, format) for code in ("COMM", "UNIT", p.code)]


def _assignment(v, p, method, rest="", data=None, format=None):
    return _everywhere(v, p, method, f"assignments/{v.assignment.pk}/{rest}", data, format)


def _scorecard_body(v):
    return {"version": v.scorecard.version, "comment": "Viết đè", "lines": [{**LINES[0], "criterion": v.criterion.pk}]}


def _lists(v, p, rest):
    """A list of one's own: the seat holder reads it at COMM (his seat), every persona at its
    own code; UNIT holds no role of theirs."""
    return [get(_api("COMM", rest), p.seat(200)), get(_api("UNIT", rest)), get(_api(p.code, rest), 200)]


BALLOT = {"version": 1, "votes": [{"member": 0, "choice": "against"}]}


def _meeting(v, p, method, rest, data=None, *, seated):
    path = f"boards/{v.board.pk}/meetings/{rest}"
    fmt = "json" if data is not None else None
    return [
        Probe(method, _api("COMM", path), data, p.seat(seated), fmt),
        Probe(method, _api("UNIT", path), data, 404, fmt),
        Probe(method, _api(p.code, path), data, 404, fmt),
    ]


def _batch(v, p):
    item = {"key": f"outsider-{p.key.replace(' ', '-')}", "assignment": v.assignment.pk, **_scorecard_body(v)}
    data = {"items": [item]}
    return [
        # Admitted (a seat at COMM, a role at its own code), the item is not found: 200 with
        # the item's 404; nothing written.
        Probe("post", _api("COMM", "batch/"), data, p.seat(200), "json"),
        Probe("post", _api("UNIT", "batch/"), data, 404, "json"),
        Probe("post", _api(p.code, "batch/"), data, 200, "json"),
    ]


CASES = {
    "api:appraisal_assignments": lambda v, p: (
        _lists(v, p, "assignments/")
        + [
            get(_api("COMM", f"assignments/?board={v.board.pk}"), p.seat(200)),
            get(_api(p.code, f"assignments/?board={v.board.pk}"), 200),
        ]
    ),
    "api:appraisal_assignment": lambda v, p: _assignment(v, p, "get"),
    "api:appraisal_evidence_file": lambda v, p: _assignment(v, p, "get", f"evidence/{v.evidence.pk}/file/"),
    "api:appraisal_evidence_thumbnail": lambda v, p: _assignment(v, p, "get", f"evidence/{v.evidence.pk}/thumbnail/"),
    "api:appraisal_scorecard": lambda v, p: (
        _assignment(v, p, "get", "scorecard/") + _assignment(v, p, "put", "scorecard/", _scorecard_body(v), "json")
    ),
    "api:appraisal_scorecard_submit": lambda v, p: _assignment(
        v, p, "post", "scorecard/submit/", {"version": v.scorecard.version}
    ),
    "api:appraisal_scorecard_reopen": lambda v, p: _assignment(v, p, "post", "scorecard/reopen/", {"reason": "Mở"}),
    "api:appraisal_photos": lambda v, p: _assignment(v, p, "post", "photos/", {"caption": "Ảnh lạ"}),
    "api:appraisal_photo": lambda v, p: _assignment(v, p, "delete", f"photos/{v.photo.pk}/"),
    "api:appraisal_photo_file": lambda v, p: _assignment(v, p, "get", f"photos/{v.photo.pk}/file/"),
    "api:appraisal_photo_thumbnail": lambda v, p: _assignment(v, p, "get", f"photos/{v.photo.pk}/thumbnail/"),
    "api:appraisal_conflict": lambda v, p: _assignment(v, p, "post", "conflict/", {"reason": "Khai thay"}),
    "api:appraisal_changes": lambda v, p: (
        _lists(v, p, "changes/")
        + [
            get(_api("COMM", f"changes/?since={v.change.pk - 1}"), p.seat(200)),
            get(_api(p.code, f"changes/?since={v.change.pk - 1}"), 200),
        ]
    ),
    "api:appraisal_batch": _batch,
    # The review meeting (appraisal/meeting_api.py): the seat holder reads the minutes at COMM
    # (200: through a seat only his own assignments' rows, none of the victim's) and records
    # nothing (403: not the head nor the secretary); elsewhere the board is not found.
    "api:appraisal_meetings": lambda v, p: _meeting(v, p, "get", "", seated=200),
    "api:appraisal_meeting": lambda v, p: _meeting(v, p, "get", f"{v.meeting.pk}/", seated=200),
    "api:appraisal_ballot": lambda v, p: (
        _meeting(v, p, "put", f"{v.meeting.pk}/ballots/{v.registration.pk}/", BALLOT, seated=403)
        + _meeting(v, p, "put", f"{v.meeting.pk}/ballots/{p.registration.pk}/", BALLOT, seated=403)
    ),
}
