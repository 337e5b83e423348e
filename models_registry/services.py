"""The registration workflow. Each function is one user action: atomic, audited (history),
and safe against two tabs or two reviewers acting at once (the row is locked and its state
re-read before the change)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.compliance import registration_deadline
from campaigns.enums import CampaignStatus
from campaigns.enums import RegistrationStatus as S
from campaigns.selectors import campaigns_open_to
from dvk.enums import Role
from dvk.models import Membership
from dvk.notifications import notifications_create

from .enums import EDITABLE, WITHDRAWABLE
from .models import Initiative, Registration, RegistrationTarget
from .validation import submission_errors

REGISTER_LATE = "models_registry.register_late"


def _may(user, perm, obj):
    """`user.has_perm`, for services that builders and the demo also call without a user."""
    return user is not None and user.has_perm(perm, obj)


def registration_is_late(campaign, today=None):
    due = registration_deadline(campaign)
    return due is not None and (today or timezone.localdate()) > due


def registration_refusal(*, campaign, organization, user, today=None):
    """Why `user` may not register a model of `organization` under `campaign` now, in
    Vietnamese; "" when they may. Pages show it before anything is typed; registration_create
    refuses with it."""
    if campaign.status != CampaignStatus.PUBLISHED:
        return _("Kế hoạch này không còn nhận đăng ký.")
    if not campaign.targets_organization(organization):
        return _(
            "“%(org)s” không thuộc đối tượng của kế hoạch %(number)s, nên không đăng ký theo kế hoạch này được."
        ) % {"org": organization.name, "number": campaign.number}
    nearest = campaigns_open_to(organization)
    if campaign not in nearest:
        return _(
            "“%(org)s” đăng ký theo kế hoạch thực hiện của cấp gần nhất (%(nearest)s), không đăng ký trực tiếp "
            "theo kế hoạch %(number)s."
        ) % {"org": organization.name, "nearest": ", ".join(c.number for c in nearest), "number": campaign.number}
    if registration_is_late(campaign, today) and not _may(user, REGISTER_LATE, campaign):
        return _("Đã quá hạn đăng ký; chỉ cán bộ phụ trách cấp ban hành mới đăng ký bổ sung được.")
    return ""


def _check_field(campaign, field):
    """A field (lĩnh vực) must be one of the campaign's, when the campaign lists them."""
    if field is None:
        return
    accepted = list(campaign.fields.all())
    if accepted and field not in accepted:
        raise ValidationError(
            {
                "field": _("Lĩnh vực “%(name)s” không thuộc kế hoạch %(number)s.")
                % {"name": field.name, "number": campaign.number}
            }
        )


def _initiative_for(*, organization, campaign, continues, name, exclude=None):
    """The model a registration is of: a continued model is the same initiative as the earlier
    registration's (it lives across years); a new one gets its own."""
    if continues is None:
        return Initiative.objects.create(organization=organization, name=name)
    if continues.organization_id != organization.pk:
        raise ValidationError({"continues": _("Chỉ tiếp nối được mô hình của chính đơn vị mình.")})
    if continues.campaign_id == campaign.pk:
        raise ValidationError({"continues": _("Hãy chọn mô hình đã đăng ký ở kế hoạch năm trước.")})
    taken = Registration.objects.filter(initiative_id=continues.initiative_id, campaign=campaign).exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"continues": _("Mô hình này đã được đăng ký theo kế hoạch này rồi.")})
    initiative = continues.initiative
    if name and name != initiative.name:
        initiative.name = name
        initiative.save()
    return initiative


@transaction.atomic
def registration_create(
    *, campaign, organization, user, subject_type, name, late_reason="", today=None, targets=None, **fields
):
    """A new draft for `organization` under `campaign`. After the registration deadline only a
    reviewer may register, with a reason, and the registration is marked late."""
    if refusal := registration_refusal(campaign=campaign, organization=organization, user=user, today=today):
        raise ValidationError(refusal)
    _check_field(campaign, fields.get("field"))
    late = registration_is_late(campaign, today)
    if late and not late_reason.strip():
        raise ValidationError({"late_reason": _("Đăng ký sau hạn: hãy ghi lý do.")})
    initiative = _initiative_for(
        organization=organization, campaign=campaign, continues=fields.get("continues"), name=name
    )
    registration = Registration(
        campaign=campaign,
        organization=organization,
        initiative=initiative,
        subject_type=subject_type,
        created_by=user,
        is_late=late,
        late_reason=late_reason.strip() if late else "",
        **fields,
    )
    registration.save()
    if targets:
        _replace_targets(registration, targets)
    return registration


def locked_registration(registration):
    """The registration re-read under a row lock, for a change that depends on its state."""
    # Only the registration's own row: locking the campaign too would queue every unit's
    # autosave behind every other unit's under the same plan.
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("campaign__organization", "organization", "initiative")
        .get(pk=registration.pk)
    )


def _save(current):
    """Every change bumps the version, so a form opened before it cannot overwrite it."""
    current.version += 1
    current.save()
    return current


STALE = "Đăng ký vừa được sửa ở nơi khác (tab hoặc máy khác). Hãy tải lại trang để xem bản mới nhất rồi sửa tiếp."


@transaction.atomic
def registration_update(*, registration, expected_version=None, name=None, targets=None, **fields):
    """Saves what was typed (a draft autosaves); only a draft or a returned one changes.

    `expected_version`: the version the form was opened with; an older one is refused rather
    than overwriting a newer save. `targets`: the full list of expected results as dicts
    (indicator, value, unit); when given it replaces the stored ones."""
    current = locked_registration(registration)
    if current.status not in EDITABLE:
        raise ValidationError(_("Đăng ký đã được gửi; chỉ sửa được khi còn là bản nháp hoặc bị trả lại."))
    if expected_version is not None and int(expected_version) != current.version:
        raise ValidationError(_(STALE), code="stale")
    if "field" in fields:
        _check_field(current.campaign, fields["field"])
    dropped = None
    if "continues" in fields and fields["continues"] != current.continues:
        dropped = _switch_initiative(current, fields["continues"], name)
    elif name is not None and name != current.initiative.name:
        current.initiative.name = name
        current.initiative.save()
    for key, value in fields.items():
        setattr(current, key, value)
    if targets is not None:
        _replace_targets(current, targets)
    # The audit trail records state changes, each with the content as it then stood (the
    # submission holds what was sent); the autosaves of a draft in between would only bloat it.
    current.skip_history_when_saving = True
    _save(current)
    del current.skip_history_when_saving
    if dropped is not None and not dropped.registrations.exists():
        dropped.delete()
    return current


def _switch_initiative(current, continues, name):
    """Picking (or dropping) the earlier registration a draft continues makes it a registration
    of that model (or of a new one). Returns the model it was of, for the caller to drop once
    nothing uses it."""
    previous = current.initiative
    current.initiative = _initiative_for(
        organization=current.organization,
        campaign=current.campaign,
        continues=continues,
        # The earlier model keeps its name unless this very save renames it.
        name=name if name not in (None, previous.name) else (None if continues else previous.name),
        exclude=current.pk,
    )
    current.continues = continues
    return previous


def _replace_targets(registration, targets):
    registration.targets.all().delete()
    RegistrationTarget.objects.bulk_create(
        RegistrationTarget(registration=registration, position=i, **target) for i, target in enumerate(targets)
    )


@transaction.atomic
def registration_submit(*, registration, user, today=None):
    """Draft or returned → submitted, if complete. A second submit (another tab) is refused."""
    current = locked_registration(registration)
    if current.status not in EDITABLE:
        raise ValidationError(_("Đăng ký này đã được gửi rồi."))
    errors = submission_errors(current, list(current.targets.all()))
    if errors:
        raise ValidationError(errors)
    late = registration_is_late(current.campaign, today)
    # A returned registration was sent in time (or registered late by staff): the reviewer
    # asked for the fix, so it goes back whatever the date.
    if late and current.status == S.DRAFT and not current.is_late and not _may(user, REGISTER_LATE, current.campaign):
        raise ValidationError(_("Đã quá hạn đăng ký; hãy liên hệ cán bộ phụ trách để được đăng ký bổ sung."))
    resubmitted = current.status == S.RETURNED
    current.status = S.SUBMITTED
    current.submitted_at = timezone.now()
    _save(current)
    _notify_reviewers(current, user, resubmitted)
    return current


def _notify_reviewers(registration, user, resubmitted):
    """The staff of the campaign's level learn that something waits for their review (staff
    above it review too, but would be flooded by every unit of their subtree)."""
    staff = (
        Membership.objects.filter(organization_id=registration.campaign.organization_id, role=Role.STAFF)
        .exclude(user=user)
        .values_list("user_id", flat=True)
        .distinct()
    )
    title = (
        _("%(org)s gửi lại mô hình “%(name)s” sau khi sửa") if resubmitted else _("%(org)s đăng ký mô hình “%(name)s”")
    ) % {"org": registration.organization.name, "name": registration.initiative.name}
    url = reverse(
        "registration_detail",
        kwargs={"org_code": registration.campaign.organization.code, "pk": registration.pk},
    )
    notifications_create(
        items=[
            {
                "user_id": user_id,
                "organization": registration.campaign.organization,
                "title": title[:255],
                "body": _("Chờ duyệt theo kế hoạch %(number)s.") % {"number": registration.campaign.number},
                "url": url,
            }
            for user_id in sorted(staff)
        ]
    )


def _review(registration, user, to_status, comment, *, comment_required):
    current = locked_registration(registration)
    if not _may(user, "models_registry.review_registration", current):
        raise ValidationError(_("Chỉ cán bộ phụ trách cấp ban hành kế hoạch hoặc cấp trên mới duyệt được."))
    if current.status != S.SUBMITTED:
        raise ValidationError(_("Đăng ký này không còn ở trạng thái chờ duyệt (có thể người khác vừa xử lý)."))
    if comment_required and not comment.strip():
        raise ValidationError({"review_comment": _("Hãy ghi ý kiến để đơn vị biết cần sửa gì.")})
    current.status = to_status
    current.review_comment = comment.strip()
    current.reviewed_by = user
    current.reviewed_at = timezone.now()
    _save(current)
    _notify_registrant(current)
    return current


REVIEW_TITLES = {
    S.ACCEPTED: "Mô hình “%(name)s” đã được duyệt",
    S.RETURNED: "Mô hình “%(name)s” bị trả lại để sửa",
    S.REJECTED: "Mô hình “%(name)s” không được duyệt",
}


def _notify_registrant(registration):
    """The unit's secretaries and whoever entered the registration learn the outcome in the
    notification centre, with the reviewer's comment."""
    users = set(
        Membership.objects.filter(organization_id=registration.organization_id, role=Role.SECRETARY).values_list(
            "user_id", flat=True
        )
    )
    if registration.created_by_id:
        users.add(registration.created_by_id)
    users.discard(registration.reviewed_by_id)
    url = reverse("registration_detail", kwargs={"org_code": registration.organization.code, "pk": registration.pk})
    title = _(REVIEW_TITLES[registration.status]) % {"name": registration.initiative.name}
    notifications_create(
        items=[
            {
                "user_id": user_id,
                "organization": registration.organization,
                "title": title[:255],
                "body": registration.review_comment,
                "url": url,
            }
            for user_id in sorted(users)
        ]
    )


@transaction.atomic
def registration_accept(*, registration, user, comment=""):
    return _review(registration, user, S.ACCEPTED, comment, comment_required=False)


@transaction.atomic
def registration_return(*, registration, user, comment):
    return _review(registration, user, S.RETURNED, comment, comment_required=True)


@transaction.atomic
def registration_reject(*, registration, user, comment):
    return _review(registration, user, S.REJECTED, comment, comment_required=True)


@transaction.atomic
def registration_withdraw(*, registration, today=None):
    """The unit takes its registration back, before the registration deadline."""
    current = locked_registration(registration)
    if current.status not in WITHDRAWABLE:
        raise ValidationError(_("Đăng ký ở trạng thái này không rút được."))
    if registration_is_late(current.campaign, today):
        raise ValidationError(_("Đã quá hạn đăng ký nên không rút được; hãy liên hệ cán bộ phụ trách."))
    current.status = S.WITHDRAWN
    return _save(current)
