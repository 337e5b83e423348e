"""The board's visits (lịch khảo sát), under /o/<board's organisation>/appraisal/boards/<id>/.

The schedule accepts a seat: a member sees the visits they go on, and through a seat nothing
else. Staff of the board's level see every visit of the board there, and schedule, change and
cancel visits (these pages do not accept a seat: a seat grants no staff work)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dvk.access import parse_id
from dvk.forms import attach_errors, form_status
from dvk.idempotency import idempotent
from dvk.seats import accepts_seat

from . import visit_services
from .board_views import board_or_404
from .rules import seat_on
from .visit_forms import VisitForm

MINE, ALL = "mine", "all"


def _schedule(request, board):
    return redirect("appraisal:schedule", org_code=request.organization.code, pk=board.pk)


def _visit_or_404(board, visit_pk):
    visit = visit_services.visit_of_board(board, visit_pk)
    if visit is None:
        raise Http404
    return visit


@require_GET
@accepts_seat
def schedule(request, org_code, pk):
    """A member's schedule: the visits they go on, upcoming first, today's marked. Staff of the
    board's level may show every visit of the board (?show=all); through a seat, only one's own."""
    board = board_or_404(request, pk)
    via_seat = getattr(request, "via_seat", False)
    can_change = not via_seat and request.user.has_perm("appraisal.change_board", board)
    member = seat_on(request.user, board) is not None
    show = request.GET.get("show")
    if not can_change or show not in (MINE, ALL):
        show = MINE if (member or not can_change) else ALL
    visits = visit_services.visits_of_board(board, user=request.user if show == MINE else None)
    today = timezone.localdate()
    upcoming, past = visit_services.split_schedule(visits, today)
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "upcoming": upcoming,
        "past": past,
        "today": today,
        "show": show,
        "can_change": can_change,
        "via_seat": via_seat,
        "windows": visit_services.survey_windows(board.campaign),
    }
    return render(request, "appraisal/visit_schedule.html", context)


@require_http_methods(["GET", "POST"])
@idempotent
def visit_create(request, org_code, pk):
    """Staff of the board's level schedule a visit."""
    board = board_or_404(request, pk, "appraisal.change_board")
    form = VisitForm(request.POST or None, board=board)
    if request.method == "POST" and form.is_valid():
        try:
            visit_services.visit_schedule(board=board, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lên lịch khảo sát và gửi thông báo cho đơn vị, thành viên đoàn."))
            return _schedule(request, board)
    return _form_page(request, board, form, None)


@require_http_methods(["GET", "POST"])
@idempotent
def visit_edit(request, org_code, pk, visit_pk):
    """Staff of the board's level change a visit (checked against the version they read)."""
    board = board_or_404(request, pk, "appraisal.change_board")
    visit = _visit_or_404(board, visit_pk)
    form = VisitForm(request.POST or None, board=board, visit=visit)
    if request.method == "POST" and form.is_valid():
        try:
            visit_services.visit_change(visit, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã sửa lịch khảo sát và gửi thông báo cho đơn vị, thành viên đoàn."))
            return _schedule(request, board)
    return _form_page(request, board, form, visit)


@require_POST
@idempotent
def visit_cancel(request, org_code, pk, visit_pk):
    """Staff of the board's level cancel a visit."""
    board = board_or_404(request, pk, "appraisal.change_board")
    visit = _visit_or_404(board, visit_pk)
    version = parse_id(request.POST.get("version", ""))
    try:
        visit_services.visit_cancel(visit, by=request.user, expected_version=version)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã hủy lịch khảo sát và gửi thông báo cho đơn vị, thành viên đoàn."))
    return _schedule(request, board)


def _form_page(request, board, form, visit):
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "form": form,
        "visit": visit,
        "windows": visit_services.survey_windows(board.campaign),
    }
    return render(request, "appraisal/visit_form.html", context, status=form_status(request))


def visits_panel(request, registration):
    """The registration page's panel (models_registry.panels): the board's visits to this
    registration (day, time, place, who goes), nothing else of the board's."""
    visits = visit_services.visits_of_registration(registration)
    if not visits:
        return None
    return "appraisal/_visit_panel.html", {"visits": visits}
