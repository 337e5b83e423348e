"""Outsider cases for reports and evidence, merged into tests/test_outsider.py CASES.

name -> function(victim, persona) -> [Probe]. The victim's `evidence` file is tried through
the victim's registration (via COMM, UNIT and the persona's code) and through the persona's
own registration, on which the persona may report: the file is still not theirs."""

from tests.outsider import get, post


def _registration(v, p, method, rest):
    make = get if method == "get" else post
    return [make(f"/o/{code}/registrations/{v.registration.pk}/{rest}") for code in ("COMM", "UNIT", p.code)]


def _evidence(v, p, method, rest=""):
    make = get if method == "get" else post
    evidence = f"evidence/{v.evidence.pk}/{rest}"
    return _registration(v, p, method, evidence) + [
        make(f"/o/{code}/registrations/{p.registration.pk}/{evidence}") for code in {p.code, p.unit}
    ]


CASES = {
    "report_create": lambda v, p: (
        _registration(v, p, "get", "reports/new/?kind=progress")
        + _registration(v, p, "post", "reports/new/?kind=result")
    ),
    "evidence_upload": lambda v, p: _registration(v, p, "post", "evidence/"),
    "evidence_download": lambda v, p: _evidence(v, p, "get"),
    "evidence_thumbnail": lambda v, p: _evidence(v, p, "get", "thumbnail.jpg"),
    "evidence_delete": lambda v, p: _evidence(v, p, "post", "delete/"),
}
