"""The board member's tablet pages, under /o/<board's organisation>/appraisal/scoring/.

- `scoring`: the member's list, their assignments on the boards of this organisation (one
  board with `?board=`), by visit date.
- `scoring_assignment`: one assignment, the dossier view and the scorecard.

Both are shells: the server renders the header, the navigation and what the page says
without JavaScript; static/js/scoring.js reads and writes through the scoring API
(appraisal.api, /api/v1/o/<code>/appraisal/), the same API any client uses, so the offline
layer of part 3 sits between this page and the API and nothing else. The shells still check
what the API checks (the board is one of the user's, the assignment is their own), so a link
never opens a page that can only fail.

Both accept a seat: a member often reaches the board's level only through the board."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from campaigns.enums import RegistrationStatus
from campaigns.models import Field
from dvk.access import parse_id
from dvk.seats import accepts_seat

from .models import Assignment
from .seats import board_members_of_user


def _my_boards_here(request):
    """The user's seats (BoardMember rows, with their boards) on the boards of the acting
    organisation, in the seat source's order: read from the rows the request already holds."""
    org = request.organization
    return [m for m in board_members_of_user(request.user).values() if m.board.organization_id == org.pk]


def _api_root(request):
    """The scoring API of the acting organisation, /api/v1/o/<code>/appraisal/: scoring.js
    adds the contract's paths (assignments/, assignments/<id>/scorecard/...), and takes the
    files' URLs from the API's answers."""
    return reverse("api:organization", kwargs={"org_code": request.organization.code}) + "appraisal/"


def _labels():
    """Names of the codes the API sends (a registration's status and field), for the page's
    strings: one query of the fields (a short national list)."""
    return {
        "registration_statuses": RegistrationStatus.choices,
        "field_names": list(Field.objects.values_list("code", "name")),
    }


@require_GET
@accepts_seat
def scoring(request, org_code):
    """The member's list. `?board=` narrows it to one of the user's boards here (another
    board, or no id: not found)."""
    seats = _my_boards_here(request)
    board = None
    asked = request.GET.get("board")
    if asked is not None:
        board_id = parse_id(asked)
        board = next((m.board for m in seats if m.board_id == board_id), None)
        if board is None:
            raise Http404
    context = {
        "org": request.organization,
        "seats": seats,
        "board": board,
        "api_root": _api_root(request),
        # The page links each assignment as this prefix and its id (urls.py's path).
        "assignment_url": reverse("appraisal:scoring", kwargs={"org_code": request.organization.code}),
        "via_seat": getattr(request, "via_seat", False),
        **_labels(),
    }
    return render(request, "appraisal/scoring_list.html", context)


@require_GET
@accepts_seat
def scoring_assignment(request, org_code, pk):
    """One of the user's assignments on a board of this organisation: its dossier and the
    scorecard. Anyone else's (even the same board's) is not found (`view_assignment`)."""
    assignment = (
        Assignment.objects.filter(pk=pk, board__organization=request.organization)
        .select_related("member", "board__campaign", "registration__initiative", "registration__organization")
        .first()
    )
    if assignment is None or not request.user.has_perm("appraisal.view_assignment", assignment):
        raise Http404
    context = {
        "org": request.organization,
        "assignment": assignment,
        "board": assignment.board,
        "campaign": assignment.board.campaign,
        "registration": assignment.registration,
        "api_root": _api_root(request),
        "list_url": reverse("appraisal:scoring", kwargs={"org_code": request.organization.code})
        + f"?board={assignment.board_id}",
        "via_seat": getattr(request, "via_seat", False),
        **_labels(),
    }
    return render(request, "appraisal/scoring_assignment.html", context)
