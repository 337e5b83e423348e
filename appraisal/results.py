"""A board's results and progress, and who may see which scores (blind scoring).

Results, per registration of the board
- The counted cards are the submitted scorecards of voting members not conflicted on the
  registration (appraisal.conflicts: computed and stored conflicts alike). Drafts,
  conflicted members' cards and those of members without a vote (a guest, the secretary,
  unless marked voting) never count, whatever they hold.
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
member, and for the board over its voting members.

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

Queries: the database aggregates. `board_results` reads the conflicted assignments (2
queries), one row per registration (counts, sum, lowest and highest counted total), one row
per member and one for the pool (mean and deviation of counted totals), the members and the
rubric: a fixed number whatever the board's size; with the median it also reads the counted
totals (one number per card). Ranks, bands and flags are arithmetic on one row per
registration. What a page shows of its own rows (each card, its normalised total, the
per-criterion breakdown) is read for those rows only (`with_cards`, `breakdowns`: one query
each)."""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, FloatField, Max, Min, Q, StdDev, Sum
from django.db.models.functions import Cast

from dvk.enums import Role
from dvk.selectors import has_role_at

from .conflicts import conflicted_assignment_ids
from .enums import ResultMethod, ScorecardStatus
from .models import Assignment, ScoreLine
from .rules import seat_on
from .selectors import members_of_board, rubric_of

# --- results ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Card:
    """One assignment as results read it: its member, its card's state and total."""

    assignment_id: int
    member_id: int
    registration_id: int
    status: str | None  # None: no card yet
    total: Decimal | None
    conflicted: bool
    submitted: bool = field(init=False)
    counted: bool = field(init=False)  # submitted by a member not conflicted: it makes the result

    def __post_init__(self):
        self.submitted = self.status == ScorecardStatus.SUBMITTED
        self.counted = self.submitted and not self.conflicted


@dataclass(slots=True)
class RegistrationResult:
    registration_id: int
    submitted_count: int = 0  # counted cards
    expected_count: int = 0  # assignments of members not conflicted
    result: Decimal | None = None
    spread: Decimal | None = None
    flagged: bool = False
    rank: int | None = None
    band: str | None = None
    reached: bool = False
    # Read for the rows a page shows (BoardResults.with_cards), else None / empty.
    cards: list | None = None
    normalised: float | None = None
    normalised_totals: dict = field(default_factory=dict)  # member id -> float

    def card_of(self, member_id):
        return next((c for c in self.cards or () if c.member_id == member_id), None)


@dataclass
class BoardResults:
    board: object
    rubric: object  # selectors.RubricView
    members: list  # BoardMember, users loaded, in the board's order
    by_registration: dict  # registration id -> RegistrationResult (every assigned registration)
    conflicted: set  # assignment ids
    member_stats: dict = field(default_factory=dict)  # member id -> (mean, std) or (None, 0.0)
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

    def cards_query(self):
        return Assignment.objects.filter(board=self.board).order_by("registration_id", "member__position_order")

    def with_cards(self, registration_ids):
        """Reads the cards of `registration_ids` (a page of rows) with their normalised totals
        and results: one query. Returns the rows, in the order given."""
        ids = [rid for rid in registration_ids if rid in self.by_registration]
        for rid in ids:
            self.by_registration[rid].cards = []
        rows = self.cards_query().filter(registration_id__in=ids)
        for a, m, r, status, total in rows.values_list(
            "pk", "member_id", "registration_id", "scorecard__status", "scorecard__total"
        ):
            card = Card(a, m, r, status, total, a in self.conflicted)
            row = self.by_registration[r]
            row.cards.append(card)
            if card.counted:
                row.normalised_totals[m] = self.normalise(m, card.total)
        for rid in ids:
            row = self.by_registration[rid]
            if row.normalised_totals:
                row.normalised = aggregate(list(row.normalised_totals.values()), self.board.result_method)
        return [self.by_registration[rid] for rid in ids]

    def normalise(self, member_id, total):
        """`total` of `member_id` normalised (the module docstring's formula)."""
        mean, std = self.member_stats.get(member_id, (None, 0.0))
        raw = float(total)
        if mean is None or not std or self.pool_mean is None:
            return raw
        value = self.pool_mean + (raw - mean) / std * self.pool_std
        return min(max(value, 0.0), float(self.maximum))


def aggregate(totals, method):
    """The mean or median of `totals` (Decimals, or floats for normalised ones), unrounded."""
    if not totals:
        return None
    if method == ResultMethod.MEDIAN:
        return statistics.median(totals)
    return sum(totals) / len(totals)


def band_of(result, bands):
    """The name of the highest band `result` reaches (`bands` highest first, as stored)."""
    for band in bands:
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


def _filters(conflicted):
    """(counted, not conflicted) conditions on Assignment rows. Only voting members' cards
    count: the secretary and guests without a vote may score, for the board's information."""
    free = ~Q(pk__in=conflicted) if conflicted else Q()
    return Q(scorecard__status=ScorecardStatus.SUBMITTED, member__voting=True) & free, free


def board_results(board):
    """The results of every registration assigned on `board` (BoardResults). A fixed number
    of queries whatever the number of registrations, members and cards."""
    members = members_of_board(board)
    rubric = rubric_of(board.campaign)
    conflicted = conflicted_assignment_ids(board)
    counted, free = _filters(conflicted)
    assignments = Assignment.objects.filter(board=board)
    per_registration = (
        assignments.values("registration_id")
        .annotate(
            expected=Count("pk", filter=free & Q(member__voting=True)),
            n=Count("pk", filter=counted),
            # Sums of two-decimal totals are exact on both databases; the mean is divided here.
            total=Sum("scorecard__total", filter=counted),
            low=Min("scorecard__total", filter=counted),
            high=Max("scorecard__total", filter=counted),
        )
        .order_by()
    )
    method = board.result_method
    medians = {}
    if method == ResultMethod.MEDIAN:
        totals = defaultdict(list)
        for rid, total in assignments.filter(counted).values_list("registration_id", "scorecard__total"):
            totals[rid].append(total)
        medians = {rid: statistics.median(t) for rid, t in totals.items()}
    bands = sorted(rubric.bands, key=lambda b: -b["min"])
    by_registration = {}
    for row in per_registration:
        r = by_registration[row["registration_id"]] = RegistrationResult(
            row["registration_id"], submitted_count=row["n"], expected_count=row["expected"]
        )
        if not row["n"]:
            continue
        r.result = medians[r.registration_id] if medians else Decimal(row["total"]) / row["n"]
        r.spread = row["high"] - row["low"]
        r.flagged = r.spread > board.disagreement_points
        r.band = band_of(r.result, bands)
        r.reached = r.result >= rubric.threshold
    for rid, rank in ranks(
        [(r.registration_id, r.result) for r in by_registration.values() if r.result is not None]
    ).items():
        by_registration[rid].rank = rank
    results = BoardResults(
        board=board, rubric=rubric, members=members, by_registration=by_registration, conflicted=conflicted
    )
    _member_stats(results, assignments.filter(counted))
    return results


def _member_stats(results, counted):
    """Each member's and the pool's mean and population deviation of counted totals: two
    aggregate queries (the module docstring says how they normalise)."""
    as_float = Cast("scorecard__total", FloatField())
    pool = counted.aggregate(n=Count("pk"), mean=Avg(as_float), std=StdDev(as_float))
    if not pool["n"]:
        return
    results.pool_mean, results.pool_std = pool["mean"], pool["std"] or 0.0
    rows = counted.values("member_id").annotate(n=Count("pk"), mean=Avg(as_float), std=StdDev(as_float)).order_by()
    results.member_stats = {
        row["member_id"]: (row["mean"], row["std"] or 0.0) if row["n"] >= 2 else (None, 0.0) for row in rows
    }


def breakdowns(board_results, registration_ids):
    """{registration id: {criterion id: mean points}} over the counted cards of
    `registration_ids` (a page of them): one aggregate query."""
    found = defaultdict(dict)
    if not registration_ids:
        return found
    counted, _free = _filters(board_results.conflicted)
    assignments = Assignment.objects.filter(board=board_results.board, registration_id__in=registration_ids).filter(
        counted
    )
    rows = (
        ScoreLine.objects.filter(scorecard__assignment__in=assignments)
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


def board_progress(board, members=None, conflicted=None):
    """Submitted / assigned non-conflicted, for the board and per member: one aggregate
    query (and the conflicts' two, unless given), whatever the board's size."""
    members = members_of_board(board) if members is None else members
    conflicted = conflicted_assignment_ids(board) if conflicted is None else conflicted
    _counted, free = _filters(conflicted)
    submitted = Q(scorecard__status=ScorecardStatus.SUBMITTED) & free
    rows = (
        Assignment.objects.filter(board=board)
        .values("member_id")
        .annotate(expected=Count("pk", filter=free), submitted=Count("pk", filter=submitted))
        .order_by()
    )
    per_member = {row["member_id"]: Progress(row["submitted"], row["expected"]) for row in rows}
    # The board's count is its voting members' (whose cards make the results).
    voting = [per_member[m.pk] for m in members if m.voting and m.pk in per_member]
    total = Progress(sum(p.submitted for p in voting), sum(p.expected for p in voting))
    return BoardProgress(board=total, members=[(m, per_member.get(m.pk, Progress())) for m in members])


def progress_of_results(results):
    """BoardProgress of a board whose results were read (its members and conflicts reused)."""
    return board_progress(results.board, results.members, results.conflicted)


# --- blind scoring ----------------------------------------------------------------------------


@dataclass
class Viewer:
    """Who is looking at a board's results, and what that lets them see (module docstring)."""

    user: object
    board: object
    member: object  # their BoardMember, or None
    staff: bool  # staff of the board's level (through a membership; a seat is not one)
    via_seat: bool
    own: dict = field(default_factory=dict)  # registration id -> their Card

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
        own = self.own.get(row.registration_id)
        return own is not None and own.counted

    def sees_card(self, row, card):
        """A card's scores: one's own always, the others' as `sees_scores` says."""
        if self.member is not None and card.member_id == self.member.pk:
            return True
        return self.sees_scores(row)

    def sees_ranking(self):
        """The rank and the normalised totals (they draw on every registration)."""
        return self.closed and (self.member is not None or self.staff)


def viewer_of(request, board, results):
    """The request's user as a Viewer of `results` (their own cards: one query if a member)."""
    via_seat = getattr(request, "via_seat", False)
    staff = not via_seat and has_role_at(request.user, board.organization, Role.STAFF)
    member = seat_on(request.user, board)
    own = {}
    if member is not None:
        for a, r, status, total in (
            results.cards_query()
            .filter(member=member)
            .values_list("pk", "registration_id", "scorecard__status", "scorecard__total")
        ):
            own[r] = Card(a, member.pk, r, status, total, a in results.conflicted)
    return Viewer(user=request.user, board=board, member=member, staff=staff, via_seat=via_seat, own=own)


def listed_registrations(viewer, results):
    """The registration ids `viewer` lists, in the order shown: ranked once they may see the
    ranking, else in the order of the assigned registrations (ids)."""
    if viewer.lists_everything():
        wanted = set(results.by_registration)
    else:
        wanted = set(viewer.own)
    if viewer.sees_ranking():
        return [rid for rid in results.ranked() if rid in wanted]
    return sorted(wanted)
