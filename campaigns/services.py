"""Writes to campaigns. Each function is one user action, atomic, audited by history."""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dvk.models import Organization
from dvk.text import normalize_search

from . import signals
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

# What a copy takes from its original unchanged (the dates move; number, title and links
# are the new plan's own).
COPY_AS_IS = (
    "issuing_body",
    "issuing_body_name",
    "signer_name",
    "signer_title",
    "purposes",
    "requirements",
    "is_phase",
    "target_levels",
    "target_kinds",
    "target_direct_only",
)
MAX_SHIFT_DAYS = 3660  # ten years


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


@contextmanager
def _one_history_record(obj, reason=""):
    """Runs the block without history, then writes one record of `obj` as it then stands.

    simple-history records the first save ('+') before the many-to-many exist, then one '~'
    for each set() that follows: a new campaign's history opened with "Sửa kế hoạch" at the
    moment it was made, and one edit showed as several. Inside the block nothing is
    recorded; after it, one record holds the finished row and its many-to-many, marked '+'
    when the block created `obj` (its change reason `reason`). Nothing is written if the
    block raises."""
    created = obj.pk is None
    obj.skip_history_when_saving = True
    try:
        yield obj
    finally:
        del obj.skip_history_when_saving
    obj._change_reason = reason or None
    obj.save()
    del obj._change_reason
    if created:
        obj.history.update(history_type="+")


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
    with _one_history_record(campaign):
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
    # The save below writes every column: keep a review dismissed since `campaign` was read.
    campaign.copy_review = current.copy_review
    if campaign.period_end < campaign.period_start:
        raise ValidationError({"period_end": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    campaign.version = current.version + 1
    campaign.full_clean(exclude=["lineage"])
    with _one_history_record(campaign):
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
    campaign.copy_review = {}  # published: the review was the draft's, it is over
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
    with _one_history_record(quota):
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


def _cite(upper):
    """The legal basis a plan implementing `upper` opens with."""
    return f"Thực hiện Kế hoạch số {upper.number} của {upper.issuing_body_name}"


def _copy_quota(quota, campaign, *, picked, excluded, reason):
    """A new line of `campaign` with `quota`'s numbers and the given picks."""
    copy = Quota(
        campaign=campaign,
        **{
            f.attname: getattr(quota, f.attname)
            for f in Quota._meta.concrete_fields
            if f.attname not in ("id", "campaign_id")
        },
    )
    with _one_history_record(copy, reason):
        copy.save()
        copy.organizations.set(picked)
        copy.excluded.set(excluded)
    return copy


def _copy_milestone(milestone, campaign, *, shift=None, reason=""):
    shift = shift or (lambda day: day)
    copy = Milestone(
        campaign=campaign,
        kind_id=milestone.kind_id,
        title=milestone.title,
        starts_on=shift(milestone.starts_on) if milestone.starts_on else None,
        due_on=shift(milestone.due_on),
        recurrence=milestone.recurrence,
        recurs_until=shift(milestone.recurs_until) if milestone.recurs_until else None,
    )
    copy._change_reason = reason or None
    copy.save()
    return copy


@transaction.atomic
def campaign_derive(*, parent, organization, user, number, title, issuing_body_name, **extra):
    """A lower level implements `parent`: purposes, fields, quotas and milestones are copied
    (and editable), the link kept; its registrations count toward `parent`. Sends
    `signals.campaign_derived` once the draft is built, in the same transaction."""
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
        campaign.legal_bases = "\n".join(filter(None, [_cite(parent), parent.legal_bases]))
    campaign.full_clean(exclude=["lineage"])
    reason = _("Thực hiện kế hoạch số %(number)s của %(body)s") % {
        "number": parent.number,
        "body": parent.issuing_body_name,
    }
    with _one_history_record(campaign, reason):
        campaign.save()
        _set_lineage(campaign)
        campaign.fields.set(parent.fields.all())
        campaign.target_organizations.set(
            parent.target_organizations.filter(path__startswith=organization.path).exclude(pk=organization.pk)
        )
    for quota in parent.quotas.prefetch_related("organizations", "excluded"):
        picked = [o for o in quota.organizations.all() if o.path.startswith(organization.path)]
        _copy_quota(quota, campaign, picked=picked, excluded=list(quota.excluded.all()), reason=reason)
    for milestone in parent.milestones.all():
        _copy_milestone(milestone, campaign, reason=reason)
    signals.campaign_derived.send(sender=Campaign, upper=parent, derived=campaign, user=user)
    return campaign


def date_shift(*, years=0, days=0):
    """A function moving a date by whole years or by days. A year on, 29/02 becomes 28/02
    (relativedelta keeps to the month's last day)."""
    step = relativedelta(years=years) if years else datetime.timedelta(days=days)
    return lambda day: day + step


@dataclass
class LeftOut:
    """An organisation picked in the original that the copy does not take: it has moved out
    of the issuing level's subtree (`archived` False) or has been archived."""

    organization: Organization
    archived: bool
    places: list = field(default_factory=list)  # where the original picked it, as text


@dataclass
class CopyReview:
    """What a copy of a campaign leaves out, for staff to review."""

    original_number: str
    left_out: list  # of LeftOut, tree order
    quotas: list  # the original's quota lines, their picks prefetched
    quota_ids_left_out: set  # lines whose every pick left: copied, they would apply to every target

    @property
    def quota_labels_left_out(self):
        return [q.label for q in self.quotas if q.pk in self.quota_ids_left_out]

    def __bool__(self):
        return bool(self.left_out or self.quota_ids_left_out)

    def as_record(self):
        """What the review shows, as kept on the copy (Campaign.copy_review); {} when nothing
        was left out. Where a moved organisation is now is not kept: the page works it out
        for each viewer, from the organisation's id."""
        if not self:
            return {}
        return {
            "original": self.original_number,
            "rows": [
                {
                    "id": row.organization.pk,
                    "name": row.organization.name,
                    "code": row.organization.code,
                    "archived": row.archived,
                    "places": [str(place) for place in row.places],
                }
                for row in self.left_out
            ],
            "quotas": self.quota_labels_left_out,
        }


def copy_review(original):
    """The organisations `original` picks (targets, quota picks, exceptions) that are no
    longer in its level's subtree or have been archived, and the quota lines left without
    any pick (three queries)."""
    level = original.organization
    left_out = {}

    def note(o, place):
        if o.path.startswith(level.path) and o.archived_at is None:
            return False
        left_out.setdefault(o.pk, LeftOut(o, o.archived_at is not None)).places.append(place)
        return True

    for o in original.target_organizations.order_by("path"):
        note(o, _("tổ chức được chọn thêm"))
    quotas = list(original.quotas.prefetch_related("organizations", "excluded"))
    emptied = set()
    for quota in quotas:
        where = _("chỉ tiêu “%s”") % quota.label
        picked = list(quota.organizations.all())
        gone = [o for o in picked if note(o, where)]
        for o in quota.excluded.all():
            note(o, _("%s (trừ ra)") % where)
        if picked and len(gone) == len(picked):
            emptied.add(quota.pk)
    rows = sorted(left_out.values(), key=lambda row: row.organization.path)
    return CopyReview(original.number, rows, quotas, emptied)


@dataclass
class Copied:
    campaign: Campaign
    review: CopyReview


def normalize_number(number):
    return " ".join((number or "").split())


def number_taken(organization, number, *, exclude_pk=None):
    """Whether `organization` already issued a campaign numbered `number` (case and spaces aside)."""
    qs = Campaign.objects.filter(organization=organization, number__iexact=normalize_number(number))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def upper_campaigns_for(organization):
    """Published campaigns issued strictly above `organization`: what its plan may implement,
    nearest level and newest first."""
    return (
        Campaign.objects.filter(
            status=CampaignStatus.PUBLISHED, organization__path__in=organization.ancestor_paths()[:-1]
        )
        .select_related("organization")
        .order_by("-organization__depth", "-period_start", "-published_at", "-pk")
    )


@transaction.atomic
def campaign_copy(*, original, user, number, title, years=1, days=None, upper=None):
    """A new draft at `original`'s level from `original` (whatever its status): header,
    fields, targets, quota lines by value and milestones, the dates moved by `years` whole
    years or, when `days` is given, by that many days; `upper` is the published upper
    campaign the copy implements (None: none).

    Organisations picked in the original (targets, quota picks and exceptions) that have left
    the level's subtree or been archived are not copied: they come back in `Copied.review`
    for staff to review, and the copy's first history record names them. A quota line all
    of whose picks left is not copied either (without picks it would apply to every
    target). Sends `signals.campaign_copied` once the copy is built, in the same
    transaction: a receiver that raises undoes the copy."""
    org = original.organization
    number = normalize_number(number)
    if not number:
        raise ValidationError({"number": _("Hãy nhập số, ký hiệu của kế hoạch mới.")})
    if days is not None and not (0 <= days <= MAX_SHIFT_DAYS):
        raise ValidationError({"days": _("Số ngày dời phải từ 0 đến %(max)s.") % {"max": MAX_SHIFT_DAYS}})
    if upper is not None and (
        upper.status != CampaignStatus.PUBLISHED
        or upper.organization_id == org.pk
        or not org.path.startswith(upper.organization.path)
    ):
        raise ValidationError({"upper": _("Chỉ chọn được kế hoạch cấp trên đang thực hiện.")})
    # Two copies numbered alike at one level must not both pass the check below.
    Organization.objects.select_for_update().filter(pk=org.pk).first()
    if number_taken(org, number):
        raise ValidationError(
            {
                "number": _("%(org)s đã có kế hoạch số %(number)s; hãy nhập số, ký hiệu khác.")
                % {"org": org.name, "number": number}
            }
        )
    shift = date_shift(days=days) if days is not None else date_shift(years=years)
    review = copy_review(original)
    gone = {row.organization.pk for row in review.left_out}
    lines = original.legal_bases.splitlines()
    if original.derived_from_id and lines and lines[0].strip() == _cite(original.derived_from):
        lines = lines[1:]
    if upper is not None:
        lines = [_cite(upper), *lines]
    start, end = shift(original.period_start), shift(original.period_end)
    phase = original.phase
    if phase is not None and not (phase.period_start <= start and end <= phase.period_end):
        phase = None  # the multi-year phase does not cover the new period
    campaign = Campaign(
        organization=org,
        created_by=user,
        derived_from=upper,
        number=number,
        title=title,
        status=CampaignStatus.DRAFT,
        legal_bases="\n".join(lines),
        period_start=start,
        period_end=end,
        phase=phase,
        copy_review=review.as_record(),
        **{name: getattr(original, name) for name in COPY_AS_IS},
    )
    campaign.full_clean(exclude=["lineage"])
    reason = _("Sao chép từ kế hoạch số %(number)s") % {"number": original.number}
    campaign_reason = reason
    if review.left_out:
        campaign_reason += _("; không sao chép %(n)s tổ chức đã chuyển/giải thể: %(names)s") % {
            "n": len(review.left_out),
            "names": ", ".join(row.organization.name for row in review.left_out),
        }
    targets = [o for o in original.target_organizations.all() if o.pk not in gone]
    with _one_history_record(campaign, campaign_reason):
        campaign.save()
        _set_lineage(campaign)
        campaign.fields.set(original.fields.all())
        campaign.target_organizations.set(targets)
    for quota in review.quotas:
        if quota.pk in review.quota_ids_left_out:
            continue
        picked = [o for o in quota.organizations.all() if o.pk not in gone]
        excluded = [o for o in quota.excluded.all() if o.pk not in gone]
        _copy_quota(quota, campaign, picked=picked, excluded=excluded, reason=reason)
    for milestone in original.milestones.all():
        _copy_milestone(milestone, campaign, shift=shift, reason=reason)
    signals.campaign_copied.send(sender=Campaign, original=original, copy=campaign, user=user, upper=upper)
    return Copied(campaign, review)


@transaction.atomic
def copy_review_dismiss(*, campaign):
    """Staff have reviewed what the copy left out ("Đã rà soát"): the list is no longer shown.
    Returns whether this call dismissed it: the row is locked first, so of two staff pressing
    at once the second reads it dismissed (a conditional UPDATE alone is not enough: the
    scoped queryset filters through a subquery, which PostgreSQL does not re-check after
    waiting for the row). No history record and no new version: a colleague's open edit
    form stays valid."""
    current = Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("copy_review", flat=True).first()
    if not current:
        return False
    Campaign.objects.filter(pk=campaign.pk).update(copy_review={})
    return True


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
