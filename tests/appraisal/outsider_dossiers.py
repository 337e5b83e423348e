"""Outsider cases for the recognition dossier, merged into tests/test_outsider.py CASES.

The unit's pages (/o/<code>/appraisal/registrations/<id>/dossier/...) are tried through the
victim's codes (COMM, UNIT: no persona has a role there; the seat holder's seat is not accepted
by them) and through each persona's own code with the victim's ids (not in scope). Each persona
opens its own registration's dossier page (200, nothing of the victim's). The board's reading
pages are tried through COMM, where the seat holder is admitted to the board but is not assigned
the victim's registration (404, like everyone else), and through the persona's own code."""

from tests.outsider import get, post

SAVE = {"version": "1", "letter_request": "Đề nghị", "report_results": "Kết quả"}


def _unit(v, p, method, rest="", data=None):
    base = f"appraisal/registrations/{v.registration.pk}/dossier/{rest}"
    make = get if method == "get" else (lambda url, expect=404: post(url, data, expect))
    return [make(f"/o/COMM/{base}"), make(f"/o/UNIT/{base}"), make(f"/o/{p.code}/{base}")]


def _opinion(v, p, method, rest, data=None):
    return _unit(v, p, method, f"opinions/{v.opinion.pk}/{rest}", data)


def _board(v, p, rest=""):
    base = f"appraisal/boards/{v.board.pk}/dossiers/{v.registration.pk}/{rest}"
    return [
        get(f"/o/COMM/{base}", p.seat(404)),
        get(f"/o/{p.code}/{base}"),
        get(f"/o/UNIT/{base}"),
        # The persona's own registration is not the board's to read through the persona's code.
        get(f"/o/{p.code}/appraisal/boards/{v.board.pk}/dossiers/{p.registration.pk}/{rest}"),
    ]


CASES = {
    "appraisal:dossier": lambda v, p: (
        _unit(v, p, "get")
        + _unit(v, p, "post", data=SAVE)
        + [get(f"/o/{p.code}/appraisal/registrations/{p.registration.pk}/dossier/", 200)]
    ),
    "appraisal:dossier_submit": lambda v, p: _unit(v, p, "post", "submit/", {"version": "1"}),
    "appraisal:dossier_return": lambda v, p: _unit(v, p, "post", "return/", {"reason": "Bổ sung"}),
    "appraisal:dossier_opinion_add": lambda v, p: _unit(v, p, "post", "opinions/", {"body": "front", "text": "Ý kiến"}),
    "appraisal:dossier_opinion_delete": lambda v, p: _opinion(v, p, "post", "delete/"),
    "appraisal:dossier_opinion_file": lambda v, p: _opinion(v, p, "get", "file/"),
    "appraisal:board_dossier": lambda v, p: _board(v, p),
    "appraisal:board_dossier_evidence": lambda v, p: _board(v, p, f"evidence/{v.evidence.pk}/"),
    "appraisal:board_dossier_opinion_file": lambda v, p: _board(v, p, f"opinions/{v.opinion.pk}/file/"),
}
