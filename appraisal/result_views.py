"""The board's results, under /o/<board's organisation>/appraisal/boards/<id>/.

- `results`: the registrations of the board with their progress and, where the viewer may
  see them (appraisal.results, blind scoring), their results: ranked once scoring is closed.
  Staff of the board's level also set how results are drawn here (`results_settings`); the
  head closes and reopens scoring (`scoring_close`, `scoring_open`).
- `result_detail`: one registration's members, their cards (lines, comments, photos) as the
  viewer may see them; the head reopens a submitted card from here (`scorecard_reopen`).
- `result_photo`: a photo's thumbnail, under the same rule as the card it belongs to.

These accept a seat, except the settings (staff work). Writes are POSTs that redirect, each
idempotent."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dvk.access import require_perm
from dvk.files import stored_file_response
from dvk.forms import attach_errors, form_status
from dvk.idempotency import idempotent
from dvk.seats import accepts_seat
from models_registry.models import Registration

from . import meetings, result_services, scoring_services
from .assignment_selectors import assignment_in_board
from .board_views import board_or_404
from .models import Assignment, ScoreLine, ScorePhoto
from .result_forms import DecisionRulesForm, ReopenForm, ResultSettingsForm, ScoringOpenForm
from .results import (
    board_progress,
    board_results,
    breakdowns,
    listed_registrations,
    progress_of_results,
    viewer_of,
)
from .scoring_services import ScoringRefused

# Registrations a page: each row carries its breakdown and its members' totals.
PAGE_SIZE = 25


def _results_url(request, board):
    return reverse("appraisal:results", kwargs={"org_code": request.organization.code, "pk": board.pk})


def _detail_url(request, board, registration_id):
    return reverse(
        "appraisal:result_detail",
        kwargs={"org_code": request.organization.code, "pk": board.pk, "registration_pk": registration_id},
    )


def _registrations(ids):
    return {r.pk: r for r in Registration.objects.filter(pk__in=ids).select_related("organization", "initiative")}


def _member_cells(viewer, results, row, *, ranking):
    """(member, card, visible, normalised) for each member assigned the registration."""
    by_pk = {m.pk: m for m in results.members}
    cells = []
    for card in row.cards:
        visible = viewer.sees_card(row, card)
        normalised = row.normalised_totals.get(card.member_id) if (visible and ranking) else None
        cells.append({"member": by_pk[card.member_id], "card": card, "visible": visible, "normalised": normalised})
    return cells


def _results_page(request, board, *, settings_form=None, rules_form=None):
    results = board_results(board)
    viewer = viewer_of(request, board, results)
    ranking = viewer.sees_ranking()
    page = Paginator(listed_registrations(viewer, results), PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    results.with_cards(ids)
    registrations = _registrations(ids)
    shown = [rid for rid in ids if viewer.sees_scores(results.by_registration[rid])]
    means = breakdowns(results, shown)
    criteria = results.rubric.criteria
    rows = []
    for rid in ids:
        if rid not in registrations:
            continue  # outside the request's scope (a unit moved away): not shown here
        row = results.by_registration[rid]
        visible = viewer.sees_scores(row)
        rows.append(
            {
                "registration": registrations[rid],
                "result": row,
                "visible": visible,
                "breakdown": [(c, means.get(rid, {}).get(c.pk)) for c in criteria] if visible else [],
                "members": _member_cells(viewer, results, row, ranking=ranking),
            }
        )
    progress = progress_of_results(results)
    can_change = not viewer.via_seat and request.user.has_perm("appraisal.change_board", board)
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "viewer": viewer,
        "ranking": ranking,
        "results": results,
        "rubric": results.rubric,
        "rows": rows,
        "page": page,
        "progress": progress,
        "can_lead": request.user.has_perm("appraisal.lead_board", board),
        "settings_form": (settings_form or ResultSettingsForm(board=board)) if can_change else None,
        "rules_form": (rules_form or DecisionRulesForm(board=board))
        if can_change and board.campaign.status in meetings.WRITABLE_STATUSES
        else None,
        "via_seat": viewer.via_seat,
        # Rows link to their detail by this prefix and the id (reversing per row costs more).
        "results_url": _results_url(request, board),
    }
    return render(request, "appraisal/results.html", context, status=form_status(request))


@require_GET
@accepts_seat
def results(request, org_code, pk):
    """The board's results (blind scoring decides what each viewer sees of them)."""
    board = board_or_404(request, pk, "appraisal.view_results")
    return _results_page(request, board)


@require_POST
@idempotent
def results_settings(request, org_code, pk):
    """Staff of the board's level set the result method and the disagreement that flags."""
    board = board_or_404(request, pk, "appraisal.change_board")
    form = ResultSettingsForm(request.POST, board=board)
    if form.is_valid():
        d = form.cleaned_data
        try:
            result_services.result_settings_update(
                board=board,
                result_method=d["result_method"],
                disagreement_points=d["disagreement_points"],
                expected_version=d["version"],
                user=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu cách tính kết quả của đoàn."))
            return redirect(_results_url(request, board))
    return _results_page(request, board, settings_form=form)


@require_POST
@idempotent
def decision_rules(request, org_code, pk):
    """Staff of the board's level set the review meeting's decision rules."""
    board = board_or_404(request, pk, "appraisal.change_board")
    form = DecisionRulesForm(request.POST, board=board)
    if form.is_valid():
        d = form.cleaned_data
        try:
            meetings.decision_rules_update(
                board=board,
                quorum_share=d["quorum_share"],
                recognise_share=d["recognise_share"],
                propose_share=d["propose_share"],
                proposal_threshold=d["proposal_threshold"],
                expected_version=d["version"],
                user=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu quy tắc biểu quyết của đoàn."))
            return redirect(_results_url(request, board))
    return _results_page(request, board, rules_form=form)


def _listed_row_or_404(request, board, registration_pk):
    """(results, viewer, row) for a registration the viewer lists on the results page."""
    results = board_results(board)
    viewer = viewer_of(request, board, results)
    if registration_pk not in results.by_registration or registration_pk not in listed_registrations(viewer, results):
        raise Http404
    (row,) = results.with_cards([registration_pk])
    return results, viewer, row


@require_GET
@accepts_seat
def result_detail(request, org_code, pk, registration_pk):
    """One registration: its result and each member's card, as the viewer may see them."""
    board = board_or_404(request, pk, "appraisal.view_results")
    results, viewer, row = _listed_row_or_404(request, board, registration_pk)
    registration = _registrations([registration_pk]).get(registration_pk)
    if registration is None:
        raise Http404
    ranking = viewer.sees_ranking()
    cells = _member_cells(viewer, results, row, ranking=ranking)
    visible_assignments = [c["card"].assignment_id for c in cells if c["visible"] and c["card"].status]
    assignments = {
        a.pk: a
        for a in Assignment.objects.filter(pk__in=visible_assignments)
        .select_related("scorecard__reopened_by")
        .prefetch_related(
            Prefetch("scorecard__lines", queryset=ScoreLine.objects.select_related("criterion")),
            Prefetch("scorecard__photos", queryset=ScorePhoto.objects.all()),
        )
    }
    for cell in cells:
        assignment = assignments.get(cell["card"].assignment_id)
        cell["scorecard"] = assignment.scorecard if assignment is not None else None
    visible = viewer.sees_scores(row)
    means = breakdowns(results, [registration_pk]) if visible else {}
    can_reopen = request.user.has_perm("appraisal.lead_board", board) and board.scoring_closed_at is None
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "registration": registration,
        "result": row,
        "visible": visible,
        "ranking": ranking,
        "rubric": results.rubric,
        "breakdown": [(c, means.get(registration_pk, {}).get(c.pk)) for c in results.rubric.criteria],
        "cells": cells,
        "viewer": viewer,
        "can_reopen": can_reopen,
        "reopen_form": ReopenForm(),
        "via_seat": viewer.via_seat,
    }
    return render(request, "appraisal/results_detail.html", context)


@require_GET
@accepts_seat
def result_photo(request, org_code, pk, registration_pk, photo_pk):
    """A card's photo as a thumbnail, to whoever may see that card (403 to a viewer who lists
    the registration but may not see the card yet)."""
    board = board_or_404(request, pk, "appraisal.view_results")
    _results, viewer, row = _listed_row_or_404(request, board, registration_pk)
    photo = (
        ScorePhoto.objects.filter(
            pk=photo_pk,
            scorecard__assignment__board=board,
            scorecard__assignment__registration_id=registration_pk,
        )
        .select_related("scorecard")
        .first()
    )
    if photo is None:
        raise Http404
    card = next(c for c in row.cards if c.assignment_id == photo.scorecard.assignment_id)
    if not viewer.sees_card(row, card):
        raise PermissionDenied(_("Ảnh này chỉ xem được khi bạn đã nộp phiếu chấm hoặc khi đoàn đã khóa chấm điểm."))
    field = photo.thumbnail if photo.thumbnail else photo.file
    return stored_file_response(field, content_type="image/jpeg" if photo.thumbnail else photo.content_type)


# --- the head: closing scoring, reopening a card ------------------------------------------------


@require_POST
@accepts_seat
@idempotent
def scoring_close(request, org_code, pk):
    """The head closes scoring. While voting members still have cards to submit, the first
    press shows them and asks to confirm (nothing is changed until confirmed)."""
    board = board_or_404(request, pk, "appraisal.lead_board")
    if board.scoring_closed_at is None and request.POST.get("confirm") != "1":
        pending = board_progress(board).pending_voting_members()
        if pending:
            context = {
                "org": request.organization,
                "board": board,
                "campaign": board.campaign,
                "pending": pending,
                "via_seat": getattr(request, "via_seat", False),
            }
            return render(request, "appraisal/results_close.html", context)
    if result_services.scoring_close(board=board, user=request.user):
        messages.success(request, _("Đã khóa chấm điểm. Kết quả hiện cho các thành viên đoàn và cán bộ phụ trách."))
    else:
        messages.info(request, _("Chấm điểm đã được khóa trước đó."))
    return redirect(_results_url(request, board))


@require_POST
@accepts_seat
@idempotent
def scoring_open(request, org_code, pk):
    """The head opens scoring again, with a reason: the first press asks for it (nothing is
    changed until it is given)."""
    board = board_or_404(request, pk, "appraisal.lead_board")
    form = ScoringOpenForm(request.POST if "reason" in request.POST else None)
    if board.scoring_closed_at is not None and form.is_valid():
        try:
            result_services.scoring_reopen(board=board, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã mở lại chấm điểm: thành viên lại sửa, nộp phiếu được."))
            return redirect(_results_url(request, board))
    elif board.scoring_closed_at is None:
        messages.info(request, _("Chấm điểm đang mở."))
        return redirect(_results_url(request, board))
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "form": form,
        "via_seat": getattr(request, "via_seat", False),
    }
    return render(request, "appraisal/results_open.html", context, status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
@accepts_seat
@idempotent
def scorecard_reopen(request, org_code, pk, assignment_pk):
    """The head reopens a member's submitted card, with a reason (history and the member's
    change feed keep it). GET shows the form alone (from the head's list)."""
    board = board_or_404(request, pk)
    assignment = assignment_in_board(board, assignment_pk)
    # Through a seat, only the head reaches another member's assignment (as assignment_views).
    if assignment is None or (
        getattr(request, "via_seat", False) and not request.user.has_perm("appraisal.lead_board", board)
    ):
        raise Http404
    require_perm(request, "appraisal.reopen_scorecard", assignment)
    back = _detail_url(request, board, assignment.registration_id)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scoring_services.scorecard_reopen(
                assignment=assignment, reason=form.cleaned_data["reason"], user=request.user
            )
        except ScoringRefused as refused:
            if refused.code == "invalid":
                form.add_error("reason", refused.fields.get("reason") or refused.messages)
            else:
                # Nothing to do (not submitted, or scoring closed): say so where the head was.
                messages.error(request, refused.messages[0])
                return redirect(back)
        else:
            messages.success(
                request,
                _("Đã mở lại phiếu chấm của %(name)s; thành viên được báo kèm lý do.")
                % {"name": assignment.member.user.display_name},
            )
            return redirect(back)
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "assignment": assignment,
        "registration": assignment.registration,
        "form": form,
        "back": back,
        "via_seat": getattr(request, "via_seat", False),
    }
    return render(request, "appraisal/results_reopen.html", context, status=form_status(request))
