"""Outsider-404 cases for this part of models_registry, merged into tests/test_outsider.py CASES.

name -> function(victim) -> list of (method, url). The victim (tests/test_outsider.py) has
`registration` (accepted, of UNIT under the COMM plan `campaign`), `report`, `evidence`,
and the outsider's own `own_plan` / `own_registration` (SIBU under SIBL)."""

CASES = {}
