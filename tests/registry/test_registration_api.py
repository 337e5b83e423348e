"""The registration API: what a tablet lists, reads, drafts, saves and submits, with the same
scope, filters and workflow rules as the pages."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from campaigns.enums import RegistrationStatus as S
from campaigns.enums import SubjectType
from dvk.enums import Role
from dvk.models import DeviceToken, Membership, User
from models_registry.models import Registration
from tests.campaigns.builders import campaign
from tests.conftest import make_user
from tests.registry.builders import COMPLETE, PERSON, complete_registration, report

ICT = datetime.timezone(datetime.timedelta(hours=7))
FEB_2026 = datetime.datetime(2026, 2, 1, 9, 0, tzinfo=ICT)
MARCH_10 = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=ICT)  # after the registration deadline
LIST = "/api/v1/o/{org}/registrations/"


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(org, pk=None, rest=""):
    return LIST.format(org=org) + (f"{pk}/{rest}" if pk else "")


@pytest.fixture(autouse=True)
def _february_2026():
    with time_machine.travel(FEB_2026, tick=False):
        yield


@pytest.fixture
def plan(tree):
    """The commune's published plan for its units, registration due 05/3/2026."""
    return campaign(tree.commune, "08-KH/ĐU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])


@pytest.fixture
def rows(tree, plan):
    """Three registrations of the commune's two units and one of the sibling commune."""
    sibling_plan = campaign(tree.sibling, "10-KH/ĐU", registration_due=datetime.date(2026, 3, 5))
    return type(
        "Rows",
        (),
        {
            "kheo": complete_registration(plan, tree.unit, name="Khéo vận động dân hiến đất", status=S.ACCEPTED),
            "digital": complete_registration(
                plan, tree.mttq, name="Dân vận khéo trong chuyển đổi số", status=S.SUBMITTED
            ),
            "helper": complete_registration(plan, tree.mttq, name="Một giúp một", subject_type=SubjectType.INDIVIDUAL),
            "sibling": complete_registration(sibling_plan, tree.sibling_unit, name="Dân vận khéo xóm 9"),
        },
    )


def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def draft_body(plan, **extra):
    return {
        "campaign": plan.pk,
        "subject_type": "collective",
        "name": "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa",
        "field": "van-hoa-xa-hoi",
        **{key: str(value) for key, value in COMPLETE.items()},
        "targets": [{"indicator": "Số tiền quyên góp", "value": "12000000", "unit": "đồng"}],
        **extra,
    }


def reload(registration):
    with scopes_disabled():
        return Registration.objects.select_related("initiative").get(pk=registration.pk)


# --- list -----------------------------------------------------------------------------------


def test_list_shows_the_communes_registrations_with_their_row_fields(commune_staff, rows, plan):
    data = api_for(commune_staff).get(url("COMM")).json()
    assert data["count"] == 3
    by_name = {row["name"]: row for row in data["results"]}
    assert set(by_name) == {"Khéo vận động dân hiến đất", "Dân vận khéo trong chuyển đổi số", "Một giúp một"}
    row = by_name["Dân vận khéo trong chuyển đổi số"]
    digital = reload(rows.digital)
    assert row == {
        "id": digital.pk,
        "campaign": {"id": plan.pk, "number": "08-KH/ĐU"},
        "organization": {"code": "MTTQ", "name": "Ủy ban MTTQ xã Diễn Châu"},
        "name": "Dân vận khéo trong chuyển đổi số",
        "subject_type": "collective",
        "status": "submitted",
        "field": "van-hoa-xa-hoi",
        "is_late": False,
        "submitted_at": row["submitted_at"],
        "person_name": "",
        "updated_at": row["updated_at"],
        "version": 2,
    }
    assert row["submitted_at"].startswith("2026-02-01")
    assert by_name["Một giúp một"]["person_name"] == "Nguyễn Thị Hoa"


def test_list_filters_like_the_list_page(commune_staff, rows, plan, tree):
    client = api_for(commune_staff)
    assert names(client.get(url("COMM"), {"status": "accepted"})) == ["Khéo vận động dân hiến đất"]
    assert names(client.get(url("COMM"), {"subject_type": "individual"})) == ["Một giúp một"]
    assert sorted(names(client.get(url("COMM"), {"org": "MTTQ"}))) == [
        "Dân vận khéo trong chuyển đổi số",
        "Một giúp một",
    ]
    assert len(names(client.get(url("COMM"), {"campaign": plan.pk, "field": "van-hoa-xa-hoi"}))) == 3
    assert names(client.get(url("COMM"), {"field": "kinh-te"})) == []
    assert names(client.get(url("COMM"), {"sort": "name"})) == [
        "Dân vận khéo trong chuyển đổi số",
        "Khéo vận động dân hiến đất",
        "Một giúp một",
    ]


def test_search_ignores_diacritics_and_puts_the_exact_name_first(commune_staff, rows):
    client = api_for(commune_staff)
    # Typed without diacritics: both models hold the three words; tree order (UNIT before MTTQ).
    assert names(client.get(url("COMM"), {"search": "dan van kheo"})) == [
        "Khéo vận động dân hiến đất",
        "Dân vận khéo trong chuyển đổi số",
    ]
    # Typed exactly: the model whose name holds the phrase comes first.
    assert names(client.get(url("COMM"), {"search": "Dân vận khéo"})) == [
        "Dân vận khéo trong chuyển đổi số",
        "Khéo vận động dân hiến đất",
    ]
    assert names(client.get(url("COMM"), {"search": "nguyen thi hoa"})) == ["Một giúp một"]


def test_list_refuses_filters_that_point_nowhere_in_vietnamese(commune_staff, rows, tree):
    client = api_for(commune_staff)
    sibling_plan = reload(rows.sibling).campaign
    refused = {
        "campaign": client.get(url("COMM"), {"campaign": sibling_plan.pk}),
        "org": client.get(url("COMM"), {"org": "SIBU"}),
        "field": client.get(url("COMM"), {"field": "khong-co"}),
        "status": client.get(url("COMM"), {"status": "lost"}),
    }
    for key, response in refused.items():
        assert response.status_code == 400, key
        assert list(response.json()) == [key]
    assert refused["campaign"].json() == {"campaign": ["Không tìm thấy kế hoạch này trong phạm vi."]}
    assert refused["org"].json() == {"org": ["Không tìm thấy tổ chức mã “SIBU” trong phạm vi."]}
    assert refused["status"].json() == {"status": ["“lost” không phải là giá trị hợp lệ."]}


def test_a_sibling_commune_never_sees_the_rows(outsider, rows):
    client = api_for(outsider)
    assert names(client.get(url("SIBL"))) == ["Dân vận khéo xóm 9"]
    assert names(client.get(url("SIBL"), {"search": "dan van kheo"})) == ["Dân vận khéo xóm 9"]
    assert client.get(url("SIBL"), {"campaign": reload(rows.kheo).campaign_id}).status_code == 400
    assert client.get(url("COMM")).status_code == 404
    assert client.get(url("SIBL", rows.kheo.pk)).status_code == 404
    assert client.get(url("COMM", rows.kheo.pk)).status_code == 404


def test_a_secretary_sees_only_their_unit(secretary, rows):
    client = api_for(secretary)
    assert names(client.get(url("UNIT"))) == ["Khéo vận động dân hiến đất"]
    assert client.get(url("UNIT"), {"org": "MTTQ"}).status_code == 400
    assert client.get(url("UNIT", rows.digital.pk)).status_code == 404
    assert client.get(url("COMM")).status_code == 404  # no role at the commune


def test_a_device_token_works(secretary, rows):
    token, key = DeviceToken.issue(user=secretary, name="Máy tính bảng chi bộ")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert names(client.get(url("UNIT"))) == ["Khéo vận động dân hiến đất"]
    assert client.get(url("UNIT", rows.kheo.pk)).json()["id"] == rows.kheo.pk
    assert APIClient(HTTP_AUTHORIZATION="Token sai").get(url("UNIT")).status_code == 401


def _list_queries(username):
    """Queries of one list request by a freshly loaded user (nothing cached from before)."""
    client = api_for(User.objects.get(username=username))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("COMM")).status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_rows(commune_staff, plan, tree, django_assert_num_queries):
    complete_registration(plan, tree.unit, name="Mô hình 1", status=S.SUBMITTED)
    one = _list_queries("can-bo-xa")
    for n in (2, 3, 4):
        complete_registration(plan, tree.mttq if n % 2 else tree.unit, name=f"Mô hình {n}", status=S.SUBMITTED)
    client = api_for(User.objects.get(username="can-bo-xa"))
    with django_assert_num_queries(one):
        assert client.get(url("COMM")).json()["count"] == 4


# --- detail ---------------------------------------------------------------------------------


def test_detail_has_the_whole_form_targets_and_reports(commune_staff, plan, tree):
    earlier_plan = campaign(tree.commune, "07-KH/ĐU", start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31))
    earlier = complete_registration(earlier_plan, tree.unit, status=S.COMPLETED)
    registration = complete_registration(
        plan,
        tree.unit,
        status=S.IN_PROGRESS,
        continues=earlier,
        purposes="Khơi dậy tinh thần tương thân tương ái",
        late_reason="",
        review_comment="Đồng ý, đề nghị bổ sung ảnh minh chứng khi báo cáo.",
    )
    first = report(registration, reported_on=datetime.date(2026, 4, 30))
    second = report(registration, kind="result", reported_on=datetime.date(2026, 8, 31))

    data = api_for(commune_staff).get(url("COMM", registration.pk)).json()

    assert (data["id"], data["status"], data["continues"]) == (registration.pk, "in_progress", earlier.pk)
    assert {key: data[key] for key in COMPLETE} == {key: str(value) for key, value in COMPLETE.items()}
    assert data["purposes"] == "Khơi dậy tinh thần tương thân tương ái"
    assert data["review_comment"] == "Đồng ý, đề nghị bổ sung ảnh minh chứng khi báo cáo."
    assert data["targets"] == [{"indicator": "Số tiền quyên góp", "value": "12000000.00", "unit": "đồng"}]
    assert data["reports"] == [
        {"id": first.pk, "kind": "progress", "reported_on": "2026-04-30"},
        {"id": second.pk, "kind": "result", "reported_on": "2026-08-31"},
    ]
    assert {"late_reason", "version", "solutions", "launch_event", "person_name"} <= set(data)


def test_detail_needs_a_role_that_sees_the_unit(tree, rows):
    """A user whose role is elsewhere never reaches the row (404 at the organisation)."""
    member = make_user("thanh-vien-mttq")
    Membership.objects.create(user=member, organization=tree.mttq, role=Role.MEMBER)
    assert api_for(member).get(url("MTTQ", rows.digital.pk)).status_code == 200
    assert api_for(member).get(url("MTTQ", rows.kheo.pk)).status_code == 404


# --- create ---------------------------------------------------------------------------------


def test_the_secretary_drafts_for_their_unit(secretary, plan):
    response = api_for(secretary).post(url("UNIT"), draft_body(plan), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["organization"]["code"], data["status"], data["version"], data["is_late"]) == (
        "UNIT",
        "draft",
        1,
        False,
    )
    assert data["targets"] == [{"indicator": "Số tiền quyên góp", "value": "12000000.00", "unit": "đồng"}]
    registration = reload(Registration(pk=data["id"]))
    assert (registration.name, registration.created_by, registration.field.code) == (
        "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa",
        secretary,
        "van-hoa-xa-hoi",
    )
    assert registration.location == COMPLETE["location"]


def test_commune_staff_registers_an_individual_for_a_unit(commune_staff, plan):
    body = draft_body(plan, organization="MTTQ", subject_type="individual", name="Một giúp một", **PERSON)
    response = api_for(commune_staff).post(url("COMM"), body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["organization"]["code"], response.json()["person_name"]) == ("MTTQ", "Nguyễn Thị Hoa")


def test_a_continued_model_points_at_last_years_registration_of_the_same_unit(secretary, tree, plan):
    earlier_plan = campaign(tree.commune, "07-KH/ĐU", start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31))
    earlier = complete_registration(earlier_plan, tree.unit, status=S.COMPLETED)
    others = complete_registration(earlier_plan, tree.mttq, name="Một giúp một", status=S.COMPLETED)
    client = api_for(secretary)
    response = client.post(url("UNIT"), draft_body(plan, continues=earlier.pk), format="json")
    assert (response.status_code, response.json()["continues"]) == (201, earlier.pk)
    refused = client.post(url("UNIT"), draft_body(plan, continues=others.pk), format="json")
    assert refused.json() == {"continues": ["Không tìm thấy đăng ký năm trước này của chính đơn vị đăng ký."]}


def test_create_refuses_a_unit_the_plan_does_not_target(commune_staff, plan):
    response = api_for(commune_staff).post(url("COMM"), draft_body(plan), format="json")  # the commune itself
    assert response.status_code == 400
    [message] = response.json()["non_field_errors"]
    assert "không thuộc đối tượng của kế hoạch 08-KH/ĐU" in message
    with scopes_disabled():
        assert not Registration.objects.exists()


def test_create_refuses_what_the_scope_does_not_hold(secretary, commune_staff, tree, plan):
    sibling_plan = campaign(tree.sibling, "10-KH/ĐU", target_levels=["unit"])
    client = api_for(secretary)
    response = client.post(url("UNIT"), draft_body(sibling_plan), format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"campaign": ["Không tìm thấy kế hoạch này trong phạm vi."]},
    )
    response = client.post(url("UNIT"), draft_body(plan, organization="MTTQ"), format="json")
    assert response.json() == {"organization": ["Không tìm thấy tổ chức mã “MTTQ” trong phạm vi."]}
    response = api_for(commune_staff).post(url("COMM"), draft_body(plan, organization="SIBU"), format="json")
    assert response.status_code == 400
    with scopes_disabled():
        assert not Registration.objects.exists()


def test_create_needs_the_secretary_or_staff(tree, plan):
    member = make_user("thanh-vien-xa")
    Membership.objects.create(user=member, organization=tree.commune, role=Role.MEMBER)
    response = api_for(member).post(url("COMM"), draft_body(plan, organization="UNIT"), format="json")
    assert response.status_code == 403
    with scopes_disabled():
        assert not Registration.objects.exists()


def test_create_reports_bad_fields_in_vietnamese(secretary, plan):
    body = draft_body(plan, name="", field="khong-co", starts_on="05/3/2026")
    body["targets"] = [{"indicator": "Số hộ", "value": "0", "unit": "hộ"}]
    errors = api_for(secretary).post(url("UNIT"), body, format="json").json()
    assert errors == {
        "name": ["Trường này không được bỏ trống."],
        "starts_on": ["Ngày sai định dạng: hãy dùng YYYY-MM-DD."],
        "targets": {"0": {"value": ["Con số cần đạt phải lớn hơn 0."]}},  # by position in the list
    }
    errors = api_for(secretary).post(url("UNIT"), draft_body(plan, field="khong-co"), format="json").json()
    assert errors == {"field": ["Không có lĩnh vực mã “khong-co”."]}


def test_late_registration_needs_staff_and_a_reason(secretary, commune_staff, plan):
    with time_machine.travel(MARCH_10, tick=False):
        refused = api_for(secretary).post(url("UNIT"), draft_body(plan), format="json")
        assert refused.status_code == 400
        assert "quá hạn đăng ký" in refused.json()["non_field_errors"][0]
        staff = api_for(commune_staff)
        no_reason = staff.post(url("COMM"), draft_body(plan, organization="UNIT"), format="json")
        assert no_reason.json() == {"late_reason": ["Đăng ký sau hạn: hãy ghi lý do."]}
        late = staff.post(
            url("COMM"), draft_body(plan, organization="UNIT", late_reason="Chi bộ mới kiện toàn"), format="json"
        )
    assert late.status_code == 201
    assert (late.json()["is_late"], late.json()["late_reason"]) == (True, "Chi bộ mới kiện toàn")


# --- update ---------------------------------------------------------------------------------


@pytest.fixture
def draft(secretary, plan):
    response = api_for(secretary).post(url("UNIT"), draft_body(plan, authority=""), format="json")
    return reload(Registration(pk=response.json()["id"]))


def test_patch_saves_what_was_typed_and_bumps_the_version(secretary, draft):
    body = {
        "version": 1,
        "authority": "Đảng ủy xã Diễn Châu",
        "name": "Mỗi ngày 1.000 đồng vì người nghèo",
        "targets": [
            {"indicator": "Số tiền quyên góp", "value": "15000000", "unit": "đồng"},
            {"indicator": "Số hộ được giúp", "value": "5", "unit": "hộ"},
        ],
    }
    response = api_for(secretary).patch(url("UNIT", draft.pk), body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["version"], data["authority"], data["name"]) == (
        2,
        "Đảng ủy xã Diễn Châu",
        "Mỗi ngày 1.000 đồng vì người nghèo",
    )
    assert [(t["indicator"], t["value"]) for t in data["targets"]] == [
        ("Số tiền quyên góp", "15000000.00"),
        ("Số hộ được giúp", "5.00"),
    ]
    assert data["location"] == COMPLETE["location"]  # untouched by a partial save


def test_a_stale_version_answers_409_and_changes_nothing(secretary, commune_staff, draft):
    api_for(commune_staff).patch(url("COMM", draft.pk), {"version": 1, "location": "Nhà văn hóa xóm"}, format="json")
    response = api_for(secretary).patch(url("UNIT", draft.pk), {"version": 1, "location": "Xóm 1"}, format="json")
    assert response.status_code == 409
    assert "vừa được sửa ở nơi khác" in response.json()["detail"]
    registration = reload(draft)
    assert (registration.version, registration.location) == (2, "Nhà văn hóa xóm")


def test_an_update_without_version_is_refused(secretary, draft):
    response = api_for(secretary).patch(url("UNIT", draft.pk), {"location": "Xóm 1"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["version"]
    assert reload(draft).location == COMPLETE["location"]


def test_put_replaces_the_whole_form(secretary, draft):
    response = api_for(secretary).put(url("UNIT", draft.pk), {"version": 1, "name": "Một giúp một"}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["name"], data["location"], data["starts_on"], data["field"], data["targets"]) == (
        "Một giúp một",
        "",
        None,
        None,
        [],
    )


def test_update_needs_change_permission(tree, draft):
    member = make_user("thanh-vien-xa")
    Membership.objects.create(user=member, organization=tree.commune, role=Role.MEMBER)
    response = api_for(member).patch(url("COMM", draft.pk), {"version": 1, "location": "X"}, format="json")
    assert response.status_code == 403
    assert reload(draft).version == 1


def test_a_submitted_registration_is_not_edited(secretary, rows):
    registration = reload(rows.kheo)
    response = api_for(secretary).patch(
        url("UNIT", registration.pk), {"version": registration.version, "location": "X"}, format="json"
    )
    assert response.status_code == 400
    assert "chỉ sửa được khi còn là bản nháp" in response.json()["non_field_errors"][0]


# --- submit ---------------------------------------------------------------------------------


def test_submit_reports_each_gap_on_its_field_then_succeeds(secretary, draft):
    client = api_for(secretary)
    refused = client.post(url("UNIT", draft.pk, "submit/"))
    assert refused.status_code == 400
    assert refused.json() == {"authority": ["Rõ thẩm quyền: hãy ghi cấp có thẩm quyền phê duyệt, chỉ đạo."]}
    assert reload(draft).status == S.DRAFT

    client.patch(url("UNIT", draft.pk), {"version": 1, "authority": "Đảng ủy xã Diễn Châu"}, format="json")
    response = client.post(url("UNIT", draft.pk, "submit/"))
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"]) == ("submitted", 3)
    assert response.json()["submitted_at"].startswith("2026-02-01")


def test_a_second_submit_answers_409_and_changes_nothing(secretary, plan):
    client = api_for(secretary)
    created = client.post(url("UNIT"), draft_body(plan), format="json").json()
    assert client.post(url("UNIT", created["id"], "submit/")).status_code == 200
    before = reload(Registration(pk=created["id"]))
    again = client.post(url("UNIT", created["id"], "submit/"))
    assert (again.status_code, again.json()) == (409, {"detail": "Đăng ký này đã được gửi rồi."})
    after = reload(before)
    assert (after.status, after.version, after.submitted_at) == (before.status, before.version, before.submitted_at)


def test_submit_needs_change_permission(tree, rows):
    member = make_user("thanh-vien-mttq")
    Membership.objects.create(user=member, organization=tree.mttq, role=Role.MEMBER)
    response = api_for(member).post(url("MTTQ", rows.helper.pk, "submit/"))
    assert response.status_code == 403
    assert reload(rows.helper).status == S.DRAFT


# --- schema ---------------------------------------------------------------------------------


def test_schema_documents_the_registration_paths(db, client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    listing = paths["/api/v1/o/{org_code}/registrations/"]
    assert {"get", "post"} <= set(listing)
    assert {"campaign", "field", "status", "subject_type", "org", "search", "sort"} <= {
        p["name"] for p in listing["get"]["parameters"]
    }
    assert {"get", "patch", "put"} <= set(paths["/api/v1/o/{org_code}/registrations/{id}/"])
    submit = paths["/api/v1/o/{org_code}/registrations/{id}/submit/"]["post"]
    assert {"200", "400", "409"} <= set(submit["responses"])
    update = schema["components"]["schemas"]["RegistrationUpdate"]
    assert "version" in update["required"] and "targets" in update["properties"]
    detail = schema["components"]["schemas"]["RegistrationDetail"]["properties"]
    assert {"responsible_person", "authority", "schedule", "targets", "reports", "continues"} <= set(detail)


def test_value_of_targets_keeps_decimals(secretary, plan):
    body = draft_body(plan, targets=[{"indicator": "Tỉ lệ hộ tham gia", "value": "87.5", "unit": "%"}])
    data = api_for(secretary).post(url("UNIT"), body, format="json").json()
    with scopes_disabled():
        assert Registration.objects.get(pk=data["id"]).targets.get().value == Decimal("87.50")
