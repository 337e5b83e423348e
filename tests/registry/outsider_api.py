"""Outsider cases for the registration API, merged into tests/test_outsider.py CASES.

name -> function(victim, persona) -> [Probe]. Through the victim's codes (no role there) and
through the persona's own code, where the victim's registration is not in scope. A victim's
id or code in a list filter or a create body, through the persona's own code, is refused
with 400 (the same answer as an unknown one) and changes nothing."""

from tests.outsider import Probe, get, post


def _registration(v, p, rest=""):
    return [f"/api/v1/o/{code}/registrations/{v.registration.pk}/{rest}" for code in ("COMM", "UNIT", p.code)]


def _create_body(v, **changes):
    return {"campaign": v.campaign.pk, "subject_type": "collective", "name": "Mô hình lạ", **changes}


CASES = {
    "api:registrations": lambda v, p: [
        *(Probe(method, f"/api/v1/o/{code}/registrations/") for method in ("get", "post") for code in ("COMM", "UNIT")),
        get(f"/api/v1/o/{p.code}/registrations/", 200),
        get(f"/api/v1/o/{p.code}/registrations/?org=UNIT", 400),
        get(f"/api/v1/o/{p.code}/registrations/?campaign={v.draft.pk}", 400),
        get(
            f"/api/v1/o/{p.code}/registrations/?campaign={v.closed.pk}&search=tu+sach",
            200 if p.in_commune else 400,
        ),
        post(f"/api/v1/o/{p.code}/registrations/", _create_body(v, organization="UNIT"), 400),
        post(f"/api/v1/o/{p.code}/registrations/", _create_body(v, campaign=v.draft.pk, organization=p.unit), 400),
    ],
    "api:registration": lambda v, p: [
        Probe(method, url) for method in ("get", "patch", "put") for url in _registration(v, p)
    ],
    "api:registration_submit": lambda v, p: [post(url) for url in _registration(v, p, "submit/")],
}
