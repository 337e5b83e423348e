"""Outsider cases for the staff import of a member's outbox file, merged into
tests/test_outsider.py CASES.

Staff work of the board's level, accepting no seat: the seat holder (deputy head of v.board,
a board member who is not staff) gets 404 through COMM like everyone else; through each
persona's own code and UNIT the board is not in scope. The POST carries a well-formed file of
the victim head's outbox (their offline key, the victim's assignment), as an outsider who got
hold of one would send it: nothing is applied."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from dvk.offline import user_key
from tests.outsider import Probe, get


def _file(v):
    item = {
        "kind": "scorecard",
        "org": "COMM",
        "assignment": v.assignment.pk,
        "key": "k-outsider-0001",
        "body": {"version": 1, "submit": False, "comment": "Ghi đè", "lines": []},
    }
    content = {"format": "dvk-outbox", "version": 1, "user": user_key(v.head.user), "items": [item]}
    return SimpleUploadedFile("hop-thu-di.json", json.dumps(content).encode(), content_type="application/json")


def _codes(p):
    return ("COMM", p.code, "UNIT")


def _import(v, p):
    rest = f"appraisal/boards/{v.board.pk}/outbox-import/"
    # A fresh file per request: the test client reads it to the end.
    return [get(f"/o/{code}/{rest}") for code in _codes(p)] + [
        Probe("post", f"/o/{code}/{rest}", {"file": _file(v), "idempotency_key": f"k-page-{i}-0001"})
        for i, code in enumerate(_codes(p))
    ]


def _result(v, p):
    rest = f"appraisal/boards/{v.board.pk}/outbox-import/{v.outbox_import.pk}/"
    return [get(f"/o/{code}/{rest}") for code in _codes(p)] + [
        # The persona's own board does not exist; the victim's import is not found under any other id.
        get(f"/o/{p.code}/appraisal/boards/{v.board.pk + 1000}/outbox-import/{v.outbox_import.pk}/"),
    ]


CASES = {
    "appraisal:outbox_import": _import,
    "appraisal:outbox_import_result": _result,
}
