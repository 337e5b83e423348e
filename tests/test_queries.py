"""N+1 guards: lists run the same number of queries at 1 and at 50 rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dvk.enums import Kind, Level
from dvk.models import Membership, Organization
from tests.conftest import client_for, make_user


def _empty_commune(tree):
    return Organization.objects.add_child(
        tree.province, {"code": "EMPTY", "name": "Xã Trống", "level": Level.COMMUNE, "kind": Kind.ADMINISTRATIVE}
    )


def _add_units(parent, start, count):
    for i in range(start, start + count):
        Organization.objects.add_child(
            parent, {"code": f"U{i:03d}", "name": f"Chi bộ Thôn {i}", "level": Level.UNIT, "kind": Kind.PARTY_CELL}
        )


def _count(client, url):
    client.get(url)  # warm per-process caches (content types, permissions) so both sizes compare alike
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _staff_client(org):
    user = make_user(f"staff-{org.code.lower()}")
    Membership.objects.create(user=user, organization=org, role="staff")
    return client_for(user), user


def test_tree_page_queries_do_not_grow_with_children(tree, django_assert_num_queries):
    commune = _empty_commune(tree)
    client, _ = _staff_client(commune)
    _add_units(commune, 0, 1)
    n, response = _count(client, "/o/EMPTY/")
    assert response.content.decode().count('class="org-node') == 1
    _add_units(commune, 1, 49)
    with django_assert_num_queries(n):
        response = client.get("/o/EMPTY/")
    assert response.content.decode().count('class="org-node') == 50


def test_children_partial_and_search_queries_do_not_grow(tree, django_assert_num_queries):
    commune = _empty_commune(tree)
    client, _ = _staff_client(commune)
    _add_units(commune, 0, 1)
    n_children, _ = _count(client, "/o/EMPTY/children/")
    n_search, _ = _count(client, "/o/EMPTY/?q=chi+bo")
    _add_units(commune, 1, 49)
    with django_assert_num_queries(n_children):
        client.get("/o/EMPTY/children/")
    with django_assert_num_queries(n_search):
        response = client.get("/o/EMPTY/?q=chi+bo")
    assert "50 kết quả" in response.content.decode()


def test_member_list_queries_do_not_grow(tree, django_assert_num_queries):
    commune = _empty_commune(tree)
    client, _ = _staff_client(commune)
    n, _ = _count(client, "/o/EMPTY/members/?subtree=1")
    for i in range(49):
        Membership.objects.create(user=make_user(f"tv{i}"), organization=commune, role="member")
    with django_assert_num_queries(n):
        response = client.get("/o/EMPTY/members/?subtree=1")
    assert response.content.decode().count("<code>tv") == 49


def test_audit_queries_do_not_grow(tree, django_assert_num_queries):
    commune = _empty_commune(tree)
    client, _ = _staff_client(commune)
    n, _ = _count(client, "/o/EMPTY/audit/?kind=membership")
    for i in range(49):
        Membership.objects.create(user=make_user(f"nk{i}"), organization=commune, role="member")
    with django_assert_num_queries(n):
        client.get("/o/EMPTY/audit/?kind=membership")


def test_api_children_queries_do_not_grow(tree, django_assert_num_queries):
    commune = _empty_commune(tree)
    _, user = _staff_client(commune)
    client = APIClient()
    client.force_authenticate(user)
    _add_units(commune, 0, 1)
    n, _ = _count(client, "/api/v1/o/EMPTY/children/")
    _add_units(commune, 1, 49)
    with django_assert_num_queries(n):
        response = client.get("/api/v1/o/EMPTY/children/")
    assert response.json()["count"] == 50
