"""The board's pages, under /o/<board's organisation>/appraisal/boards/<id>/.

These views accept a seat (dvk.seats): a member whose only place at the board's level is the
board itself reaches them under the board's organisation, and nothing else there. Through a
seat, a board other than the member's own is not found, and the board's selectors narrow to
the member's own assignments."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dvk.access import object_or_404, require_perm
from dvk.seats import accepts_seat

from . import selectors


def board_or_404(request, pk, perm="appraisal.view_board"):
    """The board `pk` in the request's scope that the user may `perm`; 404 through a seat on
    another board (a seat holder sees no other board of the level)."""
    board = object_or_404(request, selectors.boards_here(), None, pk=pk)
    if getattr(request, "via_seat", False) and not selectors.is_member(request.user, board):
        raise Http404
    if perm:
        require_perm(request, perm, board)
    return board


@require_GET
@accepts_seat
def board(request, org_code, pk):
    """The board: its campaign, its members and their roles."""
    board = board_or_404(request, pk)
    context = {
        "org": request.organization,
        "board": board,
        "campaign": board.campaign,
        "members": selectors.members_of_board(board),
        "can_change": request.user.has_perm("appraisal.change_board", board),
        "via_seat": getattr(request, "via_seat", False),
    }
    return render(request, "appraisal/board.html", context)
