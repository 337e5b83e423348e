"""What a registration must state before it can be submitted.

A draft may be incomplete (it saves as the secretary types); submitting checks everything
here and reports each gap on its own field, in Vietnamese."""

from django.utils.translation import gettext as _

from campaigns.enums import SubjectType
from dvk.text import normalize_search

# The "06 rõ" (DOMAIN.md §5); the sixth, the result, is the measurable targets.
SIX_CLEAR = {
    "responsible_person": "Rõ người: hãy ghi người chịu trách nhiệm chính.",
    "content": "Rõ việc: hãy ghi nội dung, công việc sẽ làm.",
    "responsibility": "Rõ trách nhiệm: hãy ghi trách nhiệm của từng người, từng bộ phận.",
    "authority": "Rõ thẩm quyền: hãy ghi cấp có thẩm quyền phê duyệt, chỉ đạo.",
    "schedule": "Rõ thời gian: hãy ghi tiến độ, mốc thời gian thực hiện.",
}
RESULT_MISSING = "Rõ kết quả: hãy ghi ít nhất một kết quả cần đạt đo đếm được (chỉ tiêu, con số, đơn vị tính)."
PERSON_FIELDS = {
    "person_name": "Hãy ghi họ và tên người đăng ký.",
    "person_position": "Hãy ghi chức vụ.",
    "person_unit": "Hãy ghi đơn vị công tác.",
    "person_address": "Hãy ghi địa chỉ.",
}


def _same_target(target):
    """Targets of two years compare when they measure the same thing in the same unit."""
    return normalize_search(target.indicator), normalize_search(target.unit)


def submission_errors(registration, targets):
    """{field: [message]} of everything missing or inconsistent; empty when it may be submitted.

    `targets`: the RegistrationTarget rows (saved or not) the registration states."""
    errors = {}

    def add(field, message):
        errors.setdefault(field, []).append(_(message))

    if not registration.initiative_id or not registration.initiative.name.strip():
        add("name", "Hãy ghi tên mô hình.")
    campaign_fields = {f.pk for f in registration.campaign.fields.all()}
    if registration.field_id is None:
        add("field", "Hãy chọn lĩnh vực.")
    elif campaign_fields and registration.field_id not in campaign_fields:
        add("field", "Lĩnh vực này không thuộc kế hoạch.")
    if not registration.location.strip():
        add("location", "Hãy ghi địa điểm thực hiện.")
    if registration.starts_on is None:
        add("starts_on", "Hãy ghi thời gian bắt đầu.")
    if registration.completes_on is None:
        add("completes_on", "Hãy ghi thời gian hoàn thành.")
    elif registration.starts_on and registration.completes_on < registration.starts_on:
        add("completes_on", "Thời gian hoàn thành phải sau thời gian bắt đầu.")
    if registration.subject_type == SubjectType.INDIVIDUAL:
        for field, message in PERSON_FIELDS.items():
            if not getattr(registration, field).strip():
                add(field, message)
    for field, message in SIX_CLEAR.items():
        if not getattr(registration, field).strip():
            add(field, message)
    if not targets:
        add("targets", RESULT_MISSING)
    elif registration.continues_id:
        earlier = {_same_target(t): t.value for t in registration.continues.targets.all()}
        raised = any(_same_target(t) in earlier and t.value > earlier[_same_target(t)] for t in targets)
        if earlier and not raised:
            add("targets", "Mô hình duy trì phải đăng ký mục tiêu cao hơn năm trước ở ít nhất một chỉ tiêu.")
    return errors
