"""Outsider cases for the board's visits, merged into tests/test_outsider.py CASES.

The victim commune's board (v.board) has a visit (v.visit) to the victim's registration with
its head going. The schedule accepts a seat: through COMM the seat holder (the deputy head,
going nowhere) gets 200 and sees none of the victim's visit, whatever ?show= says; everyone
else is not found. Scheduling, changing and cancelling are staff work and accept no seat: 404
for every persona, through COMM, its own code and the victim's unit."""

from tests.outsider import get, post


def _visit_form(v):
    return {
        "registration": str(v.registration.pk),
        "visit_on": "20/11/2026",
        "visit_at": "08:00",
        "place": "Đổi địa điểm",
        "members": [str(v.head.pk), str(v.deputy.pk)],
        "version": str(v.visit.version),
    }


def _codes(p):
    return ("COMM", p.code, "UNIT")


def _schedule(v, p):
    probes = []
    for query in ("", "?show=all", "?show=mine"):
        probes.append(get(f"/o/COMM/appraisal/boards/{v.board.pk}/schedule/{query}", p.seat(200)))
        probes.append(get(f"/o/{p.code}/appraisal/boards/{v.board.pk}/schedule/{query}"))
    probes.append(get(f"/o/UNIT/appraisal/boards/{v.board.pk}/schedule/?show=all"))
    return probes


def _create(v, p):
    rest = f"appraisal/boards/{v.board.pk}/visits/new/"
    return [get(f"/o/{code}/{rest}") for code in _codes(p)] + [
        post(f"/o/{code}/{rest}", _visit_form(v)) for code in _codes(p)
    ]


def _edit(v, p):
    rest = f"appraisal/boards/{v.board.pk}/visits/{v.visit.pk}/edit/"
    return [get(f"/o/{code}/{rest}") for code in _codes(p)] + [
        post(f"/o/{code}/{rest}", _visit_form(v)) for code in _codes(p)
    ]


def _cancel(v, p):
    rest = f"appraisal/boards/{v.board.pk}/visits/{v.visit.pk}/cancel/"
    return [post(f"/o/{code}/{rest}", {"version": str(v.visit.version)}) for code in _codes(p)]


CASES = {
    "appraisal:schedule": _schedule,
    "appraisal:visit_create": _create,
    "appraisal:visit_edit": _edit,
    "appraisal:visit_cancel": _cancel,
}
