"""Campaign pages as staff, secretaries and outsiders use them."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django_scopes import scopes_disabled

from campaigns import services
from campaigns.compliance import compliance_report
from campaigns.enums import CampaignStatus, ComplianceStatus, SubjectType
from campaigns.models import Campaign, ComplianceSnapshot, Field, Milestone, MilestoneKind, Quota
from dvk.enums import Role
from dvk.models import Membership, Organization
from tests.campaigns.builders import campaign, org, quota, register
from tests.conftest import client_for, make_user

FEB_2026 = datetime.datetime(2026, 2, 1, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


def page(response):
    return response.content.decode()


def kind(code):
    return MilestoneKind.objects.get(code=code)


def campaign_data(**changes):
    data = {
        "number": "05-KH/ĐU",
        "title": "Kế hoạch thực hiện phong trào thi đua “Dân vận khéo” năm 2026",
        "issuing_body": "party_committee",
        "issuing_body_name": "Đảng ủy xã Diễn Châu",
        "signer_name": "Nguyễn Văn An",
        "signer_title": "T/M ĐẢNG ỦY, BÍ THƯ",
        "issued_on": "15/01/2026",
        "legal_bases": "Căn cứ Điều lệ Đảng Cộng sản Việt Nam;\nCăn cứ Kế hoạch số 12-KH/TU của Tỉnh ủy",
        "purposes": "Phát huy vai trò của hệ thống chính trị.",
        "requirements": "",
        "period_start": "01/01/2026",
        "period_end": "31/12/2026",
        "phase": "",
        "fields": [f.pk for f in Field.objects.filter(code__in=["kinh-te", "van-hoa-xa-hoi"])],
        "target_levels": ["unit"],
        "target_kinds": ["party_cell", "fatherland_front"],
        "target_codes": "unit\nMTTQ",
    }
    data.update(changes)
    return data


@pytest.fixture
def commune_campaign(tree):
    """Published by Diễn Châu for its units, one model each, registration due 05/03/2026."""
    c = campaign(tree.commune, "11-KH/ĐU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])
    quota(c, "Mỗi chi bộ, đoàn thể ít nhất 01 mô hình", min_total=1)
    return c


@pytest.fixture
def draft(tree):
    return campaign(tree.commune, "12-KH/ĐU", status=CampaignStatus.DRAFT, target_levels=["unit"])


# Create, see, edit


def test_staff_creates_a_draft_with_every_header_field(as_commune_staff, tree):
    response = as_commune_staff.post("/o/COMM/campaigns/new/", campaign_data())
    with scopes_disabled():
        c = Campaign.objects.get(number="05-KH/ĐU")
        assert response.status_code == 302 and response["Location"] == f"/o/COMM/campaigns/{c.pk}/"
        assert (c.status, c.organization, c.created_by.username) == ("draft", tree.commune, "can-bo-xa")
        assert (c.issued_on, c.period_start, c.period_end) == (
            datetime.date(2026, 1, 15),
            datetime.date(2026, 1, 1),
            datetime.date(2026, 12, 31),
        )
        assert c.signer_title == "T/M ĐẢNG ỦY, BÍ THƯ"
        assert sorted(f.code for f in c.fields.all()) == ["kinh-te", "van-hoa-xa-hoi"]
        assert (c.target_levels, c.target_kinds) == (["unit"], ["party_cell", "fatherland_front"])
        assert sorted(o.code for o in c.target_organizations.all()) == ["MTTQ", "UNIT"]
    detail = page(as_commune_staff.get(response["Location"]))
    assert "Căn cứ Kế hoạch số 12-KH/TU của Tỉnh ủy</li>" in detail
    assert "Dự thảo" in detail


def test_create_names_every_code_outside_the_subtree(as_commune_staff):
    response = as_commune_staff.post("/o/COMM/campaigns/new/", campaign_data(target_codes="UNIT\nSIBU\nKHONG-CO"))
    assert response.status_code == 400
    assert "Không tìm thấy mã “SIBU”, “KHONG-CO” trong phạm vi của Xã Diễn Châu." in page(response)
    with scopes_disabled():
        assert not Campaign.objects.exists()


def test_create_refuses_a_period_that_ends_before_it_starts(as_commune_staff):
    response = as_commune_staff.post("/o/COMM/campaigns/new/", campaign_data(period_end="31/12/2025"))
    assert "Ngày kết thúc phải sau ngày bắt đầu." in page(response)
    with scopes_disabled():
        assert not Campaign.objects.exists()


def test_the_list_shows_own_upper_and_lower_campaigns(tree, province_staff, commune_campaign):
    campaign(tree.province, "54-KH/TU", target_levels=["commune"])
    campaign(tree.sibling, "99-KH/ĐU")  # a sibling's: never
    campaign(tree.province, "55-KH/TU", status=CampaignStatus.DRAFT)  # the province's draft: not below it
    commune_list = page(client_for(make_commune_staff(tree)).get("/o/COMM/campaigns/"))
    assert "11-KH/ĐU" in commune_list and "54-KH/TU" in commune_list
    assert "99-KH/ĐU" not in commune_list and "55-KH/TU" not in commune_list
    assert "Tạo kế hoạch" in commune_list
    assert '<a class="nav-link" href="/o/COMM/campaigns/" id="nav-campaigns">' in commune_list
    province_list = page(client_for(province_staff).get("/o/PROV/campaigns/?status=draft"))
    assert "55-KH/TU" in province_list and "11-KH/ĐU" not in province_list


def make_commune_staff(tree):
    user = make_user("can-bo-xa-2")
    Membership.objects.create(user=user, organization=tree.commune, role=Role.STAFF)
    return user


def test_a_unit_does_not_see_its_communes_draft_until_it_is_published(tree, secretary, draft):
    client = client_for(secretary)
    assert client.get(f"/o/UNIT/campaigns/{draft.pk}/").status_code == 404
    assert "12-KH/ĐU" not in page(client.get("/o/UNIT/campaigns/"))
    with scopes_disabled():
        services.milestone_save(campaign=draft, kind=kind("registration"), due_on=datetime.date(2026, 3, 5))
        services.campaign_publish(campaign=draft)
    response = client.get(f"/o/UNIT/campaigns/{draft.pk}/")
    assert response.status_code == 200 and "12-KH/ĐU" in page(response)
    assert "12-KH/ĐU" in page(client.get("/o/UNIT/campaigns/"))
    assert "Tạo kế hoạch" not in page(client.get("/o/UNIT/campaigns/"))


def test_a_secretary_is_refused_create_edit_and_publish(tree, secretary, commune_campaign):
    client = client_for(secretary)
    assert client.get("/o/UNIT/campaigns/new/").status_code == 403
    assert client.post("/o/UNIT/campaigns/new/", campaign_data()).status_code == 403
    assert client.get(f"/o/UNIT/campaigns/{commune_campaign.pk}/edit/").status_code == 403
    assert client.post(f"/o/UNIT/campaigns/{commune_campaign.pk}/publish/").status_code == 403
    assert client.post(f"/o/UNIT/campaigns/{commune_campaign.pk}/quotas/new/").status_code == 403


def test_a_non_staff_role_at_the_level_cannot_open_its_draft(tree, draft):
    viewer = make_user("thanh-vien-xa")
    Membership.objects.create(user=viewer, organization=tree.commune, role=Role.MEMBER)
    client = client_for(viewer)
    assert client.get(f"/o/COMM/campaigns/{draft.pk}/").status_code == 403
    assert "12-KH/ĐU" not in page(client.get("/o/COMM/campaigns/"))


def test_edit_saves_through_the_service(as_commune_staff, draft):
    data = campaign_data(number="12-KH/ĐU", title="Tiêu đề mới", version=draft.version, target_codes="")
    response = as_commune_staff.post(f"/o/COMM/campaigns/{draft.pk}/edit/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.version) == ("Tiêu đề mới", 2)


def test_edit_from_a_stale_form_is_refused_and_keeps_what_was_typed(as_commune_staff, draft):
    form = as_commune_staff.get(f"/o/COMM/campaigns/{draft.pk}/edit/")
    read_version = form.context["form"]["version"].value()
    with scopes_disabled():
        services.campaign_update(campaign=draft, expected_version=read_version, title="Sửa của người khác")
    data = campaign_data(number="12-KH/ĐU", title="Sửa của tôi", version=read_version, target_codes="")
    response = as_commune_staff.post(f"/o/COMM/campaigns/{draft.pk}/edit/", data)
    assert response.status_code == 400
    assert "Kế hoạch vừa được người khác sửa." in page(response)
    assert "Sửa của tôi" in page(response)
    draft.refresh_from_db()
    assert draft.title == "Sửa của người khác"


# Quotas


def test_quota_form_adds_a_line_with_picked_and_excluded_codes(as_commune_staff, draft):
    data = {
        "label": "Chi bộ, MTTQ: 02 tập thể, 01 cá nhân",
        "scope": "per_target",
        "levels": ["unit"],
        "organization_codes": "UNIT",
        "excluded_codes": "mttq",
        "counts_subtree": "on",
        "min_total": "0",
        "min_collective": "2",
        "min_individual": "1",
    }
    response = as_commune_staff.post(f"/o/COMM/campaigns/{draft.pk}/quotas/new/", data)
    assert response.status_code == 302
    with scopes_disabled():
        q = Quota.objects.get(campaign=draft)
    assert (q.label, q.levels, q.counts_subtree, q.min_collective, q.min_individual) == (
        "Chi bộ, MTTQ: 02 tập thể, 01 cá nhân",
        ["unit"],
        True,
        2,
        1,
    )
    assert [o.code for o in q.organizations.all()] == ["UNIT"] and [o.code for o in q.excluded.all()] == ["MTTQ"]

    edit = {**data, "min_collective": "3", "organization_codes": "", "excluded_codes": ""}
    assert as_commune_staff.post(f"/o/COMM/campaigns/{draft.pk}/quotas/{q.pk}/edit/", edit).status_code == 302
    q.refresh_from_db()
    assert q.min_collective == 3 and not q.organizations.exists()
    assert as_commune_staff.post(f"/o/COMM/campaigns/{draft.pk}/quotas/{q.pk}/delete/").status_code == 302
    with scopes_disabled():
        assert not Quota.objects.filter(pk=q.pk).exists()


def test_quota_without_a_number_or_with_a_foreign_code_is_refused(as_commune_staff, draft):
    data = {
        "label": "Không có số",
        "scope": "per_target",
        "min_total": "0",
        "min_collective": "0",
        "min_individual": "0",
    }
    response = as_commune_staff.post(f"/o/COMM/campaigns/{draft.pk}/quotas/new/", data)
    assert "Chỉ tiêu phải có ít nhất một con số lớn hơn 0." in page(response)
    data.update(min_total="1", organization_codes="SIBU")
    response = as_commune_staff.post(f"/o/COMM/campaigns/{draft.pk}/quotas/new/", data)
    assert "Không tìm thấy mã “SIBU”" in page(response)
    with scopes_disabled():
        assert not Quota.objects.filter(campaign=draft).exists()


def test_a_quota_of_another_campaign_is_not_found(as_commune_staff, draft, commune_campaign):
    with scopes_disabled():
        other = commune_campaign.quotas.get()
    url = f"/o/COMM/campaigns/{draft.pk}/quotas/{other.pk}/"
    assert as_commune_staff.get(url + "edit/").status_code == 404
    assert as_commune_staff.post(url + "delete/").status_code == 404
    with scopes_disabled():
        assert Quota.objects.filter(pk=other.pk).exists()


# Milestones


def milestone_data(kind_code, due, start="", **extra):
    return {
        "kind": kind(kind_code).pk,
        "title": "",
        "starts_on": start,
        "due_on": due,
        "recurrence": "none",
        "recurs_until": "",
        **extra,
    }


@pytest.mark.parametrize(
    "existing, new, message",
    [
        (
            ("completion", "01/05/2026"),
            ("registration", "01/06/2026", ""),
            "“Hạn hoàn thành mô hình” (01/05/2026) không thể trước “Hạn đăng ký mô hình” (01/06/2026).",
        ),
        (
            ("completion", "01/05/2026"),
            ("result_report", "20/04/2026", ""),
            "“Hạn báo cáo kết quả” (20/04/2026) không thể trước “Hạn hoàn thành mô hình” (01/05/2026).",
        ),
        (
            None,
            ("survey", "01/11/2026", "30/11/2026"),
            "“Khảo sát thực tế”: ngày bắt đầu (30/11/2026) sau ngày kết thúc (01/11/2026).",
        ),
    ],
    ids=["registration-after-completion", "report-before-completion", "window-ends-before-it-starts"],
)
def test_milestone_in_an_impossible_order_is_refused_and_nothing_saved(as_commune_staff, draft, existing, new, message):
    if existing:
        with scopes_disabled():
            day = datetime.datetime.strptime(existing[1], "%d/%m/%Y").date()
            services.milestone_save(campaign=draft, kind=kind(existing[0]), due_on=day)
    with scopes_disabled():
        before = Milestone.objects.filter(campaign=draft).count()
    response = as_commune_staff.post(f"/o/COMM/campaigns/{draft.pk}/milestones/new/", milestone_data(*new))
    assert response.status_code == 400
    assert message in page(response)
    with scopes_disabled():
        assert Milestone.objects.filter(campaign=draft).count() == before


def test_a_survey_window_may_overlap_the_report_date(as_commune_staff, draft):
    """Seed 000: survey in 11/2025, result report due 10/11/2025."""
    with scopes_disabled():
        services.milestone_save(campaign=draft, kind=kind("completion"), due_on=datetime.date(2025, 10, 31))
        services.milestone_save(campaign=draft, kind=kind("result_report"), due_on=datetime.date(2025, 11, 10))
    data = milestone_data("survey", "30/11/2025", start="01/11/2025", title="Khảo sát thực tế các mô hình")
    response = as_commune_staff.post(f"/o/COMM/campaigns/{draft.pk}/milestones/new/", data)
    assert response.status_code == 302
    with scopes_disabled():
        survey = Milestone.objects.get(campaign=draft, kind__code="survey")
    assert (survey.starts_on, survey.due_on) == (datetime.date(2025, 11, 1), datetime.date(2025, 11, 30))


def test_a_recurring_milestone_shows_its_occurrences(as_commune_staff, draft):
    data = milestone_data("periodic_review", "31/03/2026", recurrence="quarterly", title="Sơ kết quý")
    assert as_commune_staff.post(f"/o/COMM/campaigns/{draft.pk}/milestones/new/", data).status_code == 302
    detail = page(as_commune_staff.get(f"/o/COMM/campaigns/{draft.pk}/"))
    assert "31/03/2026; 30/06/2026; 30/09/2026; 31/12/2026" in detail


def test_milestone_edit_and_delete(as_commune_staff, commune_campaign):
    with scopes_disabled():
        registration = commune_campaign.milestones.get()
    url = f"/o/COMM/campaigns/{commune_campaign.pk}/milestones/{registration.pk}/"
    assert as_commune_staff.post(url + "edit/", milestone_data("registration", "10/03/2026")).status_code == 302
    registration.refresh_from_db()
    assert registration.due_on == datetime.date(2026, 3, 10)
    # A published campaign keeps at least one milestone.
    response = as_commune_staff.post(url + "delete/", follow=True)
    assert "phải còn ít nhất một mốc thời gian" in page(response)
    with scopes_disabled():
        assert Milestone.objects.filter(pk=registration.pk).exists()


def test_staff_add_a_milestone_kind_and_come_back(as_commune_staff, draft):
    back = f"/o/COMM/campaigns/{draft.pk}/milestones/new/"
    data = {"name": "Hội nghị biểu dương điển hình", "sequence": "", "is_window": "", "next": back}
    response = as_commune_staff.post("/o/COMM/campaigns/milestone-kinds/new/", data)
    assert response.status_code == 302 and response["Location"] == back
    new_kind = MilestoneKind.objects.get(name="Hội nghị biểu dương điển hình")
    assert (new_kind.code, new_kind.sequence, new_kind.is_window) == ("hoi-nghi-bieu-duong-dien-hinh", None, False)
    response = as_commune_staff.post("/o/COMM/campaigns/milestone-kinds/new/", data)
    assert response.status_code == 400 and "Đã có loại mốc thời gian" in page(response)
    assert MilestoneKind.objects.filter(name__iexact="Hội nghị biểu dương điển hình").count() == 1
    # A window kind; a foreign `next` is ignored.
    window = {"name": "Hội nghị biểu dương", "sequence": "", "is_window": "on", "next": "https://evil.test/"}
    response = as_commune_staff.post("/o/COMM/campaigns/milestone-kinds/new/", window)
    assert response["Location"] == "/o/COMM/campaigns/"
    assert MilestoneKind.objects.get(name="Hội nghị biểu dương").code == "hoi-nghi-bieu-duong"


def test_a_secretary_cannot_add_a_milestone_kind(tree, secretary):
    assert client_for(secretary).post("/o/UNIT/campaigns/milestone-kinds/new/", {"name": "X"}).status_code == 403
    assert not MilestoneKind.objects.filter(name="X").exists()


# Status actions


def test_publish_close_and_archive(as_commune_staff, draft):
    base = f"/o/COMM/campaigns/{draft.pk}/"
    response = as_commune_staff.post(base + "publish/", follow=True)
    assert "Hãy đặt ít nhất một mốc thời gian" in page(response)
    draft.refresh_from_db()
    assert draft.status == "draft"

    with scopes_disabled():
        services.milestone_save(campaign=draft, kind=kind("registration"), due_on=datetime.date(2026, 3, 5))
    as_commune_staff.post(base + "publish/")
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_at is not None

    as_commune_staff.post(base + "close/")
    draft.refresh_from_db()
    assert draft.status == "closed"
    with scopes_disabled():
        assert ComplianceSnapshot.objects.filter(campaign=draft).exists()
    # Closed history: no more edits to the plan, its quotas or milestones.
    assert as_commune_staff.get(base + "edit/").status_code == 302
    response = as_commune_staff.post(base + "quotas/new/", {"label": "x", "min_total": "1"}, follow=True)
    assert "Kế hoạch đã kết thúc, không sửa được nữa." in page(response)
    with scopes_disabled():
        assert not draft.quotas.exists()

    as_commune_staff.post(base + "archive/")
    draft.refresh_from_db()
    assert draft.status == "archived"


def test_status_actions_answer_only_post(as_commune_staff, draft):
    assert as_commune_staff.get(f"/o/COMM/campaigns/{draft.pk}/publish/").status_code == 405
    assert as_commune_staff.get(f"/o/COMM/campaigns/{draft.pk}/delete/").status_code == 405


def test_a_draft_without_registrations_is_deleted(as_commune_staff, draft):
    response = as_commune_staff.post(f"/o/COMM/campaigns/{draft.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/o/COMM/campaigns/"
    with scopes_disabled():
        assert not Campaign.objects.filter(pk=draft.pk).exists()


def test_deleting_a_campaign_with_registrations_is_refused(as_commune_staff, tree, draft):
    register(draft, tree.unit)
    response = as_commune_staff.post(f"/o/COMM/campaigns/{draft.pk}/delete/", follow=True)
    assert "Kế hoạch đã có đăng ký mô hình nên không xóa được; hãy lưu trữ." in page(response)
    with scopes_disabled():
        assert Campaign.objects.filter(pk=draft.pk).exists()


# Derivation


@pytest.fixture
def province_campaign(tree):
    c = campaign(
        tree.province,
        "12-KH/TU",
        issuing_body_name="Tỉnh ủy Nghệ An",
        target_levels=["unit"],
        purposes="Thi đua Dân vận khéo toàn tỉnh.",
        registration_due=datetime.date(2026, 3, 1),
    )
    with scopes_disabled():
        c.fields.set(Field.objects.filter(code="kinh-te"))
        services.milestone_save(campaign=c, kind=kind("result_report"), due_on=datetime.date(2026, 9, 10))
    quota(c, "Mỗi đơn vị ít nhất 01 mô hình", min_total=1)
    quota(c, "Chi bộ Xóm 1: 02 tập thể", min_collective=2, organizations=[tree.unit, tree.sibling_unit])
    return c


def test_commune_staff_derive_their_campaign_from_the_provinces(as_commune_staff, tree, province_campaign):
    detail = page(as_commune_staff.get(f"/o/COMM/campaigns/{province_campaign.pk}/"))
    assert "Thực hiện kế hoạch này" in detail
    data = {"number": "20-KH/ĐU", "title": "Thực hiện Kế hoạch 12-KH/TU", "issuing_body_name": "Đảng ủy xã Diễn Châu"}
    response = as_commune_staff.post(f"/o/COMM/campaigns/{province_campaign.pk}/derive/", data)
    with scopes_disabled():
        derived = Campaign.objects.get(number="20-KH/ĐU")
        assert response.status_code == 302 and response["Location"] == f"/o/COMM/campaigns/{derived.pk}/edit/"
        assert (derived.organization, derived.derived_from, derived.status) == (
            tree.commune,
            province_campaign,
            "draft",
        )
        assert derived.lineage == f"{province_campaign.lineage}{derived.pk}/"
        assert derived.purposes == "Thi đua Dân vận khéo toàn tỉnh."
        assert [f.code for f in derived.fields.all()] == ["kinh-te"]
        assert [(q.label, q.min_total, q.min_collective) for q in derived.quotas.all()] == [
            ("Mỗi đơn vị ít nhất 01 mô hình", 1, 0),
            ("Chi bộ Xóm 1: 02 tập thể", 0, 2),
        ]
        # Picks outside the commune are not copied.
        assert [o.code for o in derived.quotas.get(min_collective=2).organizations.all()] == ["UNIT"]
        assert sorted((m.kind.code, m.due_on) for m in derived.milestones.all()) == [
            ("registration", datetime.date(2026, 3, 1)),
            ("result_report", datetime.date(2026, 9, 10)),
        ]
        assert derived.legal_bases.startswith("Thực hiện Kế hoạch số 12-KH/TU của Tỉnh ủy Nghệ An")
    detail = page(as_commune_staff.get(f"/o/COMM/campaigns/{derived.pk}/"))
    assert "Thực hiện kế hoạch cấp trên" in detail and "12-KH/TU" in detail


def test_the_issuing_level_and_a_secretary_get_no_derive(tree, province_staff, secretary, province_campaign):
    assert "Tạo kế hoạch thực hiện" not in page(
        client_for(province_staff).get(f"/o/PROV/campaigns/{province_campaign.pk}/")
    )
    unit_client = client_for(secretary)
    assert "Tạo kế hoạch thực hiện" not in page(unit_client.get(f"/o/UNIT/campaigns/{province_campaign.pk}/"))
    data = {"number": "X", "title": "X", "issuing_body_name": "X"}
    assert unit_client.post(f"/o/UNIT/campaigns/{province_campaign.pk}/derive/", data).status_code == 403
    response = client_for(province_staff).post(f"/o/PROV/campaigns/{province_campaign.pk}/derive/", data, follow=True)
    assert "Chỉ cấp dưới của cấp ban hành mới thực hiện được kế hoạch này." in page(response)
    with scopes_disabled():
        assert not Campaign.objects.filter(number="X").exists()


# Compliance


def _report(c, root):
    with scopes_disabled():
        return compliance_report(c, root, acting=root, today=FEB_2026.date())


@time_machine.travel(FEB_2026, tick=False)
def test_compliance_page_matches_the_engine(as_commune_staff, tree, commune_campaign):
    village = Organization.objects.add_child(
        Organization.objects.get(pk=tree.unit.pk),
        {"code": "XOM1-TO1", "name": "Tổ 1", "level": "village", "kind": "village"},
    )
    register(commune_campaign, tree.unit, n=2)
    register(commune_campaign, tree.unit, SubjectType.INDIVIDUAL)
    register(commune_campaign, village)
    response = as_commune_staff.get(f"/o/COMM/campaigns/{commune_campaign.pk}/compliance/")
    assert response.status_code == 200
    report = response.context["report"]
    engine = _report(commune_campaign, tree.commune)
    assert (report.root.targets, report.root.met, report.root.behind) == (2, 1, 1)
    assert (engine.root.targets, engine.root.met, engine.root.registered.total) == (2, 1, 4)
    html = page(response)
    assert 'id="stat-targets">2<' in html and 'id="stat-met">1<' in html and 'id="stat-behind">1<' in html
    assert "còn 32 ngày" in html and "05/03/2026" in html
    rows = {row["node"].org["code"]: row for row in response.context["children"]}
    assert (
        {c: (r["node"].targets, r["node"].met, r["node"].registered.total) for c, r in rows.items()}
        == {n.org["code"]: (n.targets, n.met, n.registered.total) for n in engine.children}
        == {"UNIT": (1, 1, 4), "MTTQ": (1, 0, 0)}
    )
    assert rows["UNIT"]["drill"] and not rows["MTTQ"]["drill"]
    assert '<a href="?node=UNIT">Chi bộ Xóm 1</a>' in html
    assert 'data-progress="50"' in html
    assert '<script id="compliance-data" type="application/json">' in html
    assert "vendor/chart.umd.min.js" in html


@time_machine.travel(FEB_2026, tick=False)
def test_compliance_drills_down_and_keeps_siblings_out(tree, province_staff, commune_staff, province_campaign):
    register(province_campaign, tree.unit)
    register(province_campaign, tree.sibling_unit, n=3)
    client = client_for(province_staff)
    top = client.get(f"/o/PROV/campaigns/{province_campaign.pk}/compliance/")
    assert {r["node"].org["code"]: r["node"].registered.total for r in top.context["children"]} == {
        "COMM": 1,
        "SIBL": 3,
    }
    down = client.get(f"/o/PROV/campaigns/{province_campaign.pk}/compliance/?node=COMM")
    assert down.context["node"].code == "COMM"
    assert down.context["report"].root.registered.total == 1
    assert [c.code for c in down.context["crumbs"]] == ["PROV"]
    assert '<a href="?">Tỉnh Nghệ An</a>' in page(down)
    assert {r["node"].org["code"] for r in down.context["children"]} == {"UNIT", "MTTQ"}

    # Seen from the commune: its own subtree only; a sibling node is not found.
    commune = client_for(commune_staff)
    own = commune.get(f"/o/COMM/campaigns/{province_campaign.pk}/compliance/")
    assert own.context["report"].root.registered.total == 1
    assert own.context["report"].root.targets == _report(province_campaign, tree.commune).root.targets == 2
    assert commune.get(f"/o/COMM/campaigns/{province_campaign.pk}/compliance/?node=SIBL").status_code == 404
    assert commune.get(f"/o/COMM/campaigns/{province_campaign.pk}/compliance/?node=SIBU").status_code == 404
    assert commune.get(f"/o/COMM/campaigns/{province_campaign.pk}/compliance.xlsx?node=SIBL").status_code == 404


def test_compliance_of_a_commune_campaign_seen_from_the_province_starts_at_the_commune(
    tree, province_staff, commune_campaign
):
    client = client_for(province_staff)
    response = client.get(f"/o/PROV/campaigns/{commune_campaign.pk}/compliance/")
    assert response.context["node"].code == "COMM"
    # A node of the province outside the commune's campaign is not part of it.
    assert client.get(f"/o/PROV/campaigns/{commune_campaign.pk}/compliance/?node=SIBL").status_code == 404


@time_machine.travel(datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_a_closed_campaign_shows_its_snapshot(as_commune_staff, tree, commune_campaign):
    register(commune_campaign, tree.unit)
    as_commune_staff.post(f"/o/COMM/campaigns/{commune_campaign.pk}/close/")
    register(commune_campaign, tree.mttq)  # after closing: not in the snapshot
    response = as_commune_staff.get(f"/o/COMM/campaigns/{commune_campaign.pk}/compliance/")
    html = page(response)
    assert 'id="snapshot-note"' in html
    assert response.context["report"].root.met == 1
    assert "đã quá hạn 15 ngày" in html


def _sheet(response):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_excel_export_lists_every_target_with_formula_escaped_cells(as_commune_staff, tree, commune_campaign):
    org(tree.commune, "CONG-THUC", "=1+1")
    register(commune_campaign, tree.unit, n=2)
    response = as_commune_staff.get(f"/o/COMM/campaigns/{commune_campaign.pk}/compliance.xlsx")
    sheet = _sheet(response)
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows[0] == [
        "STT",
        "Mã",
        "Tên tổ chức",
        "Cấp",
        "Loại",
        "Yêu cầu tập thể",
        "Yêu cầu cá nhân",
        "Yêu cầu tổng",
        "Đã đăng ký tập thể",
        "Đã đăng ký cá nhân",
        "Đã đăng ký tổng",
        "Tình trạng",
    ]
    by_code = {r[1]: r for r in rows[1:]}
    assert set(by_code) == {"UNIT", "MTTQ", "CONG-THUC"}
    assert by_code["CONG-THUC"][2] == "'=1+1"
    assert by_code["UNIT"] == [
        1,
        "UNIT",
        "Chi bộ Xóm 1",
        "Đơn vị, chi bộ, đoàn thể",
        "Chi bộ, đảng bộ cơ sở",
        0,
        0,
        1,
        2,
        0,
        2,
        "Đạt",
    ]
    assert by_code["MTTQ"][-1] in (ComplianceStatus.BEHIND.label, ComplianceStatus.OVERDUE.label)


def test_excel_export_of_a_drilled_node_covers_its_subtree(tree, province_staff, province_campaign):
    response = client_for(province_staff).get(f"/o/PROV/campaigns/{province_campaign.pk}/compliance.xlsx?node=SIBL")
    codes = [r[1] for r in _sheet(response).iter_rows(min_row=3, values_only=True)]
    assert codes == ["SIBU"]


def test_changes_to_a_published_campaign_are_in_its_history(tree, commune_staff):
    import datetime

    from django_scopes import scopes_disabled

    from campaigns.services import campaign_update
    from tests.campaigns.builders import campaign as make_campaign
    from tests.campaigns.builders import quota as make_quota

    c = make_campaign(tree.commune, "99-KH/ĐU", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])
    make_quota(c, "Mỗi chi bộ ít nhất 01 mô hình", min_total=1)
    with scopes_disabled():
        c.history.update(history_user=None)
        c.refresh_from_db()
        campaign_update(campaign=c, title="Kế hoạch đã sửa tên", expected_version=c.version)
        c.history.filter(title="Kế hoạch đã sửa tên").update(history_user=commune_staff)
    body = client_for(commune_staff).get(f"/o/COMM/campaigns/{c.pk}/").content.decode()
    section = body[body.index('id="campaign-history"') :]
    assert "can-bo-xa" in section and "Sửa kế hoạch" in section and "Mỗi chi bộ ít nhất 01 mô hình" in section
