"""Outsider-404 cases for this part of models_registry, merged into tests/test_outsider.py CASES.

name -> function(victim) -> list of (method, url). The victim (tests/test_outsider.py) has
`registration` (accepted, of UNIT under the COMM plan `campaign`), `report`, `evidence`,
and the outsider's own `own_plan` / `own_registration` (SIBU under SIBL).

The bulk review names rows by id; through the outsider's own commune an id of the victim's
registration, alone or next to one of the outsider's own, is not found and nothing is done."""

CASES = {
    "registration_list": lambda v: [
        ("get", "/o/COMM/registrations/"),
        ("get", "/o/UNIT/registrations/"),
        ("get", f"/o/COMM/registrations/?campaign={v.campaign.pk}"),
    ],
    "registration_bulk": lambda v: [
        ("post", "/o/COMM/registrations/bulk/", {"ids": [v.registration.pk], "action": "accept"}),
        ("post", "/o/SIBL/registrations/bulk/", {"ids": [v.registration.pk], "action": "accept"}),
        (
            "post",
            "/o/SIBL/registrations/bulk/",
            {"ids": [v.own_registration.pk, v.registration.pk], "action": "return", "comment": "Sửa lại"},
        ),
    ],
    "registration_export": lambda v: [
        ("get", "/o/COMM/registrations/export.xlsx"),
        ("get", f"/o/UNIT/registrations/export.xlsx?campaign={v.campaign.pk}"),
    ],
    "registration_import": lambda v: [
        ("get", "/o/COMM/registrations/import/"),
        ("post", "/o/COMM/registrations/import/"),
        ("get", "/o/UNIT/registrations/import/"),
    ],
    "registration_import_template": lambda v: [("get", "/o/COMM/registrations/import/template.xlsx")],
}
