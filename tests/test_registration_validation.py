"""A registration must state the seeds' fields and the "06 rõ" before it is submitted."""

import datetime
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from campaigns.enums import RegistrationStatus, SubjectType
from campaigns.models import Field
from models_registry.models import RegistrationTarget
from models_registry.validation import SIX_CLEAR, submission_errors
from tests.campaigns.builders import campaign, org, register

COMPLETE = {
    "field": None,
    "location": "Xóm 5, xã Diễn Châu",
    "starts_on": datetime.date(2026, 3, 10),
    "completes_on": datetime.date(2026, 8, 31),
    "contact_phone": "0912 345 678",
    "responsible_person": "Bí thư chi bộ Nguyễn Văn Hùng",
    "participants": "Đảng viên, hội viên các đoàn thể trong xóm",
    "content": "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa",
    "responsibility": "Chi bộ chỉ đạo; các đoàn thể vận động hội viên",
    "authority": "Đảng ủy xã Diễn Châu",
    "schedule": "Từ tháng 3 đến tháng 8/2026; sơ kết tháng 6",
}


@pytest.fixture
def registration(db):
    province = org(None, "NA", "Tỉnh Nghệ An", "province", "administrative")
    commune = org(province, "DC", "Xã Diễn Châu", "commune", "administrative")
    unit = org(commune, "DC-X5", "Chi bộ Xóm 5")
    c = campaign(commune, "08-KH/ĐU", target_levels=["unit"])
    with scopes_disabled():
        c.fields.set(Field.objects.filter(code__in=["kinh-te", "van-hoa-xa-hoi"]))
        r = register(c, unit, status=RegistrationStatus.DRAFT)[0]
        for key, value in COMPLETE.items():
            setattr(r, key, value)
        r.field = Field.objects.get(code="van-hoa-xa-hoi")
        r.save()
    return r


def target(r, indicator="Số tiền quyên góp", value="12000000", unit="đồng"):
    return RegistrationTarget(registration=r, indicator=indicator, value=Decimal(value), unit=unit)


def test_a_complete_registration_may_be_submitted(registration):
    with scopes_disabled():
        assert submission_errors(registration, [target(registration)]) == {}


@pytest.mark.parametrize("field", sorted(SIX_CLEAR))
def test_each_of_the_six_clear_points_is_an_error_on_its_own_field(registration, field):
    setattr(registration, field, "  ")
    with scopes_disabled():
        errors = submission_errors(registration, [target(registration)])
    assert list(errors) == [field]
    assert errors[field][0].startswith("Rõ ")


def test_the_result_needs_a_measurable_target(registration):
    with scopes_disabled():
        errors = submission_errors(registration, [])
    assert list(errors) == ["targets"] and "Rõ kết quả" in errors["targets"][0]


def test_a_field_outside_the_campaign_is_refused(registration):
    with scopes_disabled():
        registration.field = Field.objects.get(code="quoc-phong-an-ninh")
        assert "field" in submission_errors(registration, [target(registration)])


def test_completion_before_start_is_refused(registration):
    registration.completes_on = datetime.date(2026, 1, 1)
    with scopes_disabled():
        assert "completes_on" in submission_errors(registration, [target(registration)])


def test_an_individual_states_who_they_are_and_sorts_by_given_name(registration):
    registration.subject_type = SubjectType.INDIVIDUAL
    with scopes_disabled():
        errors = submission_errors(registration, [target(registration)])
        assert set(errors) == {"person_name", "person_position", "person_unit", "person_address"}
        registration.person_name = "  Nguyễn   Thị Ánh "
        registration.save()
    assert registration.person_name == "Nguyễn Thị Ánh"
    assert registration.person_name_sort_key.startswith("01")  # A…, the given name first


def test_a_continued_model_must_raise_a_target(registration):
    with scopes_disabled():
        RegistrationTarget.objects.create(
            registration=registration, indicator="Số tiền quyên góp", value=Decimal("12000000"), unit="đồng"
        )
        later_campaign = campaign(registration.campaign.organization, "09-KH/ĐU", target_levels=["unit"])
        later = register(
            later_campaign, registration.organization, status=RegistrationStatus.DRAFT, continues=registration
        )[0]
        for key, value in COMPLETE.items():
            setattr(later, key, value)
        later.field = registration.field
        same = submission_errors(later, [target(later, value="12000000")])
        higher = submission_errors(later, [target(later, value="15000000")])
    assert "cao hơn năm trước" in same["targets"][0]
    assert higher == {}
