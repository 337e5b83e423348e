"""The search picker (dvk/pickers.py): its organisation source, its search endpoint, and the
forms that use it (quota targets and exceptions, campaign targets, the list filter, moves)."""

import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from campaigns.enums import CampaignStatus
from campaigns.forms import QuotaForm
from campaigns.models import Quota
from dvk.enums import Kind, Level
from dvk.pickers import LIMIT, SOURCES, PickerField, Source, people_from_usernames, register_source
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


# --- the people source ----------------------------------------------------------------------

PEOPLE = SOURCES["people"]


def people(root, query):
    return PEOPLE.search(None, root, query)


def member(username, full_name, *roles, **extra):
    """A person with (organisation, role) pairs; e-mail and phone that must never be shown."""
    from dvk.models import Membership

    user = make_user(username, full_name=full_name, phone="0912 345 678", **extra)
    for org, role in roles:
        Membership.objects.create(user=user, organization=org, role=role)
    return user


@pytest.fixture
def crowd(tree):
    """The commune's staff, the Front's chairman (a role at a unit of the commune), a cell's
    secretary, and people the commune must never offer."""
    cell = add_child(tree.commune, "XOM5", "Chi bộ Xóm 5")
    return type(
        "Crowd",
        (),
        {
            "lan": member("lan.nt", "Nguyễn Thị Lan", (tree.commune, "staff"), (cell, "secretary")),
            "hung": member("hung-mttq", "Trần Văn Hùng", (tree.mttq, "staff")),
            "tam": member("tam.bt", "Lê Thị Tâm", (tree.unit, "secretary"), (tree.sibling, "staff")),
            "sibling": member("lanh.dt", "Nguyễn Thị Lanh", (tree.sibling, "staff")),
            "province": member("lan-anh", "Phạm Lan Anh", (tree.province, "staff")),
            "gone": member("lam.cu", "Nguyễn Văn Lâm", (tree.unit, "member"), is_active=False),
        },
    )


def test_people_are_found_by_name_without_diacritics_or_by_username(tree, crowd):
    assert labels(people(tree.commune, "nguyen thi lan")) == ["Nguyễn Thị Lan"]
    assert labels(people(tree.commune, "LAN nguyễn")) == ["Nguyễn Thị Lan"]  # any order, any case
    assert labels(people(tree.commune, "hung")) == ["Trần Văn Hùng"]
    # Each word typed starts a word of the name: "am" is inside "Tâm" and "Lâm", no match.
    assert labels(people(tree.commune, "am")) == []
    # By username, its start or whole (exact first).
    assert [c.value for c in people(tree.commune, "tam.bt").choices] == ["tam.bt"]
    assert [c.value for c in people(tree.commune, "HUNG-M").choices] == ["hung-mttq"]


def test_a_person_shows_their_roles_in_the_subtree_and_never_their_contacts(tree, crowd):
    [lan] = people(tree.commune, "lan").choices
    assert (lan.label, lan.value, lan.detail) == ("Nguyễn Thị Lan", "lan.nt", "lan.nt")
    assert lan.context == "Cán bộ – Xã Diễn Châu; Bí thư – Chi bộ Xóm 5"
    # Tâm is also staff of the sibling commune: that role is another tenant's, not shown.
    [tam] = people(tree.commune, "le thi tam").choices
    assert tam.context == "Bí thư – Chi bộ Xóm 1"
    [hung] = people(tree.commune, "tran van").choices
    assert hung.context == "Cán bộ – Ủy ban MTTQ xã Diễn Châu"


def test_people_stay_in_the_roots_subtree_and_active(tree, crowd):
    # Neither the sibling commune's Lanh, nor the province's Lan Anh, from the commune.
    assert labels(people(tree.commune, "lan")) == ["Nguyễn Thị Lan"]
    assert people(tree.commune, "lanh.dt").choices == []
    # From the province, everyone active is below it (a word of the name: shorter names first).
    assert labels(people(tree.province, "lan")) == ["Phạm Lan Anh", "Nguyễn Thị Lan", "Nguyễn Thị Lanh"]
    # A cell's root offers its own people only; a deactivated account is never offered.
    assert labels(people(tree.unit, "le")) == ["Lê Thị Tâm"]
    assert people(tree.unit, "nguyen van lam").choices == []
    assert people(tree.unit, "lam.cu").choices == []


def test_a_role_in_an_archived_organisation_does_not_count(tree, crowd):
    from dvk.models import Organization

    Organization.objects.filter(code="MTTQ").update(archived_at=timezone.now())
    assert people(tree.commune, "hung").choices == []


def test_only_staff_of_the_root_or_above_may_search_people(tree, crowd, province_staff, secretary):
    from dvk.models import Membership

    assert client_for(province_staff).get("/o/COMM/pick/people/?q=lan").status_code == 200
    # The Front's staff is staff of the Front, not of the commune: its code is not his to search.
    hung = client_for(crowd.hung)
    assert hung.get("/o/MTTQ/pick/people/?q=hung").status_code == 200
    assert hung.get("/o/COMM/pick/people/?q=lan").status_code == 404  # no role at the commune
    # A unit's secretary lists nobody, even of its own unit; a commune's read-only member neither.
    assert client_for(secretary).get("/o/UNIT/pick/people/?q=tam").status_code == 403
    viewer = make_user("xem-xa")
    Membership.objects.create(user=viewer, organization=tree.commune, role="member")
    assert client_for(viewer).get("/o/COMM/pick/people/?q=lan").status_code == 403
    assert client_for(viewer).get("/o/COMM/pick/organizations/?q=chi").status_code == 200


def test_the_people_endpoint_shows_names_and_roles_and_nothing_else(as_commune_staff, as_outsider, crowd):
    response = as_commune_staff.get("/o/COMM/pick/people/", {"q": "nguyen"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="picker-option"') == 1
    assert 'data-value="lan.nt"' in body and "Cán bộ – Xã Diễn Châu; Bí thư – Chi bộ Xóm 5" in body
    assert "@example.test" not in body and "0912" not in body
    assert "Nguyễn Thị Lanh" not in body and "Nguyễn Văn Lâm" not in body
    # The sibling commune's staff: our code is not found; its own finds its own people only.
    assert as_outsider.get("/o/COMM/pick/people/", {"q": "nguyen"}).status_code == 404
    theirs = as_outsider.get("/o/SIBL/pick/people/", {"q": "nguyen"}).content.decode()
    assert 'data-value="lanh.dt"' in theirs and "Nguyễn Thị Lan<" not in theirs
    assert "Xóm 1" not in theirs  # Tâm is theirs too, but her cell is not
    tam = as_outsider.get("/o/SIBL/pick/people/", {"q": "tam"}).content.decode()
    assert "Cán bộ – Xã Diễn Thịnh" in tam and "Chi bộ Xóm 1" not in tam


def test_the_people_endpoint_is_capped_and_runs_the_same_queries_at_any_size(
    tree, commune_staff, django_assert_num_queries
):
    client = client_for(commune_staff)
    member("tho.0", "Đặng Văn Thọ 0", (tree.unit, "secretary"), (tree.mttq, "member"))
    url = "/o/COMM/pick/people/?q=dang+van"
    n, body = _count(client, url)
    assert body.count('class="picker-option"') == 1
    for i in range(1, 40):
        member(
            f"tho.{i}", f"Đặng Văn Thọ {i}", (tree.unit if i % 2 else tree.mttq, "secretary"), (tree.commune, "member")
        )
    with django_assert_num_queries(n):
        body = client.get(url).content.decode()
    assert body.count('class="picker-option"') == LIMIT and "gõ thêm để thu hẹp" in body


class BoardForm(forms.Form):
    """What a board's form (the appraisal app) does with the people picker."""

    members = PickerField(source="people", multiple=True, label="Thành viên")

    def __init__(self, *args, root, **kwargs):
        super().__init__(*args, **kwargs)
        self.root = root
        self.fields["members"].bind(root)

    def clean_members(self):
        return people_from_usernames(self.root, self.cleaned_data["members"])


def test_a_form_cleans_picked_usernames_to_the_subtrees_people(tree, crowd):
    form = BoardForm({"members": "lan.nt\nhung-mttq, lan.nt"}, root=tree.commune)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["members"] == [crowd.lan, crowd.hung]
    # Shown again, the picked usernames are chips with the names and roles.
    page = str(form["members"])
    assert 'hx-get="/o/COMM/pick/people/"' in page and 'autocapitalize="none"' in page
    assert re.findall(r'class="picker-chip" data-value="([^"]+)"', page) == ["lan.nt", "hung-mttq"]
    assert "Trần Văn Hùng" in page


def test_a_form_refuses_a_sibling_communes_or_unknown_username(tree, crowd):
    form = BoardForm({"members": "lan.nt lanh.dt khong-co lan-anh lam.cu"}, root=tree.commune)
    assert not form.is_valid()
    assert form.errors["members"] == [
        "Không tìm thấy người có tên đăng nhập “lanh.dt”, “khong-co”, “lan-anh”, “lam.cu” "
        "trong phạm vi của Xã Diễn Châu."
    ]
    page = str(form["members"])
    assert 'picker-chip picker-chip-unknown" data-value="lanh.dt"' in page and "Nguyễn Thị Lanh" not in page


def test_a_users_search_name_follows_their_name(tree):
    from dvk.models import User

    user = make_user("doi-ten", full_name="Hoàng Thị Thuỷ")
    assert User.objects.get(pk=user.pk).search_name == "hoang thi thuy"
    user.full_name = "Hoàng  Thị Thủy Tiên"
    user.save(update_fields=["full_name"])
    assert User.objects.get(pk=user.pk).search_name == "hoang thi thuy tien"


def test_the_migration_fills_the_search_name_of_existing_people(tree):
    import importlib

    from django.apps import apps

    from dvk.models import User

    fill = importlib.import_module("dvk.migrations.0007_user_search_name").fill_search_names
    make_user("cu-1", full_name="Đỗ Thị Huệ")
    make_user("cu-2", full_name="", first_name="Văn", last_name="Ất")
    User.objects.update(search_name="")
    fill(apps, None)
    assert dict(User.objects.values_list("username", "search_name")) == {"cu-1": "do thi hue", "cu-2": "van at"}
