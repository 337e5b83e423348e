"""The board's pages, under /o/<board's organisation>/appraisal/boards/<id>/.

These views accept a seat (dvk.seats): a member whose only place at the board's level is the
board itself reaches them under the board's organisation, and nothing else there. Through a
seat, a board other than the member's own is not found, and the board's selectors narrow to
the member's own assignments.

Forming the board (create, edit, members) is for staff of the board's level or above
(`appraisal.change_board`); those write views do not accept a seat. Each write is a POST
that redirects to the board page on success; a refused form shows the board page again with
its errors (400). Writes go through appraisal.board_services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaigns.selectors import campaigns_here
from dvk.access import object_or_404, require_perm
from dvk.forms import attach_errors, form_status
from dvk.idempotency import idempotent
from dvk.seats import accepts_seat

from . import board_services, selectors
from .enums import APPRAISABLE_CAMPAIGN_STATUSES
from .forms import BoardForm, MemberAddForm, MemberChangeForm
from .models import Board, BoardMember
from .results import board_progress
from .rules import seat_on


def board_or_404(request, pk, perm="appraisal.view_board"):
    """The board `pk` in the request's scope that the user may `perm`; 404 through a seat on
    another board (a seat holder sees no other board of the level)."""
    board = object_or_404(request, selectors.boards_here(), None, pk=pk)
    if getattr(request, "via_seat", False) and seat_on(request.user, board) is None:
        raise Http404
    if perm:
        require_perm(request, perm, board)
    return board


def sees_boards_of(request, campaign):
    """Whether the acting organisation's scope sees boards of `campaign`'s level: a board is
    seen at its level and above, so acting for a unit below, a commune's board is not there
    (neither to show nor to form)."""
    return campaign.organization.path.startswith(request.organization.path)


def _to_board(request, board):
    return redirect("appraisal:board", org_code=request.organization.code, pk=board.pk)


def _page(request, board, *, board_form=None, add_form=None, change_forms=None):
    """The board page: its campaign, its members in order, the user's own seat; for staff the
    forms (those given bound, after a refused POST, the rest fresh). A fixed number of
    queries whatever the number of members."""
    members = selectors.members_of_board(board)
    can_change = request.user.has_perm("appraisal.change_board", board)
    via_seat = getattr(request, "via_seat", False)
    my_seat = next((m for m in members if m.user_id == request.user.pk), None)
    progress = board_progress(board, members)
    rows = []
    change_forms = change_forms or {}
    for m, member_progress in progress.members:
        form = None
        if can_change:
            form = change_forms.get(m.pk) or MemberChangeForm(member=m)
        rows.append({"member": m, "form": form, "is_me": m.user_id == request.user.pk, "progress": member_progress})
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "members": members,
        "rows": rows,
        "my_seat": my_seat,
        "can_change": can_change,
        "via_seat": via_seat,
        "board_form": (board_form or BoardForm(board=board)) if can_change else None,
        "add_form": (add_form or MemberAddForm(board=board)) if can_change else None,
        "voting_count": sum(1 for m in members if m.voting),
        "progress": progress.board,
        "can_see_results": request.user.has_perm("appraisal.view_results", board),
        "meetings": list(board.meetings.all()) if request.user.has_perm("appraisal.view_results", board) else [],
        "can_record_meeting": request.user.has_perm("appraisal.record_meeting", board),
    }
    return render(request, "appraisal/board.html", context, status=form_status(request))


@require_GET
@accepts_seat
def board(request, org_code, pk):
    """The board: its campaign, its members and their roles; staff of its level also form it
    here (its decision, its members). A member through a seat sees the board and their role."""
    return _page(request, board_or_404(request, pk))


@require_POST
@idempotent
def board_create(request, org_code, pk):
    """ "Thành lập đoàn thẩm định" on a campaign's page: makes the campaign's board (or lands on
    the one it has), while the campaign is published or closed."""
    campaign = object_or_404(request, campaigns_here(), "campaigns.view_campaign", pk=pk)
    require_perm(request, "appraisal.change_board", Board(organization=campaign.organization, campaign=campaign))
    if not sees_boards_of(request, campaign):
        raise PermissionDenied(_("Hãy thành lập đoàn thẩm định từ trang của cấp ban hành kế hoạch."))
    try:
        board, created = board_services.board_create(campaign, request.user)
    except ValidationError as exc:
        context = {"org": request.organization, "campaign": campaign, "messages_refused": exc.messages}
        return render(request, "appraisal/board_refused.html", context, status=400)
    if created:
        messages.success(request, _("Đã thành lập đoàn thẩm định. Hãy thêm các thành viên của đoàn."))
    return _to_board(request, board)


@require_POST
@idempotent
def board_edit(request, org_code, pk):
    """The board's name and the decision that formed it (number, date)."""
    board = board_or_404(request, pk, "appraisal.change_board")
    form = BoardForm(request.POST, board=board)
    if form.is_valid():
        d = form.cleaned_data
        try:
            board_services.board_update(
                board,
                name=d["name"],
                decision_number=d["decision_number"],
                decided_on=d["decided_on"],
                expected_version=d["version"],
                user=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin đoàn thẩm định."))
            return _to_board(request, board)
    return _page(request, board, board_form=form)


@require_POST
@idempotent
def member_add(request, org_code, pk):
    """Adds a person, picked by name among those with a role in the board level's subtree."""
    board = board_or_404(request, pk, "appraisal.change_board")
    form = MemberAddForm(request.POST, board=board)
    if form.is_valid():
        try:
            member = board_services.member_add(board, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã thêm %(name)s vào đoàn (%(role)s).")
                % {"name": member.user.display_name, "role": member.get_role_display()},
            )
            return _to_board(request, board)
    return _page(request, board, add_form=form)


def _member_or_404(board, member_pk):
    member = BoardMember.objects.filter(board=board, pk=member_pk).select_related("user").first()
    if member is None:
        raise Http404
    return member


@require_POST
@idempotent
def member_change(request, org_code, pk, member_pk):
    """A member's role, vote and position."""
    board = board_or_404(request, pk, "appraisal.change_board")
    member = _member_or_404(board, member_pk)
    form = MemberChangeForm(request.POST, member=member)
    if form.is_valid():
        try:
            board_services.member_change(member, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu vai trò của %(name)s.") % {"name": member.user.display_name})
            return _to_board(request, board)
    return _page(request, board, change_forms={member.pk: form})


@require_POST
@idempotent
def member_remove(request, org_code, pk, member_pk):
    """The member leaves the board (rời đoàn), with their assignments and grants."""
    board = board_or_404(request, pk, "appraisal.change_board")
    member = _member_or_404(board, member_pk)
    try:
        removed = board_services.member_remove(member, by=request.user)
    except ValidationError as exc:
        # Nothing was changed: the refusal is shown on the board page.
        for message in exc.messages:
            messages.error(request, message)
        return _to_board(request, board)
    if removed:
        messages.success(request, _("%(name)s đã rời đoàn.") % {"name": member.user.display_name})
    else:
        messages.info(request, _("%(name)s đã rời đoàn trước đó.") % {"name": member.user.display_name})
    return _to_board(request, board)


# --- the campaign page's panel (campaigns.panels) -----------------------------------------------


def board_panel(request, campaign):
    """ "Đoàn thẩm định" on the campaign page: the board with its member count, its scoring
    progress ("3/5 đã chấm") and its page, or, for staff of the campaign's level, the button
    that forms it. One query for the board (its count included) and the fixed few of
    results.board_progress; nothing for a viewer who may not see a board, nor below the
    campaign's level (the scope does not see its board there)."""
    if not sees_boards_of(request, campaign):
        return None
    board = (
        Board.objects.filter(campaign=campaign)
        .select_related("organization", "campaign")
        .annotate(member_count=Count("members"))
        .first()
    )
    if board is not None:
        if not request.user.has_perm("appraisal.view_board", board):
            return None
        context = {"board": board, "campaign": campaign, "progress": board_progress(board).board}
        return "appraisal/_board_panel.html", context
    unsaved = Board(organization=campaign.organization, campaign=campaign)
    if not request.user.has_perm("appraisal.change_board", unsaved):
        return None
    context = {
        "board": None,
        "campaign": campaign,
        "can_create": campaign.status in APPRAISABLE_CAMPAIGN_STATUSES,
        "refusal": board_services.board_refusal(campaign),
    }
    return "appraisal/_board_panel.html", context
