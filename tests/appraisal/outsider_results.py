"""Outsider cases for the board's results, merged into tests/test_outsider.py CASES.

Tried through COMM, where only the seat holder is admitted (deputy head of v.board through a
seat, conflicted on v.registration and assigned nothing), and through each persona's own code
and UNIT, where the board is not in scope. The seat holder opens the results page (200: a
member through a seat lists only their own assignments, so nothing of the victim's), but
not the victim's registration there (404), nor its photo; it is not the head, so closing
and opening scoring are refused (403) and another member's card is not found (404). The
settings and the decision rules are staff work and accept no seat (404)."""

from tests.appraisal.outsider_boards import board_probes
from tests.outsider import get


def _detail(v, p, rest=""):
    return board_probes(v, p, "get", f"results/{v.registration.pk}/{rest}", seated=404) + [
        # The persona's own registration is not on the victim's board.
        get(f"/o/COMM/appraisal/boards/{v.board.pk}/results/{p.registration.pk}/{rest}", p.seat(404)),
    ]


SETTINGS = {"results-result_method": "median", "results-disagreement_points": "5", "results-version": "1"}
REASON = {"reason": "Mở lại BM-SCORE"}
RULES = {
    "rules-quorum_share": "1/2",
    "rules-recognise_share": "1/3",
    "rules-propose_share": "1/2",
    "rules-version": "1",
}


CASES = {
    "appraisal:results": lambda v, p: board_probes(v, p, "get", "results/", seated=200),
    "appraisal:results_settings": lambda v, p: board_probes(
        v, p, "post", "results/settings/", seated=404, data=SETTINGS
    ),
    "appraisal:decision_rules": lambda v, p: board_probes(v, p, "post", "results/rules/", seated=404, data=RULES),
    "appraisal:result_detail": lambda v, p: _detail(v, p),
    "appraisal:result_photo": lambda v, p: _detail(v, p, f"photos/{v.photo.pk}/"),
    "appraisal:scoring_close": lambda v, p: board_probes(
        v, p, "post", "scoring/close/", seated=403, data={"confirm": "1"}
    ),
    "appraisal:scoring_open": lambda v, p: board_probes(
        v, p, "post", "scoring/open/", seated=403, data={"reason": "Mở"}
    ),
    "appraisal:scorecard_reopen": lambda v, p: (
        board_probes(v, p, "get", f"assignments/{v.assignment.pk}/reopen/", seated=404)
        + board_probes(v, p, "post", f"assignments/{v.assignment.pk}/reopen/", seated=404, data=REASON)
    ),
}
