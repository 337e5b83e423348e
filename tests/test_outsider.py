"""Another tenant's object answers 404, for every URL, tried as four outsiders.

    Nghệ An (PROV)
    ├── Diễn Châu (COMM)                       ← the victim's commune
    │   ├── Chi bộ Xóm 1 (UNIT)                ← the victim: its registration, report, file
    │   ├── Ủy ban MTTQ xã (MTTQ)
    │   ├── Chi bộ Xóm 2 (UNI2)                ← persona "sibling unit": its secretary
    │   ├── Chi bộ Xóm Mới (NEWU)              ← persona "newcomer": created after a plan closed
    │   └── Chi bộ Xóm Chuyển Đến (MOVU)       ← persona "moved in": from Diễn Thịnh, after the close
    └── Diễn Thịnh (SIBL)                      ← persona "sibling commune": its staff
        └── Chi bộ Xóm 9 (SIBU)

The victim commune has a published plan, a draft, and a plan closed before NEWU existed and
MOVU moved in (its snapshot holds UNIT and UNI2). Every persona registered a model of its own.

Each case maps a URL name to a function (victim, persona) -> [Probe]; a probe states what the
persona must get: 404 for another tenant's object (through the victim's codes, or through
the persona's own code with the victim's ids); where the persona may open the page (a unit
looking at its commune's published plan) 200 or the same tenant's 403. Whatever the answer,
no body (page, export or API) shows any of the victim's data (SECRETS), and no row of any
table changes.

The list of URLs is generated (tests/outsider.py): a URL without a case fails
`test_every_url_has_an_outsider_case`; a query parameter a view reads that no probe of its
case tries fails `test_every_query_parameter_a_view_reads_is_tried`; a case that makes no
request for a persona fails. `test_a_route_that_escapes_the_cases_fails_the_suite` shows each.
"""

import datetime
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django_scopes import scope, scopes_disabled
from rest_framework.test import APIClient

from campaigns.enums import RegistrationStatus
from campaigns.models import Campaign
from campaigns.services import campaign_close
from dvk.enums import Role
from dvk.models import DeviceToken, Membership, User
from dvk.services import organization_move
from models_registry.models import Evidence
from tests.appraisal import outsider_api as outsider_appraisal_api
from tests.appraisal import (
    outsider_assignments,
    outsider_boards,
    outsider_dossiers,
    outsider_meetings,
    outsider_outbox_import,
    outsider_results,
    outsider_scoring_pages,
    outsider_visits,
)
from tests.appraisal.helpers import rubric_form, victim_appraisal
from tests.campaigns.builders import campaign, quota
from tests.conftest import add_child, client_for, fresh
from tests.conftest import persona as person
from tests.outsider import (
    check_probes,
    delete,
    get,
    missing_cases,
    post,
    recording_query_reads,
    schema_paths,
    untried_parameters,
)
from tests.registry import outsider_api, outsider_lists, outsider_pages, outsider_reports
from tests.registry.builders import complete_registration, report

# What no outsider may ever read: the victim unit's name and what only it and its commune hold.
SECRETS = {
    "unit": "Chi bộ Xóm 1",
    "registration": "Tủ sách Xóm Một BM-REG-7F3A",
    "closed registration": "Quỹ khuyến học BM-OLD-7F3A",
    "report": "Đã quyên góp BM-RPT-7F3A",
    "file": "bien-ban-BM-FILE-7F3A",
    "draft": "Dự thảo BM-DRAFT-7F3A",
    "token": "Máy của xã BM-TOKEN-7F3A",
    "notification": "Nhắc riêng BM-NOTE-7F3A",
    "person": "Nguyễn Thị Bímật BM-PERSON-7F3A",  # the victim unit's secretary
    # Appraisal: the victim unit's recognition dossier, an opinion on it, its visit, a declared
    # conflict on it (tests/appraisal builds them on the commune's board).
    "dossier": "Báo cáo chi tiết BM-DOSSIER-7F3A",
    "opinion": "Ý kiến cấp ủy BM-OPINION-7F3A",
    "visit": "Nhà văn hóa BM-VISIT-7F3A",
    "conflict": "Là người nhà BM-CONFLICT-7F3A",
    # The head's scorecard on the victim's registration (its comments) and its photo's name.
    "scorecard": "Nhận xét chấm BM-SCORE-7F3A",
    "photo": "anh-khao-sat-BM-PHOTO-7F3A",
}


@dataclass
class Persona:
    key: str
    user: User
    code: str  # the organisation it acts for
    in_commune: bool  # inside Diễn Châu today: it may open the commune's published plans
    staff: bool
    registration: object  # a registration of its own
    unit: str  # a unit it acts for: its own, or (staff) one below it
    seated: bool = False  # holds a seat on the victim commune's board (and no role at COMM)

    def __str__(self):
        return self.key

    def commune(self, allowed):
        """What a page of the victim commune's published plan answers this persona."""
        return allowed if self.in_commune else 404

    def own(self, allowed_for_staff, allowed_for_unit=403):
        """What a staff-only page of its own organisation answers this persona."""
        return allowed_for_staff if self.staff else allowed_for_unit

    def seat(self, allowed, otherwise=404):
        """What a page of the victim commune's board, under COMM, answers this persona: a seat
        holder is admitted (to what its seat allows), anyone else is not found."""
        return allowed if self.seated else otherwise


# --- the cases ------------------------------------------------------------------------------


def _through(v, p, method, rest, *, ok, data=None):
    """Plan URLs: the victim's published and closed plans through COMM (no role there, 404)
    and through the persona's own code (`ok` if it may see the commune's plans); the draft
    through the persona's code (a draft never reaches a unit: 404)."""
    make = get if method == "get" else (lambda url, expect=404: post(url, data, expect))
    probes = [make(f"/o/COMM/campaigns/{v.campaign.pk}/{rest}")]
    for plan in (v.campaign, v.closed):
        probes.append(make(f"/o/{p.code}/campaigns/{plan.pk}/{rest}", p.commune(ok)))
    probes.append(make(f"/o/{p.code}/campaigns/{v.draft.pk}/{rest}"))
    return probes


def _child(v, p, method, rest, kind):
    """The victim's quota line or milestone through its plan (COMM: 404; the persona's own
    code: 403 for a unit, which sees the plan but manages nothing) and through the sibling
    commune's own draft, where the victim's id is not found."""
    obj = getattr(v, kind)
    rest = f"{kind}s/{obj.pk}/{rest}"
    make = get if method == "get" else post
    probes = [
        make(f"/o/COMM/campaigns/{v.campaign.pk}/{rest}"),
        make(f"/o/{p.code}/campaigns/{v.campaign.pk}/{rest}", expect=p.commune(403)),
    ]
    if p.staff:
        probes.append(make(f"/o/{p.code}/campaigns/{v.own_campaign.pk}/{rest}"))
    return probes


def _rubric(v, p, method):
    """The rubric page of the victim's plans (tests/appraisal): as _through, under
    /appraisal/; a unit of the commune reads it (200) and may not save it (403)."""
    data = rubric_form(threshold=60) if method == "post" else None
    make = get if method == "get" else (lambda url, expect=404: post(url, data, expect))
    ok = 200 if method == "get" else 403
    # The seat holder sits on the board of v.campaign: he reads its rubric through his seat
    # (and may not save it); another plan's rubric is not found through the seat.
    probes = [make(f"/o/COMM/appraisal/campaigns/{v.campaign.pk}/rubric/", p.seat(ok))]
    probes.append(make(f"/o/COMM/appraisal/campaigns/{v.closed.pk}/rubric/"))
    for plan in (v.campaign, v.closed):
        probes.append(make(f"/o/{p.code}/appraisal/campaigns/{plan.pk}/rubric/", p.commune(ok)))
    probes.append(make(f"/o/{p.code}/appraisal/campaigns/{v.draft.pk}/rubric/"))
    return probes


CASES = {
    # Pages of the persona itself: 200, with nothing of the victim's.
    "home": lambda v, p: [get("/", 302)],
    "org_picker": lambda v, p: [get("/orgs/", 200)],
    "devices": lambda v, p: [get("/accounts/devices/", 200)],
    "notifications": lambda v, p: [get("/notifications/", 200)],
    "notifications_read_all": lambda v, p: [post("/notifications/read-all/", expect=302)],
    "api:me": lambda v, p: [get("/api/v1/me/", 200)],
    "api:tokens": lambda v, p: [get("/api/v1/auth/tokens/", 200)],
    "second_factor": lambda v, p: [get("/accounts/2fa/?next=/o/COMM/", 200 if p.staff else 302)],
    "second_factor_setup": lambda v, p: [get("/accounts/2fa/setup/?next=/o/COMM/", 302)],
    "second_factor_recovery": lambda v, p: [get("/accounts/2fa/recovery/?next=/o/COMM/", 200)],
    # The tree and the people.
    "org_tree": lambda v, p: [get("/o/COMM/"), get("/o/UNIT/"), get(f"/o/{p.code}/?q=chi", 200)],
    "org_children": lambda v, p: [get("/o/COMM/children/"), get(f"/o/{p.code}/children/", 200)],
    # The search pickers' options: through the victim's codes 404; through its own code only
    # its own subtree (the victim's unit is not among "xom" or "chi bo xom 1" matches), by name or code.
    "picker_search": lambda v, p: [
        get("/o/COMM/pick/organizations/?q=chi"),
        get("/o/UNIT/pick/organizations/?q=UNIT"),
        get(f"/o/{p.code}/pick/organizations/?q=xom", 200),
        get(f"/o/{p.code}/pick/organizations/?q=chi+bo+xom+1", 200),
        get(f"/o/{p.code}/pick/organizations/?q=UNIT", 200),
        get(f"/o/{p.code}/pick/nothing-such/?q=xom", 404),
        # The units one may register for (the open-campaigns page's picker, models_registry):
        # a narrower set of the same subtree, never the victim's unit.
        get("/o/COMM/pick/registering-units/?q=chi"),
        get("/o/UNIT/pick/registering-units/?q=UNIT"),
        get(f"/o/{p.code}/pick/registering-units/?q=xom", 200),
        get(f"/o/{p.code}/pick/registering-units/?q=chi+bo+xom+1", 200),
        get(f"/o/{p.code}/pick/registering-units/?q=UNIT", 200),
        # People (the appraisal board's members): only staff search them, and only their own
        # subtree's, whether by the victim secretary's name or by the usernames of both.
        get("/o/COMM/pick/people/?q=nguyen+thi+bimat"),
        get("/o/UNIT/pick/people/?q=bi-thu"),
        get(f"/o/{p.code}/pick/people/?q=nguyen+thi+bimat", p.own(200)),
        get(f"/o/{p.code}/pick/people/?q=bm-person-7f3a", p.own(200)),
        get(f"/o/{p.code}/pick/people/?q=bi-thu", p.own(200)),
        get(f"/o/{p.code}/pick/people/?q=can-bo-xa", p.own(200)),
    ],
    "org_add": lambda v, p: [get("/o/COMM/add/"), post("/o/COMM/add/", {"code": "X-NEW", "name": "X"})],
    "org_edit": lambda v, p: [get("/o/UNIT/edit/"), post("/o/UNIT/edit/", {"name": "Đổi tên"})],
    "org_move": lambda v, p: [
        get("/o/UNIT/move/"),
        post("/o/UNIT/move/", {"new_parent_code": p.code}),
        # Moving its own unit under the victim's: the victim is not found among its own.
        post(f"/o/{p.unit}/move/", {"new_parent_code": "UNIT"}, p.own(400)),
    ],
    "org_archive": lambda v, p: [post("/o/UNIT/archive/")],
    "org_import": lambda v, p: [get("/o/COMM/import/"), post("/o/COMM/import/")],
    "org_import_template": lambda v, p: [get("/o/COMM/import/template.xlsx")],
    "org_export": lambda v, p: [get("/o/COMM/export.xlsx"), get(f"/o/{p.code}/export.xlsx", p.own(200))],
    "members": lambda v, p: [get("/o/COMM/members/"), get(f"/o/{p.code}/members/?subtree=1", 200)],
    "member_add": lambda v, p: [get("/o/COMM/members/add/"), post("/o/COMM/members/add/")],
    "member_remove": lambda v, p: [
        post(f"/o/COMM/members/{v.membership.pk}/remove/"),
        post(f"/o/{p.code}/members/{v.membership.pk}/remove/"),
    ],
    "member_second_factor_reset": lambda v, p: [
        post(f"/o/COMM/members/{v.membership.pk}/reset-2fa/"),
        post(f"/o/{p.code}/members/{v.membership.pk}/reset-2fa/"),
    ],
    "audit": lambda v, p: [
        get("/o/COMM/audit/"),
        get(f"/o/{p.code}/audit/?kind=membership", p.own(200)),
        get(f"/o/{p.code}/audit/?kind=second_factor", p.own(200)),
    ],
    "device_revoke": lambda v, p: [post(f"/accounts/devices/{v.token.pk}/revoke/")],
    "notification_read": lambda v, p: [post(f"/notifications/{v.notification.pk}/read/")],
    "api:organization": lambda v, p: [get("/api/v1/o/COMM/"), get("/api/v1/o/UNIT/"), get(f"/api/v1/o/{p.code}/", 200)],
    "api:organization_children": lambda v, p: [
        get("/api/v1/o/COMM/children/"),
        get(f"/api/v1/o/{p.code}/children/", 200),
    ],
    "api:members": lambda v, p: [get("/api/v1/o/COMM/members/"), get(f"/api/v1/o/{p.code}/members/", 200)],
    "api:token_revoke": lambda v, p: [delete(f"/api/v1/auth/tokens/{v.token.pk}/")],
    # Campaigns.
    "campaign_list": lambda v, p: [
        get("/o/COMM/campaigns/"),
        get("/o/UNIT/campaigns/"),
        get(f"/o/{p.code}/campaigns/", 200),
        get(f"/o/{p.code}/campaigns/?status=draft", 200),
    ],
    "campaign_create": lambda v, p: [get("/o/COMM/campaigns/new/"), post("/o/COMM/campaigns/new/")],
    "milestone_kind_add": lambda v, p: [
        get("/o/COMM/campaigns/milestone-kinds/new/"),
        post("/o/COMM/campaigns/milestone-kinds/new/", {"code": "x", "name": "x"}),
    ],
    "campaign_detail": lambda v, p: _through(v, p, "get", "", ok=200),
    # Appraisal: the rubric page reads (GET) and saves (POST) on one URL.
    "appraisal:rubric": lambda v, p: _rubric(v, p, "get") + _rubric(v, p, "post"),
    "campaign_edit": lambda v, p: (
        _through(v, p, "get", "edit/", ok=403) + _through(v, p, "post", "edit/", ok=403, data={"title": "Đổi"})
    ),
    "campaign_publish": lambda v, p: _through(v, p, "post", "publish/", ok=403),
    "campaign_close": lambda v, p: _through(v, p, "post", "close/", ok=403),
    "campaign_archive": lambda v, p: _through(v, p, "post", "archive/", ok=403),
    "campaign_delete": lambda v, p: _through(v, p, "post", "delete/", ok=403),
    "campaign_derive": lambda v, p: _through(v, p, "post", "derive/", ok=403, data={"number": "X", "title": "X"}),
    "campaign_copy": lambda v, p: (
        _through(v, p, "get", "copy/", ok=403)
        + _through(v, p, "post", "copy/", ok=403, data={"number": "X", "title": "X", "shift": "year"})
    ),
    "campaign_copy_review_dismiss": lambda v, p: _through(v, p, "post", "copy-review/dismiss/", ok=403),
    "campaign_compliance": lambda v, p: (
        _through(v, p, "get", "compliance/", ok=200)
        + [
            get(f"/o/{p.code}/campaigns/{v.campaign.pk}/compliance/?node=UNIT"),
            get(f"/o/{p.code}/campaigns/{v.closed.pk}/compliance/?node=UNIT"),
        ]
    ),
    "campaign_compliance_export": lambda v, p: (
        _through(v, p, "get", "compliance.xlsx", ok=200)
        + [get(f"/o/{p.code}/campaigns/{v.closed.pk}/compliance.xlsx?node=UNIT")]
    ),
    "quota_add": lambda v, p: (
        _through(v, p, "get", "quotas/new/", ok=403)
        + _through(v, p, "post", "quotas/new/", ok=403, data={"label": "x", "min_total": "1"})
    ),
    "quota_edit": lambda v, p: _child(v, p, "get", "edit/", "quota") + _child(v, p, "post", "edit/", "quota"),
    "quota_delete": lambda v, p: _child(v, p, "post", "delete/", "quota"),
    "milestone_add": lambda v, p: (
        _through(v, p, "get", "milestones/new/", ok=403) + _through(v, p, "post", "milestones/new/", ok=403)
    ),
    "milestone_edit": lambda v, p: (
        _child(v, p, "get", "edit/", "milestone") + _child(v, p, "post", "edit/", "milestone")
    ),
    "milestone_delete": lambda v, p: _child(v, p, "post", "delete/", "milestone"),
    "api:campaigns": lambda v, p: [
        get("/api/v1/o/COMM/campaigns/"),
        get(f"/api/v1/o/{p.code}/campaigns/", 200),
        get(f"/api/v1/o/{p.code}/campaigns/?status=draft", 200),
    ],
    "api:campaign": lambda v, p: [
        get(f"/api/v1/o/COMM/campaigns/{v.campaign.pk}/"),
        get(f"/api/v1/o/{p.code}/campaigns/{v.campaign.pk}/", p.commune(200)),
        get(f"/api/v1/o/{p.code}/campaigns/{v.closed.pk}/", p.commune(200)),
        get(f"/api/v1/o/{p.code}/campaigns/{v.draft.pk}/"),
    ],
    "api:campaign_compliance": lambda v, p: [
        get(f"/api/v1/o/COMM/campaigns/{v.campaign.pk}/compliance/"),
        get(f"/api/v1/o/{p.code}/campaigns/{v.campaign.pk}/compliance/", p.commune(200)),
        get(f"/api/v1/o/{p.code}/campaigns/{v.closed.pk}/compliance/", p.commune(200)),
        get(f"/api/v1/o/{p.code}/campaigns/{v.closed.pk}/compliance/?node=UNIT"),
        get(f"/api/v1/o/{p.code}/campaigns/{v.draft.pk}/compliance/"),
    ],
}


# Registrations: each part of models_registry keeps its cases next to its tests.
# Appraisal's parts keep theirs in tests/appraisal/outsider_*.py.
APPRAISAL_PARTS = (
    outsider_boards,
    outsider_assignments,
    outsider_visits,
    outsider_dossiers,
    outsider_appraisal_api,
    outsider_scoring_pages,
    outsider_results,
    outsider_outbox_import,
    outsider_meetings,
)
for part in (outsider_pages, outsider_lists, outsider_reports, outsider_api, *APPRAISAL_PARTS):
    assert not set(part.CASES) & set(CASES), f"{part.__name__} repeats a case"
    CASES.update(part.CASES)


# --- the victim and the personas --------------------------------------------------------------


def _secretary(org, username):
    return person(username, org, Role.SECRETARY)


@pytest.fixture
def victim(tree, secretary, commune_staff, outsider):
    due = datetime.date(2026, 3, 5)
    sibling_unit = add_child(tree.commune, "UNI2", "Chi bộ Xóm 2")
    moving = add_child(tree.sibling, "MOVU", "Chi bộ Xóm Chuyển Đến")
    plan = campaign(tree.commune, "01-KH/ĐU", registration_due=due, target_levels=["unit"])
    line = quota(plan, "Mỗi chi bộ ít nhất 01 mô hình", min_total=1)
    draft = campaign(tree.commune, "07-KH/ĐU", status="draft", title=SECRETS["draft"])
    closed = campaign(tree.commune, "02-KH/ĐU", registration_due=due, target_levels=["unit"])
    quota(closed, "Mỗi chi bộ ít nhất 01 mô hình", min_total=1)
    complete_registration(closed, tree.unit, name=SECRETS["closed registration"], status=RegistrationStatus.ACCEPTED)
    complete_registration(closed, sibling_unit, name="Đường hoa Xóm 2", status=RegistrationStatus.ACCEPTED)
    with scope(org=tree.commune):
        campaign_close(campaign=closed)
    # After the close: a new unit, and one moved in from the sibling commune.
    newcomer = add_child(fresh(tree.commune), "NEWU", "Chi bộ Xóm Mới")
    with scopes_disabled():
        moved = organization_move(organization=fresh(moving), new_parent=fresh(tree.commune))

    registration = complete_registration(plan, tree.unit, name=SECRETS["registration"], status="accepted")
    progress = report(registration, summary=SECRETS["report"])
    with scopes_disabled():
        milestone = plan.milestones.get()
        evidence = Evidence.objects.create(
            organization=tree.unit,
            registration=registration,
            report=progress,
            kind="pdf",
            content_type="application/pdf",
            original_name=f"{SECRETS['file']}.pdf",
            size=20,
            file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="bien-ban.pdf"),
        )
    # Each plan holds a copy's review, so a dismissal that got through would change a row.
    review = {"original": "00-KH/ĐU", "rows": [], "quotas": ["Chỉ tiêu cũ"]}
    with scopes_disabled():
        Campaign.objects.filter(pk__in=[plan.pk, draft.pk, closed.pk]).update(copy_review=review)
    own_campaign = campaign(tree.sibling, "09-KH/ĐU", status="draft")
    own_plan = campaign(tree.sibling, "10-KH/ĐU", registration_due=due, target_levels=["unit"])
    secretary.full_name = SECRETS["person"]
    secretary.save()
    token, _key = DeviceToken.issue(user=commune_staff, name=SECRETS["token"])
    notification = secretary.notifications.create(title=SECRETS["notification"], url="/o/UNIT/")

    def own(org, name, under=plan):
        return complete_registration(under, org, name=name, status=RegistrationStatus.ACCEPTED)

    sibling_commune = own(tree.sibling_unit, "Một giúp một", own_plan)
    # The seat holder: the Front's chairman, whose only role is at the Front's unit, deputy head
    # of the commune's board, assigned nothing of the victim's.
    front_chairman = _secretary(tree.mttq, "chu-tich-mttq")
    appraisal = victim_appraisal(plan, registration, commune_staff, front_chairman, SECRETS)
    personas = [
        Persona("sibling commune", outsider, "SIBL", False, True, sibling_commune, "SIBU"),
        Persona(
            "sibling unit",
            _secretary(sibling_unit, "bi-thu-xom-2"),
            "UNI2",
            True,
            False,
            own(sibling_unit, "Nhà sạch"),
            "UNI2",
        ),
        Persona(
            "newcomer", _secretary(newcomer, "bi-thu-xom-moi"), "NEWU", True, False, own(newcomer, "Đèn đường"), "NEWU"
        ),
        Persona(
            "moved in", _secretary(moved, "bi-thu-chuyen-den"), "MOVU", True, False, own(moved, "Vườn rau"), "MOVU"
        ),
        Persona("seat holder", front_chairman, "MTTQ", True, False, own(tree.mttq, "Mặt trận lắng nghe"), "MTTQ", True),
    ]
    return type(
        "Victim",
        (),
        {
            "campaign": plan,
            "quota": line,
            "milestone": milestone,
            "draft": draft,
            "closed": closed,
            "registration": registration,
            "report": progress,
            "evidence": evidence,
            "membership": Membership.objects.get(user=secretary),
            "token": token,
            "notification": notification,
            "own_campaign": own_campaign,
            "own_plan": own_plan,
            "personas": personas,
            **appraisal,
        },
    )


# --- the checks ---------------------------------------------------------------------------


def _clients(user):
    api = APIClient()
    api.force_authenticate(user)
    return client_for(user), api


def _send(clients, probe):
    pages, api = clients
    client = api if probe.url.startswith("/api/") else pages
    extra = {"format": probe.format} if probe.format else {}
    return getattr(client, probe.method)(probe.url, *([probe.data] if probe.data is not None else []), **extra)


def _readable(response):
    """The body as text: pages and JSON as they are, workbooks cell by cell."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            if "xl/workbook.xml" in archive.namelist():
                book = openpyxl.load_workbook(io.BytesIO(body))
                return " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    text = body.decode("utf-8", errors="replace")
    if response.get("Content-Type", "").startswith("application/json") and text:
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


# Tables whose rows are the client's own state, not the product's data.
NOT_COMPARED = {"django_session"}


def _tables_digest():
    """One checksum per table over every row: an update, an insert or a delete changes it."""
    with connection.cursor() as cursor:
        digests = {}
        for table in connection.introspection.table_names(cursor):
            if table in NOT_COMPARED:
                continue
            cursor.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t")
            digests[table] = cursor.fetchone()[0]
    return digests


def _changed(before, after):
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))


@pytest.mark.parametrize("name", sorted(CASES))
def test_outsiders_get_404_and_see_nothing(name, victim):
    failures = []
    for persona in victim.personas:
        probes = check_probes(name, persona, CASES[name](victim, persona))
        clients = _clients(persona.user)
        before = _tables_digest()
        for probe in probes:
            response = _send(clients, probe)
            where = f"{persona}: {probe.method.upper()} {probe.url}"
            if response.status_code != probe.expect:
                failures.append(f"{where} answered {response.status_code}, not {probe.expect}")
            text = _readable(response)
            shown = [what for what, secret in SECRETS.items() if secret in text]
            if shown:
                failures.append(f"{where} showed the victim's {', '.join(shown)}")
        if changed := _changed(before, _tables_digest()):
            failures.append(f"{persona}: {name} changed {', '.join(changed)}")
    assert not failures, "\n".join(failures)


def test_every_url_has_an_outsider_case():
    missing = missing_cases(CASES)
    assert missing == [], f"add an outsider case to tests/test_outsider.py CASES for {missing}"


def test_every_api_path_is_in_the_url_list():
    """The schema and the URL conf agree, so the cases above cover the API too."""
    from tests.outsider import all_urls

    def shape(path):
        return re.sub(r"\{[^}]+\}", "{}", re.sub(r"<(?:\w+:)?\w+>", "{}", path))

    routes = {shape(route) for route in all_urls().values()}
    assert {shape(path) for path in schema_paths()} <= routes


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_query_parameter_a_view_reads_is_tried(name, victim):
    """Replays the case as a superuser, who passes every scope and permission check, and
    notes which query parameters the view reads: each that can name a tenant's object must
    appear in some probe of the case."""
    root = User.objects.create_superuser("quan-tri", "quan-tri@example.test", "x")
    probes = [probe for persona in victim.personas for probe in CASES[name](victim, persona)]
    clients = _clients(root)
    with recording_query_reads() as reads:
        for probe in probes:
            _send(clients, probe)
    assert untried_parameters(reads.keys, probes) == [], f"{name}: try these query parameters as an outsider"


def test_a_case_without_requests_fails():
    with pytest.raises(AssertionError, match="makes no request"):
        check_probes("a_view", "newcomer", [])


def test_a_route_that_escapes_the_cases_fails_the_suite():
    """With a URL conf that adds a named view, an unnamed one, a re_path one and one that
    takes its tenant only from the query string, the completeness test fails naming each;
    and a view reading ?org= that its case never tries is reported."""
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.settings_unchecked_view")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_outsider.py::test_every_url_has_an_outsider_case",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    for escaped in ("unchecked_thing", "/o/<str:org_code>/unnamed/<int:pk>/", "unchecked_regex", "/by-query/"):
        assert escaped in result.stdout, escaped


def test_a_query_parameter_no_probe_tries_is_reported(settings, tree, commune_staff):
    settings.ROOT_URLCONF = "tests.urls_unchecked_view"
    probes = [get("/by-query/?page=2")]
    with recording_query_reads() as reads:
        client_for(commune_staff).get("/by-query/?page=2")
    assert untried_parameters(reads.keys, probes) == ["org"]
    assert untried_parameters(reads.keys, probes + [get("/by-query/?org=UNIT")]) == []
