"""Outsider-404 cases for this part of models_registry, merged into tests/test_outsider.py CASES.

name -> function(victim) -> list of (method, url). The victim (tests/test_outsider.py) has
`registration` (accepted, of UNIT under the COMM plan `campaign`), `report`, `evidence`,
and the outsider's own `own_plan` / `own_registration` (SIBU under SIBL)."""


def _registration_urls(v, method, rest):
    """The victim's registration through COMM (not the outsider's tenant) and through SIBL
    (the outsider's own: the registration is still not theirs)."""
    return [(method, f"/o/{code}/registrations/{v.registration.pk}/{rest}") for code in ("COMM", "SIBL")]


def _create_urls(v, method):
    """The victim's plan through both tenants, and the outsider's own plan for the victim's unit."""
    return [
        (method, f"/o/COMM/registrations/new/{v.campaign.pk}/?subject=collective"),
        (method, f"/o/SIBL/registrations/new/{v.campaign.pk}/?subject=collective"),
        (method, f"/o/SIBL/registrations/new/{v.campaign.pk}/?org=UNIT"),
        (method, f"/o/SIBL/registrations/new/{v.own_plan.pk}/?org=UNIT"),
    ]


CASES = {
    "registration_open_campaigns": lambda v: [
        ("get", "/o/COMM/registrations/open/"),
        ("get", "/o/UNIT/registrations/open/"),
        ("get", "/o/SIBL/registrations/open/?org=UNIT"),
    ],
    "registration_create": lambda v: _create_urls(v, "get") + _create_urls(v, "post"),
    "registration_detail": lambda v: _registration_urls(v, "get", ""),
    "registration_edit": lambda v: _registration_urls(v, "get", "edit/") + _registration_urls(v, "post", "edit/"),
    "registration_autosave": lambda v: _registration_urls(v, "post", "autosave/"),
    "registration_submit": lambda v: _registration_urls(v, "post", "submit/"),
    "registration_withdraw": lambda v: _registration_urls(v, "post", "withdraw/"),
    "registration_review": lambda v: _registration_urls(v, "post", "review/"),
}
