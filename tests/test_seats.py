"""Seats (dvk.seats): a seat admits its holder to the views that accept one, under exactly
the seat's organisation, and to nothing else there; memberships work as before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dvk.enums import Level, Role
from dvk.models import Organization
from dvk.seats import Seat, register_seat_source, seat_source, seats_of, unregister_seat_source
from dvk.selectors import roles_at
from tests.campaigns.builders import campaign
from tests.conftest import add_child, client_for, make_user, persona

LABEL = "Đoàn thẩm định – KH 27-KH/ĐU"


class FakeBoards:
    """A seat source as appraisal would write one: one query whatever the number of seats.
    `calls` counts how often the tenancy check asked it."""

    def __init__(self):
        self.codes = {}
        self.calls = 0

    def seat(self, user, *codes):
        self.codes.setdefault(user.pk, []).extend(codes)

    def __call__(self, user):
        self.calls += 1
        codes = self.codes.get(user.pk, [])
        orgs = Organization.objects.filter(code__in=codes).order_by("path") if codes else []
        return [Seat(organization=o, label=f"{LABEL} ({o.code})", url=f"/o/{o.code}/test-board/") for o in orgs]


@pytest.fixture
def boards(settings):
    settings.ROOT_URLCONF = "tests.urls_seats"
    with seat_source(FakeBoards()) as source:
        yield source


@pytest.fixture
def chairman(tree, boards):
    """The Front's chairman: his own role is at the Front's unit, his seat on the commune's board."""
    user = persona("chu-tich-mttq", tree.mttq, Role.SECRETARY)
    boards.seat(user, "COMM")
    return user


@pytest.fixture
def seat_only(tree, boards):
    user = make_user("chi-ghe")
    boards.seat(user, "COMM")
    return user


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_seat_reaches_the_accepting_view_under_its_organisation(seat_only, chairman):
    for user in (seat_only, chairman):
        response = client_for(user).get("/o/COMM/test-board/")
        assert response.status_code == 200
        assert response.json() == {
            "organization": "COMM",
            "scope": "COMM",
            "via_seat": True,
            "label": f"{LABEL} (COMM)",
        }


def test_a_seat_reaches_the_accepting_api_class(seat_only):
    response = api_for(seat_only).get("/api/v1/test/o/COMM/test-board/")
    assert response.status_code == 200
    assert response.json()["scope"] == "COMM"
    assert response.json()["via_seat"] is True


def test_a_seat_opens_no_ordinary_page_or_api_route_of_its_organisation(tree, seat_only, chairman):
    plan = campaign(tree.commune, "27-KH/ĐU")
    pages = [
        "/o/COMM/",
        "/o/COMM/children/",
        "/o/COMM/registrations/",
        "/o/COMM/campaigns/",
        f"/o/COMM/campaigns/{plan.pk}/",
        f"/o/COMM/campaigns/{plan.pk}/compliance/",
        "/o/COMM/test-plain/",
    ]
    api = [
        "/api/v1/o/COMM/",
        "/api/v1/o/COMM/children/",
        "/api/v1/o/COMM/campaigns/",
        f"/api/v1/o/COMM/campaigns/{plan.pk}/compliance/",
        "/api/v1/o/COMM/registrations/",
        "/api/v1/test/o/COMM/test-plain/",
    ]
    for user in (seat_only, chairman):
        page_client, api_client = client_for(user), api_for(user)
        for url in pages:
            assert page_client.get(url).status_code == 404, (user.username, url)
        for url in api:
            assert api_client.get(url).status_code == 404, (user.username, url)


def test_a_seat_is_at_exactly_its_organisation(tree, seat_only):
    """Not its subtree, not its ancestors, not a sibling, even on a view that accepts seats."""
    client, api_client = client_for(seat_only), api_for(seat_only)
    for code in ("UNIT", "MTTQ", "PROV", "SIBL", "SIBU"):
        assert client.get(f"/o/{code}/test-board/").status_code == 404, code
        assert api_client.get(f"/api/v1/test/o/{code}/test-board/").status_code == 404, code


def test_a_seat_is_no_role_and_grants_no_permission(tree, chairman):
    assert roles_at(chairman, tree.commune) == []
    for perm in ("dvk.view_organization", "campaigns.view_compliance", "dvk.view_members"):
        assert not chairman.has_perm(perm, tree.commune), perm


def test_a_membership_keeps_all_its_access(tree, boards, chairman, commune_staff):
    plan = campaign(tree.commune, "27-KH/ĐU")
    staff = client_for(commune_staff)
    for url in (
        "/o/COMM/",
        "/o/COMM/registrations/",
        f"/o/COMM/campaigns/{plan.pk}/compliance/",
        "/o/COMM/test-plain/",
    ):
        assert staff.get(url).status_code == 200, url
    # A member on a view that accepts seats is let in as a member, not through a seat.
    assert staff.get("/o/COMM/test-board/").json()["via_seat"] is False
    assert staff.get("/o/UNIT/test-board/").json()["via_seat"] is False
    assert api_for(commune_staff).get("/api/v1/test/o/COMM/test-board/").json()["via_seat"] is False
    # The chairman's own role at the Front's unit is untouched by his seat.
    own = client_for(chairman)
    assert own.get("/o/MTTQ/").status_code == 200
    assert own.get("/o/MTTQ/test-board/").json()["via_seat"] is False


def test_the_tenancy_check_asks_seat_sources_only_for_views_that_accept_seats(commune_staff, seat_only, boards):
    """Responses without the header (a plain page, the API's JSON 404), so only the check could ask."""
    assert client_for(commune_staff).get("/o/COMM/test-plain/").status_code == 200
    assert api_for(seat_only).get("/api/v1/test/o/COMM/test-plain/").status_code == 404
    assert boards.calls == 0
    assert api_for(seat_only).get("/api/v1/test/o/COMM/test-board/").status_code == 200
    assert boards.calls == 1


def test_switcher_lists_seats_with_their_label_and_link(tree, chairman):
    client = client_for(chairman)
    html = client.get("/o/MTTQ/").content.decode()
    assert f"{LABEL} (COMM)" in html
    assert 'href="/o/COMM/test-board/"' in html
    picker = client.get("/orgs/").content.decode()
    assert f"{LABEL} (COMM)" in picker and 'href="/o/COMM/test-board/"' in picker


def test_a_seat_holders_page_has_no_links_to_the_organisations_closed_pages(seat_only):
    html = client_for(seat_only).get("/o/COMM/test-board-page/").content.decode()
    assert f"{LABEL} (COMM)" in html
    for closed in ('href="/o/COMM/"', 'href="/o/COMM/campaigns/"', 'href="/o/COMM/registrations/"'):
        assert closed not in html, closed


def test_a_user_whose_only_link_is_one_seat_starts_at_its_page(seat_only):
    response = client_for(seat_only).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/o/COMM/test-board/"


def test_me_lists_seats_apart_from_organisations(chairman):
    data = api_for(chairman).get("/api/v1/me/").json()
    assert [(o["organization"]["code"], o["roles"]) for o in data["organizations"]] == [("MTTQ", ["secretary"])]
    assert [(s["organization"]["code"], s["label"], s["url"]) for s in data["seats"]] == [
        ("COMM", f"{LABEL} (COMM)", "/o/COMM/test-board/")
    ]


def test_me_without_sources_lists_no_seats(commune_staff):
    assert api_for(commune_staff).get("/api/v1/me/").json()["seats"] == []


def _queries(client, url):
    client.get(url)  # warm per-process caches so both sizes compare alike
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_tenancy_check_queries_do_not_grow_with_seats(tree, boards, seat_only):
    few = _queries(client_for(seat_only), "/o/COMM/test-board/")
    api_few = _queries(api_for(seat_only), "/api/v1/test/o/COMM/test-board/")
    for i in range(8):
        add_child(tree.province, f"B{i}", f"Xã {i}", Level.COMMUNE)
        boards.seat(seat_only, f"B{i}")
    assert len(seats_of(make_fresh(seat_only))) == 9
    assert _queries(client_for(seat_only), "/o/COMM/test-board/") == few
    assert _queries(api_for(seat_only), "/api/v1/test/o/COMM/test-board/") == api_few


def make_fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_seats_leave_out_archived_organisations(tree, seat_only):
    from django.utils import timezone

    Organization.objects.filter(pk=tree.commune.pk).update(archived_at=timezone.now())
    assert seats_of(make_fresh(seat_only)) == []
    assert client_for(seat_only).get("/o/COMM/test-board/").status_code == 404


def test_unregistering_a_source_removes_its_seats(tree):
    user = make_user("tam-thoi")
    source = FakeBoards()
    source.seat(user, "COMM")
    register_seat_source(source)
    register_seat_source(source)  # twice is once
    try:
        assert len(seats_of(make_fresh(user))) == 1
    finally:
        unregister_seat_source(source)
    assert seats_of(make_fresh(user)) == []
