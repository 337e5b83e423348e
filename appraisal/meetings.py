"""The board's review meeting (họp bình xét) and its decision rules.

After the visits and once the head closed scoring, the board's head or secretary records the
meeting: date, place, chair, secretary, and the attendance of every member (present; absent
with a written vote; absent). Opening it freezes the ranked results the members vote on and
the rules the minutes print. Then, for each registration, a ballot: each member's vote (for,
against, abstaining), from which the board's rules draw the decision. Ending it makes the
minutes final, and the decisions take effect: a model recognised or proposed is recognised at
the board's level (appraisal.Recognition), a proposed one goes to the level above
(appraisal.Proposal, proposals.level_above), and each unit's secretaries are told.

Who votes on a ballot (its voting members, `voters`): the board's voting members less those
conflicted on the registration (appraisal.conflicts). Of them, those present vote in person
and those absent with a written vote have it counted (the minutes list those); those absent
without one count among the voters but cast nothing. Every attending voter's vote is recorded:
a ballot cannot leave one out, count a vote twice, or take one from a conflicted member, a
member without a vote, or an absent member without a written vote.

Quorum: at least `quorum_share` (default 2/3) of the board's voting members present in person,
rounded up (7 voting members: 5). Written votes count in the ballots, not toward quorum. A
meeting below quorum records no ballot.

Decisions (board settings, fractions of the ballot's voting members):

- propose to the level above (and so recognise here): result ≥ the proposal threshold
  (default: the recognition threshold), and votes for ≥ `propose_share` (default 4/5) of the
  voters, rounded up (6 of 7);
- recognise at this level: result ≥ the recognition threshold, and votes for more than
  `recognise_share` (default 1/2) of the voters;
- not recognise: otherwise.

The unrounded raw result is compared (results.py), never the normalised one. Meetings happen
while the campaign is published or closed; an archived campaign is read-only."""

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.enums import CampaignStatus

from .conflicts import conflicts_for
from .enums import Attendance, Decision, MeetingStatus, VoteChoice
from .models import Ballot, BoardMember, Meeting, MeetingAttendance, Vote

SHARE_RE = re.compile(r"^\s*(\d{1,3})\s*/\s*(\d{1,3})\s*$")
PLACE_MAX = 255


def parse_share(text):
    """ "2/3" → Fraction(2, 3); ValueError unless 0 < n ≤ d."""
    match = SHARE_RE.match(text or "")
    if not match:
        raise ValueError(text)
    n, d = int(match[1]), int(match[2])
    if not 0 < n <= d:
        raise ValueError(text)
    return Fraction(n, d)


def _share_text(share):
    return f"{share.numerator}/{share.denominator}"


def at_least(share, count):
    """The smallest whole number of `count` reaching `share` (rounded up): 2/3 of 7 → 5."""
    return math.ceil(share * count)


@dataclass(frozen=True)
class Rules:
    quorum_share: Fraction
    recognise_share: Fraction
    propose_share: Fraction
    threshold: Decimal  # recognition
    proposal_threshold: Decimal

    @classmethod
    def of(cls, board, rubric_threshold):
        proposal = board.proposal_threshold if board.proposal_threshold is not None else rubric_threshold
        return cls(
            parse_share(board.quorum_share),
            parse_share(board.recognise_share),
            parse_share(board.propose_share),
            Decimal(rubric_threshold),
            Decimal(proposal),
        )

    @classmethod
    def frozen(cls, data):
        return cls(
            Fraction(data["quorum_share"]),
            Fraction(data["recognise_share"]),
            Fraction(data["propose_share"]),
            Decimal(data["threshold"]),
            Decimal(data["proposal_threshold"]),
        )

    def as_data(self):
        return {
            "quorum_share": _share_text(self.quorum_share),
            "recognise_share": _share_text(self.recognise_share),
            "propose_share": _share_text(self.propose_share),
            "threshold": str(self.threshold),
            "proposal_threshold": str(self.proposal_threshold),
        }

    def quorum(self, voting_members):
        return at_least(self.quorum_share, voting_members)

    def decide(self, result, voters, votes_for):
        """The decision of a ballot (the table in the module docstring)."""
        if result is None or voters == 0:
            return Decision.NOT_RECOGNISE
        if result >= self.proposal_threshold and votes_for >= at_least(self.propose_share, voters):
            return Decision.PROPOSE
        if result >= self.threshold and votes_for > self.recognise_share * voters:
            return Decision.RECOGNISE
        return Decision.NOT_RECOGNISE


# --------------------------------------------------------------------------------------------


def _refuse(message, code="refused"):
    raise ValidationError(message, code=code)


WRITABLE_STATUSES = (CampaignStatus.PUBLISHED, CampaignStatus.CLOSED)


def _writable(board):
    if board.campaign.status not in WRITABLE_STATUSES:
        _refuse(_("Kế hoạch không còn ở giai đoạn thẩm định (đã lưu trữ hoặc chưa ban hành): không ghi được."))


def _lock(meeting):
    return Meeting.objects.select_for_update(of=("self",)).select_related("board__campaign").get(pk=meeting.pk)


def _check_version(meeting, expected_version):
    if expected_version != meeting.version:
        _refuse(_("Cuộc họp vừa được người khác cập nhật. Hãy tải lại trang để xem bản mới rồi làm lại."), "stale")


def _member_of(board, member, label):
    if member is not None and member.board_id != board.pk:
        _refuse(_("%(who)s phải là thành viên của đoàn.") % {"who": label})


def _details(*, board, held_on, held_at, place, chair, secretary):
    place = (place or "").strip()
    if not held_on:
        _refuse({"held_on": _("Hãy ghi ngày họp.")})
    if not place:
        _refuse({"place": _("Hãy ghi địa điểm họp.")})
    if len(place) > PLACE_MAX:
        _refuse({"place": _("Địa điểm dài quá %(max)s ký tự.") % {"max": PLACE_MAX}})
    _member_of(board, chair, _("Người chủ trì"))
    _member_of(board, secretary, _("Thư ký cuộc họp"))
    return {"held_on": held_on, "held_at": held_at, "place": place, "chair": chair, "secretary": secretary}


SHARE_NAMES = ("quorum_share", "recognise_share", "propose_share")


@transaction.atomic
def decision_rules_update(*, board, expected_version, user, proposal_threshold, **shares):
    """Staff of the board's level set the decision rules: the three shares ("n/d") and the
    proposal threshold (None: the recognition threshold). Each meeting keeps the rules it
    opened with; refused while one is open (its ballots follow the frozen ones)."""
    from .models import Board

    board = Board.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=board.pk)
    _writable(board)
    if expected_version != board.version:
        _refuse(_("Thông tin đoàn vừa được người khác sửa. Hãy tải lại trang để xem bản mới rồi sửa lại."))
    if Meeting.objects.filter(board=board, status=MeetingStatus.OPEN).exists():
        _refuse(_("Đoàn đang họp bình xét: quy tắc của cuộc họp đã chốt khi khai mạc; sửa sau khi kết thúc."))
    errors = {}
    values = {}
    for name in SHARE_NAMES:
        try:
            share = parse_share(shares.get(name))
            values[name] = f"{share.numerator}/{share.denominator}"  # "8/10" is kept as 4/5
        except ValueError:
            errors[name] = _("Hãy ghi một phân số dạng a/b, ví dụ 2/3 (0 < a ≤ b ≤ 999).")
    if proposal_threshold is not None and not 0 <= proposal_threshold <= 1000:
        errors["proposal_threshold"] = _("Điểm tối thiểu phải từ 0 đến 1000.")
    if errors:
        _refuse(errors)
    for name in SHARE_NAMES:
        setattr(board, name, values[name])
    board.proposal_threshold = proposal_threshold
    board.version += 1
    board.save(update_fields=[*SHARE_NAMES, "proposal_threshold", "version"])
    return board


@transaction.atomic
def meeting_create(*, board, held_on, place, user, held_at=None, chair=None, secretary=None):
    """Records a planned meeting of `board`. The caller checked `appraisal.record_meeting`."""
    _writable(board)
    fields = _details(board=board, held_on=held_on, held_at=held_at, place=place, chair=chair, secretary=secretary)
    return Meeting.objects.create(organization=board.organization, board=board, created_by=user, **fields)


@transaction.atomic
def meeting_update(*, meeting, expected_version, user, **details):
    """Changes the date, place, chair or secretary of a meeting not yet ended."""
    meeting = _lock(meeting)
    _writable(meeting.board)
    _check_version(meeting, expected_version)
    if meeting.status == MeetingStatus.ENDED:
        _refuse(_("Cuộc họp đã kết thúc: biên bản không sửa được nữa."))
    for name, value in _details(board=meeting.board, **details).items():
        setattr(meeting, name, value)
    meeting.version += 1
    meeting.save()
    return meeting


@transaction.atomic
def attendance_set(*, meeting, attendance, expected_version, user):
    """Records the roll: `attendance` maps every member of the board (BoardMember id) to an
    Attendance value. Refused unless it names each member once, with a known value."""
    meeting = _lock(meeting)
    _writable(meeting.board)
    _check_version(meeting, expected_version)
    if meeting.status == MeetingStatus.ENDED:
        _refuse(_("Cuộc họp đã kết thúc: biên bản không sửa được nữa."))
    members = {m.pk: m for m in BoardMember.objects.filter(board=meeting.board).select_related("user")}
    unknown = set(attendance) - set(members)
    if unknown:
        _refuse(_("Điểm danh có người không thuộc đoàn."))
    missing = [members[pk] for pk in members if pk not in attendance]
    if missing:
        _refuse(
            _("Hãy điểm danh đủ các thành viên (còn thiếu: %(names)s).")
            % {"names": ", ".join(m.user.display_name for m in missing)}
        )
    if any(value not in Attendance.values for value in attendance.values()):
        _refuse(_("Giá trị điểm danh không hợp lệ."))
    if meeting.status == MeetingStatus.OPEN and meeting.ballots.exists():
        # The ballots already recorded were cast by the roll as it was; changing it now would
        # make them say something else.
        _refuse(_("Đã có phiếu biểu quyết: không sửa điểm danh được nữa."))
    MeetingAttendance.objects.filter(meeting=meeting).delete()
    MeetingAttendance.objects.bulk_create(
        [MeetingAttendance(meeting=meeting, member_id=pk, attendance=value) for pk, value in attendance.items()]
    )
    meeting.version += 1
    meeting.save(update_fields=["version"])
    return meeting


def frozen_results(board):
    """The ranked list the meeting votes on: every registration assigned on the board, by
    rank (those without a result last), with its unrounded result."""
    from models_registry.models import Registration

    from .results import board_results

    results = board_results(board)
    ids = results.ranked()
    names = {
        r.pk: (r.name, r.organization.name)
        for r in Registration.objects.filter(pk__in=ids).select_related("organization")
    }
    rows = []
    for rid in ids:
        row = results.by_registration[rid]
        rows.append(
            {
                "registration": rid,
                "name": names[rid][0],
                "unit": names[rid][1],
                "result": None if row.result is None else str(row.result),
                "rank": row.rank,
                "band": row.band,
                "reached": row.reached,
            }
        )
    return rows, results


@transaction.atomic
def meeting_open(*, meeting, expected_version, user):
    """Opens the meeting: the results and rules are frozen (a card reopened afterwards does not
    change what was voted on). Needs scoring closed and the whole roll recorded."""
    meeting = _lock(meeting)
    board = meeting.board
    _writable(board)
    _check_version(meeting, expected_version)
    if meeting.status != MeetingStatus.PLANNED:
        _refuse(_("Cuộc họp đã khai mạc."))
    if board.scoring_closed_at is None:
        _refuse(_("Trưởng đoàn chưa khóa chấm điểm: kết quả chưa là của đoàn, chưa họp bình xét được."))
    members = BoardMember.objects.filter(board=board).count()
    if MeetingAttendance.objects.filter(meeting=meeting).count() != members:
        _refuse(_("Hãy điểm danh đủ các thành viên trước khi khai mạc."))
    rows, results = frozen_results(board)
    voting = sum(1 for m in results.members if m.voting)
    rules = Rules.of(board, results.rubric.threshold)
    meeting.results = rows
    meeting.rules = {**rules.as_data(), "voting_members": voting, "quorum": rules.quorum(voting)}
    meeting.status = MeetingStatus.OPEN
    meeting.opened_at = timezone.now()
    meeting.version += 1
    meeting.save()
    return meeting


def present_voting(meeting):
    """How many voting members are present in person (toward quorum)."""
    return MeetingAttendance.objects.filter(meeting=meeting, attendance=Attendance.PRESENT, member__voting=True).count()


@dataclass
class BallotSeats:
    """Who is who on one registration's ballot: the board's members, the roll, the
    conflicted (member id, registration id) pairs, the voters and those of them attending."""

    members: list
    roll: dict
    conflicted: dict
    voters: list
    attending: list


def ballot_seats(meeting, registration):
    members = list(BoardMember.objects.filter(board=meeting.board).select_related("user"))
    roll = dict(MeetingAttendance.objects.filter(meeting=meeting).values_list("member_id", "attendance"))
    conflicted = conflicts_for(meeting.board, [(m, registration) for m in members])
    voters = [m for m in members if m.voting and (m.pk, registration.pk) not in conflicted]
    attending = [m for m in voters if roll.get(m.pk) in (Attendance.PRESENT, Attendance.WRITTEN)]
    return BallotSeats(members, roll, conflicted, voters, attending)


@transaction.atomic
def ballot_record(*, meeting, registration_id, votes, expected_version, user):
    """Records (or corrects, while the meeting is open) the ballot on one registration:
    `votes` maps BoardMember ids to VoteChoice values; `expected_version` is the ballot's
    version as read (0: none yet). Returns the Ballot with its decision."""
    meeting = _lock(meeting)
    board = meeting.board
    _writable(board)
    if meeting.status != MeetingStatus.OPEN:
        _refuse(_("Chỉ ghi biểu quyết khi cuộc họp đang diễn ra."))
    rules = Rules.frozen(meeting.rules)
    present = present_voting(meeting)
    if present < meeting.rules["quorum"]:
        _refuse(
            _(
                "Cuộc họp không đủ số thành viên có mặt (%(present)s/%(voting)s, cần ít nhất %(quorum)s): "
                "không biểu quyết được."
            )
            % {"present": present, "voting": meeting.rules["voting_members"], "quorum": meeting.rules["quorum"]}
        )
    row = next((r for r in meeting.results if r["registration"] == registration_id), None)
    if row is None:
        _refuse(_("Mô hình này không có trong danh sách của cuộc họp."))
    from models_registry.models import Registration

    registration = Registration.objects.select_related("organization").get(pk=registration_id)
    seats = ballot_seats(meeting, registration)
    members, roll, conflicted, voters = seats.members, seats.roll, seats.conflicted, seats.voters
    attending = {m.pk: m for m in seats.attending}
    by_id = {m.pk: m for m in members}
    problems = []
    for member_id, choice in votes.items():
        m = by_id.get(member_id)
        if m is None:
            problems.append(_("Có phiếu của người không thuộc đoàn."))
        elif not m.voting:
            problems.append(_("%(name)s không có quyền biểu quyết.") % {"name": m.user.display_name})
        elif (m.pk, registration.pk) in conflicted:
            problems.append(
                _("%(name)s có xung đột lợi ích với mô hình này: không biểu quyết.") % {"name": m.user.display_name}
            )
        elif m.pk not in attending:
            problems.append(
                _("%(name)s vắng mặt, không có phiếu bằng văn bản: không tính biểu quyết.")
                % {"name": m.user.display_name}
            )
        elif choice not in VoteChoice.values:
            problems.append(_("Biểu quyết của %(name)s không hợp lệ.") % {"name": m.user.display_name})
    missing = [m for pk, m in attending.items() if pk not in votes]
    if missing:
        problems.append(
            _("Chưa ghi biểu quyết của: %(names)s.") % {"names": ", ".join(m.user.display_name for m in missing)}
        )
    if problems:
        _refuse(problems)
    decided_elsewhere = (
        Ballot.objects.filter(meeting__board=board, registration_id=registration_id).exclude(meeting=meeting).exists()
    )
    if decided_elsewhere:
        _refuse(_("Mô hình này đã được biểu quyết ở cuộc họp khác của đoàn."))
    counts = {c: sum(1 for v in votes.values() if v == c) for c in VoteChoice.values}
    result = None if row["result"] is None else Decimal(row["result"])
    ballot = Ballot.objects.filter(meeting=meeting, registration_id=registration_id).first()
    if (ballot.version if ballot else 0) != expected_version:
        _refuse(_("Phiếu biểu quyết này vừa được người khác ghi. Hãy tải lại trang để xem bản mới."), "stale")
    if ballot is None:
        ballot = Ballot(meeting=meeting, registration=registration, organization=registration.organization, version=0)
    ballot.result = result
    ballot.voters = len(voters)
    ballot.votes_for = counts[VoteChoice.FOR]
    ballot.votes_against = counts[VoteChoice.AGAINST]
    ballot.votes_abstain = counts[VoteChoice.ABSTAIN]
    ballot.decision = rules.decide(result, len(voters), counts[VoteChoice.FOR])
    ballot.recorded_by = user
    ballot.version += 1
    ballot.save()
    Vote.objects.filter(ballot=ballot).delete()
    Vote.objects.bulk_create(
        [
            Vote(
                meeting=meeting,
                ballot=ballot,
                member_id=pk,
                choice=choice,
                written=roll.get(pk) == Attendance.WRITTEN,
            )
            for pk, choice in votes.items()
        ]
    )
    return ballot


@transaction.atomic
def meeting_end(*, meeting, expected_version, user):
    """Ends the meeting: the minutes (attendance, ballots, decisions) are final."""
    meeting = _lock(meeting)
    _writable(meeting.board)
    _check_version(meeting, expected_version)
    if meeting.status != MeetingStatus.OPEN:
        _refuse(_("Chỉ kết thúc được cuộc họp đang diễn ra."))
    meeting.status = MeetingStatus.ENDED
    meeting.ended_at = timezone.now()
    meeting.version += 1
    meeting.save()
    _decisions_take_effect(meeting)
    return meeting


def _decisions_take_effect(meeting):
    """The ended meeting's decisions: each recognised or proposed model is recognised at the
    board's level (issued: the library shows it below); each proposed one goes to the level
    above (proposals.level_above), and each unit is told its decisions."""
    from django.urls import reverse

    from dvk.enums import Role
    from dvk.models import Membership
    from dvk.notifications import notifications_create

    from .models import Proposal, Recognition
    from .proposals import level_above

    board = meeting.board
    ballots = list(Ballot.objects.filter(meeting=meeting).select_related("registration__organization"))
    above = level_above(board.campaign) if any(b.decision == Decision.PROPOSE for b in ballots) else None
    now = timezone.now()
    for ballot in ballots:
        if ballot.decision == Decision.NOT_RECOGNISE:
            continue
        Recognition.objects.get_or_create(
            ballot=ballot,
            defaults={"organization": board.organization, "registration": ballot.registration, "issued_at": now},
        )
        if ballot.decision == Decision.PROPOSE and above is not None:
            Proposal.objects.get_or_create(
                ballot=ballot,
                defaults={
                    "organization": ballot.registration.organization,
                    "registration": ballot.registration,
                    "proposed_by": board.organization,
                    "to": above,
                },
            )
    units = {b.registration.organization_id for b in ballots}
    secretaries = Membership.objects.filter(organization_id__in=units, role=Role.SECRETARY).select_related(
        "organization"
    )
    by_unit = {}
    for m in secretaries:
        by_unit.setdefault(m.organization_id, []).append(m)
    items = []
    for ballot in ballots:
        unit = ballot.registration.organization
        url = reverse("registration_detail", kwargs={"org_code": unit.code, "pk": ballot.registration_id})
        title = _("Kết quả bình xét: %(name)s – %(decision)s") % {
            "name": ballot.registration.name,
            "decision": ballot.get_decision_display(),
        }
        body = _("Đoàn thẩm định %(board)s họp ngày %(date)s: %(for)s/%(voters)s thành viên tán thành.") % {
            "board": board.name,
            "date": meeting.held_on.strftime("%d/%m/%Y"),
            "for": ballot.votes_for,
            "voters": ballot.voters,
        }
        for m in by_unit.get(unit.pk, []):
            items.append({"user_id": m.user_id, "organization": unit, "title": title[:255], "body": body, "url": url})
    notifications_create(items=items)


def listed_rows(board, rows, *, via_seat, user):
    """The frozen rows a reader lists: all of them, but through a seat only the registrations
    of their own assignments (appraisal.results' listing rule)."""
    if not via_seat:
        return rows
    from .models import Assignment
    from .results import seat_on

    member = seat_on(user, board)
    own = set(Assignment.objects.filter(board=board, member=member).values_list("registration_id", flat=True))
    return [r for r in rows if r["registration"] in own]


@dataclass
class Minutes:
    """A meeting as its readers see it (the page and the API): the board's members and the
    roll, the rows listed with their ballots (row["ballot"]: Ballot or None), the written votes
    of those rows, and where quorum stands. A fixed number of queries."""

    members: list
    roll: dict
    rows: list
    written: list
    voting: int
    present: int
    quorum: int
    roll_open: bool  # the roll may still change (planned, or open with no ballot yet)


def minutes_of(meeting, *, via_seat, user):
    from .selectors import rubric_of

    board = meeting.board
    members = list(BoardMember.objects.filter(board=board).select_related("user").order_by("position_order", "pk"))
    roll = dict(MeetingAttendance.objects.filter(meeting=meeting).values_list("member_id", "attendance"))
    rows = [dict(r) for r in listed_rows(board, meeting.results, via_seat=via_seat, user=user)]
    ballots = {b.registration_id: b for b in Ballot.objects.filter(meeting=meeting)}
    shown = {r["registration"] for r in rows}
    written = [
        v
        for v in Vote.objects.filter(meeting=meeting, written=True).select_related("member__user", "ballot")
        if v.ballot.registration_id in shown
    ]
    for row in rows:
        row["ballot"] = ballots.get(row["registration"])
    voting = [m for m in members if m.voting]
    present = sum(1 for m in voting if roll.get(m.pk) == Attendance.PRESENT)
    quorum = meeting.rules.get("quorum")
    if quorum is None:  # not opened yet: the board's rules as they stand
        quorum = Rules.of(board, rubric_of(board.campaign).threshold).quorum(len(voting))
    roll_open = meeting.status == MeetingStatus.PLANNED or (meeting.status == MeetingStatus.OPEN and not ballots)
    return Minutes(members, roll, rows, written, len(voting), present, quorum, roll_open)
