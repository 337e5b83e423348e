"""The compliance page as a new user reads it: the drill-down hint only where a row drills, a
"chưa đạt" filter (page and Excel), a header that stays in view, and each unit's row opening
that unit's registrations in the registration list."""

import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.enums import RegistrationStatus
from dvk.enums import Kind, Level
from dvk.models import Organization
from tests.campaigns.builders import campaign, quota, register
from tests.conftest import client_for

FEB_2026 = datetime.datetime(2026, 2, 1, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
DRILL_HINT = "Bấm tên một tổ chức để xem sâu các cấp bên dưới."
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(FEB_2026, tick=False):
        yield


@pytest.fixture
def plan(tree):
    """Diễn Châu's plan: every unit (UNIT, MTTQ) one model."""
    c = campaign(tree.commune, "11-KH/ĐU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])
    quota(c, "Mỗi đơn vị ít nhất 01 mô hình", min_total=1)
    return c


def page(response):
    assert response.status_code == 200
    return response.content.decode()


def rows_of(response):
    return [row["node"].org["code"] for row in response.context["children"]]


def test_at_commune_level_rows_open_the_units_registrations_and_no_drill_hint(tree, plan, as_commune_staff):
    register(plan, tree.unit)
    register(plan, tree.mttq, status=RegistrationStatus.DRAFT)  # not counted, not listed by default
    html = page(as_commune_staff.get(f"/o/COMM/campaigns/{plan.pk}/compliance/"))
    assert DRILL_HINT not in html
    assert "Bấm tên một đơn vị để xem các mô hình đơn vị đã đăng ký." in html
    link = f"/o/COMM/registrations/?campaign={plan.pk}&amp;org=UNIT"
    assert f'<a href="{link}" class="unit-registrations">Chi bộ Xóm 1</a>' in html
    # The link lands on that unit's registrations under this plan.
    listed = as_commune_staff.get(link.replace("&amp;", "&"))
    assert [r.organization.code for r in listed.context["page"]] == ["UNIT"]
    assert listed.context["form"].cleaned_data["org"] == "UNIT"


def test_the_drill_hint_shows_when_a_row_drills(tree, plan, as_commune_staff):
    Organization.objects.add_child(
        Organization.objects.get(pk=tree.unit.pk),
        {"code": "TO1", "name": "Tổ 1", "level": "village", "kind": "village"},
    )
    html = page(as_commune_staff.get(f"/o/COMM/campaigns/{plan.pk}/compliance/"))
    assert DRILL_HINT in html
    assert '<a href="?node=UNIT">Chi bộ Xóm 1</a>' in html
    # A drilling row still reaches its registrations, by a second link.
    assert f'href="/o/COMM/registrations/?campaign={plan.pk}&amp;org=UNIT" title="Các mô hình đã đăng ký"' in html


def test_the_behind_filter_keeps_only_rows_not_meeting_their_quota(tree, plan, as_commune_staff):
    register(plan, tree.unit)
    url = f"/o/COMM/campaigns/{plan.pk}/compliance/"
    everything = as_commune_staff.get(url)
    assert rows_of(everything) == ["UNIT", "MTTQ"]
    assert 'href="?status=behind" id="filter-behind">Chưa đạt (1)</a>' in page(everything)
    behind = as_commune_staff.get(url, {"status": "behind"})
    assert rows_of(behind) == ["MTTQ"]
    html = page(behind)
    assert 'aria-current="page">Tất cả (2)</a>' not in html and 'href="?">Tất cả (2)</a>' in html
    assert f'href="/o/COMM/campaigns/{plan.pk}/compliance.xlsx?status=behind"' in html
    # Headline numbers stay those of the whole node.
    assert 'id="stat-targets">2<' in html
    # An unknown value filters nothing.
    assert rows_of(as_commune_staff.get(url, {"status": "evil"})) == ["UNIT", "MTTQ"]
    # Everyone met: the filter says so.
    register(plan, tree.mttq)
    html = page(as_commune_staff.get(url, {"status": "behind"}))
    assert 'id="none-behind"' in html and "Mọi tổ chức trực thuộc đều đã đạt chỉ tiêu." in html


def test_the_filter_follows_the_drill_down_and_the_export(tree, province_staff):
    province_plan = campaign(
        tree.province, "54-KH/TU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"]
    )
    quota(province_plan, "Mỗi đơn vị 01 mô hình", min_total=1)
    register(province_plan, tree.unit)
    client = client_for(province_staff)
    top = client.get(f"/o/PROV/campaigns/{province_plan.pk}/compliance/", {"status": "behind"})
    assert rows_of(top) == ["COMM", "SIBL"]  # each still has a unit behind
    assert '<a href="?node=COMM&amp;status=behind">Xã Diễn Châu</a>' in page(top)
    down = client.get(f"/o/PROV/campaigns/{province_plan.pk}/compliance/", {"node": "COMM", "status": "behind"})
    assert rows_of(down) == ["MTTQ"]
    html = page(down)
    assert '<a href="?status=behind">Tỉnh Nghệ An</a>' in html  # the breadcrumb keeps it
    assert 'href="?node=COMM&amp;">Tất cả (2)</a>' in html
    assert "compliance.xlsx?node=COMM&amp;status=behind" in html

    export = client.get(f"/o/PROV/campaigns/{province_plan.pk}/compliance.xlsx", {"status": "behind"})
    assert export.status_code == 200
    assert "-chua-dat-" in export["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    codes = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert codes == ["MTTQ", "SIBU"]
    assert sheet["A1"].value.endswith("– các tổ chức chưa đạt")
    full = client.get(f"/o/PROV/campaigns/{province_plan.pk}/compliance.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(full.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)] == ["UNIT", "MTTQ", "SIBU"]


def test_a_unit_link_lists_what_its_row_counts_under_a_derived_plan(tree, province_staff, commune_staff):
    """The province's plan counts the registrations of the commune's plan implementing it:
    the unit's link from the province's page lists them too."""
    upper = campaign(tree.province, "54-KH/TU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])
    quota(upper, "Mỗi đơn vị 01 mô hình", min_total=1)
    lower = campaign(tree.commune, "27-KH/ĐU", derived_from=upper)
    register(lower, tree.unit)
    client = client_for(province_staff)
    down = client.get(f"/o/PROV/campaigns/{upper.pk}/compliance/", {"node": "COMM"})
    unit = next(r for r in down.context["children"] if r["node"].org["code"] == "UNIT")
    assert unit["node"].registered.total == 1
    assert unit["registrations_url"] == f"/o/PROV/registrations/?campaign={upper.pk}&org=UNIT"
    listed = client.get(unit["registrations_url"])
    assert [(r.organization.code, r.campaign_id) for r in listed.context["page"]] == [("UNIT", lower.pk)]


def test_the_header_stays_in_view_through_the_stylesheet(tree, plan, as_commune_staff):
    html = page(as_commune_staff.get(f"/o/COMM/campaigns/{plan.pk}/compliance/"))
    assert '<div class="table-responsive compliance-scroll">' in html
    assert "style=" not in html  # the Content-Security-Policy allows no inline style
    css = (Path(settings.BASE_DIR) / "static" / "css" / "dvk.css").read_text()
    rule = re.search(r"\.compliance-scroll thead \{([^}]*)\}", css).group(1)
    assert "position: sticky" in rule and "top: 0" in rule
    assert re.search(r"\.compliance-scroll \{ max-height: \d+vh; \}", css)


def _units(commune, start, count, c, *, every_other):
    for i in range(start, start + count):
        unit = Organization.objects.add_child(
            Organization.objects.get(pk=commune.pk),
            {"code": f"U{i:03d}", "name": f"Chi bộ Thôn {i}", "level": Level.UNIT, "kind": Kind.PARTY_CELL},
        )
        if not every_other or i % 2:
            register(c, unit)


def test_filtered_page_and_export_queries_do_not_grow(tree, plan, commune_staff, django_assert_num_queries):
    client = client_for(commune_staff)
    urls = [
        f"/o/COMM/campaigns/{plan.pk}/compliance/?status=behind",
        f"/o/COMM/campaigns/{plan.pk}/compliance.xlsx?status=behind",
    ]
    _units(tree.commune, 0, 2, plan, every_other=True)
    counts = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts.append(len(ctx.captured_queries))
    _units(tree.commune, 2, 48, plan, every_other=True)
    for url, n in zip(urls, counts, strict=True):
        with django_assert_num_queries(n):
            client.get(url)
    html = client.get(urls[0]).content.decode()
    assert html.count('class="child-row"') == 27  # 25 units behind, UNIT and MTTQ
