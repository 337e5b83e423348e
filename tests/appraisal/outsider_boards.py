"""Outsider cases for the board's pages, merged into tests/test_outsider.py CASES.

The victim commune's board (v.board) is tried through COMM, where only the seat holder is
admitted (its seat) and only to the pages that accept one, and through each persona's own
code, where the board is not in scope. The writes that form the board (create, edit,
members) accept no seat: the seat holder, deputy head of the board, gets 404 there too."""

from tests.outsider import get, post


def board_probes(v, p, method, rest, *, seated, data=None):
    """`rest` under the victim's board: through COMM what the seat holder's seat allows
    (`seated`), anyone else 404; through the persona's own code and UNIT, 404 for all."""
    make = get if method == "get" else (lambda url, expect=404: post(url, data, expect))
    return [
        make(f"/o/COMM/appraisal/boards/{v.board.pk}/{rest}", p.seat(seated)),
        make(f"/o/{p.code}/appraisal/boards/{v.board.pk}/{rest}"),
        make(f"/o/UNIT/appraisal/boards/{v.board.pk}/{rest}"),
    ]


def _create(v, p):
    """A board for the victim's plans: through COMM 404 (no role there; the view accepts no
    seat); through the persona's own code a unit of the commune sees the published and the
    closed plan (403: not staff), the sibling commune sees neither, nobody sees the draft."""
    rest = "board/new/"
    probes = [post(f"/o/COMM/appraisal/campaigns/{v.campaign.pk}/{rest}")]
    for plan in (v.campaign, v.closed):
        probes.append(post(f"/o/{p.code}/appraisal/campaigns/{plan.pk}/{rest}", expect=p.commune(403)))
    probes.append(post(f"/o/{p.code}/appraisal/campaigns/{v.draft.pk}/{rest}"))
    return probes


def _member(v, p, rest, data):
    return [
        probe
        for member in (v.head, v.deputy)
        for probe in board_probes(v, p, "post", f"members/{member.pk}/{rest}", seated=404, data=data(member))
    ]


BOARD_FORM = {"board-name": "Đoàn đổi tên", "board-decision_number": "99-QĐ", "board-version": "1"}


def _add_form(username, role):
    return {"add-username": username, "add-role": role, "add-voting": "yes", "add-position": "X"}


def _change_form(member):
    return {f"m{member.pk}-role": "guest", f"m{member.pk}-voting": "no", f"m{member.pk}-position": "X"}


CASES = {
    "appraisal:board": lambda v, p: board_probes(v, p, "get", "", seated=200),
    "appraisal:board_create": _create,
    "appraisal:board_edit": lambda v, p: board_probes(v, p, "post", "edit/", seated=404, data=BOARD_FORM),
    "appraisal:board_member_add": lambda v, p: (
        board_probes(v, p, "post", "members/add/", seated=404, data=_add_form(p.user.username, "member"))
        + board_probes(v, p, "post", "members/add/", seated=404, data=_add_form("bi-thu-xom-2", "head"))
    ),
    "appraisal:board_member_change": lambda v, p: _member(v, p, "edit/", _change_form),
    "appraisal:board_member_remove": lambda v, p: _member(v, p, "remove/", lambda member: {}),
}
