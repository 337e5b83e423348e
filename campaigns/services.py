"""Writes to campaigns. Each function is one user action, atomic, audited by history."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dvk.text import normalize_search

from .compliance import take_snapshot
from .enums import CampaignStatus
from .models import Campaign, ComplianceSnapshot, Milestone, MilestoneKind, Quota

COPIED_FIELDS = (
    "issuing_body",
    "purposes",
    "requirements",
    "period_start",
    "period_end",
    "target_levels",
    "target_kinds",
    "target_direct_only",
)


def validate_milestones(milestones):
    """Refuses an impossible order of dependent deadlines. `milestones`: unsaved or saved
    Milestone objects with `kind` set. Windows may overlap anything (seed 000's survey month
    overlaps its report date)."""
    errors = []
    for m in milestones:
        if m.starts_on and m.starts_on > m.due_on:
            errors.append(
                _("“%(name)s”: ngày bắt đầu (%(start)s) sau ngày kết thúc (%(end)s).")
                % {
                    "name": m.title or m.kind.name,
                    "start": m.starts_on.strftime("%d/%m/%Y"),
                    "end": m.due_on.strftime("%d/%m/%Y"),
                }
            )
    ordered = sorted(
        (m for m in milestones if m.kind.sequence is not None and not m.kind.is_window), key=lambda m: m.kind.sequence
    )
    for earlier_index, earlier in enumerate(ordered):
        for later in ordered[earlier_index + 1 :]:
            if later.kind.sequence > earlier.kind.sequence and later.due_on < earlier.due_on:
                errors.append(
                    _("“%(later)s” (%(later_date)s) không thể trước “%(earlier)s” (%(earlier_date)s).")
                    % {
                        "later": later.title or later.kind.name,
                        "later_date": later.due_on.strftime("%d/%m/%Y"),
                        "earlier": earlier.title or earlier.kind.name,
                        "earlier_date": earlier.due_on.strftime("%d/%m/%Y"),
                    }
                )
    if errors:
        raise ValidationError(errors)


def _day(value):
    return value.strftime("%d/%m/%Y")


def registration_warnings(campaign, milestones, *, today=None):
    """What looks mistyped in the registration deadline, said but not refused (a plan may
    legitimately be entered late): a deadline before the plan starts, or one already past,
    which leaves nobody time to register once the plan is published. `milestones`: the
    campaign's milestones with `kind` loaded."""
    today = today or timezone.localdate()
    warnings = []
    for m in milestones:
        if m.kind.code != MilestoneKind.REGISTRATION:
            continue
        name = m.title or m.kind.name
        if m.due_on < campaign.period_start:
            warnings.append(
                _("Hạn đăng ký “%(name)s” (%(due)s) sớm hơn ngày bắt đầu thực hiện kế hoạch (%(start)s).")
                % {"name": name, "due": _day(m.due_on), "start": _day(campaign.period_start)}
            )
        last = max(m.occurrences(), default=m.due_on)
        if last < today:
            warnings.append(
                _(
                    "Hạn đăng ký “%(name)s” (%(due)s) đã qua (hôm nay %(today)s): các đơn vị sẽ không còn "
                    "đăng ký đúng hạn được."
                )
                % {"name": name, "due": _day(last), "today": _day(today)}
            )
    return warnings


def campaign_warnings(campaign, *, today=None):
    """registration_warnings of a saved campaign (one query)."""
    return registration_warnings(campaign, list(campaign.milestones.select_related("kind")), today=today)


def _set_lineage(campaign):
    prefix = campaign.derived_from.lineage if campaign.derived_from_id else "/"
    campaign.lineage = f"{prefix}{campaign.pk}/"
    Campaign.objects.filter(pk=campaign.pk).update(lineage=campaign.lineage)


@transaction.atomic
def campaign_create(*, organization, user, fields=(), target_organizations=(), **data):
    """Creates a draft campaign for `organization` (its level)."""
    campaign = Campaign(organization=organization, created_by=user, status=CampaignStatus.DRAFT, **data)
    if campaign.period_end < campaign.period_start:
        raise ValidationError({"period_end": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    campaign.full_clean(exclude=["lineage"])
    campaign.save()
    _set_lineage(campaign)
    campaign.fields.set(fields)
    campaign.target_organizations.set(target_organizations)
    return campaign


@transaction.atomic
def campaign_update(*, campaign, expected_version=None, fields=None, target_organizations=None, **data):
    """Edits a campaign. Refused when someone saved since `expected_version` was read."""
    current = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if expected_version is not None and current.version != expected_version:
        raise ValidationError(_("Kế hoạch vừa được người khác sửa. Hãy tải lại trang để xem bản mới rồi sửa lại."))
    if current.status in (CampaignStatus.CLOSED, CampaignStatus.ARCHIVED):
        raise ValidationError(_("Kế hoạch đã kết thúc, không sửa được nữa."))
    for key, value in data.items():
        setattr(campaign, key, value)
    if campaign.period_end < campaign.period_start:
        raise ValidationError({"period_end": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    campaign.version = current.version + 1
    campaign.full_clean(exclude=["lineage"])
    campaign.save()
    if fields is not None:
        campaign.fields.set(fields)
    if target_organizations is not None:
        campaign.target_organizations.set(target_organizations)
    return campaign


@transaction.atomic
def campaign_publish(*, campaign):
    """Draft → published: it now shows up for every target organisation."""
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("Chỉ kế hoạch dự thảo mới ban hành được."))
    if not campaign.milestones.exists():
        raise ValidationError(_("Hãy đặt ít nhất một mốc thời gian (ví dụ hạn đăng ký) trước khi ban hành."))
    validate_milestones(list(campaign.milestones.select_related("kind")))
    campaign.status = CampaignStatus.PUBLISHED
    campaign.published_at = timezone.now()
    campaign.version += 1
    campaign.save()
    return campaign


@transaction.atomic
def campaign_close(*, campaign):
    """Published → closed, keeping a snapshot of its compliance."""
    if campaign.status != CampaignStatus.PUBLISHED:
        raise ValidationError(_("Chỉ kế hoạch đang thực hiện mới kết thúc được."))
    ComplianceSnapshot.objects.update_or_create(campaign=campaign, defaults={"data": take_snapshot(campaign)})
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.version += 1
    campaign.save()
    return campaign


@transaction.atomic
def campaign_archive(*, campaign):
    if campaign.status == CampaignStatus.PUBLISHED:
        campaign_close(campaign=campaign)
    campaign.status = CampaignStatus.ARCHIVED
    campaign.version += 1
    campaign.save()
    return campaign


@transaction.atomic
def campaign_delete(*, campaign):
    """Deletes a campaign that nothing depends on; one with registrations can only be archived."""
    if campaign.registrations.exists():
        raise ValidationError(_("Kế hoạch đã có đăng ký mô hình nên không xóa được; hãy lưu trữ."))
    if campaign.derived_campaigns.exists() or campaign.yearly_campaigns.exists():
        raise ValidationError(_("Đã có kế hoạch khác thực hiện theo kế hoạch này nên không xóa được; hãy lưu trữ."))
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("Kế hoạch đã ban hành nên không xóa được; hãy lưu trữ."))
    campaign.delete()


@transaction.atomic
def quota_save(*, campaign, quota=None, organizations=(), excluded=(), **data):
    quota = quota or Quota(campaign=campaign)
    for key, value in data.items():
        setattr(quota, key, value)
    if not (quota.min_total or quota.min_collective or quota.min_individual):
        raise ValidationError(_("Chỉ tiêu phải có ít nhất một con số lớn hơn 0."))
    quota.save()
    quota.organizations.set(organizations)
    quota.excluded.set(excluded)
    return quota


@transaction.atomic
def quota_delete(*, quota):
    quota.delete()


@transaction.atomic
def milestone_save(*, campaign, milestone=None, **data):
    """Adds or edits a milestone, checking it against the campaign's other milestones.

    A campaign has one registration deadline (the date compliance, reminders and lateness
    read): a second one is refused, naming the first. The campaign's row is locked so two
    staff adding one at the same moment are checked one after the other (the database's
    unique index is the backstop)."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk").first()
    milestone = milestone or Milestone(campaign=campaign)
    for key, value in data.items():
        setattr(milestone, key, value)
    others = [m for m in campaign.milestones.select_related("kind") if m.pk != milestone.pk]
    if milestone.kind.code == MilestoneKind.REGISTRATION:
        existing = next((m for m in others if m.kind.code == MilestoneKind.REGISTRATION), None)
        if existing is not None:
            raise ValidationError(
                {
                    "kind": _(
                        "Kế hoạch đã có hạn đăng ký “%(name)s” (%(due)s); mỗi kế hoạch chỉ có một hạn đăng ký. "
                        "Hãy sửa mốc đó thay vì thêm mốc mới."
                    )
                    % {"name": existing.title or existing.kind.name, "due": _day(existing.due_on)}
                }
            )
    validate_milestones([*others, milestone])
    milestone.save()
    return milestone


@transaction.atomic
def campaign_derive(*, parent, organization, user, number, title, issuing_body_name, **extra):
    """A lower level implements `parent`: purposes, fields, quotas and milestones are copied
    (and editable), the link kept; its registrations count toward `parent`."""
    if not organization.path.startswith(parent.organization.path) or organization.pk == parent.organization_id:
        raise ValidationError(_("Chỉ cấp dưới của cấp ban hành mới thực hiện được kế hoạch này."))
    if parent.status != CampaignStatus.PUBLISHED:
        raise ValidationError(_("Chỉ thực hiện được kế hoạch cấp trên đang có hiệu lực."))
    data = {name: getattr(parent, name) for name in COPIED_FIELDS}
    data.update(extra)
    campaign = Campaign(
        organization=organization,
        created_by=user,
        derived_from=parent,
        number=number,
        title=title,
        issuing_body_name=issuing_body_name,
        status=CampaignStatus.DRAFT,
        **data,
    )
    if "legal_bases" not in extra:
        cites = f"Thực hiện Kế hoạch số {parent.number} của {parent.issuing_body_name}"
        campaign.legal_bases = "\n".join(filter(None, [cites, parent.legal_bases]))
    campaign.full_clean(exclude=["lineage"])
    campaign.save()
    _set_lineage(campaign)
    campaign.fields.set(parent.fields.all())
    campaign.target_organizations.set(
        parent.target_organizations.filter(path__startswith=organization.path).exclude(pk=organization.pk)
    )
    for quota in parent.quotas.prefetch_related("organizations", "excluded"):
        picked, excluded = list(quota.organizations.all()), list(quota.excluded.all())
        # The copy must not read the original's prefetched picks: set() would diff against them.
        quota._prefetched_objects_cache = {}
        quota.pk = None
        quota.campaign = campaign
        quota._state.adding = True
        quota.save()
        quota.organizations.set([o for o in picked if o.path.startswith(organization.path)])
        quota.excluded.set(excluded)
    for milestone in parent.milestones.all():
        milestone.pk = None
        milestone.campaign = campaign
        milestone._state.adding = True
        milestone.save()
    return campaign


@transaction.atomic
def milestone_delete(*, milestone):
    """Removes a milestone; a published campaign keeps at least one."""
    campaign = milestone.campaign
    if campaign.status != CampaignStatus.DRAFT and not campaign.milestones.exclude(pk=milestone.pk).exists():
        raise ValidationError(_("Kế hoạch đã ban hành phải còn ít nhất một mốc thời gian."))
    milestone.delete()


def milestone_kind_create(*, name, sequence=None, is_window=False):
    """A kind of milestone staff add to the shared list; its code is the name's slug, made unique."""
    name = " ".join(name.split())
    if MilestoneKind.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Đã có loại mốc thời gian “%s”.") % name})
    base = slugify(normalize_search(name))[:34] or "moc"
    code, n = base, 1
    while MilestoneKind.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return MilestoneKind.objects.create(code=code, name=name, sequence=sequence, is_window=is_window)
