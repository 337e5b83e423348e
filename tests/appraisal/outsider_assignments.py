"""Outsider cases for the assignment pages, merged into tests/test_outsider.py CASES.

The victim commune's board (v.board) is tried through COMM and through each persona's own
code. The assignment page is staff's: it accepts no seat, so even the seat holder is not
found there. "Việc của tôi" accepts a seat: the seat holder opens it (200) and sees only his
own assignments (none: nothing of the victim's). The declaration and the recusal on the
head's assignment (v.assignment) are another member's to the seat holder: not found."""

from tests.outsider import get, post


def _board(v, p, make, rest, *, seated, data=None):
    args = (data,) if data is not None else ()
    return [
        make(f"/o/COMM/appraisal/boards/{v.board.pk}/{rest}", *args, p.seat(seated)),
        make(f"/o/{p.code}/appraisal/boards/{v.board.pk}/{rest}", *args),
        make(f"/o/UNIT/appraisal/boards/{v.board.pk}/{rest}", *args),
    ]


def _assign_form(v, p, action):
    return {
        "action": action,
        "ids": [str(v.registration.pk), str(p.registration.pk)],
        "members": [str(v.head.pk), str(v.deputy.pk)],
    }


def _assignments(v, p):
    probes = _board(v, p, get, "assignments/", seated=404)
    probes += _board(v, p, get, "assignments/?org=UNIT&q=tu+sach&status=accepted&sort=name", seated=404)
    for action in ("assign", "unassign"):
        probes += _board(v, p, post, "assignments/?org=UNIT", seated=404, data=_assign_form(v, p, action))
    return probes


CASES = {
    "appraisal:assignments": _assignments,
    "appraisal:my_work": lambda v, p: _board(v, p, get, "mine/", seated=200),
    "appraisal:conflict_declare": lambda v, p: (
        _board(v, p, get, f"mine/{v.assignment.pk}/conflict/", seated=404)
        + _board(v, p, post, f"mine/{v.assignment.pk}/conflict/", seated=404, data={"reason": "Tôi khai thay"})
    ),
    "appraisal:assignment_recuse": lambda v, p: (
        _board(v, p, get, f"assignments/{v.assignment.pk}/recuse/", seated=404)
        + _board(v, p, post, f"assignments/{v.assignment.pk}/recuse/", seated=404, data={"reason": "Không chấm"})
    ),
}
