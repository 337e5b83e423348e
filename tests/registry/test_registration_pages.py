"""The secretary's registration pages (phone-first form with autosave) and the review actions."""

import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from campaigns.enums import RegistrationStatus as S
from campaigns.enums import SubjectType
from campaigns.models import Field
from dvk.models import Membership
from models_registry.models import Registration
from models_registry.services import STALE
from models_registry.validation import SIX_CLEAR
from tests.campaigns.builders import campaign, quota, register
from tests.conftest import client_for, make_user, table_counts
from tests.registry.builders import COMPLETE, complete_registration

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DUE = datetime.date(2026, 3, 5)
BEFORE = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=HCM)
AFTER = datetime.datetime(2026, 3, 6, 9, 0, tzinfo=HCM)


@pytest.fixture(autouse=True)
def before_the_deadline():
    with time_machine.travel(BEFORE, tick=False) as traveller:
        yield traveller


@pytest.fixture
def plan(tree):
    """The commune's plan for its party cells (not the MTTQ), with a quota that counts
    collectives and individuals apart."""
    c = campaign(tree.commune, "11-KH/ĐU", registration_due=DUE, target_kinds=["party_cell"])
    with scopes_disabled():
        c.fields.set(Field.objects.filter(code__in=["kinh-te", "van-hoa-xa-hoi"]))
    quota(c, "Mỗi chi bộ 01 tập thể và 02 cá nhân", min_collective=1, min_individual=2)
    return c


@pytest.fixture
def as_secretary(secretary):
    return client_for(secretary)


def _get(pk):
    with scopes_disabled():
        return Registration.objects.select_related("initiative").get(pk=pk)


def _form_data(registration, **changes):
    """What the edit form posts for `registration` as it is stored, with `changes`."""
    data = {
        "version": registration.version,
        "name": registration.name,
        "field": registration.field_id or "",
        "continues": registration.continues_id or "",
        "starts_on": registration.starts_on.isoformat() if registration.starts_on else "",
        "completes_on": registration.completes_on.isoformat() if registration.completes_on else "",
    }
    for key in ("location", "contact_phone", *SIX_CLEAR, "participants"):
        data[key] = getattr(registration, key)
    with scopes_disabled():
        targets = list(registration.targets.all())
    data["target_indicator"] = [t.indicator for t in targets]
    data["target_value"] = [str(t.value) for t in targets]
    data["target_unit"] = [t.unit for t in targets]
    data.update(changes)
    return data


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# The open campaigns.


def test_secretary_sees_open_campaigns_with_the_quota_left(tree, plan, as_secretary):
    register(plan, tree.unit, SubjectType.COLLECTIVE)
    register(plan, tree.unit, SubjectType.INDIVIDUAL, status=S.DRAFT)
    campaign(tree.sibling, "09-KH/ĐU", target_levels=["unit"])  # another commune's: not shown

    response = as_secretary.get("/o/UNIT/registrations/open/")

    page = response.content.decode()
    assert response.status_code == 200
    assert [row["campaign"].number for row in response.context["rows"]] == ["11-KH/ĐU"]
    assert "Hạn đăng ký 05/03/2026: còn 4 ngày." in page
    assert "ít nhất 1 tập thể, 2 cá nhân (tổng 3)" in page
    assert "Đã đăng ký: 1 tập thể, 0 cá nhân" in page  # the draft does not count
    assert "Còn thiếu 2: 0 tập thể, 2 cá nhân." in page
    assert f"/o/UNIT/registrations/new/{plan.pk}/?subject=individual" in page
    assert "Nháp" in page  # the unit's draft, to carry on with


def test_registrations_of_another_commune_never_count_toward_the_units_quota(tree, as_secretary):
    """The counts aggregate across registrations outside the tenant manager: they are filtered
    by the unit's subtree, so a sibling commune's unit under the same province plan adds nothing."""
    province_plan = campaign(tree.province, "21-KH/BCĐ", registration_due=DUE, target_levels=["unit"])
    quota(province_plan, "Mỗi đơn vị ít nhất 01 mô hình", min_total=1)
    register(province_plan, tree.sibling_unit, SubjectType.COLLECTIVE, n=3)

    page = as_secretary.get("/o/UNIT/registrations/open/").content.decode()

    assert "Đã đăng ký: 0 mô hình" in page
    assert "Còn thiếu 1 mô hình." in page


def test_a_unit_registers_under_its_communes_derived_plan_not_the_provinces(tree, as_secretary):
    upper = campaign(tree.province, "21-KH/BCĐ", target_levels=["unit"])
    lower = campaign(tree.commune, "27-KH/ĐU", derived_from=upper, title="Thực hiện", issuing_body_name="Đảng ủy xã")

    response = as_secretary.get("/o/UNIT/registrations/open/")

    assert [row["campaign"] for row in response.context["rows"]] == [lower]
    counts = table_counts()
    direct = as_secretary.post(
        f"/o/UNIT/registrations/new/{upper.pk}/", {"name": "Mô hình", "subject_type": "collective"}
    )
    assert direct.status_code == 400
    assert "đăng ký theo kế hoạch thực hiện của cấp gần nhất (27-KH/ĐU)" in direct.content.decode()
    assert table_counts() == counts


def test_after_the_deadline_the_open_page_says_so(tree, plan, as_secretary, before_the_deadline):
    before_the_deadline.move_to(AFTER)
    page = as_secretary.get("/o/UNIT/registrations/open/").content.decode()
    assert "đã quá hạn 1 ngày" in page
    assert "Đã quá hạn đăng ký; hãy liên hệ cán bộ phụ trách" in page
    assert f"/registrations/new/{plan.pk}/" not in page


def test_staff_picks_the_unit_that_registers(tree, plan, commune_staff):
    client = client_for(commune_staff)
    picker = client.get("/o/COMM/registrations/open/")
    page = picker.content.decode()
    # A search picker over the units the staff may register for, the commune itself chosen;
    # without the script the code is typed in the plain field (?org=CODE).
    assert 'hx-get="/o/COMM/pick/registering-units/"' in page
    assert re.findall(r'class="picker-chip" data-value="([A-Z0-9_-]+)"', page) == ["COMM"]
    assert '<input type="text" name="org" value="COMM"' in page
    assert "Đăng ký cho đơn vị" in page and "<select" not in page
    assert picker.context["rows"] == []

    response = client.get("/o/COMM/registrations/open/?org=UNIT")
    assert [row["campaign"] for row in response.context["rows"]] == [plan]
    assert f"/o/COMM/registrations/new/{plan.pk}/?subject=collective&amp;org=UNIT" in response.content.decode()


# Creating a draft.


def test_secretary_creates_a_draft_and_lands_on_the_form(tree, plan, secretary, as_secretary):
    form = as_secretary.get(f"/o/UNIT/registrations/new/{plan.pk}/?subject=individual")
    assert form.status_code == 200
    assert form.context["form"]["subject_type"].value() == "individual"

    response = as_secretary.post(
        f"/o/UNIT/registrations/new/{plan.pk}/?subject=individual",
        {"name": "  Mỗi ngày   tiết kiệm 1.000 đồng ", "subject_type": "individual"},
    )

    with scopes_disabled():
        registration = Registration.objects.select_related("initiative").get()
    assert response.status_code == 302
    assert response.url == f"/o/UNIT/registrations/{registration.pk}/edit/"
    assert (registration.name, registration.status, registration.subject_type) == (
        "Mỗi ngày tiết kiệm 1.000 đồng",
        S.DRAFT,
        SubjectType.INDIVIDUAL,
    )
    assert (registration.organization, registration.created_by, registration.is_late) == (tree.unit, secretary, False)


def test_a_draft_needs_a_name(tree, plan, as_secretary):
    counts = table_counts()
    response = as_secretary.post(f"/o/UNIT/registrations/new/{plan.pk}/", {"name": " ", "subject_type": "collective"})
    assert response.status_code == 400
    assert "Hãy ghi tên mô hình." in response.content.decode()
    assert table_counts() == counts


def test_staff_registers_for_a_unit_of_the_commune(tree, plan, commune_staff):
    response = client_for(commune_staff).post(
        f"/o/COMM/registrations/new/{plan.pk}/?org=UNIT", {"name": "Dân vận khéo xóm 1", "subject_type": "collective"}
    )
    with scopes_disabled():
        registration = Registration.objects.get()
    assert response.url == f"/o/COMM/registrations/{registration.pk}/edit/"
    assert registration.organization == tree.unit


def test_a_unit_the_plan_does_not_target_gets_a_clear_message(tree, plan, commune_staff):
    client = client_for(commune_staff)
    page = client.get(f"/o/COMM/registrations/new/{plan.pk}/?org=MTTQ")
    assert "“Ủy ban MTTQ xã Diễn Châu” không thuộc đối tượng của kế hoạch 11-KH/ĐU" in page.content.decode()
    counts = table_counts()

    response = client.post(
        f"/o/COMM/registrations/new/{plan.pk}/?org=MTTQ", {"name": "Mô hình", "subject_type": "collective"}
    )

    assert response.status_code == 400
    assert "không thuộc đối tượng của kế hoạch 11-KH/ĐU" in response.content.decode()
    assert table_counts() == counts


def test_after_the_deadline_a_secretary_cannot_register(tree, plan, as_secretary, before_the_deadline):
    before_the_deadline.move_to(AFTER)
    page = as_secretary.get(f"/o/UNIT/registrations/new/{plan.pk}/").content.decode()
    assert "Đã quá hạn đăng ký; chỉ cán bộ phụ trách cấp ban hành mới đăng ký bổ sung được." in page
    assert 'id="registration-create"' not in page
    counts = table_counts()

    response = as_secretary.post(
        f"/o/UNIT/registrations/new/{plan.pk}/", {"name": "Muộn", "subject_type": "collective"}
    )

    assert response.status_code == 400
    assert "Đã quá hạn đăng ký" in response.content.decode()
    assert table_counts() == counts


def test_after_the_deadline_staff_register_with_a_reason_and_it_is_marked_late(
    tree, plan, commune_staff, before_the_deadline
):
    before_the_deadline.move_to(AFTER)
    client = client_for(commune_staff)
    url = f"/o/COMM/registrations/new/{plan.pk}/?org=UNIT"
    assert "late_reason" in client.get(url).context["form"].fields

    no_reason = client.post(url, {"name": "Bổ sung", "subject_type": "collective", "late_reason": ""})
    assert no_reason.status_code == 400
    assert "Đăng ký sau hạn: hãy ghi lý do." in no_reason.content.decode()

    client.post(url, {"name": "Bổ sung", "subject_type": "collective", "late_reason": "Chi bộ mới thành lập"})
    with scopes_disabled():
        registration = Registration.objects.get()
    assert (registration.is_late, registration.late_reason) == (True, "Chi bộ mới thành lập")
    detail = client.get(f"/o/COMM/registrations/{registration.pk}/").content.decode()
    assert "Đăng ký muộn" in detail and "Chi bộ mới thành lập" in detail


def test_a_campaign_outside_the_scope_is_not_found(tree, as_secretary):
    other = campaign(tree.sibling, "09-KH/ĐU", target_levels=["unit"])
    assert as_secretary.get(f"/o/UNIT/registrations/new/{other.pk}/").status_code == 404


# The form.


@pytest.fixture
def draft(tree, plan, secretary):
    return complete_registration(plan, tree.unit, user=secretary, authority="", content="")


def test_edit_saves_every_field_and_a_reload_shows_it(tree, plan, as_secretary):
    earlier_plan = campaign(
        tree.commune,
        "05-KH/ĐU",
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        target_kinds=["party_cell"],
    )
    earlier = complete_registration(earlier_plan, tree.unit, status=S.COMPLETED, name="Tiết kiệm vì người nghèo")
    draft = register(plan, tree.unit, status=S.DRAFT)[0]
    url = f"/o/UNIT/registrations/{draft.pk}/edit/"
    page = as_secretary.get(url)
    assert page.status_code == 200
    assert "Duy trì: Tiết kiệm vì người nghèo (kế hoạch 05-KH/ĐU)" in page.content.decode()
    data = {
        "version": draft.version,
        "name": "Tiết kiệm vì người nghèo năm 2026",
        "continues": earlier.pk,
        "field": Field.objects.get(code="kinh-te").pk,
        "location": "Xóm 1",
        "starts_on": "10/03/2026",
        "completes_on": "2026-08-31",
        "contact_phone": "0912 345 678",
        "responsible_person": "Bí thư Nguyễn Văn Hùng",
        "content": "Mỗi hộ tiết kiệm mỗi ngày 1.000 đồng",
        "purposes": "Giúp hộ nghèo có Tết ấm",
        "action": "save",
        "target_indicator": ["Số tiền quyên góp", "", "Số hộ được giúp"],
        "target_value": ["15.000.000", "", "3"],
        "target_unit": ["đồng", "", "hộ"],
    }

    response = as_secretary.post(url, data)

    assert response.status_code == 302 and response.url == url
    saved = _get(draft.pk)
    assert (saved.name, saved.location, saved.starts_on, saved.completes_on, saved.continues_id) == (
        "Tiết kiệm vì người nghèo năm 2026",
        "Xóm 1",
        datetime.date(2026, 3, 10),
        datetime.date(2026, 8, 31),
        earlier.pk,
    )
    assert (saved.status, saved.version) == (S.DRAFT, draft.version + 1)
    with scopes_disabled():
        assert [(t.indicator, t.value, t.unit) for t in saved.targets.all()] == [
            ("Số tiền quyên góp", Decimal("15000000"), "đồng"),
            ("Số hộ được giúp", Decimal("3"), "hộ"),
        ]
    reload = as_secretary.get(url).content.decode()
    for text in (
        "Tiết kiệm vì người nghèo năm 2026",
        "Mỗi hộ tiết kiệm mỗi ngày 1.000 đồng",
        'value="10/03/2026"',
        'value="15.000.000"',
        "Giúp hộ nghèo có Tết ấm",
        f'value="{saved.version}"',
    ):
        assert text in reload


def test_an_individual_registration_asks_for_the_person(tree, plan, as_secretary):
    individual = register(plan, tree.unit, subject=SubjectType.INDIVIDUAL, status=S.DRAFT)[0]
    collective = register(plan, tree.unit, status=S.DRAFT)[0]
    assert "person_name" in as_secretary.get(f"/o/UNIT/registrations/{individual.pk}/edit/").context["form"].fields
    assert "person_name" not in as_secretary.get(f"/o/UNIT/registrations/{collective.pk}/edit/").context["form"].fields


def test_an_individual_registration_links_the_persons_account_by_username(tree, plan, as_secretary):
    """The link appraisal's conflicts read (Registration.person_user): a username among the
    people under the campaign's level; an unknown one is refused, naming it, and saves nothing."""
    individual = register(plan, tree.unit, subject=SubjectType.INDIVIDUAL, status=S.DRAFT)[0]
    person = make_user("nguoi-duoc-de-nghi")
    Membership.objects.create(user=person, organization=tree.unit, role="member")
    autosave = f"/o/UNIT/registrations/{individual.pk}/autosave/"
    blank = {"target_indicator": [""], "target_value": [""], "target_unit": [""]}

    refused = as_secretary.post(autosave, {"version": individual.version, "person_account": "khong-co-ai", **blank})
    assert "khong-co-ai" in str(refused.json()["errors"]["person_account"])
    assert _get(individual.pk).person_user_id is None

    saved = as_secretary.post(
        autosave, {"version": individual.version, "person_account": "nguoi-duoc-de-nghi", **blank}
    )
    assert saved.json()["ok"] is True
    assert _get(individual.pk).person_user_id == person.pk
    form = as_secretary.get(f"/o/UNIT/registrations/{individual.pk}/edit/").context["form"]
    assert form["person_account"].value() == "nguoi-duoc-de-nghi"
    collective = register(plan, tree.unit, status=S.DRAFT)[0]
    assert (
        "person_account" not in as_secretary.get(f"/o/UNIT/registrations/{collective.pk}/edit/").context["form"].fields
    )


def test_the_field_list_is_the_campaigns(tree, plan, draft, as_secretary):
    form = as_secretary.get(f"/o/UNIT/registrations/{draft.pk}/edit/").context["form"]
    assert sorted(f.code for f in form.fields["field"].queryset) == ["kinh-te", "van-hoa-xa-hoi"]


def test_autosave_saves_an_incomplete_draft_and_bumps_the_version(tree, plan, as_secretary):
    draft = register(plan, tree.unit, status=S.DRAFT)[0]

    response = as_secretary.post(
        f"/o/UNIT/registrations/{draft.pk}/autosave/",
        {
            "version": draft.version,
            "name": "Mô hình đang gõ",
            "location": "Xóm 1",
            "target_indicator": [""],
            "target_value": [""],
            "target_unit": [""],
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["version"] == draft.version + 1
    assert body["message"] == "Đã lưu lúc 09:00"
    saved = _get(draft.pk)
    assert (saved.name, saved.location, saved.version, saved.status) == (
        "Mô hình đang gõ",
        "Xóm 1",
        body["version"],
        S.DRAFT,
    )
    reload = as_secretary.get(f"/o/UNIT/registrations/{draft.pk}/edit/").content.decode()
    assert "Mô hình đang gõ" in reload and f'value="{body["version"]}"' in reload


def test_autosave_keeps_the_expected_results_rows_when_they_did_not_change(tree, plan, draft, as_secretary):
    with scopes_disabled():
        before = list(draft.targets.values_list("pk", flat=True))
    as_secretary.post(f"/o/UNIT/registrations/{draft.pk}/autosave/", _form_data(draft, location="Xóm 9"))
    with scopes_disabled():
        assert list(draft.targets.values_list("pk", flat=True)) == before
    assert _get(draft.pk).location == "Xóm 9"


def test_autosave_of_a_bad_value_saves_nothing_and_says_why(tree, plan, draft, as_secretary):
    response = as_secretary.post(
        f"/o/UNIT/registrations/{draft.pk}/autosave/",
        _form_data(
            draft,
            location="Xóm 7",
            starts_on="31/02/2026",
            target_indicator=["Số hộ"],
            target_value=["ba"],
            target_unit=["hộ"],
        ),
    )

    assert response.status_code == 400
    body = response.json()
    assert body["message"].startswith("Chưa lưu: ")
    assert body["errors"]["starts_on"] == ["Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 27/09/2025."]
    assert body["errors"]["targets"] == ["Kết quả dòng 1: con số “ba” không hợp lệ."]
    assert (_get(draft.pk).location, _get(draft.pk).version) == (draft.location, draft.version)


def test_a_row_of_results_still_being_typed_does_not_stop_the_rest_from_saving(tree, plan, draft, as_secretary):
    typing = _form_data(
        draft,
        location="Xóm 7",
        target_indicator=["Số tiền quyên góp", "Số hộ được giúp"],
        target_value=["12000000", ""],
        target_unit=["đồng", ""],
    )

    response = as_secretary.post(f"/o/UNIT/registrations/{draft.pk}/autosave/", typing)

    body = response.json()
    assert (response.status_code, body["complete"]) == (200, False)
    assert body["message"] == (
        "Đã lưu lúc 09:00, trừ bảng kết quả cần đạt: Kết quả dòng 2: hãy ghi con số; hãy ghi đơn vị tính."
    )
    saved = _get(draft.pk)
    assert (saved.location, saved.version) == ("Xóm 7", body["version"])
    with scopes_disabled():
        assert [t.indicator for t in saved.targets.all()] == ["Số tiền quyên góp"]  # the stored table, untouched

    page = as_secretary.post(
        f"/o/UNIT/registrations/{draft.pk}/edit/",
        {**typing, "version": saved.version, "location": "Xóm 8", "action": "save"},
    )
    assert page.status_code == 200
    assert page.context["form"].target_rows[1]["errors"] == ["hãy ghi con số", "hãy ghi đơn vị tính"]
    assert 'value="Số hộ được giúp"' in page.content.decode()  # the unfinished row, as typed
    assert f'value="{saved.version + 1}"' in page.content.decode()
    assert _get(draft.pk).location == "Xóm 8"


def test_a_stale_version_is_refused_and_nothing_is_overwritten(tree, plan, draft, as_secretary):
    newer = as_secretary.post(f"/o/UNIT/registrations/{draft.pk}/autosave/", _form_data(draft, location="Tab 1"))
    assert newer.status_code == 200

    stale = as_secretary.post(f"/o/UNIT/registrations/{draft.pk}/autosave/", _form_data(draft, location="Tab 2"))
    assert stale.status_code == 409
    assert stale.json()["message"] == f"Chưa lưu: {STALE}"

    page = as_secretary.post(
        f"/o/UNIT/registrations/{draft.pk}/edit/", _form_data(draft, location="Tab 2 bấm lưu", action="save")
    )
    assert page.status_code == 409
    text = page.content.decode()
    assert STALE in text
    assert 'value="Tab 2 bấm lưu"' in text  # what was typed is still in the form
    saved = _get(draft.pk)
    assert (saved.location, saved.version) == ("Tab 1", newer.json()["version"])


def test_submit_with_the_06_ro_missing_shows_each_error_on_its_field_and_changes_nothing(
    tree, plan, draft, as_secretary
):
    counts = table_counts()

    response = as_secretary.post(f"/o/UNIT/registrations/{draft.pk}/edit/", _form_data(draft, action="submit"))

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["authority"] == [SIX_CLEAR["authority"]]
    assert form.errors["content"] == [SIX_CLEAR["content"]]
    assert "responsible_person" not in form.errors
    page = response.content.decode()
    assert SIX_CLEAR["authority"] in page and SIX_CLEAR["content"] in page
    assert table_counts() == counts
    assert (_get(draft.pk).status, _get(draft.pk).version) == (S.DRAFT, draft.version)


def test_a_refused_submit_outlines_each_flagged_field_in_red(tree, plan, draft, as_secretary):
    """The message under a field is easy to miss on a phone: the field itself is marked too,
    and only the flagged ones."""
    import re

    response = as_secretary.post(f"/o/UNIT/registrations/{draft.pk}/edit/", _form_data(draft, action="submit"))
    assert response.status_code == 400
    page = response.content.decode()
    flagged = set(response.context["form"].errors)
    assert {"authority", "content"} <= flagged
    marked = set(re.findall(r'<(?:input|textarea|select)[^>]*name="([a-z_]+)"[^>]*class="[^"]*\bis-invalid\b', page))
    marked |= set(re.findall(r'<(?:input|textarea|select)[^>]*class="[^"]*\bis-invalid\b[^>]*name="([a-z_]+)"', page))
    assert marked == flagged
    assert 'aria-invalid="true"' in page
    # The first visit of the form marks nothing.
    assert "is-invalid" not in as_secretary.get(f"/o/UNIT/registrations/{draft.pk}/edit/").content.decode()


def test_the_form_speaks_vietnamese_in_its_empty_choices_and_dates(tree, plan, draft, as_secretary):
    page = as_secretary.get(f"/o/UNIT/registrations/{draft.pk}/edit/").content.decode()
    assert "---------" not in page and "dd/mm/yyyy" not in page
    assert 'placeholder="ngày/tháng/năm"' in page
    assert "— Chọn lĩnh vực —" in page


def test_the_submit_button_of_the_detail_page_sends_back_to_the_marked_form(tree, plan, draft, as_secretary):
    response = as_secretary.post(f"/o/UNIT/registrations/{draft.pk}/submit/", follow=True)
    assert response.redirect_chain[-1][0] == f"/o/UNIT/registrations/{draft.pk}/edit/?check=1"
    assert response.context["form"].errors["authority"] == [SIX_CLEAR["authority"]]
    assert _get(draft.pk).status == S.DRAFT


def test_submit_without_targets_marks_the_table(tree, plan, as_secretary):
    draft = complete_registration(plan, tree.unit)
    data = _form_data(draft, action="submit", target_indicator=[], target_value=[], target_unit=[])
    response = as_secretary.post(f"/o/UNIT/registrations/{draft.pk}/edit/", data)
    assert response.context["form"].target_errors == [
        "Rõ kết quả: hãy ghi ít nhất một kết quả cần đạt đo đếm được (chỉ tiêu, con số, đơn vị tính)."
    ]


def test_submit_saves_what_was_typed_and_sends_it(tree, plan, as_secretary):
    draft = complete_registration(plan, tree.unit, authority="")

    response = as_secretary.post(
        f"/o/UNIT/registrations/{draft.pk}/edit/",
        _form_data(draft, authority="Đảng ủy xã", action="submit"),
        follow=True,
    )

    saved = _get(draft.pk)
    assert (saved.status, saved.authority) == (S.SUBMITTED, "Đảng ủy xã")
    assert response.redirect_chain[-1][0] == f"/o/UNIT/registrations/{draft.pk}/"
    assert '<span class="badge fs-6 text-bg-primary">Đã gửi</span>' in response.content.decode()


def test_a_second_submit_from_another_tab_is_refused_and_changes_nothing(tree, plan, as_secretary):
    draft = complete_registration(plan, tree.unit)
    data = _form_data(draft, action="submit")
    as_secretary.post(f"/o/UNIT/registrations/{draft.pk}/submit/")
    submitted = _get(draft.pk)
    assert submitted.status == S.SUBMITTED

    again = as_secretary.post(f"/o/UNIT/registrations/{draft.pk}/submit/", follow=True)
    from_the_form = as_secretary.post(f"/o/UNIT/registrations/{draft.pk}/edit/", data, follow=True)

    for response in (again, from_the_form):
        assert "Đăng ký này đã được gửi rồi." in _messages(response)
    assert (_get(draft.pk).version, _get(draft.pk).submitted_at) == (submitted.version, submitted.submitted_at)


def test_a_submitted_registration_is_not_edited(tree, plan, as_secretary):
    submitted = complete_registration(plan, tree.unit, status=S.SUBMITTED)
    response = as_secretary.get(f"/o/UNIT/registrations/{submitted.pk}/edit/")
    assert response.status_code == 302 and response.url == f"/o/UNIT/registrations/{submitted.pk}/"
    autosave = as_secretary.post(f"/o/UNIT/registrations/{submitted.pk}/autosave/", _form_data(submitted))
    assert autosave.status_code == 409
    assert _get(submitted.pk).version == submitted.version


# Review.


@pytest.fixture
def submitted(tree, plan):
    return complete_registration(plan, tree.unit, status=S.SUBMITTED)


@pytest.mark.parametrize(
    ("action", "comment", "status", "message"),
    [
        ("accept", "", S.ACCEPTED, "Đã duyệt đăng ký"),
        ("return", "Bổ sung kết quả cần đạt", S.RETURNED, "Đã trả lại đăng ký"),
        ("reject", "Trùng với mô hình năm trước", S.REJECTED, "Đã không duyệt đăng ký"),
    ],
)
def test_staff_review(tree, submitted, commune_staff, action, comment, status, message):
    client = client_for(commune_staff)
    assert 'id="review"' in client.get(f"/o/COMM/registrations/{submitted.pk}/").content.decode()

    response = client.post(
        f"/o/COMM/registrations/{submitted.pk}/review/", {"action": action, "comment": comment}, follow=True
    )

    saved = _get(submitted.pk)
    assert (saved.status, saved.review_comment, saved.reviewed_by) == (status, comment, commune_staff)
    assert any(m.startswith(message) for m in _messages(response))
    if comment:
        assert comment in response.content.decode()


def test_returning_needs_a_comment(tree, submitted, commune_staff):
    response = client_for(commune_staff).post(
        f"/o/COMM/registrations/{submitted.pk}/review/", {"action": "return", "comment": " "}, follow=True
    )
    assert "Hãy ghi ý kiến để đơn vị biết cần sửa gì." in _messages(response)
    assert _get(submitted.pk).status == S.SUBMITTED


def test_the_secretary_may_not_review(tree, submitted, as_secretary):
    assert 'id="review"' not in as_secretary.get(f"/o/UNIT/registrations/{submitted.pk}/").content.decode()
    response = as_secretary.post(f"/o/UNIT/registrations/{submitted.pk}/review/", {"action": "accept"})
    assert response.status_code == 403
    assert _get(submitted.pk).status == S.SUBMITTED


def test_the_secretary_fixes_a_returned_registration_and_sends_it_again(tree, submitted, commune_staff, as_secretary):
    client_for(commune_staff).post(
        f"/o/COMM/registrations/{submitted.pk}/review/", {"action": "return", "comment": "Ghi rõ địa điểm"}
    )
    returned = _get(submitted.pk)
    form = as_secretary.get(f"/o/UNIT/registrations/{returned.pk}/edit/")
    assert form.status_code == 200
    assert "Ghi rõ địa điểm" in form.content.decode()

    as_secretary.post(
        f"/o/UNIT/registrations/{returned.pk}/edit/",
        _form_data(returned, location="Nhà văn hóa xóm 1", action="submit"),
    )

    saved = _get(returned.pk)
    assert (saved.status, saved.location) == (S.SUBMITTED, "Nhà văn hóa xóm 1")


def test_withdraw_before_the_deadline_and_not_after(tree, plan, as_secretary, before_the_deadline):
    first, second = (complete_registration(plan, tree.unit, status=S.SUBMITTED) for _ in range(2))
    assert (
        f"/o/UNIT/registrations/{first.pk}/withdraw/"
        in as_secretary.get(f"/o/UNIT/registrations/{first.pk}/").content.decode()
    )
    response = as_secretary.post(f"/o/UNIT/registrations/{first.pk}/withdraw/", follow=True)
    assert _get(first.pk).status == S.WITHDRAWN
    assert any(m.startswith("Đã rút đăng ký") for m in _messages(response))

    before_the_deadline.move_to(AFTER)
    detail = as_secretary.get(f"/o/UNIT/registrations/{second.pk}/").content.decode()
    assert f"/o/UNIT/registrations/{second.pk}/withdraw/" not in detail  # no button that cannot work
    refused = as_secretary.post(f"/o/UNIT/registrations/{second.pk}/withdraw/", follow=True)
    assert "Đã quá hạn đăng ký nên không rút được; hãy liên hệ cán bộ phụ trách." in _messages(refused)
    assert _get(second.pk).status == S.SUBMITTED


def test_withdraw_is_post_only(tree, submitted, as_secretary):
    assert as_secretary.get(f"/o/UNIT/registrations/{submitted.pk}/withdraw/").status_code == 405


# The detail page.


def test_the_detail_page_shows_everything_and_the_history(tree, plan, secretary, commune_staff, as_secretary):
    as_secretary.post(f"/o/UNIT/registrations/new/{plan.pk}/", {"name": "Một giúp một", "subject_type": "collective"})
    with scopes_disabled():
        registration = Registration.objects.get()
    as_secretary.post(
        f"/o/UNIT/registrations/{registration.pk}/autosave/",
        _form_data(
            _get(registration.pk),
            **COMPLETE,
            field=Field.objects.get(code="kinh-te").pk,
            target_indicator=["Số hộ được giúp"],
            target_value=["5"],
            target_unit=["hộ"],
        ),
    )
    as_secretary.post(f"/o/UNIT/registrations/{registration.pk}/submit/")
    staff = client_for(commune_staff)
    staff.post(f"/o/COMM/registrations/{registration.pk}/review/", {"action": "return", "comment": "Ghi rõ thời gian"})
    as_secretary.post(f"/o/UNIT/registrations/{registration.pk}/submit/")
    staff.post(f"/o/COMM/registrations/{registration.pk}/review/", {"action": "accept"})

    response = as_secretary.get(f"/o/UNIT/registrations/{registration.pk}/")

    assert [(h["from"], h["to"], h["user"]) for h in response.context["trail"]] == [
        ("", "Nháp", secretary),
        ("Nháp", "Đã gửi", secretary),
        ("Đã gửi", "Trả lại để sửa", commune_staff),
        ("Trả lại để sửa", "Đã gửi", secretary),
        ("Đã gửi", "Đã duyệt", commune_staff),
    ]
    page = response.content.decode()
    for text in (
        "Một giúp một",
        "Đã duyệt",
        "Ghi rõ thời gian",
        "Số hộ được giúp",
        COMPLETE["authority"],
        "Kinh tế",
        "10/03/2026",
        "Mô hình mới",
    ):
        assert text in page, text
    assert 'id="review"' not in page  # not the secretary's to review


def test_the_detail_page_links_the_continued_registration(tree, plan, as_secretary):
    earlier_plan = campaign(
        tree.commune,
        "05-KH/ĐU",
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        target_kinds=["party_cell"],
    )
    earlier = complete_registration(earlier_plan, tree.unit, status=S.COMPLETED, name="Tiết kiệm vì người nghèo")
    later = complete_registration(plan, tree.unit, continues=earlier)
    page = as_secretary.get(f"/o/UNIT/registrations/{later.pk}/").content.decode()
    assert f'<a href="/o/UNIT/registrations/{earlier.pk}/">Tiết kiệm vì người nghèo</a>' in page
    assert (
        f"/o/UNIT/registrations/{later.pk}/"
        in as_secretary.get(f"/o/UNIT/registrations/{earlier.pk}/").content.decode()
    )


def test_a_member_may_look_but_not_edit(tree, draft):
    member = make_user("thanh-vien")
    Membership.objects.create(user=member, organization=tree.unit, role="member")
    client = client_for(member)
    assert client.get(f"/o/UNIT/registrations/{draft.pk}/").status_code == 200
    assert client.get(f"/o/UNIT/registrations/{draft.pk}/edit/").status_code == 403
    assert client.post(f"/o/UNIT/registrations/{draft.pk}/autosave/", _form_data(draft)).status_code == 403
    assert client.post(f"/o/UNIT/registrations/{draft.pk}/submit/").status_code == 403
    assert client.get("/o/UNIT/registrations/open/").status_code == 403


# Query counts do not grow with rows.


def _count(client, url):
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_detail_queries_do_not_grow_with_history_or_targets(tree, plan, commune_staff, django_assert_num_queries):
    registration = complete_registration(plan, tree.unit)
    client = client_for(commune_staff)
    url = f"/o/COMM/registrations/{registration.pk}/"
    n = _count(client, url)
    for i in range(5):
        client.post(
            f"/o/COMM/registrations/{registration.pk}/autosave/",
            _form_data(
                _get(registration.pk),
                location=f"Xóm {i}",
                target_indicator=[f"Chỉ tiêu {j}" for j in range(8)],
                target_value=["5"] * 8,
                target_unit=["hộ"] * 8,
            ),
        )
    client.post(f"/o/COMM/registrations/{registration.pk}/submit/")
    client.post(f"/o/COMM/registrations/{registration.pk}/review/", {"action": "return", "comment": "Sửa"})
    client.post(f"/o/COMM/registrations/{registration.pk}/submit/")
    with django_assert_num_queries(n):
        response = client.get(url)
    assert len(response.context["trail"]) == 4 and len(response.context["targets"]) == 8


def test_open_campaigns_queries_do_not_grow_with_campaigns(tree, secretary, django_assert_num_queries):
    client = client_for(secretary)
    first = campaign(tree.commune, "01-KH/ĐU", registration_due=DUE, target_levels=["unit"])
    quota(first, "Mỗi đơn vị 01", min_total=1)
    register(first, tree.unit)
    n = _count(client, "/o/UNIT/registrations/open/")
    for i in range(2, 6):
        c = campaign(
            tree.province if i % 2 else tree.commune, f"0{i}-KH/ĐU", registration_due=DUE, target_levels=["unit"]
        )
        quota(c, "Mỗi đơn vị 01 tập thể", min_collective=1, counts_subtree=bool(i % 2))
        register(c, tree.unit, n=2)
        register(c, tree.unit, status=S.DRAFT)
    with django_assert_num_queries(n):
        response = client.get("/o/UNIT/registrations/open/")
    assert len(response.context["rows"]) == 5
