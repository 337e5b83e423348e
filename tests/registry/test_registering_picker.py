"""The unit picker of the open-campaigns page ("Đăng ký cho đơn vị"): the registry's search
source `registering-units` (models_registry/pickers.py) offers the units the user may register
for (models_registry.add_registration), found by name without diacritics, and nothing else."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dvk.enums import Kind, Level, Role
from dvk.models import Membership, Organization
from dvk.pickers import LIMIT, SOURCES
from tests.campaigns.builders import campaign
from tests.conftest import add_child, client_for, persona

UNITS = SOURCES["registering-units"]


def options(response):
    assert response.status_code == 200
    return re.findall(
        r'class="picker-option" aria-selected="false" data-value="([A-Z0-9_-]+)"', response.content.decode()
    )


def pick(client, code, query):
    return client.get(f"/o/{code}/pick/registering-units/", {"q": query})


@pytest.fixture
def cells(tree):
    """A second party cell of the commune, with a name that has marks to drop."""
    return add_child(tree.commune, "DONGHO", "Chi bộ Xóm Đông Hồ")


def test_the_source_is_registered_by_the_registry_app():
    # dvk does not import models_registry: the app's ready() brought the source.
    assert type(UNITS).__module__ == "models_registry.pickers"


def test_staff_find_a_unit_of_their_subtree_without_diacritics_with_its_place(tree, cells, province_staff):
    client = client_for(province_staff)
    response = pick(client, "PROV", "xom dong ho")
    assert options(response) == ["DONGHO"]
    body = response.content.decode()
    assert 'data-context="Tỉnh Nghệ An › Xã Diễn Châu"' in body
    # Staff of the province register for any unit of it, the sibling commune's included.
    assert options(pick(client, "PROV", "chi bo xom")) == ["UNIT", "SIBU", "DONGHO"]
    # Seen from the commune, the commune's units only, and the commune itself.
    commune = client_for(persona("can-bo-xa-2", tree.commune, Role.STAFF))
    assert options(pick(commune, "COMM", "chi bo xom")) == ["UNIT", "DONGHO"]
    assert options(pick(commune, "COMM", "dien chau")) == ["COMM", "MTTQ"]
    assert options(pick(commune, "COMM", "SIBU")) == []


def test_a_sibling_units_secretary_finds_only_its_own_unit(tree, cells):
    secretary = client_for(persona("bi-thu-dong-ho", cells, Role.SECRETARY))
    none = pick(secretary, "DONGHO", "chi bo xom 1")
    assert options(none) == []
    assert "Chi bộ Xóm 1" not in none.content.decode()
    assert "Không tìm thấy “chi bo xom 1” trong phạm vi của Chi bộ Xóm Đông Hồ." in none.content.decode()
    assert options(pick(secretary, "DONGHO", "UNIT")) == []
    assert options(pick(secretary, "DONGHO", "chi bo")) == ["DONGHO"]
    # Through the commune, where it has no role: not found.
    assert pick(secretary, "COMM", "chi bo").status_code == 404


def test_the_sibling_communes_staff_cannot_search_our_commune(tree, outsider):
    client = client_for(outsider)
    assert pick(client, "COMM", "chi bo").status_code == 404
    assert pick(client, "UNIT", "chi bo").status_code == 404
    assert options(pick(client, "SIBL", "chi bo xom")) == ["SIBU"]


def test_only_the_units_the_rule_allows_are_offered(tree, cells):
    """A reviewer of the commune (member: may register for nothing there) who is also the
    secretary of one cell and staff of the MTTQ: the search offers exactly the units
    add_registration allows, checked against the rule unit by unit."""
    user = persona("nhieu-vai", tree.commune, Role.MEMBER)
    front_branch = add_child(tree.mttq, "MTTQ-CTD", "Chi hội Chữ thập đỏ Diễn Châu", kind=Kind.FATHERLAND_FRONT)
    Membership.objects.create(user=user, organization=cells, role=Role.SECRETARY)
    Membership.objects.create(user=user, organization=tree.mttq, role=Role.STAFF)
    client = client_for(user)
    offered = set()
    for query in ("chi", "xom", "dien chau", "uy ban", "chu thap"):
        offered |= set(options(pick(client, "COMM", query)))
    assert offered == {"DONGHO", "MTTQ", front_branch.code}
    user = type(user).objects.get(pk=user.pk)  # its memberships as they are now
    commune = Organization.objects.filter(path__startswith=tree.commune.path)
    assert {o.code for o in commune if user.has_perm("models_registry.add_registration", o)} == offered
    # The page offers the picker (more than one unit), the commune itself not chosen for it.
    assert client.get("/o/COMM/registrations/open/", {"org": "MTTQ"}).context["picker"] is not None
    assert client.get("/o/COMM/registrations/open/").status_code == 403


def test_a_member_is_offered_nothing(tree):
    client = client_for(persona("tham-dinh", tree.commune, Role.MEMBER))
    assert options(pick(client, "COMM", "chi bo")) == []


def test_archived_units_are_not_offered(tree, cells, commune_staff):
    Organization.objects.filter(pk=cells.pk).update(archived_at=timezone.now())
    assert options(pick(client_for(commune_staff), "COMM", "chi bo xom")) == ["UNIT"]


def _count(client, url):
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_search_runs_the_same_queries_for_few_and_many_units(tree, province_staff, django_assert_num_queries):
    user = province_staff
    # More memberships add no query either: they are read once per request.
    Membership.objects.create(user=user, organization=tree.unit, role=Role.SECRETARY)
    client = client_for(user)
    add_child(tree.unit, "THON0", "Thôn Đông 0", Level.VILLAGE, Kind.COMMUNITY)
    url = "/o/PROV/pick/registering-units/?q=thon+dong"
    n = _count(client, url)
    for i in range(1, 40):
        parent = tree.sibling_unit if i % 2 else tree.mttq
        add_child(parent, f"THON{i}", f"Thôn Đông {i}", Level.VILLAGE, Kind.COMMUNITY)
    Membership.objects.create(user=user, organization=tree.mttq, role=Role.STAFF)
    with django_assert_num_queries(n):
        response = client.get(url)
    assert len(options(response)) == LIMIT and "gõ thêm để thu hẹp" in response.content.decode()


# --- the open-campaigns page ----------------------------------------------------------------


def test_a_secretary_of_one_unit_is_not_asked_to_pick(tree, secretary):
    response = client_for(secretary).get("/o/UNIT/registrations/open/")
    assert response.status_code == 200
    assert response.context["picker"] is None
    assert "registering-units" not in response.content.decode()


def test_the_picked_unit_is_shown_as_the_chip_and_its_campaigns_listed(tree, cells, province_staff):
    plan = campaign(tree.commune, "11-KH/ĐU", target_kinds=["party_cell"])
    client = client_for(province_staff)
    # The query string keeps its format: ?org=CODE (links, and the page without JavaScript).
    response = client.get("/o/PROV/registrations/open/", {"org": "DONGHO"})
    assert response.status_code == 200
    assert [row["campaign"] for row in response.context["rows"]] == [plan]
    page = response.content.decode()
    assert re.findall(r'class="picker-chip" data-value="([A-Z0-9_-]+)"', page) == ["DONGHO"]
    assert "Tỉnh Nghệ An › Xã Diễn Châu" in page
    assert 'hx-get="/o/PROV/pick/registering-units/"' in page
    assert f"/o/PROV/registrations/new/{plan.pk}/?subject=collective&amp;org=DONGHO" in page
    # A code typed in lower case without the script is the same unit.
    typed = client.get("/o/PROV/registrations/open/", {"org": " dongho "})
    assert typed.status_code == 200 and typed.context["registering"].code == "DONGHO"


def test_a_code_outside_the_users_rights_is_refused_on_the_page(tree, cells, commune_staff):
    client = client_for(commune_staff)
    assert client.get("/o/COMM/registrations/open/", {"org": "SIBU"}).status_code == 404
    secretary = client_for(persona("bi-thu-dong-ho", cells, Role.SECRETARY))
    assert secretary.get("/o/DONGHO/registrations/open/", {"org": "UNIT"}).status_code == 404
