"""Outsider cases for the registration lists, merged into tests/test_outsider.py CASES.

name -> function(victim, persona) -> [Probe]. A persona's own list, export and import pages
open (200) and show none of the victim's rows, whatever filter names the victim's plan or
unit. The bulk review names rows by id: through the persona's own code an id of the victim's
registration, alone or next to one of the persona's own, is not found and nothing is done."""

from tests.outsider import get, post

CASES = {
    "registration_list": lambda v, p: [
        get("/o/COMM/registrations/"),
        get("/o/UNIT/registrations/"),
        get(f"/o/{p.code}/registrations/?campaign={v.campaign.pk}", 200),
        get(f"/o/{p.code}/registrations/?campaign={v.closed.pk}&org=UNIT", 200),
        get(f"/o/{p.code}/registrations/?org=COMM&q=tu+sach", 200),
    ],
    "registration_bulk": lambda v, p: [
        post("/o/COMM/registrations/bulk/", {"ids": [v.registration.pk], "action": "accept"}),
        post(f"/o/{p.code}/registrations/bulk/", {"ids": [v.registration.pk], "action": "accept"}),
        post(
            f"/o/{p.code}/registrations/bulk/",
            {"ids": [p.registration.pk, v.registration.pk], "action": "return", "comment": "Sửa lại"},
        ),
    ],
    "registration_export": lambda v, p: [
        get("/o/COMM/registrations/export.xlsx"),
        get(f"/o/UNIT/registrations/export.xlsx?campaign={v.campaign.pk}"),
        get(f"/o/{p.code}/registrations/export.xlsx?campaign={v.campaign.pk}", 200),
        get(f"/o/{p.code}/registrations/export.xlsx?org=UNIT", 200),
    ],
    "registration_import": lambda v, p: [
        get("/o/COMM/registrations/import/"),
        post("/o/COMM/registrations/import/"),
        get("/o/UNIT/registrations/import/"),
        get(f"/o/{p.code}/registrations/import/", p.own(200)),
    ],
    "registration_import_template": lambda v, p: [
        get("/o/COMM/registrations/import/template.xlsx"),
        get(f"/o/{p.code}/registrations/import/template.xlsx", p.own(200)),
    ],
}
