"""Outsider cases for the board's pages, merged into tests/test_outsider.py CASES.

The victim commune's board (v.board) is tried through COMM, where only the seat holder is
admitted (its seat), and through each persona's own code, where the board is not in scope."""

from tests.outsider import get, post


def _board(v, p, method, rest, *, seated):
    make = get if method == "get" else post
    return [
        make(f"/o/COMM/appraisal/boards/{v.board.pk}/{rest}", p.seat(seated)),
        make(f"/o/{p.code}/appraisal/boards/{v.board.pk}/{rest}"),
        make(f"/o/UNIT/appraisal/boards/{v.board.pk}/{rest}"),
    ]


CASES = {
    "appraisal:board": lambda v, p: _board(v, p, "get", "", seated=200),
}
