"""Outsider cases for the member's tablet pages, merged into tests/test_outsider.py CASES.

The list accepts a seat and shows only the user's own assignments (the page reads them from
the API): every persona opens it under its own code (200: nothing of the victim's), the seat
holder under COMM too (he sits on the victim's board: 200, and with `?board=` of it), anyone
else there is not found. One assignment is the head's (v.assignment): not found for everyone,
the seat holder on the same board included, through COMM and through the persona's code."""

from tests.outsider import get


def _list(v, p):
    base = "appraisal/scoring/"
    return [
        get(f"/o/COMM/{base}", p.seat(200)),
        get(f"/o/COMM/{base}?board={v.board.pk}", p.seat(200)),
        get(f"/o/{p.code}/{base}", 200),
        # The victim's board is not the persona's: not found under its own code.
        get(f"/o/{p.code}/{base}?board={v.board.pk}"),
        get(f"/o/UNIT/{base}"),
    ]


def _one(v, p):
    base = f"appraisal/scoring/{v.assignment.pk}/"
    return [get(f"/o/COMM/{base}"), get(f"/o/{p.code}/{base}"), get(f"/o/UNIT/{base}")]


CASES = {
    "appraisal:scoring": _list,
    "appraisal:scoring_assignment": _one,
}
