"""Writes of appraisal. Each function is one user action, atomic, audited by history."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.models import Campaign

from .models import Criterion, Rubric


def rubric_locked(rubric):
    """Whether `rubric` can no longer change: once scoring starts (a member saved a scorecard,
    even a draft), every member must score against the same criteria, and replacing the
    criteria would drop the drafts' points. One query (none for an unsaved rubric)."""
    from .models import Scorecard

    if rubric is None or rubric.campaign_id is None:
        return False
    return Scorecard.objects.filter(assignment__board__campaign_id=rubric.campaign_id).exists()


def validate_rubric(criteria, threshold, bands):
    """Refuses a rubric that cannot be scored. `criteria`: dicts with name and max_points;
    `bands`: dicts with name and min, highest first. Raises ValidationError with every
    problem found (Vietnamese), nothing saved."""
    errors = []
    names = set()
    for i, c in enumerate(criteria, start=1):
        name = (c.get("name") or "").strip()
        if not name:
            errors.append(_("Tiêu chí thứ %(n)s chưa có tên.") % {"n": i})
        elif name.casefold() in names:
            errors.append(_("Tiêu chí “%(name)s” bị trùng tên.") % {"name": name})
        names.add(name.casefold())
        points = c.get("max_points")
        if points is None or points <= 0:
            errors.append(_("Điểm tối đa của tiêu chí “%(name)s” phải lớn hơn 0.") % {"name": name or i})
    total = sum(c.get("max_points") or 0 for c in criteria if (c.get("max_points") or 0) > 0)
    if not criteria or total <= 0:
        errors.append(_("Tổng điểm tối đa của các tiêu chí phải lớn hơn 0."))
    if threshold is None or threshold <= 0:
        errors.append(_("Điểm tối thiểu để công nhận phải lớn hơn 0."))
    elif total > 0 and threshold > total:
        errors.append(
            _("Điểm tối thiểu để công nhận (%(threshold)s) vượt tổng điểm tối đa (%(total)s).")
            % {"threshold": threshold, "total": total}
        )
    previous = None
    band_names = set()
    for b in bands:
        name = (b.get("name") or "").strip()
        points = b.get("min")
        if not name:
            errors.append(_("Mỗi mức xếp loại cần có tên."))
        elif name.casefold() in band_names:
            errors.append(_("Mức xếp loại “%(name)s” bị trùng tên.") % {"name": name})
        band_names.add(name.casefold())
        if points is None or points <= 0:
            errors.append(_("Điểm của mức “%(name)s” phải lớn hơn 0.") % {"name": name})
            continue
        if total > 0 and points > total:
            errors.append(
                _("Mức “%(name)s” (%(points)s điểm) vượt tổng điểm tối đa (%(total)s).")
                % {"name": name, "points": points, "total": total}
            )
        if previous is not None and points >= previous[1]:
            errors.append(
                _(
                    "Các mức xếp loại phải giảm dần: “%(name)s” (%(points)s) "
                    "không thấp hơn “%(above)s” (%(above_points)s)."
                )
                % {"name": name, "points": points, "above": previous[0], "above_points": previous[1]}
            )
        previous = (name, points)
    if errors:
        raise ValidationError(errors)
    return total


@transaction.atomic
def rubric_save(*, campaign, criteria, threshold, bands, user=None, expected_version=None):
    """Stores `campaign`'s rubric: `criteria` (dicts: name, description, max_points,
    required, in order), `threshold`, `bands` (dicts: name, min, highest first).

    `expected_version` is the version the editor read (0: the default, nothing stored yet);
    a save since then refuses this one, so two tabs never overwrite each other silently. The
    campaign's row is locked first, so two first saves cannot both create the rubric.
    Criteria are replaced as a whole: nothing refers to them before scoring, and once
    scoring starts the rubric is locked."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    rubric = Rubric.objects.select_for_update().filter(campaign=campaign).first()
    current = rubric.version if rubric else 0
    if expected_version is not None and expected_version != current:
        raise ValidationError(_("Bộ tiêu chí vừa được người khác sửa. Hãy tải lại trang để xem bản mới rồi sửa lại."))
    if rubric is not None and rubric_locked(rubric):
        raise ValidationError(_("Đoàn đã bắt đầu chấm điểm: bộ tiêu chí đã khóa, không sửa được nữa."))
    criteria = [
        {
            "name": (c.get("name") or "").strip(),
            "description": (c.get("description") or "").strip(),
            "max_points": c.get("max_points"),
            "required": bool(c.get("required", True)),
        }
        for c in criteria
    ]
    bands = [{"name": (b.get("name") or "").strip(), "min": b.get("min")} for b in bands]
    validate_rubric(criteria, threshold, bands)
    if rubric is None:
        rubric = Rubric(campaign=campaign, version=0)
    rubric.threshold = threshold
    rubric.bands = bands
    rubric.version = current + 1
    rubric.updated_by = user
    rubric.save()
    rubric.criteria.all().delete()
    for position, c in enumerate(criteria):
        Criterion.objects.create(rubric=rubric, position=position, **c)
    return rubric


def rubric_copy(*, source, target, user=None):
    """Gives `target` (a new campaign) `source`'s stored rubric by value: later edits of
    either leave the other alone. Nothing when `source` shows the default."""
    rubric = Rubric.objects.filter(campaign=source).first()
    if rubric is None:
        return None
    criteria = list(rubric.criteria.all())
    copy = Rubric.objects.create(campaign=target, threshold=rubric.threshold, bands=list(rubric.bands), updated_by=user)
    for c in criteria:
        Criterion.objects.create(
            rubric=copy,
            name=c.name,
            description=c.description,
            max_points=c.max_points,
            required=c.required,
            position=c.position,
        )
    return copy
