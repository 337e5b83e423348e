"""Outsider-404 cases for this part of models_registry, merged into tests/test_outsider.py CASES.

name -> function(victim) -> list of (method, url). The victim (tests/test_outsider.py) has
`registration` (accepted, of UNIT under the COMM plan `campaign`), `report`, `evidence`,
and the outsider's own `own_plan` / `own_registration` (SIBU under SIBL)."""


def _registration_urls(v, method, rest):
    """The victim registration through COMM (no role there) and through SIBL (out of scope)."""
    return [(method, f"/o/{code}/registrations/{v.registration.pk}/{rest}") for code in ("COMM", "SIBL")]


def _evidence_urls(v, method, rest=""):
    """The victim's file through the victim's registration (via COMM and SIBL), and through the
    outsider's own registration, where the outsider may report: the file is still not theirs."""
    evidence = f"evidence/{v.evidence.pk}/{rest}"
    return _registration_urls(v, method, evidence) + [
        (method, f"/o/SIBL/registrations/{v.own_registration.pk}/{evidence}"),
        (method, f"/o/SIBU/registrations/{v.own_registration.pk}/{evidence}"),
    ]


CASES = {
    "report_create": lambda v: (
        _registration_urls(v, "get", "reports/new/?kind=progress")
        + _registration_urls(v, "post", "reports/new/?kind=result")
    ),
    "evidence_upload": lambda v: _registration_urls(v, "post", "evidence/"),
    "evidence_download": lambda v: _evidence_urls(v, "get"),
    "evidence_thumbnail": lambda v: _evidence_urls(v, "get", "thumbnail.jpg"),
    "evidence_delete": lambda v: _evidence_urls(v, "post", "delete/"),
}
