"""Builders for registration tests: real rows through the services, no mocks."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django_scopes import scopes_disabled

from campaigns.enums import RegistrationStatus as S
from campaigns.enums import SubjectType
from campaigns.models import Field
from models_registry import services
from models_registry.models import ProgressReport, Registration

COMPLETE = {
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
PERSON = {
    "person_name": "Nguyễn Thị Hoa",
    "person_position": "Chi hội trưởng phụ nữ",
    "person_unit": "Chi hội Phụ nữ xóm 5",
    "person_address": "Xóm 5, xã Diễn Châu",
    "person_phone": "0987 654 321",
}
TARGETS = [{"indicator": "Số tiền quyên góp", "value": Decimal("12000000"), "unit": "đồng"}]


def complete_registration(
    campaign,
    organization,
    *,
    name="Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa",
    subject_type=SubjectType.COLLECTIVE,
    status=S.DRAFT,
    user=None,
    **overrides,
):
    """A registration with every field submission needs and one target, moved to `status`
    directly (the workflow itself is tested in tests/test_registration_workflow.py)."""
    data = {**COMPLETE, **(PERSON if subject_type == SubjectType.INDIVIDUAL else {}), **overrides}
    data.setdefault("field", Field.objects.get(code="van-hoa-xa-hoi"))
    with scopes_disabled():
        registration = Registration(
            campaign=campaign, organization=organization, subject_type=subject_type, created_by=user, **data
        )
        from models_registry.models import Initiative

        registration.initiative = Initiative.objects.create(organization=organization, name=name)
        registration.save()
        services._replace_targets(registration, TARGETS)
        if status != S.DRAFT:
            Registration.objects.filter(pk=registration.pk).update(
                status=status, submitted_at=timezone.now(), version=registration.version + 1
            )
            registration.refresh_from_db()
    return registration


def report(registration, kind="progress", reported_on=datetime.date(2026, 6, 30), **data):
    with scopes_disabled():
        return ProgressReport.objects.create(
            organization=registration.organization,
            registration=registration,
            kind=kind,
            reported_on=reported_on,
            **data,
        )
