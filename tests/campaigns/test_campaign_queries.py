"""N+1 guards: campaign lists and compliance run the same number of queries at 1 and at 50 rows."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from campaigns.models import Field
from dvk.enums import Kind, Level
from dvk.models import Organization
from tests.campaigns.builders import campaign, quota, register
from tests.conftest import client_for


def _count(client, url):
    client.get(url)  # warm per-process caches (content types, permissions) so both sizes compare alike
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _upper(tree):
    """A province plan the commune's plans implement (shown in the list, and as their origin)."""
    return campaign(tree.province, "12-KH/TU", target_levels=["unit"])


def _add_campaigns(tree, upper, start, count):
    for i in range(start, start + count):
        c = campaign(
            tree.commune,
            f"{i:02d}-KH/ĐU",
            registration_due=datetime.date(2026, 3, 5),
            derived_from=upper,
            title=f"Thực hiện {i}",
            issuing_body_name="Đảng ủy xã",
        )
        quota(c, "Mỗi đơn vị ít nhất 01 mô hình", min_total=1, organizations=[tree.unit])
        quota(c, "Toàn xã", scope="total", min_total=2)
        with scopes_disabled():
            c.fields.add(Field.objects.first())
            c.target_organizations.add(tree.mttq)


def _add_units(commune, start, count, c):
    for i in range(start, start + count):
        unit = Organization.objects.add_child(
            Organization.objects.get(pk=commune.pk),
            {"code": f"U{i:03d}", "name": f"Chi bộ Thôn {i}", "level": Level.UNIT, "kind": Kind.PARTY_CELL},
        )
        register(c, unit)


def test_campaign_list_queries_do_not_grow(tree, commune_staff, django_assert_num_queries):
    client = client_for(commune_staff)
    upper = _upper(tree)
    _add_campaigns(tree, upper, 0, 1)
    n, _ = _count(client, "/o/COMM/campaigns/")
    _add_campaigns(tree, upper, 1, 48)
    with django_assert_num_queries(n):
        response = client.get("/o/COMM/campaigns/")
    html = response.content.decode()
    assert html.count('class="campaign-row"') == 50
    assert html.count(">12-KH/TU</a>") == 1 + 49  # its own row, and the origin of each commune plan


def test_api_campaign_list_queries_do_not_grow(tree, commune_staff, django_assert_num_queries):
    client = _api(commune_staff)
    upper = _upper(tree)
    _add_campaigns(tree, upper, 0, 1)
    n, _ = _count(client, "/api/v1/o/COMM/campaigns/")
    _add_campaigns(tree, upper, 1, 48)
    with django_assert_num_queries(n):
        response = client.get("/api/v1/o/COMM/campaigns/")
    data = response.json()
    assert data["count"] == 50
    derived = [c for c in data["results"] if c["derived_from"] == upper.pk]
    assert len(derived) == 49
    assert all(
        len(c["quotas"]) == 2 and len(c["milestones"]) == 1 and c["target_organizations"] == ["MTTQ"] for c in derived
    )


def _commune_with_campaign(tree):
    c = campaign(tree.commune, "11-KH/ĐU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])
    quota(c, "Mỗi đơn vị ít nhất 01 mô hình", min_total=1)
    quota(c, "Toàn xã", scope="total", min_total=10)
    return c


def test_compliance_page_queries_do_not_grow(tree, commune_staff, django_assert_num_queries):
    c = _commune_with_campaign(tree)
    client = client_for(commune_staff)
    url = f"/o/COMM/campaigns/{c.pk}/compliance/"
    _add_units(tree.commune, 0, 1, c)
    n, _ = _count(client, url)
    _add_units(tree.commune, 1, 49, c)
    with django_assert_num_queries(n):
        response = client.get(url)
    assert response.content.decode().count('class="child-row"') == 52  # 50 units, UNIT and MTTQ
    assert response.context["report"].root.registered.total == 50


def test_compliance_drill_down_and_export_queries_do_not_grow(tree, province_staff, django_assert_num_queries):
    c = _commune_with_campaign(tree)
    client = client_for(province_staff)
    urls = [f"/o/PROV/campaigns/{c.pk}/compliance/?node=COMM", f"/o/PROV/campaigns/{c.pk}/compliance.xlsx"]
    _add_units(tree.commune, 0, 1, c)
    counts = [_count(client, url)[0] for url in urls]
    _add_units(tree.commune, 1, 49, c)
    for url, n in zip(urls, counts, strict=True):
        with django_assert_num_queries(n):
            client.get(url)


def test_api_compliance_queries_do_not_grow(tree, commune_staff, django_assert_num_queries):
    c = _commune_with_campaign(tree)
    client = _api(commune_staff)
    url = f"/api/v1/o/COMM/campaigns/{c.pk}/compliance/"
    _add_units(tree.commune, 0, 1, c)
    n, _ = _count(client, url)
    _add_units(tree.commune, 1, 49, c)
    with django_assert_num_queries(n):
        response = client.get(url)
    data = response.json()
    assert len(data["children"]) == 52 and data["root"]["registered"]["total"] == 50
