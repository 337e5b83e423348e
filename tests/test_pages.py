"""The acting organisation in the URL: who gets in, who gets 404, who gets 403."""

import pytest
from django.urls import reverse

from tests.conftest import client_for


def test_anonymous_is_sent_to_login(tree, client):
    response = client.get(reverse("org_tree", args=["COMM"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/o/COMM/")


def test_staff_sees_own_tree(as_commune_staff, tree):
    response = as_commune_staff.get(reverse("org_tree", args=["COMM"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Chi bộ Xóm 1" in body
    assert "Xã Diễn Thịnh" not in body


def test_staff_reaches_nodes_below(as_commune_staff):
    assert as_commune_staff.get(reverse("org_tree", args=["UNIT"])).status_code == 200


@pytest.mark.parametrize("code", ["SIBL", "SIBU", "PROV", "NOPE"])
def test_commune_staff_gets_404_outside_their_subtree(as_commune_staff, code):
    assert as_commune_staff.get(reverse("org_tree", args=[code])).status_code == 404


def test_user_without_role_gets_404(nobody):
    assert client_for(nobody).get(reverse("org_tree", args=["COMM"])).status_code == 404


def test_secretary_acts_for_own_unit_only(secretary):
    client = client_for(secretary)
    assert client.get(reverse("org_tree", args=["UNIT"])).status_code == 200
    assert client.get(reverse("org_tree", args=["COMM"])).status_code == 404
    assert client.get(reverse("org_tree", args=["MTTQ"])).status_code == 404


def test_secretary_without_the_role_gets_403(secretary):
    client = client_for(secretary)
    assert client.get(reverse("org_edit", args=["UNIT"])).status_code == 403
    assert client.get(reverse("member_add", args=["UNIT"])).status_code == 403
    assert client.get(reverse("org_import", args=["UNIT"])).status_code == 403


def test_staff_cannot_rename_the_node_they_act_for(as_commune_staff):
    # Renaming the commune itself belongs to the province's staff.
    assert as_commune_staff.get(reverse("org_edit", args=["COMM"])).status_code == 403


def test_home_redirects_single_role_user_to_their_organization(commune_staff):
    response = client_for(commune_staff).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/o/COMM/"


def test_home_offers_a_choice_to_users_with_several_roles(tree, commune_staff):
    from dvk.models import Membership

    Membership.objects.create(user=commune_staff, organization=tree.sibling_unit, role="member")
    client = client_for(commune_staff)
    assert client.get("/")["Location"] == "/orgs/"
    body = client.get("/orgs/").content.decode()
    assert "Xã Diễn Châu" in body and "Chi bộ Xóm 9" in body


def test_tree_search_ignores_diacritics(as_commune_staff):
    body = as_commune_staff.get(reverse("org_tree", args=["COMM"]), {"q": "uy ban mttq"}).content.decode()
    assert "Ủy ban MTTQ xã Diễn Châu" in body
    assert "Chi bộ Xóm 1" not in body


def test_children_partial_lists_children(as_commune_staff):
    body = as_commune_staff.get(reverse("org_children", args=["COMM"])).content.decode()
    assert "Chi bộ Xóm 1" in body and "Ủy ban MTTQ" in body


def test_dates_render_dd_mm_yyyy_in_ho_chi_minh_time(as_commune_staff, commune_staff):
    import datetime

    from dvk.models import Membership

    moment = datetime.datetime(2026, 3, 4, 20, 30, tzinfo=datetime.UTC)  # 05/03/2026 03:30 in Hanoi
    Membership.objects.filter(user=commune_staff).update(created_at=moment)
    body = as_commune_staff.get(reverse("members", args=["COMM"])).content.decode()
    assert "05/03/2026" in body


def test_pagination_keeps_the_search_and_replaces_the_page(as_commune_staff, tree):
    from dvk.models import Organization

    for i in range(55):
        Organization.objects.add_child(
            tree.commune, {"code": f"P{i:02d}", "name": f"Chi bộ Thôn {i}", "level": "unit", "kind": "party_cell"}
        )
    body = as_commune_staff.get(reverse("org_tree", args=["COMM"]), {"q": "thon", "page": "1"}).content.decode()
    assert 'href="?q=thon&amp;page=2"' in body


def test_a_permission_of_another_app_asked_of_an_organization_is_a_plain_no(secretary, tree):
    # django-guardian alone would raise WrongAppError here (campaigns.* perm, dvk object).
    assert secretary.has_perm("campaigns.add_campaign", tree.unit) is False
    client = client_for(secretary)
    assert client.get("/o/UNIT/campaigns/new/").status_code == 403


def test_home_takes_a_unit_secretary_to_the_campaigns_open_to_their_unit(secretary):
    assert client_for(secretary).get("/")["Location"] == "/o/UNIT/registrations/open/"
