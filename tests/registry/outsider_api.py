"""Outsider-404 cases for this part of models_registry, merged into tests/test_outsider.py CASES.

name -> function(victim) -> list of (method, url). The victim (tests/test_outsider.py) has
`registration` (accepted, of UNIT under the COMM plan `campaign`), `report`, `evidence`,
and the outsider's own `own_plan` / `own_registration` (SIBU under SIBL).

The registration API: through the victim's organisations (no role there) and through the
outsider's own commune, where the victim's registration is not in scope. (A victim's id in
a list filter or a create body, through SIBL, is refused with 400 and changes nothing:
tests/registry/test_registration_api.py.)"""


def _registration_urls(v, rest=""):
    return [f"/api/v1/o/{code}/registrations/{v.registration.pk}/{rest}" for code in ("COMM", "UNIT", "SIBL")]


CASES = {
    "api:registrations": lambda v: [
        (method, f"/api/v1/o/{code}/registrations/") for method in ("get", "post") for code in ("COMM", "UNIT")
    ],
    "api:registration": lambda v: [
        (method, url) for method in ("get", "patch", "put") for url in _registration_urls(v)
    ],
    "api:registration_submit": lambda v: [("post", url) for url in _registration_urls(v, "submit/")],
}
