"""The search picker (dvk/pickers.py): its organisation source, its search endpoint, and the
forms that use it (quota targets and exceptions, campaign targets, the list filter, moves)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from campaigns.enums import CampaignStatus
from campaigns.forms import QuotaForm
from campaigns.models import Quota
from dvk.enums import Kind, Level
from dvk.pickers import LIMIT, SOURCES, PickerField, Source, register_source
from tests.campaigns.builders import campaign
from tests.conftest import add_child, client_for, make_user

ORGS = SOURCES["organizations"]


def search(root, query):
    return ORGS.search(None, root, query)


def labels(result):
    return [c.label for c in result.choices]


@pytest.fixture
def police(tree):
    """A province agency with a unit of its own, and a namesake in the sibling commune."""
    agency = add_child(tree.province, "CATINH", "Công an tỉnh Nghệ An", Level.UNIT, Kind.POLICE)
    add_child(agency, "CA-PC06", "Phòng Cảnh sát quản lý hành chính", Level.UNIT, Kind.POLICE)
    add_child(tree.commune, "CAXA", "Công an xã Diễn Châu", Level.UNIT, Kind.POLICE)
    add_child(tree.sibling, "CAXA-DT", "Công an xã Diễn Thịnh", Level.UNIT, Kind.POLICE)


@pytest.fixture
def draft(tree):
    return campaign(tree.commune, "12-KH/ĐU", status=CampaignStatus.DRAFT, target_levels=["unit"])


# --- the organisation source ----------------------------------------------------------------


def test_a_name_is_found_typed_without_diacritics_or_by_its_code(tree, police):
    assert labels(search(tree.province, "cong an tinh")) == ["Công an tỉnh Nghệ An"]
    # Every word must appear, in any order; case and marks do not matter.
    assert labels(search(tree.province, "TỈNH công")) == ["Công an tỉnh Nghệ An"]
    assert labels(search(tree.province, "uy ban mttq")) == ["Ủy ban MTTQ xã Diễn Châu"]
    # By code: the exact code comes first, then codes that contain it.
    assert [c.value for c in search(tree.province, "caxa").choices] == ["CAXA", "CAXA-DT"]
    assert [c.value for c in search(tree.province, "pc06").choices] == ["CA-PC06"]


def test_each_word_typed_starts_a_word_of_the_name(tree, police):
    add_child(tree.commune, "BCT1", "Ban công tác Mặt trận Xóm 1", Level.UNIT, Kind.FATHERLAND_FRONT)
    add_child(tree.commune, "CB15", "Chi bộ Xóm 15")
    # "an" is inside "Ban", "5" inside "15": neither is a match.
    assert labels(search(tree.commune, "cong an")) == ["Công an xã Diễn Châu"]
    # A word typed may be the start of one: "xom 1" also offers "Xóm 15", after the shorter name.
    assert labels(search(tree.commune, "xom 1")) == ["Chi bộ Xóm 1", "Chi bộ Xóm 15", "Ban công tác Mặt trận Xóm 1"]
    assert labels(search(tree.commune, "xom 15")) == ["Chi bộ Xóm 15"]


def test_each_match_shows_its_place_in_the_tree_from_the_root_down(tree, police):
    [pc06] = search(tree.province, "phong canh sat").choices
    assert pc06.context == "Tỉnh Nghệ An › Công an tỉnh Nghệ An"
    by_value = {c.value: c for c in search(tree.province, "cong an").choices}
    assert by_value["CATINH"].context == "Tỉnh Nghệ An"
    assert by_value["CAXA"].context == "Tỉnh Nghệ An › Xã Diễn Châu"
    assert by_value["CAXA"].detail == "Đơn vị, chi bộ, đoàn thể · CAXA"
    # Seen from the commune, the path starts at the commune.
    assert [(c.value, c.context) for c in search(tree.commune, "cong an").choices] == [("CAXA", "Xã Diễn Châu")]


def test_matches_stay_in_the_roots_subtree(tree, police):
    assert labels(search(tree.commune, "cong an")) == ["Công an xã Diễn Châu"]
    assert search(tree.commune, "SIBU").choices == []
    assert search(tree.commune, "cong an tinh").choices == []
    assert labels(search(tree.unit, "chi bo")) == ["Chi bộ Xóm 1"]  # the root itself is a match


def test_archived_organisations_are_not_offered(tree, police):
    with scopes_disabled():
        from dvk.models import Organization

        Organization.objects.filter(code="CAXA").update(archived_at=timezone.now())
    assert search(tree.commune, "cong an").choices == []


def test_results_are_capped_and_say_so(tree):
    for i in range(LIMIT + 5):
        add_child(tree.commune, f"TO{i:02d}", f"Tổ tự quản {i:02d}", Level.VILLAGE, Kind.COMMUNITY)
    result = search(tree.commune, "to tu quan")
    assert len(result.choices) == LIMIT and result.more
    assert labels(result)[:2] == ["Tổ tự quản 00", "Tổ tự quản 01"]
    exact = search(tree.commune, "to tu quan 07")
    assert labels(exact) == ["Tổ tự quản 07"] and not exact.more


def test_a_query_too_short_searches_nothing(tree):
    for query in ("", " ", "c", "đ "):
        result = search(tree.commune, query)
        assert result.too_short and result.choices == []


def test_another_app_adds_a_source_of_its_own(tree, as_commune_staff):
    """The appraisal board will pick people: a source registered from elsewhere is served by
    the same endpoint, and may refuse a searcher the middleware let in."""
    from dvk.pickers import Choice

    class Everyone(Source):
        key = "test-people"

        def allowed(self, request, root):
            return request.user.has_perm("dvk.manage_members", root)

        def matches(self, request, root, query, limit):
            return [Choice(value="42", label=f"Người tên {query}")][:limit]

        def resolve(self, root, values):
            return {}

    register_source(Everyone())
    try:
        body = as_commune_staff.get("/o/COMM/pick/test-people/?q=lan").content.decode()
        assert 'data-value="42"' in body and "Người tên lan" in body
        secretary = make_user("bi-thu-thu")
        from dvk.models import Membership

        Membership.objects.create(user=secretary, organization=tree.unit, role="secretary")
        assert client_for(secretary).get("/o/UNIT/pick/test-people/?q=lan").status_code == 403
    finally:
        SOURCES.pop("test-people")


# --- the endpoint ---------------------------------------------------------------------------


def test_the_endpoint_answers_options_with_their_path(as_commune_staff, police):
    response = as_commune_staff.get("/o/COMM/pick/organizations/", {"q": "cong an"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('role="option" class="picker-option"') == 1
    assert 'data-value="CAXA"' in body and "Xã Diễn Châu" in body
    assert "Diễn Thịnh" not in body and "Công an tỉnh" not in body
    none = as_commune_staff.get("/o/COMM/pick/organizations/", {"q": "cong an tinh"}).content.decode()
    assert "Không tìm thấy “cong an tinh” trong phạm vi của Xã Diễn Châu." in none
    short = as_commune_staff.get("/o/COMM/pick/organizations/", {"q": "c"}).content.decode()
    assert "Gõ ít nhất 2 ký tự" in short and "picker-option" not in short


def test_another_tenants_root_or_an_unknown_source_is_not_found(as_commune_staff, police):
    assert as_commune_staff.get("/o/SIBL/pick/organizations/", {"q": "cong an"}).status_code == 404
    assert as_commune_staff.get("/o/PROV/pick/organizations/", {"q": "cong an"}).status_code == 404
    assert as_commune_staff.get("/o/COMM/pick/nothing/", {"q": "cong an"}).status_code == 404


def _count(client, url):
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_endpoint_runs_the_same_queries_for_few_and_many_matches(tree, province_staff, django_assert_num_queries):
    client = client_for(province_staff)
    village = add_child(tree.unit, "THON0", "Thôn Đông 0", Level.VILLAGE, Kind.COMMUNITY)
    url = "/o/PROV/pick/organizations/?q=thon+dong"
    n, body = _count(client, url)
    assert body.count('class="picker-option"') == 1
    for i in range(1, 40):
        parent = tree.mttq if i % 2 else village
        add_child(parent, f"THON{i}", f"Thôn Đông {i}", Level.VILLAGE, Kind.COMMUNITY)
    with django_assert_num_queries(n):
        body = client.get(url).content.decode()
    assert body.count('class="picker-option"') == LIMIT and "gõ thêm để thu hẹp" in body


# --- the forms ------------------------------------------------------------------------------


def quota_data(**changes):
    data = {"label": "Công an: 01 mô hình", "scope": "per_target", "min_total": "1", "min_collective": "0"}
    data["min_individual"] = "0"
    data.update(changes)
    return data


def test_picked_codes_are_saved_and_shown_again_as_chips(as_commune_staff, draft, police):
    url = f"/o/COMM/campaigns/{draft.pk}/quotas/new/"
    page = as_commune_staff.get(url).content.decode()
    # The picker searches the campaign organisation's subtree; the plain field is still there.
    assert 'hx-get="/o/COMM/pick/organizations/"' in page
    assert 'name="organization_codes"' in page and 'role="combobox"' in page
    response = as_commune_staff.post(url, quota_data(organization_codes="CAXA\nUNIT", excluded_codes="mttq"))
    assert response.status_code == 302
    with scopes_disabled():
        q = Quota.objects.get(campaign=draft)
        assert [o.code for o in q.organizations.order_by("path")] == ["UNIT", "CAXA"]
        assert [o.code for o in q.excluded.all()] == ["MTTQ"]
    page = as_commune_staff.get(f"/o/COMM/campaigns/{draft.pk}/quotas/{q.pk}/edit/").content.decode()
    chips = re.findall(r'class="picker-chip" data-value="([A-Z0-9_-]+)"', page)
    assert chips == ["UNIT", "CAXA", "MTTQ"]
    assert "Công an xã Diễn Châu" in page and "Bỏ chọn Công an xã Diễn Châu" in page


def test_a_foreign_or_unknown_code_is_refused_and_changes_nothing(as_commune_staff, draft, police):
    url = f"/o/COMM/campaigns/{draft.pk}/quotas/new/"
    response = as_commune_staff.post(url, quota_data(organization_codes="CAXA\nCAXA-DT\nKHONG-CO"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Không tìm thấy mã “CAXA-DT”, “KHONG-CO” trong phạm vi của Xã Diễn Châu." in page
    # The refused values stay in the field, as typed, without the foreign one's name.
    assert 'picker-chip picker-chip-unknown" data-value="CAXA-DT"' in page
    assert "Công an xã Diễn Thịnh" not in page
    with scopes_disabled():
        assert not Quota.objects.filter(campaign=draft).exists()


def test_the_quota_form_binds_its_pickers_to_the_campaign_organisation(tree, police):
    province_plan = campaign(tree.province, "99-KH/TU", status=CampaignStatus.DRAFT)
    with scopes_disabled():
        form = QuotaForm(quota_data(organization_codes="caxa ca-pc06"), campaign=province_plan)
        assert form.is_valid(), form.errors
    assert [o.code for o in form.cleaned_data["organization_codes"]] == ["CAXA", "CA-PC06"]
    assert form.fields["excluded_codes"].widget.root == tree.province


def test_campaign_targets_use_the_picker(as_commune_staff, tree, police):
    page = as_commune_staff.get("/o/COMM/campaigns/new/").content.decode()
    assert 'id="id_target_codes-search"' in page and 'hx-get="/o/COMM/pick/organizations/"' in page


def test_the_list_filter_keeps_org_code_and_shows_it_as_a_chip(as_commune_staff, tree, police):
    page = as_commune_staff.get("/o/COMM/registrations/", {"org": "caxa"}).content.decode()
    assert re.findall(r'class="picker-chip" data-value="([A-Z0-9_-]+)"', page) == ["CAXA"]
    assert 'name="org" value="CAXA"' in page
    page = as_commune_staff.get("/o/COMM/registrations/", {"org": "CAXA-DT"}).content.decode()
    assert "Không có tổ chức mã CAXA-DT trong phạm vi được xem." in page
    assert "Công an xã Diễn Thịnh" not in page


def test_the_move_form_picks_the_new_parent(tree, province_staff):
    client = client_for(province_staff)
    page = client.get("/o/UNIT/move/").content.decode()
    assert 'hx-get="/o/PROV/pick/organizations/"' in page and 'name="new_parent_code"' in page
    assert client.post("/o/UNIT/move/", {"new_parent_code": "sibl"}).status_code == 302
    from dvk.models import Organization

    unit = Organization.objects.get(code="UNIT")
    assert unit.path[: -unit.steplen] == Organization.objects.get(code="SIBL").path


def test_a_single_picker_keeps_what_was_typed_whole():
    field = PickerField(source="organizations", multiple=False)
    assert field.clean(" cong an ") == "CONG AN"
    assert PickerField(source="organizations").clean("a, b\nA c") == ["A", "B", "C"]
