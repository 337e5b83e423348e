"""Assignment pages, under /o/<board's organisation>/appraisal/boards/<id>/.

- `assignments`: staff of the board's level give the eligible registrations to members (one
  by one or ticked in bulk) and take them back; each row shows who is assigned and who is
  conflicted, and why. Not open to a seat (staff act through their membership).
- `my_work` ("Việc của tôi"): a member's own assignments with their conflicts. Accepts a
  seat; whoever opens it sees only their own assignments, since the scope (the commune) is
  wider than the seat.
- `conflict_declare`: the member declares a conflict on one of their assignments (seat).
- `assignment_recuse`: the head records a recusal on an assignment (seat: a head may sit on
  the board without a role at its level).

Writes go through appraisal.assignment_services; each POST is idempotent."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from dvk.access import ids_or_404, require_perm
from dvk.forms import attach_errors, form_status
from dvk.idempotency import idempotent
from dvk.seats import accepts_seat

from . import assignment_selectors as selectors
from . import assignment_services as services
from .assignment_forms import AssignForm, EligibleFilterForm, ReasonForm
from .board_views import board_or_404
from .conflicts import conflicts_of, stored_conflict
from .enums import ScorecardStatus
from .models import Scorecard
from .rules import seat_on
from .selectors import members_of_board

PAGE_SIZE = 50
# The head's list of every assignment: registrations a page, each with all its members.
HEAD_PAGE_SIZE = 25


def _back(request):
    """Back to the page as it was (its filters and page number are in the query string)."""
    return request.get_full_path()


@require_http_methods(["GET", "POST"])
@idempotent
def assignments(request, org_code, pk):
    """The registrations the board takes, filtered like the registration list, paginated,
    with their assigned members and conflicts; the bulk form assigns or unassigns."""
    board = board_or_404(request, pk, perm="appraisal.change_board")
    errors = []
    if request.method == "POST":
        response = _assign_post(request, board, errors)
        if response is not None:
            return response
    form = EligibleFilterForm(request.GET, organization=board.organization)
    if form.subtree_missing:
        rows = selectors.eligible_registrations(board).none()
    else:
        rows = selectors.eligible_registrations(board, **form.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    members = members_of_board(board)
    ticked = set(request.POST.getlist("members")) if request.method == "POST" else None
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "form": form,
        "page": page,
        "rows": selectors.assignment_rows(board, list(page), members),
        "members": [
            {"member": m, "checked": (str(m.pk) in ticked) if ticked is not None else m.voting} for m in members
        ],
        "upper": list(selectors.for_upper_level(board)),
        "open": selectors.board_is_open(board),
        "errors": errors,
        "back": request.get_full_path(),
        "can_lead": request.user.has_perm("appraisal.lead_board", board),
    }
    return render(request, "appraisal/assignments.html", context, status=form_status(request))


def _assign_post(request, board, errors):
    """Applies the bulk form: a redirect on success; None (with `errors` filled) to show the
    page again with the refusal, nothing changed."""
    form = AssignForm(request.POST)
    ids = ids_or_404(request.POST.getlist("ids"))
    member_ids = ids_or_404(request.POST.getlist("members"))
    if not form.is_valid():
        errors.append(_("Hãy chọn thao tác: phân công hay bỏ phân công."))
        return None
    try:
        if form.cleaned_data["action"] == AssignForm.ASSIGN:
            created = services.assign(board=board, registration_ids=ids, member_ids=member_ids, user=request.user)
            if created:
                messages.success(
                    request,
                    ngettext("Đã thêm %(n)s phân công.", "Đã thêm %(n)s phân công.", len(created))
                    % {"n": len(created)},
                )
            else:
                messages.info(request, _("Các đăng ký đã chọn đã được phân công cho các thành viên này từ trước."))
        else:
            removed = services.unassign(board=board, registration_ids=ids, member_ids=member_ids, user=request.user)
            if removed:
                messages.success(
                    request, ngettext("Đã bỏ %(n)s phân công.", "Đã bỏ %(n)s phân công.", removed) % {"n": removed}
                )
            else:
                messages.info(request, _("Không có phân công nào để bỏ."))
    except ValidationError as exc:
        errors.extend(exc.messages)
        return None
    return redirect(_back(request))


@require_GET
@accepts_seat
def my_work(request, org_code, pk):
    """ "Việc của tôi": the user's own assignments on the board, with the registration, its
    unit and why they are conflicted, if they are."""
    board = board_or_404(request, pk)
    member = seat_on(request.user, board)
    rows = selectors.assignments_of_member(member) if member is not None else []
    # The head records recusals, so sees every assignment of the board (and who is conflicted),
    # whether they sit on it through a seat or hold a role at its level.
    board_rows = page = None
    if request.user.has_perm("appraisal.lead_board", board):
        page = Paginator(selectors.assigned_registrations(board), HEAD_PAGE_SIZE).get_page(request.GET.get("page"))
        rows_of_board = selectors.assignment_rows(board, list(page.object_list), members_of_board(board))
        # The page's submitted cards, in one query: the head reopens them from here.
        submitted = set(
            Scorecard.objects.filter(
                assignment__in=[m["assignment"].pk for row in rows_of_board for m in row["members"] if m["assignment"]],
                status=ScorecardStatus.SUBMITTED,
            ).values_list("assignment_id", flat=True)
        )
        board_rows = [
            {
                "registration": row["registration"],
                # (name, conflicts, assignment id, card submitted) of each assigned member.
                "assigned": [
                    (m["member"].user.display_name, m["conflicts"], m["assignment"].pk, m["assignment"].pk in submitted)
                    for m in row["members"]
                    if m["assignment"] is not None
                ],
            }
            for row in rows_of_board
        ]
    context = {
        "board_rows": board_rows,
        "page": page,
        "recuse_label": _("Ghi nhận không chấm"),
        # The head's list links every assignment: its URLs are this prefix and the ids (the
        # paths of urls.py), since reversing hundreds of URLs would cost more than the page.
        "board_url": reverse("appraisal:board", kwargs={"org_code": request.organization.code, "pk": board.pk}),
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "member": member,
        "rows": rows,
        "via_seat": getattr(request, "via_seat", False),
        "open": selectors.board_is_open(board),
    }
    return render(request, "appraisal/assignments_mine.html", context)


def _assignment_or_404(request, board, assignment_pk, *, own):
    """The board's assignment `assignment_pk`; through a seat, only the user's own (`own`)
    or, for the head, any of the board's."""
    assignment = selectors.assignment_in_board(board, assignment_pk)
    if assignment is None:
        raise Http404
    if getattr(request, "via_seat", False) and assignment.member.user_id != request.user.pk:
        if own or not request.user.has_perm("appraisal.lead_board", board):
            raise Http404
    return assignment


@require_http_methods(["GET", "POST"])
@accepts_seat
@idempotent
def conflict_declare(request, org_code, pk, assignment_pk):
    """The member declares a conflict of interest on one of their assignments."""
    board = board_or_404(request, pk)
    assignment = _assignment_or_404(request, board, assignment_pk, own=True)
    require_perm(request, "appraisal.declare_conflict", assignment)
    return _reason_page(
        request,
        board,
        assignment,
        service=services.conflict_declare,
        done=_("Đã ghi nhận xung đột lợi ích bạn tự khai; bạn sẽ không chấm mô hình này."),
        back=reverse("appraisal:my_work", kwargs={"org_code": request.organization.code, "pk": board.pk}),
        title=_("Khai xung đột lợi ích"),
    )


@require_http_methods(["GET", "POST"])
@accepts_seat
@idempotent
def assignment_recuse(request, org_code, pk, assignment_pk):
    """The head records that a member does not score an assigned registration (recusal)."""
    board = board_or_404(request, pk)
    assignment = _assignment_or_404(request, board, assignment_pk, own=False)
    if not request.user.has_perm("appraisal.recuse_assignment", assignment):
        raise PermissionDenied(_("Chỉ trưởng đoàn ghi nhận việc không tham gia chấm."))
    back = (
        reverse("appraisal:assignments", kwargs={"org_code": request.organization.code, "pk": board.pk})
        if request.user.has_perm("appraisal.change_board", board)
        else reverse("appraisal:my_work", kwargs={"org_code": request.organization.code, "pk": board.pk})
    )
    return _reason_page(
        request,
        board,
        assignment,
        service=services.recusal_record,
        done=_("Đã ghi nhận thành viên không tham gia chấm mô hình này."),
        back=back,
        title=_("Ghi nhận không tham gia chấm"),
    )


def _reason_page(request, board, assignment, *, service, done, back, title):
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(assignment=assignment, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(back)
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "assignment": assignment,
        "registration": assignment.registration,
        "conflicts": conflicts_of(assignment),
        "stored": stored_conflict(assignment.member, assignment.registration),
        "form": form,
        "title": title,
        "back": back,
        "via_seat": getattr(request, "via_seat", False),
    }
    return render(request, "appraisal/assignments_reason.html", context, status=form_status(request))
