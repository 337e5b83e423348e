"""'Sao chép kế hoạch': a plan copied as next year's draft, what it leaves out, the upper
plan a derived copy implements, the signals later apps join, and the history of new plans."""

import datetime

import pytest
from django_scopes import scopes_disabled

from campaigns import services, signals
from campaigns.enums import CampaignStatus
from campaigns.models import Campaign, Field, Milestone, MilestoneKind, Quota
from dvk.enums import Role
from dvk.models import Membership
from dvk.services import organization_archive, organization_move
from tests.campaigns.builders import campaign, quota
from tests.conftest import add_child, client_for, fresh, make_user, persona, table_counts

D = datetime.date


def page(response):
    return response.content.decode()


def kind(code):
    return MilestoneKind.objects.get(code=code)


@pytest.fixture
def closed_2028(tree):
    """Diễn Châu's closed 2028 plan: fields, targets, two quota lines, a registration
    deadline on 29/02 and a survey window."""
    c = campaign(
        tree.commune,
        "08-KH/ĐU",
        start=D(2028, 1, 1),
        end=D(2028, 12, 31),
        title="Kế hoạch thực hiện phong trào “Dân vận khéo” năm 2028",
        target_levels=["unit"],
        target_kinds=["party_cell"],
        purposes="Phát huy vai trò của hệ thống chính trị.",
        legal_bases="Căn cứ Điều lệ Đảng;",
        signer_name="Nguyễn Văn An",
    )
    with scopes_disabled():
        c.fields.set(Field.objects.filter(code__in=["kinh-te", "van-hoa-xa-hoi"]))
        c.target_organizations.set([tree.unit, tree.mttq])
        services.milestone_save(campaign=c, kind=kind("registration"), due_on=D(2028, 2, 29))
        services.milestone_save(
            campaign=c, kind=kind("survey"), starts_on=D(2028, 11, 1), due_on=D(2028, 11, 30), title="Khảo sát"
        )
    quota(c, "Mỗi chi bộ ít nhất 01 mô hình", min_total=1, excluded=[tree.mttq])
    quota(c, "Chi bộ Xóm 1: 02 tập thể", min_collective=2, organizations=[tree.unit], counts_subtree=True)
    with scopes_disabled():
        Campaign.objects.filter(pk=c.pk).update(status=CampaignStatus.CLOSED)
        c.refresh_from_db()
    return c


def copy_form(**changes):
    data = {"number": "03-KH/ĐU", "title": "Kế hoạch năm 2029", "shift": "year", "days": ""}
    data.update(changes)
    return data


def test_staff_copy_a_closed_plan_as_next_years_draft(tree, commune_staff, closed_2028):
    client = client_for(commune_staff)
    form = client.get(f"/o/COMM/campaigns/{closed_2028.pk}/copy/")
    assert form.status_code == 200
    # The title comes from the original, its year moved on; the number is left to staff.
    assert form.context["form"]["title"].value() == "Kế hoạch thực hiện phong trào “Dân vận khéo” năm 2029"
    assert form.context["form"]["number"].value() is None
    assert "upper" not in form.context["form"].fields  # not a derived plan
    response = client.post(f"/o/COMM/campaigns/{closed_2028.pk}/copy/", copy_form())
    with scopes_disabled():
        copy = Campaign.objects.get(number="03-KH/ĐU")
        assert response.status_code == 302 and response["Location"] == f"/o/COMM/campaigns/{copy.pk}/"
        assert (copy.organization, copy.status, copy.created_by, copy.derived_from) == (
            tree.commune,
            CampaignStatus.DRAFT,
            commune_staff,
            None,
        )
        assert (copy.title, copy.period_start, copy.period_end) == ("Kế hoạch năm 2029", D(2029, 1, 1), D(2029, 12, 31))
        assert (copy.purposes, copy.legal_bases, copy.signer_name) == (
            "Phát huy vai trò của hệ thống chính trị.",
            "Căn cứ Điều lệ Đảng;",
            "Nguyễn Văn An",
        )
        assert (copy.target_levels, copy.target_kinds, copy.lineage) == (["unit"], ["party_cell"], f"/{copy.pk}/")
        assert sorted(f.code for f in copy.fields.all()) == ["kinh-te", "van-hoa-xa-hoi"]
        assert sorted(o.code for o in copy.target_organizations.all()) == ["MTTQ", "UNIT"]
        lines = [
            (q.label, q.min_total, q.min_collective, q.counts_subtree, [o.code for o in q.organizations.all()])
            + ([o.code for o in q.excluded.all()],)
            for q in copy.quotas.all()
        ]
        assert lines == [
            ("Mỗi chi bộ ít nhất 01 mô hình", 1, 0, False, [], ["MTTQ"]),
            ("Chi bộ Xóm 1: 02 tập thể", 0, 2, True, ["UNIT"], []),
        ]
        # 29/02/2028 a year on is 28/02/2029; a window moves whole.
        assert [(m.kind.code, m.starts_on, m.due_on) for m in copy.milestones.all()] == [
            ("registration", None, D(2029, 2, 28)),
            ("survey", D(2029, 11, 1), D(2029, 11, 30)),
        ]
        # The original is left as it was.
        closed_2028.refresh_from_db()
        assert closed_2028.status == CampaignStatus.CLOSED and closed_2028.milestones.count() == 2
        assert [m.due_on for m in closed_2028.milestones.all()][0] == D(2028, 2, 29)
        # One history record for the copy: created, saying where from.
        [record] = copy.history.all()
        assert (record.history_type, record.history_change_reason, record.history_user) == (
            "+",
            "Sao chép từ kế hoạch số 08-KH/ĐU",
            commune_staff,
        )
        assert [h.history_type for q in copy.quotas.all() for h in q.history.all()] == ["+", "+"]
    detail = page(client.get(response["Location"]))
    assert "Đã tạo dự thảo kế hoạch “03-KH/ĐU” từ kế hoạch số 08-KH/ĐU" in detail
    history = detail[detail.index('id="campaign-history"') :]
    assert "Tạo kế hoạch" in history and "Sửa kế hoạch" not in history
    assert "Sao chép từ kế hoạch số 08-KH/ĐU" in history
    assert 'id="copy-review"' not in detail  # nothing left out


def test_the_dates_move_by_a_chosen_number_of_days(tree, commune_staff, closed_2028):
    response = client_for(commune_staff).post(
        f"/o/COMM/campaigns/{closed_2028.pk}/copy/", copy_form(shift="days", days="7")
    )
    assert response.status_code == 302
    with scopes_disabled():
        copy = Campaign.objects.get(number="03-KH/ĐU")
        assert (copy.period_start, copy.period_end) == (D(2028, 1, 8), D(2029, 1, 7))
        assert [(m.starts_on, m.due_on) for m in copy.milestones.all()] == [
            (None, D(2028, 3, 7)),
            (D(2028, 11, 8), D(2028, 12, 7)),
        ]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"shift": "days", "days": "một tuần"}, "days", "Số ngày dời phải là một số nguyên, ví dụ 365."),
        ({"shift": "days", "days": "-3"}, "days", "Số ngày dời phải từ 0 đến 3660."),
        ({"shift": "days", "days": "99999"}, "days", "Số ngày dời phải từ 0 đến 3660."),
        ({"shift": "days", "days": ""}, "days", "Hãy nhập số ngày dời."),
        ({"number": "  08-kh/đu "}, "number", "Xã Diễn Châu đã có kế hoạch số 08-kh/đu; hãy nhập số, ký hiệu khác."),
        ({"number": ""}, "number", "Hãy nhập số, ký hiệu của kế hoạch mới."),
    ],
    ids=["days-not-a-number", "days-negative", "days-too-many", "days-missing", "number-taken", "number-missing"],
)
def test_bad_input_is_refused_in_vietnamese_and_creates_nothing(
    tree, commune_staff, closed_2028, changes, field, message
):
    client = client_for(commune_staff)
    before = table_counts()
    response = client.post(f"/o/COMM/campaigns/{closed_2028.pk}/copy/", copy_form(**changes))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert message in page(response)
    assert table_counts() == before


def test_units_that_moved_or_were_archived_are_left_out_and_listed(tree, commune_staff, province_staff, closed_2028):
    with scopes_disabled():
        organization_move(organization=fresh(tree.unit), new_parent=fresh(tree.sibling))
        organization_archive(organization=fresh(tree.mttq))
    client = client_for(commune_staff)
    preview = page(client.get(f"/o/COMM/campaigns/{closed_2028.pk}/copy/"))
    assert "Các đơn vị đã chuyển/giải thể từ kế hoạch gốc" in preview and "Chi bộ Xóm 1" in preview
    response = client.post(f"/o/COMM/campaigns/{closed_2028.pk}/copy/", copy_form(), follow=True)
    with scopes_disabled():
        copy = Campaign.objects.get(number="03-KH/ĐU")
        assert not copy.target_organizations.exists()
        # The line that only applied to Xóm 1 is not copied (it would apply to everyone);
        # the other loses its exception.
        [line] = copy.quotas.all()
        assert (line.label, list(line.excluded.all())) == ("Mỗi chi bộ ít nhất 01 mô hình", [])
        assert copy.history.get().history_change_reason == (
            "Sao chép từ kế hoạch số 08-KH/ĐU; không sao chép 2 tổ chức đã chuyển/giải thể: "
            "Ủy ban MTTQ xã Diễn Châu, Chi bộ Xóm 1"
        )
    result = page(response)
    review = result[result.index('id="copy-review"') :]
    assert "Cần rà soát: bản sao từ kế hoạch số 08-KH/ĐU" in review
    assert "Các đơn vị đã chuyển/giải thể từ kế hoạch gốc" in review
    # The commune's staff cannot see the sibling commune: where Xóm 1 went is not said.
    assert "Chi bộ Xóm 1</strong> (<code>UNIT</code>):\n    đã chuyển ra ngoài phạm vi của cấp ban hành" in review
    assert "Xã Diễn Thịnh" not in review
    assert "tổ chức được chọn thêm; chỉ tiêu “Chi bộ Xóm 1: 02 tập thể”" in review
    assert "Ủy ban MTTQ xã Diễn Châu</strong> (<code>MTTQ</code>):\n    đã giải thể (lưu trữ)" in review
    assert "chỉ tiêu “Mỗi chi bộ ít nhất 01 mô hình” (trừ ra)" in review
    assert "Các chỉ tiêu không được sao chép" in review and "<li>Chi bộ Xóm 1: 02 tập thể</li>" in review
    # The province's staff see the whole province: they are told where it is now.
    preview = page(client_for(province_staff).get(f"/o/PROV/campaigns/{closed_2028.pk}/copy/"))
    assert "đã chuyển, nay thuộc Xã Diễn Thịnh" in preview
    # The review is kept on the copy itself, without where a moved unit is now (each viewer's
    # page works that out), and reads the same to the province on the draft's page.
    with scopes_disabled():
        copy.refresh_from_db()
        assert copy.copy_review == {
            "original": "08-KH/ĐU",
            "rows": [
                {
                    "id": tree.mttq.pk,
                    "name": "Ủy ban MTTQ xã Diễn Châu",
                    "code": "MTTQ",
                    "archived": True,
                    "places": ["tổ chức được chọn thêm", "chỉ tiêu “Mỗi chi bộ ít nhất 01 mô hình” (trừ ra)"],
                },
                {
                    "id": tree.unit.pk,
                    "name": "Chi bộ Xóm 1",
                    "code": "UNIT",
                    "archived": False,
                    "places": ["tổ chức được chọn thêm", "chỉ tiêu “Chi bộ Xóm 1: 02 tập thể”"],
                },
            ],
            "quotas": ["Chi bộ Xóm 1: 02 tập thể"],
        }
    detail = page(client_for(province_staff).get(f"/o/PROV/campaigns/{copy.pk}/"))
    assert 'id="copy-review"' in detail and "đã chuyển, nay thuộc Xã Diễn Thịnh" in detail


@pytest.fixture
def copied_with_review(tree, commune_staff, closed_2028):
    """Diễn Châu's staff copied the 2028 plan after Xóm 1 moved to the sibling commune."""
    with scopes_disabled():
        organization_move(organization=fresh(tree.unit), new_parent=fresh(tree.sibling))
    response = client_for(commune_staff).post(f"/o/COMM/campaigns/{closed_2028.pk}/copy/", copy_form())
    assert response.status_code == 302
    with scopes_disabled():
        return Campaign.objects.get(number="03-KH/ĐU")


def test_every_staff_member_of_the_level_sees_the_review_until_one_dismisses_it(tree, copied_with_review):
    copy = copied_with_review
    url = f"/o/COMM/campaigns/{copy.pk}/"
    colleague = client_for(persona("can-bo-xa-2", tree.commune, Role.STAFF))  # never saw the copy made
    detail = page(colleague.get(url))
    review = detail[detail.index('id="copy-review"') :]
    assert "Cần rà soát: bản sao từ kế hoạch số 08-KH/ĐU" in review and "Chi bộ Xóm 1" in review
    assert "đã chuyển ra ngoài phạm vi của cấp ban hành" in review and 'id="copy-review-dismiss"' in review
    # A member without the staff role may not see the draft, nor a unit of the commune (a
    # draft never reaches it).
    member = client_for(persona("thanh-vien-xa", tree.commune, Role.MEMBER))
    assert member.get(url).status_code == 403
    unit = client_for(persona("bi-thu-xom-2", add_child(tree.commune, "UNI2", "Chi bộ Xóm 2"), Role.SECRETARY))
    assert unit.get(f"/o/UNI2/campaigns/{copy.pk}/").status_code == 404
    assert unit.post(f"/o/UNI2/campaigns/{copy.pk}/copy-review/dismiss/").status_code == 404
    assert member.post(f"{url}copy-review/dismiss/").status_code == 403
    # The sibling commune's staff: not found, whichever way they ask.
    sibling = client_for(persona("can-bo-xa-ben", tree.sibling, Role.STAFF))
    assert sibling.get(f"/o/SIBL/campaigns/{copy.pk}/").status_code == 404
    assert sibling.post(f"/o/SIBL/campaigns/{copy.pk}/copy-review/dismiss/").status_code == 404
    assert sibling.post(f"/o/COMM/campaigns/{copy.pk}/copy-review/dismiss/").status_code == 404
    with scopes_disabled():
        copy.refresh_from_db()
        assert copy.copy_review["rows"][0]["code"] == "UNIT"
        history, version = copy.history.count(), copy.version
    # The colleague dismisses it: gone for everyone, with no new version or history record.
    response = colleague.post(f"{url}copy-review/dismiss/", follow=True)
    assert "Đã ghi nhận: danh sách cần rà soát của bản sao đã được rà soát." in page(response)
    assert 'id="copy-review"' not in page(response)
    assert 'id="copy-review"' not in page(client_for(persona("can-bo-xa-3", tree.commune, Role.STAFF)).get(url))
    with scopes_disabled():
        copy.refresh_from_db()
        assert (copy.copy_review, copy.history.count(), copy.version) == ({}, history, version)
    # Once: a second press (another form) changes nothing and says so.
    again = page(colleague.post(f"{url}copy-review/dismiss/", follow=True))
    assert "đã được rà soát trước đó" in again and "Đã ghi nhận" not in again


def test_an_edit_begun_before_the_dismissal_does_not_bring_the_review_back(tree, commune_staff, copied_with_review):
    copy = copied_with_review
    with scopes_disabled():
        stale = Campaign.objects.get(pk=copy.pk)
        assert services.copy_review_dismiss(campaign=copy) is True
        assert services.copy_review_dismiss(campaign=copy) is False
        services.campaign_update(campaign=stale, expected_version=stale.version, title="Tên mới")
        stale.refresh_from_db()
        assert (stale.title, stale.copy_review) == ("Tên mới", {})


def test_the_review_is_no_longer_shown_once_the_draft_is_published(tree, commune_staff, copied_with_review):
    copy = copied_with_review
    client = client_for(commune_staff)
    assert 'id="copy-review"' in page(client.get(f"/o/COMM/campaigns/{copy.pk}/"))
    assert client.post(f"/o/COMM/campaigns/{copy.pk}/publish/").status_code == 302
    with scopes_disabled():
        copy.refresh_from_db()
        assert (copy.status, copy.copy_review) == (CampaignStatus.PUBLISHED, {})
    assert 'id="copy-review"' not in page(client.get(f"/o/COMM/campaigns/{copy.pk}/"))


# A derived plan's copy and the upper plan it implements


@pytest.fixture
def derived_2026(tree):
    """The province's 2026 plan (closed now), Diễn Châu's plan implementing it, and the
    province's published 2027 plan."""
    upper_2026 = campaign(tree.province, "12-KH/TU", issuing_body_name="Tỉnh ủy Nghệ An", target_levels=["unit"])
    own = campaign(tree.commune, "20-KH/ĐU", derived_from=upper_2026)
    with scopes_disabled():
        services.milestone_save(campaign=own, kind=kind("registration"), due_on=D(2026, 3, 1))
        Campaign.objects.filter(pk=upper_2026.pk).update(status=CampaignStatus.CLOSED)
    upper_2027 = campaign(
        tree.province,
        "30-KH/TU",
        issuing_body_name="Tỉnh ủy Nghệ An",
        start=D(2027, 1, 1),
        end=D(2027, 12, 31),
        target_levels=["unit"],
    )
    older = campaign(tree.province, "05-KH/TU", start=D(2025, 1, 1), end=D(2025, 12, 31))
    draft = campaign(tree.province, "31-KH/TU", status=CampaignStatus.DRAFT, start=D(2027, 6, 1), end=D(2027, 12, 31))
    foreign = campaign(tree.sibling, "40-KH/ĐU")
    return type("Plans", (), {"own": own, "upper_2027": upper_2027, "older": older, "draft": draft, "foreign": foreign})


def test_a_derived_plans_copy_implements_the_chosen_published_upper_plan(tree, commune_staff, derived_2026):
    plans = derived_2026
    client = client_for(commune_staff)
    form = client.get(f"/o/COMM/campaigns/{plans.own.pk}/copy/").context["form"]
    # Published upper plans only, the newest of the same upper level chosen by default.
    assert [c.number for c in form.fields["upper"].queryset] == ["30-KH/TU", "05-KH/TU"]
    assert form["upper"].value() == plans.upper_2027.pk
    response = client.post(f"/o/COMM/campaigns/{plans.own.pk}/copy/", copy_form(upper=plans.upper_2027.pk))
    assert response.status_code == 302
    with scopes_disabled():
        copy = Campaign.objects.get(number="03-KH/ĐU")
        assert copy.derived_from == plans.upper_2027
        assert copy.lineage == f"{plans.upper_2027.lineage}{copy.pk}/"
        assert copy.legal_bases.splitlines()[0] == "Thực hiện Kế hoạch số 30-KH/TU của Tỉnh ủy Nghệ An"
        assert "12-KH/TU" not in copy.legal_bases
    detail = page(client.get(response["Location"]))
    assert "Thực hiện kế hoạch cấp trên" in detail and "30-KH/TU" in detail


def test_a_derived_plans_copy_may_implement_no_upper_plan(tree, commune_staff, derived_2026):
    response = client_for(commune_staff).post(f"/o/COMM/campaigns/{derived_2026.own.pk}/copy/", copy_form(upper=""))
    assert response.status_code == 302
    with scopes_disabled():
        copy = Campaign.objects.get(number="03-KH/ĐU")
        assert (copy.derived_from, copy.lineage) == (None, f"/{copy.pk}/")
        assert not copy.legal_bases.startswith("Thực hiện Kế hoạch số")


@pytest.mark.parametrize("which", ["draft", "foreign", "unknown", "not-an-id"])
def test_an_upper_plan_that_is_not_published_or_not_above_is_refused(tree, commune_staff, derived_2026, which):
    value = {"unknown": "999999", "not-an-id": "abc"}.get(which) or getattr(derived_2026, which).pk
    client = client_for(commune_staff)
    before = table_counts()
    response = client.post(f"/o/COMM/campaigns/{derived_2026.own.pk}/copy/", copy_form(upper=value))
    assert response.status_code == 400
    assert "Hãy chọn một kế hoạch cấp trên đang thực hiện trong danh sách." in page(response)
    assert table_counts() == before


def test_the_service_refuses_an_upper_plan_that_is_not_published_or_not_above(tree, derived_2026):
    with scopes_disabled():
        for upper in (derived_2026.draft, derived_2026.foreign):
            with pytest.raises(Exception, match="Chỉ chọn được kế hoạch cấp trên đang thực hiện."):
                services.campaign_copy(original=derived_2026.own, user=None, number="X", title="X", upper=upper)
        assert not Campaign.objects.filter(number="X").exists()


# Who may copy


def test_the_copy_button_shows_only_to_staff_of_the_level(tree, commune_staff, province_staff, secretary, closed_2028):
    url = f"/o/COMM/campaigns/{closed_2028.pk}/"
    assert 'id="campaign-copy"' in page(client_for(commune_staff).get(url))
    assert 'id="campaign-copy"' in page(client_for(province_staff).get(f"/o/PROV/campaigns/{closed_2028.pk}/"))
    member = persona("thanh-vien-xa", tree.commune, Role.MEMBER)
    for client, at in ((client_for(member), "COMM"), (client_for(secretary), "UNIT")):
        response = client.get(f"/o/{at}/campaigns/{closed_2028.pk}/")
        assert response.status_code == 200 and 'id="campaign-copy"' not in page(response)
        assert client.get(f"/o/{at}/campaigns/{closed_2028.pk}/copy/").status_code == 403
        assert client.post(f"/o/{at}/campaigns/{closed_2028.pk}/copy/", copy_form()).status_code == 403
    sibling_staff = make_user("can-bo-xa-ben")
    Membership.objects.create(user=sibling_staff, organization=tree.sibling, role=Role.STAFF)
    assert client_for(sibling_staff).get(f"/o/SIBL/campaigns/{closed_2028.pk}/copy/").status_code == 404
    with scopes_disabled():
        assert not Campaign.objects.filter(number="03-KH/ĐU").exists()


# Signals for later apps


def test_campaign_copied_reaches_a_receiver_with_the_original_and_the_copy(tree, commune_staff, closed_2028):
    calls = []

    def receiver(sender, original, copy, user, upper, **kwargs):
        # Sent once the copy is built: its lines and milestones are there.
        calls.append((sender, original.pk, copy.pk, user, upper, copy.quotas.count(), copy.milestones.count()))

    signals.campaign_copied.connect(receiver)
    try:
        with scopes_disabled():
            copied = services.campaign_copy(original=closed_2028, user=commune_staff, number="03-KH/ĐU", title="X")
    finally:
        signals.campaign_copied.disconnect(receiver)
    assert calls == [(Campaign, closed_2028.pk, copied.campaign.pk, commune_staff, None, 2, 2)]


def test_a_receiver_that_fails_undoes_the_copy(tree, commune_staff, closed_2028):
    def receiver(sender, copy, **kwargs):
        raise RuntimeError("the rubric could not be copied")

    signals.campaign_copied.connect(receiver)
    before = table_counts()
    try:
        with scopes_disabled(), pytest.raises(RuntimeError):
            services.campaign_copy(original=closed_2028, user=commune_staff, number="03-KH/ĐU", title="X")
    finally:
        signals.campaign_copied.disconnect(receiver)
    assert table_counts() == before
    with scopes_disabled():
        assert not Campaign.objects.filter(number="03-KH/ĐU").exists()


def test_campaign_derived_reaches_a_receiver_and_a_failure_undoes_the_derivation(tree):
    upper = campaign(tree.province, "12-KH/TU", target_levels=["unit"])
    calls = []

    def receiver(sender, upper, derived, user, **kwargs):
        calls.append((sender, upper.pk, derived.number, derived.derived_from_id))

    signals.campaign_derived.connect(receiver)
    try:
        with scopes_disabled():
            derived = services.campaign_derive(
                parent=upper, organization=tree.commune, user=None, number="20-KH/ĐU", title="T", issuing_body_name="B"
            )
    finally:
        signals.campaign_derived.disconnect(receiver)
    assert calls == [(Campaign, upper.pk, "20-KH/ĐU", upper.pk)] and derived.pk

    def failing(sender, **kwargs):
        raise RuntimeError("no")

    signals.campaign_derived.connect(failing)
    before = table_counts()
    try:
        with scopes_disabled(), pytest.raises(RuntimeError):
            services.campaign_derive(
                parent=upper, organization=tree.sibling, user=None, number="21-KH/ĐU", title="T", issuing_body_name="B"
            )
    finally:
        signals.campaign_derived.disconnect(failing)
    assert table_counts() == before


# History of a new plan (item 11)


def test_a_new_plans_history_opens_with_tao_ke_hoach(tree, commune_staff, as_commune_staff):
    from tests.campaigns.test_views import campaign_data

    response = as_commune_staff.post("/o/COMM/campaigns/new/", campaign_data())
    with scopes_disabled():
        c = Campaign.objects.get(number="05-KH/ĐU")
        [record] = c.history.all()
        assert (record.history_type, record.history_user, record.lineage) == ("+", commune_staff, f"/{c.pk}/")
        # The one record holds the plan's fields and picks as created.
        assert sorted(f.field.code for f in record.fields.all()) == ["kinh-te", "van-hoa-xa-hoi"]
    detail = page(as_commune_staff.get(response["Location"]))
    history = detail[detail.index('id="campaign-history"') :]
    assert "Tạo kế hoạch" in history and "Sửa kế hoạch" not in history
    # A quota line added later: one record too.
    data = {"label": "Mỗi chi bộ 01 mô hình", "scope": "per_target", "organization_codes": "UNIT", "min_total": "1"}
    data.update(excluded_codes="MTTQ", min_collective="0", min_individual="0")
    assert as_commune_staff.post(f"/o/COMM/campaigns/{c.pk}/quotas/new/", data).status_code == 302
    with scopes_disabled():
        assert [h.history_type for h in Quota.objects.get(campaign=c).history.all()] == ["+"]
    # An edit that also changes the fields is one "Sửa" record, after the creation.
    edit = campaign_data(title="Tên mới", version=c.version, fields=[], target_codes="")
    assert as_commune_staff.post(f"/o/COMM/campaigns/{c.pk}/edit/", edit).status_code == 302
    with scopes_disabled():
        assert [h.history_type for h in c.history.order_by("history_id")] == ["+", "~"]
        assert not c.history.latest().fields.exists()


def test_a_derived_plans_history_opens_with_tao_ke_hoach(tree, commune_staff, as_commune_staff):
    upper = campaign(tree.province, "12-KH/TU", issuing_body_name="Tỉnh ủy Nghệ An", target_levels=["unit"])
    quota(upper, "Chi bộ Xóm 1: 02 tập thể", min_collective=2, organizations=[tree.unit])
    data = {"number": "20-KH/ĐU", "title": "Thực hiện", "issuing_body_name": "Đảng ủy xã Diễn Châu"}
    assert as_commune_staff.post(f"/o/COMM/campaigns/{upper.pk}/derive/", data).status_code == 302
    with scopes_disabled():
        derived = Campaign.objects.get(number="20-KH/ĐU")
        [record] = derived.history.all()
        assert (record.history_type, record.history_change_reason) == (
            "+",
            "Thực hiện kế hoạch số 12-KH/TU của Tỉnh ủy Nghệ An",
        )
        assert [h.history_type for h in derived.quotas.get().history.all()] == ["+"]
        assert [h.history_type for m in Milestone.objects.filter(campaign=derived) for h in m.history.all()] == [
            "+"
        ] * Milestone.objects.filter(campaign=derived).count()
    detail = page(as_commune_staff.get(f"/o/COMM/campaigns/{derived.pk}/"))
    history = detail[detail.index('id="campaign-history"') :]
    assert "Tạo kế hoạch" in history and "Sửa kế hoạch" not in history
