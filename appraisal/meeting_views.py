"""The board's review meeting (họp bình xét, appraisal.meetings), under
/o/<board's organisation>/appraisal/boards/<id>/meetings/.

- `meeting_detail`: the minutes as they stand: details, the roll and quorum, the frozen ranked
  results with each ballot's counts and decision, the written votes. Whoever opens the board's
  results reads it (accepts a seat: a member through a seat sees only their own assignments'
  rows, as on the results page).
- The board's head or secretary (`appraisal.record_meeting`) records it: `meeting_create`,
  `meeting_edit`, `meeting_attendance`, `meeting_open`, `meeting_ballot`, `meeting_end`.

Writes are POSTs that redirect, each idempotent; each names the version it was based on."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dvk.access import parse_id
from dvk.forms import attach_errors, form_status
from dvk.idempotency import idempotent
from dvk.seats import accepts_seat
from models_registry.models import Registration

from . import meetings
from .board_views import board_or_404
from .enums import Attendance, MeetingStatus
from .meeting_forms import AttendanceForm, BallotForm, MeetingForm
from .models import Ballot, BoardMember, Meeting, Vote


def _meeting_or_404(board, meeting_pk):
    meeting = (
        Meeting.objects.filter(board=board, pk=meeting_pk).select_related("chair__user", "secretary__user").first()
    )
    if meeting is None:
        raise Http404
    meeting.board = board  # read already, with its campaign
    return meeting


def _to_meeting(request, board, meeting):
    return redirect("appraisal:meeting", org_code=request.organization.code, pk=board.pk, meeting_pk=meeting.pk)


def _refused(request, exc):
    for message in exc.messages:
        messages.error(request, message)


def _detail_page(request, board, meeting, *, attendance_form=None):
    minutes = meetings.minutes_of(meeting, via_seat=getattr(request, "via_seat", False), user=request.user)
    writable = board.campaign.status in meetings.WRITABLE_STATUSES
    can_record = writable and request.user.has_perm("appraisal.record_meeting", board)
    if can_record and minutes.roll_open and attendance_form is None:
        attendance_form = AttendanceForm(members=minutes.members, meeting=meeting, roll=minutes.roll)
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "meeting": meeting,
        "members": [(m, minutes.roll.get(m.pk)) for m in minutes.members],
        "rows": minutes.rows,
        "written": minutes.written,
        "present": minutes.present,
        "voting": minutes.voting,
        "quorum": minutes.quorum,
        "quorate": minutes.present >= minutes.quorum,
        "rules": meeting.rules,
        "can_record": can_record,
        "attendance_form": attendance_form if can_record and minutes.roll_open else None,
        "via_seat": getattr(request, "via_seat", False),
    }
    return render(request, "appraisal/meeting.html", context, status=form_status(request))


@require_GET
@accepts_seat
def meeting_detail(request, org_code, pk, meeting_pk):
    board = board_or_404(request, pk, "appraisal.view_results")
    return _detail_page(request, board, _meeting_or_404(board, meeting_pk))


@require_http_methods(["GET", "POST"])
@accepts_seat
@idempotent
def meeting_create(request, org_code, pk):
    """The head or the secretary records a meeting of the board."""
    board = board_or_404(request, pk, "appraisal.record_meeting")
    form = MeetingForm(request.POST or None, board=board)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meetings.meeting_create(board=board, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi cuộc họp bình xét. Hãy điểm danh rồi khai mạc."))
            return _to_meeting(request, board, meeting)
    return _form_page(request, board, form, None)


@require_http_methods(["GET", "POST"])
@accepts_seat
@idempotent
def meeting_edit(request, org_code, pk, meeting_pk):
    board = board_or_404(request, pk, "appraisal.record_meeting")
    meeting = _meeting_or_404(board, meeting_pk)
    form = MeetingForm(request.POST or None, board=board, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            meetings.meeting_update(meeting=meeting, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin cuộc họp."))
            return _to_meeting(request, board, meeting)
    return _form_page(request, board, form, meeting)


def _form_page(request, board, form, meeting):
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "form": form,
        "meeting": meeting,
    }
    return render(request, "appraisal/meeting_form.html", context, status=form_status(request))


@require_POST
@accepts_seat
@idempotent
def meeting_attendance(request, org_code, pk, meeting_pk):
    board = board_or_404(request, pk, "appraisal.record_meeting")
    meeting = _meeting_or_404(board, meeting_pk)
    members = list(BoardMember.objects.filter(board=board).select_related("user").order_by("position_order", "pk"))
    form = AttendanceForm(request.POST, members=members, meeting=meeting, roll={})
    if form.is_valid():
        try:
            meetings.attendance_set(
                meeting=meeting,
                attendance=form.attendance(),
                expected_version=form.cleaned_data["version"],
                user=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu điểm danh."))
            return _to_meeting(request, board, meeting)
    return _detail_page(request, board, meeting, attendance_form=form)


def _step(request, pk, meeting_pk, service, done):
    board = board_or_404(request, pk, "appraisal.record_meeting")
    meeting = _meeting_or_404(board, meeting_pk)
    try:
        service(meeting=meeting, expected_version=parse_id(request.POST.get("version", "")), user=request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return _to_meeting(request, board, meeting)


@require_POST
@accepts_seat
@idempotent
def meeting_open(request, org_code, pk, meeting_pk):
    return _step(request, pk, meeting_pk, meetings.meeting_open, _("Đã khai mạc: danh sách kết quả được giữ nguyên."))


@require_POST
@accepts_seat
@idempotent
def meeting_end(request, org_code, pk, meeting_pk):
    return _step(request, pk, meeting_pk, meetings.meeting_end, _("Đã kết thúc cuộc họp: biên bản đã chốt."))


@require_http_methods(["GET", "POST"])
@accepts_seat
@idempotent
def meeting_ballot(request, org_code, pk, meeting_pk, registration_pk):
    """The vote on one registration of the meeting's frozen list."""
    board = board_or_404(request, pk, "appraisal.record_meeting")
    meeting = _meeting_or_404(board, meeting_pk)
    row = next((r for r in meeting.results if r["registration"] == registration_pk), None)
    registration = Registration.objects.filter(pk=registration_pk).select_related("organization").first()
    if row is None or registration is None:
        raise Http404
    ballot = Ballot.objects.filter(meeting=meeting, registration=registration).first()
    votes = dict(Vote.objects.filter(ballot=ballot).values_list("member_id", "choice")) if ballot else {}
    seats = meetings.ballot_seats(meeting, registration)
    form = BallotForm(request.POST or None, voters=seats.attending, ballot=ballot, votes=votes)
    if request.method == "POST" and form.is_valid():
        try:
            ballot = meetings.ballot_record(
                meeting=meeting,
                registration_id=registration.pk,
                votes=form.votes(),
                expected_version=form.cleaned_data["version"],
                user=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã ghi biểu quyết: %(decision)s.") % {"decision": ballot.get_decision_display()},
            )
            return _to_meeting(request, board, meeting)
    attending = {m.pk for m in seats.attending}
    others = [
        (m, _("có xung đột lợi ích") if (m.pk, registration.pk) in seats.conflicted else _("vắng mặt, không có phiếu"))
        for m in seats.members
        if m.voting and m.pk not in attending
    ]
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "meeting": meeting,
        "row": row,
        "registration": registration,
        "ballot": ballot,
        "form": form,
        "voters": len(seats.voters),
        "others": others,
        "written": {m.pk for m in seats.attending if seats.roll.get(m.pk) == Attendance.WRITTEN},
    }
    return render(request, "appraisal/meeting_ballot.html", context, status=form_status(request))


def decisions_panel(request, registration):
    """The registration page's panel (models_registry.panels): the board's decisions on it, once
    the meeting that made them ended (its minutes final): the meeting's date, the result, the
    counts and the decision. The unit owns its decisions (Ballot is produced by the unit); who
    voted how stays with the board."""
    ballots = list(
        Ballot.objects.filter(registration=registration, meeting__status=MeetingStatus.ENDED)
        .select_related("meeting")
        .order_by("meeting__held_on")
    )
    if not ballots:
        return None
    return "appraisal/_decision_panel.html", {"ballots": ballots}
