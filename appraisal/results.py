"""A board's results and progress, and who may see which scores (blind scoring).

Results, per registration of the board
- The counted cards are the submitted scorecards of members not conflicted on the
  registration (appraisal.conflicts: computed and stored conflicts alike). Drafts and
  conflicted members' cards never count, whatever they hold.
- result: the mean (or, as a board setting, the median) of the counted totals, kept
  unrounded (Decimal) for ranks, bands and the threshold; pages show it to one decimal, so
  69.96 reads "70,0" and still does not reach a threshold of 70.
- breakdown: the mean of each criterion's points over the counted cards.
- spread: the highest counted total minus the lowest; the registration is flagged for
  discussion when it is more than the board's `disagreement_points` (exactly that many is
  not flagged).
- rank: among the registrations with a result, by unrounded result, highest first; equal
  results share a rank and the next rank skips (1, 2, 2, 4).
- band: the highest band of the rubric whose minimum the unrounded result reaches; reached:
  the result is at or above the rubric's threshold.
- normalised totals (shown "để tham khảo", for information only; they decide nothing). A
  member who scores everyone high or everyone low moves results; a z-score per member takes
  that out. For member m with counted totals T_m on the board, mean μ_m and population
  standard deviation σ_m:

      z = (t − μ_m) / σ_m
      normalised(t) = clip(M + z × S, 0, rubric maximum)

  where M and S are the mean and population standard deviation of every counted total on
  the board (the pool all members draw from), so every member's normalised totals have the
  pool's centre and spread, on the rubric's scale. A member with fewer than two counted
  cards, or who gave every one the same total (σ_m = 0), cannot be rescaled: their raw
  totals are used. A registration's normalised result is the board's method (mean or median)
  over its normalised totals.

Progress ("3/5 đã chấm"): submitted cards over assignments of non-conflicted members, per
member and for the board.

Blind scoring (who sees which scores; pages ask `sees_scores`, `sees_ranking`)
- A member always sees their own card.
- While scoring is open, a member sees the other members' scores of a registration (their
  totals, lines, comments, photos, the result, breakdown, spread, flag, band) only once their
  own card for it is submitted. A member conflicted on the registration does not see them
  while scoring is open, submitted card or not: they take no part in its result, and seeing
  it could let them press the others. Being staff of the board's level does not lift this
  for a member: the head is blind like everyone on the board until they submit.
- Staff of the board's level who are not members see progress counts only, until the head
  closes scoring.
- Once the head closes scoring, the results are the board's: every member (conflicted or
  not) and staff of the board's level see the scores of the registrations they may list.
- The rank and the normalised totals draw on every registration's scores, so they are shown
  only once scoring is closed; before that, the table is in the tree's order (a ranked order
  would itself tell the scores).
- Who lists which registrations: through a seat (no role at the board's level), a member
  lists only their own assignments; staff of the level and members with a role there list
  every registration assigned on the board.

Queries: `board_results` reads a fixed number of rows sets whatever the board's size (the
members, the assignments with their cards' state and total, the registrations for the
conflict rules, the conflicts (2), the rubric (2)); everything else is arithmetic on those
rows. `breakdowns` aggregates the lines of a page of registrations in SQL (one query)."""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg

from dvk.enums import Role
from dvk.selectors import has_role_at
from models_registry.models import Registration

from .conflicts import conflicts_for
from .enums import ResultMethod, ScorecardStatus
from .models import Assignment, ScoreLine
from .rules import seat_on
from .selectors import members_of_board, rubric_of

# --- results ----------------------------------------------------------------------------------


@dataclass
class Card:
    """One assignment as results read it: its member, its card's state and total."""

    assignment_id: int
    member_id: int
    registration_id: int
    status: str | None  # None: no card yet
    total: Decimal | None
    conflicted: bool

    @property
    def submitted(self):
        return self.status == ScorecardStatus.SUBMITTED

    @property
    def counted(self):
        return self.submitted and not self.conflicted


@dataclass
class RegistrationResult:
    registration_id: int
    cards: list = field(default_factory=list)  # every assignment of the registration (Card)
    result: Decimal | None = None
    spread: Decimal | None = None
    flagged: bool = False
    rank: int | None = None
    band: str | None = None
    reached: bool = False
    normalised: float | None = None
    normalised_totals: dict = field(default_factory=dict)  # member id -> float

    @property
    def counted(self):
        return [c for c in self.cards if c.counted]

    @property
    def submitted_count(self):
        return len(self.counted)

    @property
    def expected_count(self):
        return sum(1 for c in self.cards if not c.conflicted)

    def card_of(self, member_id):
        return next((c for c in self.cards if c.member_id == member_id), None)


@dataclass
class BoardResults:
    board: object
    rubric: object  # selectors.RubricView
    members: list  # BoardMember, users loaded, in the board's order
    by_registration: dict  # registration id -> RegistrationResult (every assigned registration)
    pool_mean: float | None = None
    pool_std: float | None = None

    @property
    def maximum(self):
        return self.rubric.total

    def ranked(self):
        """Registration ids with a result by rank (ties in id order), then those without."""
        with_result = sorted(
            (r for r in self.by_registration.values() if r.result is not None),
            key=lambda r: (-r.result, r.registration_id),
        )
        without = sorted(r.registration_id for r in self.by_registration.values() if r.result is None)
        return [r.registration_id for r in with_result] + without


def aggregate(totals, method):
    """The mean or median of `totals` (Decimals, or floats for normalised ones), unrounded."""
    if not totals:
        return None
    if method == ResultMethod.MEDIAN:
        return statistics.median(totals)
    return sum(totals) / len(totals)


def band_of(result, bands):
    """The name of the highest band (bands are stored highest first) `result` reaches."""
    for band in sorted(bands, key=lambda b: -b["min"]):
        if result >= band["min"]:
            return band["name"]
    return None


def ranks(results):
    """{registration id: rank} for (id, result) pairs: competition ranking (1, 2, 2, 4)."""
    ordered = sorted(results, key=lambda pair: -pair[1])
    found, previous, rank = {}, None, 0
    for position, (registration_id, result) in enumerate(ordered, start=1):
        if result != previous:
            rank, previous = position, result
        found[registration_id] = rank
    return found


def _cards(board, members):
    """Every assignment of `board` as a Card, conflicts decided (conflicts.conflicts_for)."""
    rows = list(
        Assignment.objects.filter(board=board)
        .order_by("registration_id", "member_id")
        .values_list("pk", "member_id", "registration_id", "scorecard__status", "scorecard__total")
    )
    registrations = {
        r.pk: r
        for r in Registration.objects.filter(pk__in={row[2] for row in rows})
        .select_related("organization")
        .only("pk", "subject_type", "person_user_id", "organization__path", "organization__depth")
    }
    by_member = {m.pk: m for m in members}
    conflicted = conflicts_for(board, {(by_member[row[1]], registrations[row[2]]) for row in rows})
    return [Card(a, m, r, status, total, (m, r) in conflicted) for a, m, r, status, total in rows]


def board_results(board):
    """The results of every registration assigned on `board` (BoardResults). A fixed number
    of queries whatever the number of registrations, members and cards."""
    members = members_of_board(board)
    rubric = rubric_of(board.campaign)
    cards = _cards(board, members)
    by_registration = {}
    for card in cards:
        by_registration.setdefault(card.registration_id, RegistrationResult(card.registration_id)).cards.append(card)
    method = board.result_method
    for row in by_registration.values():
        totals = [c.total for c in row.counted]
        if not totals:
            continue
        row.result = aggregate(totals, method)
        row.spread = max(totals) - min(totals)
        row.flagged = row.spread > board.disagreement_points
        row.band = band_of(row.result, rubric.bands)
        row.reached = row.result >= rubric.threshold
    for registration_id, rank in ranks(
        [(r.registration_id, r.result) for r in by_registration.values() if r.result is not None]
    ).items():
        by_registration[registration_id].rank = rank
    results = BoardResults(board=board, rubric=rubric, members=members, by_registration=by_registration)
    _normalise(results, [c for c in cards if c.counted], method)
    return results


def _normalise(results, counted, method):
    """Fills each registration's normalised totals and result (formula in the module's
    docstring)."""
    if not counted:
        return
    pool = [float(c.total) for c in counted]
    results.pool_mean = statistics.fmean(pool)
    results.pool_std = statistics.pstdev(pool)
    by_member = defaultdict(list)
    for c in counted:
        by_member[c.member_id].append(float(c.total))
    stats = {
        m: (statistics.fmean(t), statistics.pstdev(t)) if len(t) >= 2 else (None, 0.0) for m, t in by_member.items()
    }
    top = float(results.maximum)
    for c in counted:
        mean, std = stats[c.member_id]
        raw = float(c.total)
        if mean is None or std == 0:
            value = raw
        else:
            value = results.pool_mean + (raw - mean) / std * results.pool_std
            value = min(max(value, 0.0), top)
        results.by_registration[c.registration_id].normalised_totals[c.member_id] = value
    for row in results.by_registration.values():
        if row.normalised_totals:
            row.normalised = aggregate(list(row.normalised_totals.values()), method)


def breakdowns(board_results, registration_ids):
    """{registration id: {criterion id: mean points}} over the counted cards of
    `registration_ids` (a page of them): one aggregate query."""
    counted = [
        c.assignment_id
        for rid in registration_ids
        if rid in board_results.by_registration
        for c in board_results.by_registration[rid].counted
    ]
    found = defaultdict(dict)
    if not counted:
        return found
    rows = (
        ScoreLine.objects.filter(scorecard__assignment_id__in=counted)
        .values("scorecard__assignment__registration_id", "criterion_id")
        .annotate(mean=Avg("points"))
        .order_by()
    )
    for row in rows:
        found[row["scorecard__assignment__registration_id"]][row["criterion_id"]] = row["mean"]
    return found


# --- progress ---------------------------------------------------------------------------------


@dataclass
class Progress:
    submitted: int = 0
    expected: int = 0

    @property
    def done(self):
        return self.expected > 0 and self.submitted >= self.expected


@dataclass
class BoardProgress:
    board: Progress
    members: list  # [(BoardMember, Progress)] in the board's order

    def pending_voting_members(self):
        """Voting members with a non-conflicted assignment not yet submitted (closing asks)."""
        return [(m, p) for m, p in self.members if m.voting and p.submitted < p.expected]


def board_progress(board, members=None, cards=None):
    """Submitted / assigned non-conflicted, for the board and per member. Fixed queries."""
    members = members_of_board(board) if members is None else members
    cards = _cards(board, members) if cards is None else cards
    per_member = {m.pk: Progress() for m in members}
    total = Progress()
    for c in cards:
        if c.conflicted:
            continue
        p = per_member[c.member_id]
        p.expected += 1
        total.expected += 1
        if c.submitted:
            p.submitted += 1
            total.submitted += 1
    return BoardProgress(board=total, members=[(m, per_member[m.pk]) for m in members])


def progress_of_results(results):
    """BoardProgress from a BoardResults already read (no query)."""
    cards = [c for row in results.by_registration.values() for c in row.cards]
    return board_progress(results.board, results.members, cards)


# --- blind scoring ----------------------------------------------------------------------------


@dataclass
class Viewer:
    """Who is looking at a board's results, and what that lets them see (module docstring)."""

    user: object
    board: object
    member: object  # their BoardMember, or None
    staff: bool  # staff of the board's level (through a membership; a seat is not one)
    via_seat: bool

    @property
    def closed(self):
        return self.board.scoring_closed_at is not None

    def lists_everything(self):
        """Lists every registration of the board (else only their own assignments)."""
        return not self.via_seat and (self.staff or has_role_at(self.user, self.board.organization))

    def sees_scores(self, row):
        """Whether the other members' scores of `row` (a RegistrationResult) are shown."""
        if self.closed:
            return self.member is not None or self.staff
        if self.member is None:
            return False
        own = row.card_of(self.member.pk)
        return own is not None and own.submitted and not own.conflicted

    def sees_card(self, row, card):
        """A card's scores: one's own always, the others' as `sees_scores` says."""
        if self.member is not None and card.member_id == self.member.pk:
            return True
        return self.sees_scores(row)

    def sees_ranking(self):
        """The rank and the normalised totals (they draw on every registration)."""
        return self.closed and (self.member is not None or self.staff)


def viewer_of(request, board):
    via_seat = getattr(request, "via_seat", False)
    staff = not via_seat and has_role_at(request.user, board.organization, Role.STAFF)
    return Viewer(
        user=request.user, board=board, member=seat_on(request.user, board), staff=staff, via_seat=via_seat
    )


def listed_registrations(viewer, results):
    """The registration ids `viewer` lists, in the order shown: ranked once they may see the
    ranking, else in the order of the assigned registrations (ids)."""
    if viewer.lists_everything():
        wanted = set(results.by_registration)
    elif viewer.member is not None:
        wanted = {
            rid for rid, row in results.by_registration.items() if row.card_of(viewer.member.pk) is not None
        }
    else:
        wanted = set()
    if viewer.sees_ranking():
        return [rid for rid in results.ranked() if rid in wanted]
    return sorted(wanted)
