"""Outsider cases for the registration pages, merged into tests/test_outsider.py CASES.

name -> function(victim, persona) -> [Probe]. The victim's `registration` (accepted, of UNIT
under the COMM plan `campaign`) is tried through COMM (no role there) and through the
persona's own code (out of its scope); creating one for UNIT is tried through the persona's
own code, under the victim's plan and (the sibling commune) under its own plan."""

from tests.outsider import get, post


def _registration(v, p, method, rest):
    make = get if method == "get" else post
    return [make(f"/o/{code}/registrations/{v.registration.pk}/{rest}") for code in ("COMM", "UNIT", p.code)]


def _create(v, p, method):
    make = get if method == "get" else post
    probes = [
        make(f"/o/COMM/registrations/new/{v.campaign.pk}/?subject=collective"),
        make(f"/o/{p.code}/registrations/new/{v.campaign.pk}/?org=UNIT"),
        make(f"/o/{p.code}/registrations/new/{v.draft.pk}/?org={p.unit}"),
        make(f"/o/{p.code}/registrations/new/{v.closed.pk}/?org=UNIT"),
    ]
    if p.staff:
        probes.append(make(f"/o/{p.code}/registrations/new/{v.own_plan.pk}/?org=UNIT"))
    if method == "get":
        # Its own registration form under the commune's plan: a unit of the commune may open it.
        probes.append(get(f"/o/{p.code}/registrations/new/{v.campaign.pk}/?subject=collective", p.commune(200)))
    return probes


CASES = {
    "registration_open_campaigns": lambda v, p: [
        get("/o/COMM/registrations/open/"),
        get("/o/UNIT/registrations/open/"),
        get(f"/o/{p.code}/registrations/open/?org=UNIT"),
        get(f"/o/{p.code}/registrations/open/?org={p.unit}", 200),
    ],
    "registration_create": lambda v, p: _create(v, p, "get") + _create(v, p, "post"),
    "registration_detail": lambda v, p: _registration(v, p, "get", ""),
    "registration_edit": lambda v, p: (
        _registration(v, p, "get", "edit/?check=1") + _registration(v, p, "post", "edit/")
    ),
    "registration_autosave": lambda v, p: _registration(v, p, "post", "autosave/"),
    "registration_submit": lambda v, p: _registration(v, p, "post", "submit/"),
    "registration_withdraw": lambda v, p: _registration(v, p, "post", "withdraw/"),
    "registration_review": lambda v, p: _registration(v, p, "post", "review/"),
}
