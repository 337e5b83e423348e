"""Visits of the board (lịch khảo sát thực tế): reads and writes.

Staff of the board's level schedule a visit to a registration the board takes, on a day inside
the campaign's survey window (the milestone of kind "survey"), with the members going. The
visited unit's secretaries and the members going are told in the notification centre (in the
same transaction as the write) and by mail (a Celery task, handed the messages once the write
is committed: a refused or rolled back write sends nothing).

Every function runs inside the request's scope (or the demo loader's), through the tenant
managers."""

import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from campaigns.models import Milestone
from dvk.enums import Role
from dvk.links import site_url
from dvk.models import Membership
from dvk.notifications import notifications_create
from models_registry.models import Registration

from .assignment_selectors import eligible_registrations, why_not_eligible
from .enums import APPRAISABLE_CAMPAIGN_STATUSES
from .models import BoardMember, Visit, VisitMember

SURVEY = "survey"  # campaigns.models.MilestoneKind code of the survey window (khảo sát thực tế)
PLACE_MAX = 255


def _day(value):
    return value.strftime("%d/%m/%Y")


# --- reads ------------------------------------------------------------------------------------


def registrations_taken(board):
    """Registrations `board` takes (assignment_selectors.eligible_registrations), in the
    order the visit form lists them."""
    return eligible_registrations(board).order_by("organization__path", "initiative__name", "pk")


def survey_windows(campaign):
    """[(start, end)] of the campaign's survey windows, in order: each occurrence of each
    milestone of kind "survey" (a one-off milestone has one). A survey milestone entered as a
    single day (no start) is a one-day window. One query."""
    windows = []
    milestones = Milestone.objects.filter(campaign=campaign, kind__code=SURVEY).select_related("campaign")
    for milestone in milestones:
        for due in milestone.occurrences():
            start, end = milestone.window_for(due)
            windows.append((start or end, end))
    return sorted(windows)


def _going_prefetch():
    # A join, not a prefetch of BoardMember: the visited unit's scope does not see the board's
    # rows, but may read the names and roles of who comes.
    return Prefetch(
        "going",
        queryset=VisitMember.objects.select_related("member__user").order_by("member__position_order", "member_id"),
        to_attr="going_members",
    )


def visits_of_board(board, *, user=None):
    """The board's visits (of `user` only, when given: the visits they go on), with the
    registration, its unit and who goes: two queries, whatever the number of visits."""
    visits = Visit.objects.filter(board=board)
    if user is not None:
        visits = visits.filter(going__member__user=user, going__member__board=board)
    return list(
        visits.select_related("registration__initiative", "registration__organization")
        .prefetch_related(_going_prefetch())
        .order_by("visit_on", "visit_at", "pk")
    )


def visits_of_registration(registration):
    """The visits to `registration`, with who goes (names and roles): two queries (one when
    there is none). Nothing else of the board's."""
    visits = list(Visit.objects.filter(registration=registration).order_by("visit_on", "visit_at", "pk"))
    if visits:
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(visits, _going_prefetch())
    return visits


def visit_of_board(board, pk):
    """The board's visit `pk` in the scope, or None."""
    return (
        Visit.objects.filter(board=board, pk=pk)
        .select_related("registration__initiative", "registration__organization")
        .prefetch_related(_going_prefetch())
        .first()
    )


def split_schedule(visits, today=None):
    """(upcoming, past): today and later first, soonest first; then the past, latest first."""
    today = today or timezone.localdate()
    upcoming = [v for v in visits if v.visit_on >= today]
    past = sorted((v for v in visits if v.visit_on < today), key=lambda v: (v.visit_on, v.visit_at or datetime.time()))
    return upcoming, past[::-1]


# --- checks -----------------------------------------------------------------------------------


def _check(board, registration, visit_on, place, members, errors):
    if board.campaign.status not in APPRAISABLE_CAMPAIGN_STATUSES:
        errors.setdefault("__all__", []).append(
            _("Kế hoạch chưa ban hành hoặc đã lưu trữ: không lên lịch khảo sát được.")
        )
    refusal = None if registration is None else why_not_eligible(board, registration)
    if refusal:
        errors.setdefault("registration", []).append(
            _("Đoàn thẩm định không thẩm định đăng ký này: %(why)s.") % {"why": refusal}
        )
    if not (place or "").strip():
        errors.setdefault("place", []).append(_("Hãy nhập địa điểm khảo sát."))
    elif len(place.strip()) > PLACE_MAX:
        errors.setdefault("place", []).append(_("Địa điểm dài quá %(n)s ký tự.") % {"n": PLACE_MAX})
    if not members:
        errors.setdefault("members", []).append(_("Hãy chọn ít nhất một thành viên đoàn đi khảo sát."))
    elif any(m.board_id != board.pk for m in members):
        errors.setdefault("members", []).append(_("Chỉ chọn được thành viên của đoàn thẩm định này."))
    if visit_on is None:
        errors.setdefault("visit_on", []).append(_("Hãy nhập ngày khảo sát."))
        return
    windows = survey_windows(board.campaign)
    if not windows:
        errors.setdefault("visit_on", []).append(
            _(
                "Kế hoạch %(number)s chưa có thời gian khảo sát: hãy thêm mốc “Khảo sát thực tế” (từ ngày, đến "
                "ngày) ở mục Mốc thời gian trên trang kế hoạch, rồi lên lịch khảo sát."
            )
            % {"number": board.campaign.number}
        )
    elif not any(start <= visit_on <= end for start, end in windows):
        named = "; ".join(
            _("từ %(start)s đến %(end)s") % {"start": _day(start), "end": _day(end)} for start, end in windows
        )
        errors.setdefault("visit_on", []).append(
            _("Ngày khảo sát phải trong thời gian khảo sát của kế hoạch: %(windows)s") % {"windows": named}
        )


def _members(members):
    """The members, each once, in the board's order."""
    unique = {m.pk: m for m in members}
    return sorted(unique.values(), key=lambda m: (m.position_order, m.pk))


# --- writes -----------------------------------------------------------------------------------


@transaction.atomic
def visit_schedule(board, registration, visit_on, visit_at, place, members, by=None, *, note="", notify=True):
    """Schedules a visit of `board` to `registration` on `visit_on` (a date inside the
    campaign's survey window) at `visit_at` (a time, or None), at `place`, with `members`
    (BoardMember rows of this board, at least one). Tells the unit's secretaries and the
    members going (unless `notify` is False). Raises ValidationError (Vietnamese, by field),
    nothing written."""
    members = _members(members)
    errors = {}
    _check(board, registration, visit_on, place, members, errors)
    if errors:
        raise ValidationError(errors)
    visit = Visit(
        board=board,
        registration=registration,
        visit_on=visit_on,
        visit_at=visit_at,
        place=place.strip(),
        note=(note or "").strip(),
        created_by=by,
    )
    _by(visit, by)
    visit.save()
    VisitMember.objects.bulk_create([VisitMember(visit=visit, member=m) for m in members])
    if notify:
        _notify("scheduled", board, visit, members, members)
    return visit


def _by(visit, user):
    """The history row names `user` (outside a request, e.g. the demo loader, too)."""
    if user is not None:
        visit._history_user = user


def _locked(visit):
    locked = Visit.objects.select_for_update(of=("self",)).filter(pk=visit.pk).first()
    if locked is None:
        raise ValidationError(_("Lịch khảo sát này đã được hủy."))
    return locked


def _stale(locked, expected_version):
    if expected_version is not None and expected_version != locked.version:
        raise ValidationError(_("Lịch khảo sát vừa được người khác sửa. Hãy tải lại trang để xem bản mới rồi sửa lại."))


@transaction.atomic
def visit_change(visit, visit_on, visit_at, place, members, by=None, *, note="", expected_version=None, notify=True):
    """Changes a visit's day, time, place, note and members going. `expected_version` is the
    version the editor read: a change since then refuses this one. Tells the unit's
    secretaries and everyone going, before or after the change."""
    board = visit.board
    locked = _locked(visit)
    _stale(locked, expected_version)
    members = _members(members)
    errors = {}
    _check(board, None, visit_on, place, members, errors)
    if errors:
        raise ValidationError(errors)
    before = {vm.member_id: vm.member for vm in VisitMember.objects.filter(visit=locked).select_related("member")}
    locked.visit_on, locked.visit_at = visit_on, visit_at
    locked.place, locked.note = place.strip(), (note or "").strip()
    locked.version += 1
    _by(locked, by)
    locked.save()
    wanted = {m.pk for m in members}
    VisitMember.objects.filter(visit=locked).exclude(member_id__in=wanted).delete()
    VisitMember.objects.bulk_create([VisitMember(visit=locked, member=m) for m in members if m.pk not in before])
    if notify:
        told = _members([*members, *before.values()])
        _notify("changed", board, locked, members, told)
    return locked


@transaction.atomic
def visit_cancel(visit, by=None, *, expected_version=None, notify=True):
    """Cancels (deletes) a visit; history keeps it. Tells the unit's secretaries and the
    members who were going."""
    board = visit.board
    locked = _locked(visit)
    _stale(locked, expected_version)
    going = [vm.member for vm in VisitMember.objects.filter(visit=locked).select_related("member")]
    going = _members(going)
    if notify:
        _notify("cancelled", board, locked, going, going)
    _by(locked, by)
    locked.delete()
    return visit


# --- notices ----------------------------------------------------------------------------------

TITLES = {
    "scheduled": gettext_noop("Lịch khảo sát mô hình “%(name)s”: %(day)s"),
    "changed": gettext_noop("Đổi lịch khảo sát mô hình “%(name)s”: %(day)s"),
    "cancelled": gettext_noop("Hủy lịch khảo sát mô hình “%(name)s” ngày %(day)s"),
}


def _notify(event, board, visit, going, told_members):
    """In-app notifications now (in the write's transaction) and mail after the commit, to
    the visited unit's secretaries and `told_members`' users, each once."""
    registration = Registration.objects.select_related("initiative", "organization").get(pk=visit.registration_id)
    unit = registration.organization
    wanted = {m.pk for m in going} | {m.pk for m in told_members}
    rows = {m.pk: m for m in BoardMember.objects.filter(pk__in=wanted).select_related("user")}
    names = [rows[m.pk] for m in going if m.pk in rows]
    recipients = {}  # user id -> (user, organisation, path)
    schedule = reverse("appraisal:schedule", kwargs={"org_code": board.organization.code, "pk": board.pk})
    for member in (rows[m.pk] for m in told_members if m.pk in rows):
        if member.user.is_active:
            recipients[member.user_id] = (member.user, board.organization, schedule)
    page = reverse("registration_detail", kwargs={"org_code": unit.code, "pk": registration.pk})
    secretaries = Membership.objects.filter(organization=unit, role=Role.SECRETARY).select_related("user")
    for membership in secretaries:
        if membership.user.is_active:
            recipients.setdefault(membership.user_id, (membership.user, unit, page))
    if not recipients:
        return
    context = {
        "event": event,
        "campaign": board.campaign,
        "board": board,
        "registration": registration,
        "unit": unit,
        "visit": visit,
        "going": names,
    }
    title = _(TITLES[event]) % {"name": registration.initiative.name, "day": _day(visit.visit_on)}
    title = f"[DVK] {title}"[:255]
    body = get_template("appraisal/email/visit_body.txt").render(context).strip() + "\n"
    notifications_create(
        items=[
            {"user": user, "organization": org, "title": title, "body": body, "url": path}
            for user, org, path in recipients.values()
        ]
    )
    footer = _("\nXem chi tiết: %(link)s\n\nThư tự động của hệ thống DVK, xin đừng trả lời thư này.\n")
    mails = [
        {"to": user.email, "subject": title, "body": body + footer % {"link": f"{site_url()}{path}"}}
        for user, _org, path in recipients.values()
        if user.email
    ]
    if mails:
        from .tasks import send_visit_mail

        transaction.on_commit(partial(send_visit_mail.delay, messages=mails))
