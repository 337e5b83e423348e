"""The registration workflow: draft, submit, review, withdraw, late registration."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from campaigns.enums import RegistrationStatus as S
from campaigns.enums import SubjectType
from campaigns.models import Campaign, Field
from dvk.models import Membership, Organization
from models_registry import services
from models_registry.models import Initiative, Registration, RegistrationTarget
from tests.campaigns.builders import campaign, org
from tests.conftest import make_user
from tests.test_registration_validation import COMPLETE

DUE = datetime.date(2026, 3, 5)
BEFORE, AFTER = datetime.date(2026, 3, 1), datetime.date(2026, 3, 6)


@pytest.fixture
def world(db):
    province = org(None, "NA", "Tỉnh Nghệ An", "province", "administrative")
    commune = org(province, "DC", "Xã Diễn Châu", "commune", "administrative")
    unit = org(commune, "DC-X5", "Chi bộ Xóm 5")
    mttq = org(commune, "DC-MTTQ", "Ủy ban MTTQ xã", kind="fatherland_front")
    c = campaign(commune, "08-KH/ĐU", registration_due=DUE, target_kinds=["party_cell"])
    secretary, staff = make_user("bi-thu-xom5"), make_user("ban-xdd-xa")
    Membership.objects.create(user=secretary, organization=unit, role="secretary")
    Membership.objects.create(user=staff, organization=commune, role="staff")
    return type(
        "World",
        (),
        {"campaign": c, "commune": commune, "unit": unit, "mttq": mttq, "secretary": secretary, "staff": staff},
    )


def draft(w, today=BEFORE, user=None, **extra):
    with scope(org=w.unit):
        r = services.registration_create(
            campaign=w.campaign,
            organization=w.unit,
            user=user or w.secretary,
            subject_type=SubjectType.COLLECTIVE,
            name="Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa",
            today=today,
            **{**COMPLETE, "field": Field.objects.get(code="van-hoa-xa-hoi"), **extra},
        )
        RegistrationTarget.objects.create(
            registration=r, indicator="Số tiền quyên góp", value=Decimal("12000000"), unit="đồng"
        )
    return r


def test_secretary_drafts_submits_and_staff_accepts(world):
    r = draft(world)
    assert r.status == S.DRAFT and not r.is_late
    with scope(org=world.unit):
        r = services.registration_submit(registration=r, user=world.secretary, today=BEFORE)
    assert r.status == S.SUBMITTED and r.submitted_at is not None
    with scope(org=world.commune):
        r = services.registration_accept(registration=r, user=world.staff)
    assert (r.status, r.reviewed_by) == (S.ACCEPTED, world.staff)
    with scopes_disabled():
        assert [h.status for h in r.history.order_by("history_date")] == [S.DRAFT, S.SUBMITTED, S.ACCEPTED]


def test_an_incomplete_draft_is_refused_on_submit_and_kept(world):
    r = draft(world, authority="")
    with scope(org=world.unit), pytest.raises(ValidationError) as refused:
        services.registration_submit(registration=r, user=world.secretary, today=BEFORE)
    assert "authority" in refused.value.message_dict
    with scopes_disabled():
        r.refresh_from_db()
    assert r.status == S.DRAFT and r.content == COMPLETE["content"]  # nothing typed is lost


def test_return_needs_a_comment_then_the_secretary_resubmits(world):
    r = draft(world)
    with scope(org=world.unit):
        services.registration_submit(registration=r, user=world.secretary, today=BEFORE)
    with scope(org=world.commune):
        with pytest.raises(ValidationError):
            services.registration_return(registration=r, user=world.staff, comment=" ")
        services.registration_return(registration=r, user=world.staff, comment="Bổ sung kết quả cần đạt")
    with scope(org=world.unit):
        r = services.registration_update(registration=r, location="Xóm 5 và Xóm 6")
        r = services.registration_submit(registration=r, user=world.secretary, today=BEFORE)
    assert r.status == S.SUBMITTED and r.location == "Xóm 5 và Xóm 6"


def test_the_secretary_cannot_review(world):
    r = draft(world)
    with scope(org=world.unit):
        services.registration_submit(registration=r, user=world.secretary, today=BEFORE)
        with pytest.raises(ValidationError):
            services.registration_accept(registration=r, user=world.secretary)


def test_an_untargeted_unit_cannot_register(world):
    with scope(org=world.mttq), pytest.raises(ValidationError) as refused:
        services.registration_create(
            campaign=world.campaign,
            organization=world.mttq,
            user=world.staff,
            subject_type=SubjectType.COLLECTIVE,
            name="Mô hình",
            today=BEFORE,
        )
    assert "không thuộc đối tượng" in refused.value.messages[0]
    with scopes_disabled():
        assert not Registration.objects.exists()


def test_after_the_deadline_only_staff_register_with_a_reason_and_it_is_marked_late(world):
    with pytest.raises(ValidationError):
        draft(world, today=AFTER)
    with pytest.raises(ValidationError) as no_reason:
        draft(world, today=AFTER, user=world.staff)
    assert "late_reason" in no_reason.value.message_dict
    r = draft(world, today=AFTER, user=world.staff, late_reason="Chi bộ mới thành lập sau hạn")
    assert r.is_late
    with scope(org=world.commune):
        assert services.registration_submit(registration=r, user=world.staff, today=AFTER).status == S.SUBMITTED


def test_a_draft_cannot_be_submitted_by_the_unit_after_the_deadline(world):
    r = draft(world)
    with scope(org=world.unit), pytest.raises(ValidationError):
        services.registration_submit(registration=r, user=world.secretary, today=AFTER)


def test_withdrawal_only_before_the_deadline(world):
    r = draft(world)
    with scope(org=world.unit):
        services.registration_submit(registration=r, user=world.secretary, today=BEFORE)
        with pytest.raises(ValidationError):
            services.registration_withdraw(registration=r, today=AFTER)
        assert services.registration_withdraw(registration=r, today=BEFORE).status == S.WITHDRAWN


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_from_two_tabs_submits_once(world):
    r = draft(world)
    outcomes = []

    def submit():
        try:
            with scope(org=world.unit):
                services.registration_submit(registration=r, user=world.secretary, today=BEFORE)
            outcomes.append("submitted")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    tabs = [threading.Thread(target=submit) for _ in range(2)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()
    assert sorted(outcomes) == ["submitted", "Đăng ký này đã được gửi rồi."]
    with scopes_disabled():
        assert r.history.filter(status=S.SUBMITTED).count() == 1


def test_the_unit_learns_the_review_outcome_in_its_notifications(world):
    r = draft(world)
    with scope(org=world.unit):
        services.registration_submit(registration=r, user=world.secretary, today=BEFORE)
    with scope(org=world.commune):
        services.registration_return(registration=r, user=world.staff, comment="Bổ sung địa điểm cụ thể")
    note = world.secretary.notifications.get()
    assert note.title == "Mô hình “Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa” bị trả lại để sửa"
    assert note.body == "Bổ sung địa điểm cụ thể"
    assert note.url == f"/o/DC-X5/registrations/{r.pk}/"
    # The reviewer was told of the submission, not of their own review.
    assert [n.title for n in world.staff.notifications.all()] == [
        "Chi bộ Xóm 5 đăng ký mô hình “Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa”"
    ]


def test_a_continued_model_is_the_same_initiative_across_years(world):
    earlier_plan = campaign(
        world.commune,
        "05-KH/ĐU",
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        target_kinds=["party_cell"],
    )
    with scopes_disabled():
        earlier = services.registration_create(
            campaign=earlier_plan,
            organization=world.unit,
            user=world.secretary,
            subject_type=SubjectType.COLLECTIVE,
            name="Một giúp một",
            today=datetime.date(2025, 2, 1),
        )
    r = draft(world)
    own_initiative = r.initiative_id
    with scope(org=world.unit):
        r = services.registration_update(registration=r, expected_version=r.version, continues=earlier)
    assert r.initiative_id == earlier.initiative_id and r.name == "Một giúp một"
    with scopes_disabled():
        assert not Initiative.objects.filter(pk=own_initiative).exists()
        # Created continued from the start, it is the same initiative too; twice is refused.
        with pytest.raises(ValidationError) as twice:
            services.registration_create(
                campaign=world.campaign,
                organization=world.unit,
                user=world.secretary,
                subject_type=SubjectType.COLLECTIVE,
                name="Một giúp một",
                today=BEFORE,
                continues=earlier,
            )
    assert "đã được đăng ký theo kế hoạch này" in str(twice.value)


def test_a_unit_registers_under_its_communes_plan_not_the_province_one_it_implements(world):
    with scopes_disabled():
        province = Organization.objects.get_parent(world.commune)
    province_plan = campaign(province, "21-KH/BCĐ", target_levels=["unit"])
    derived = campaign(world.commune, "27-KH/ĐU", derived_from=province_plan, target_levels=["unit"])
    assert derived.lineage.startswith(province_plan.lineage)
    with scope(org=world.unit), pytest.raises(ValidationError) as refused:
        services.registration_create(
            campaign=province_plan,
            organization=world.unit,
            user=world.secretary,
            subject_type=SubjectType.COLLECTIVE,
            name="Chính quyền thân thiện",
            today=BEFORE,
        )
    assert "27-KH/ĐU" in str(refused.value)
    with scope(org=world.unit):
        assert (
            services.registration_create(
                campaign=derived,
                organization=world.unit,
                user=world.secretary,
                subject_type=SubjectType.COLLECTIVE,
                name="Chính quyền thân thiện",
                today=BEFORE,
            ).campaign
            == derived
        )


def test_a_registration_returned_after_the_deadline_goes_back_to_review(world):
    r = draft(world)
    with scope(org=world.unit):
        services.registration_submit(registration=r, user=world.secretary, today=BEFORE)
    with scope(org=world.commune):
        services.registration_return(registration=r, user=world.staff, comment="Ghi rõ số hộ được hỗ trợ")
    with scope(org=world.unit):
        r = services.registration_submit(registration=r, user=world.secretary, today=AFTER)
    assert r.status == S.SUBMITTED and not r.is_late


def test_a_field_outside_the_campaigns_list_is_refused_when_saving(world):
    with scopes_disabled():
        world.campaign.fields.set(Field.objects.filter(code="kinh-te"))
    with scope(org=world.unit), pytest.raises(ValidationError) as refused:
        draft(world, field=Field.objects.get(code="van-hoa-xa-hoi"))
    assert "field" in refused.value.message_dict


def test_a_late_reason_is_kept_only_on_a_late_registration(world):
    assert draft(world, late_reason="Không cần").late_reason == ""


@pytest.mark.django_db(transaction=True)
def test_saving_one_units_registration_does_not_wait_for_another_units(world):
    """The row lock is the registration's own: neither another registration under the same
    campaign nor the campaign itself waits for it."""
    first = draft(world)
    with scopes_disabled():
        other = services.registration_create(
            campaign=world.campaign,
            organization=world.unit,
            user=world.secretary,
            subject_type=SubjectType.COLLECTIVE,
            name="Một giúp một",
            today=BEFORE,
        )
    held, results = threading.Event(), {}

    def holder():
        try:
            with transaction.atomic(), scopes_disabled():
                services.locked_registration(first)
                held.set()
                time.sleep(1.5)
        finally:
            connection.close()

    def other_saves():
        held.wait(5)
        try:
            with transaction.atomic(), scopes_disabled():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '500ms'")
                services.locked_registration(other)
                Campaign.objects.select_for_update().get(pk=world.campaign.pk)
            results["other"] = "saved"
        except Exception as exc:  # noqa: BLE001 - the assertion shows what blocked
            results["other"] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=other_saves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results["other"] == "saved"


def test_autosaves_of_a_draft_do_not_fill_the_audit_trail(world):
    r = draft(world)
    with scope(org=world.unit):
        for n in range(5):
            r = services.registration_update(registration=r, expected_version=r.version, location=f"Xóm {n}")
        services.registration_submit(registration=r, user=world.secretary, today=BEFORE)
    with scopes_disabled():
        rows = list(r.history.order_by("history_date"))
    assert [(h.status, h.location) for h in rows] == [(S.DRAFT, COMPLETE["location"]), (S.SUBMITTED, "Xóm 4")]


def test_the_campaigns_staff_learn_of_a_submission_waiting_for_review(world):
    r = draft(world)
    with scope(org=world.unit):
        services.registration_submit(registration=r, user=world.secretary, today=BEFORE)
    note = world.staff.notifications.get()
    assert note.title == "Chi bộ Xóm 5 đăng ký mô hình “Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa”"
    assert note.body == "Chờ duyệt theo kế hoạch 08-KH/ĐU."
    assert note.url == f"/o/DC/registrations/{r.pk}/"
    assert not world.secretary.notifications.exists()
