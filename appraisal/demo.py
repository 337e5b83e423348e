"""Appraisal's demo data (run by dvk's seed_demo after campaigns' and models_registry's own,
in app order, with scopes disabled).

* Diễn Châu's 2026 (closed) and 2027 (live) plans store the default rubric.
* Each has its board (seed 004, III): `demo-thamdinh` heads it, `demo-uyvien` (the chairman of
  the commune's Front, whose own role is at the Front's unit) is deputy head through his seat,
  `demo-xa` is a member and `demo-thuky` its secretary (no vote).
* 2026: a dozen completed or in-progress registrations have their recognition dossier
  (letter, report prefilled from targets and reports, the Front's opinion), submitted; each is
  assigned to every voting member and visited in the survey window; `demo-xa` declared one
  conflict of interest. The Front's own model is conflicted for `demo-uyvien` by his role.
* 2026: every voting member scored and submitted each model they are not conflicted on
  (plausible, varied points and comments, the same on every run); the members differ by more
  than the board's 20 points on one model (flagged for discussion), and scoring is closed.
* 2026: one ended review meeting (họp bình xét) on 23/10/2026, after scoring closed, chaired by
  `demo-thamdinh` with `demo-thuky` as secretary; every member present but `demo-uyvien`,
  absent with a written vote (2 of 3 voting members present: quorum held). A ballot on each
  model of the frozen results, the same votes on every run (a conflicted member casts none):
  three proposed to the province, six recognised, three not recognised.
* 2027: the accepted registrations are assigned, with visits in the coming days, two today;
  `demo-thamdinh` has a draft scorecard (not submitted) for the first model visited today.

Every step looks its rows up first, so a second run writes nothing."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone
from django_scopes import scope

from dvk.demo import in_demo_tree, purge_history
from models_registry.models import Registration

from . import meetings, result_services, selectors, services
from .assignment_services import assign, conflict_declare
from .board_services import board_create, member_add
from .conflicts import conflicts_for
from .dossier_services import dossier_save, dossier_submit, opinion_add, results_prefill
from .enums import Attendance, VoteChoice
from .models import (
    Assignment,
    AssignmentChange,
    AssignmentUserObjectPermission,
    Ballot,
    Board,
    BoardMember,
    Conflict,
    Criterion,
    DossierOpinion,
    Meeting,
    MeetingAttendance,
    Proposal,
    Recognition,
    RecognitionDossier,
    Rubric,
    Scorecard,
    ScoreLine,
    ScorePhoto,
    ScoringReminder,
    Visit,
    VisitMember,
    Vote,
)
from .scoring_services import LineInput, rubric_criteria, scorecard_save
from .visit_services import visit_schedule

LABELS = {
    "rubrics": "Bộ tiêu chí thẩm định",
    "boards": "Đoàn thẩm định",
    "dossiers": "Hồ sơ đề nghị công nhận",
    "assignments": "Phân công thẩm định",
    "visits": "Lịch khảo sát",
    "scorecards": "Phiếu chấm điểm",
    "meetings": "Cuộc họp bình xét",
    "ballots": "Phiếu biểu quyết",
}
STORED_FOR = ("dienchau-2026", "dienchau-2027")

MEMBERS = [
    ("demo-thamdinh", "head", "Trưởng Ban Xây dựng Đảng xã"),
    ("demo-uyvien", "deputy", "Chủ tịch Ủy ban MTTQ Việt Nam xã"),
    ("demo-xa", "member", "Chuyên viên Ban Xây dựng Đảng xã"),
    ("demo-thuky", "secretary", "Chuyên viên Ban Xây dựng Đảng xã"),
]
# The 2026 registrations with a dossier, by unit code (their model is the unit's only one in 2026).
DOSSIER_UNITS_2026 = [
    "NA-DIENCHAU-UBND",
    "NA-DIENCHAU-MTTQ",
    "NA-DIENCHAU-CCB",
    "NA-DIENCHAU-LHPN",
    "NA-DIENCHAU-HND",
    "NA-DIENCHAU-CTD",
    "NA-DIENCHAU-CB-CONGAN",
    "NA-DIENCHAU-CB-UBND",
    "NA-DIENCHAU-CB-XOM01",
    "NA-DIENCHAU-CB-XOM02",
    "NA-DIENCHAU-CB-XOM03",
    "NA-DIENCHAU-CB-XOM07",
]
# Invented signers of the proposal letters.
SIGNERS = ["Nguyễn Văn Hải", "Trần Thị Thu", "Lê Văn Quang", "Hồ Thị Nga", "Phạm Văn Đức", "Võ Thị Hạnh"]
DECLARED = ("demo-xa", "NA-DIENCHAU-CB-XOM02", "Người thân trong gia đình là thành viên Ban chỉ đạo mô hình.")

# Scoring. Each model has a level (a share of every criterion's maximum) drawn from a seed of
# its unit's code, so every run gives the same points; each member leans a little stricter or
# more generous, and varies a little per criterion: the members stay within about 10 points
# of each other, except on DISAGREED, which the Front's chairman scores far lower.
LEANING = {"demo-thamdinh": 0.0, "demo-uyvien": -0.02, "demo-xa": 0.02}
DISAGREED = ("NA-DIENCHAU-CB-XOM03", "demo-uyvien", -0.32)
LINE_COMMENTS = {
    "high": [
        "Kết quả rõ rệt, có số liệu minh chứng đầy đủ.",
        "Nhân dân đồng tình, hưởng ứng cao.",
        "Cách làm mới, phù hợp thực tế địa phương.",
        "Duy trì đều đặn, có khả năng nhân rộng.",
    ],
    "mid": [
        "Có kết quả nhưng minh chứng còn ít.",
        "Cần duy trì thường xuyên hơn.",
        "Mức độ tham gia của Nhân dân chưa đồng đều giữa các xóm.",
        "Cách làm chưa thật sự mới so với năm trước.",
    ],
    "low": [
        "Kết quả chưa rõ, thiếu số liệu so sánh trước và sau khi thực hiện.",
        "Mới triển khai, chưa thấy tính bền vững.",
        "Ít hộ tham gia; cần tuyên truyền, vận động thêm.",
    ],
}
GENERAL_COMMENTS = [
    "Mô hình thiết thực, đề nghị công nhận.",
    "Đạt yêu cầu; cần bổ sung minh chứng về kết quả năm sau.",
    "Mô hình có sức lan tỏa, nên giới thiệu để các chi bộ khác học tập.",
    "Cần tổng kết, rút kinh nghiệm để duy trì lâu dài.",
    "Hồ sơ đầy đủ; kết quả khảo sát thực tế phù hợp với báo cáo.",
]
# Scoring on the 2026 board was closed after the survey window (15/09-10/10/2026).
SCORING_CLOSED_ON = datetime.datetime(2026, 10, 20, 16, 0)

# The 2026 review meeting, three days after scoring closed (and before the plan's period ends).
MEETING_ON = datetime.date(2026, 10, 23)
MEETING_AT = datetime.time(8, 0)
MEETING_PLACE = "Hội trường Đảng ủy xã Diễn Châu"
# Away on the Front's business that day; sent his votes in writing.
WRITTEN_VOTE = "demo-uyvien"
# Each member's vote on each 2026 model, by unit code (F for, A against, K abstaining). The
# votes of a member conflicted on a model are never cast (the Front's chairman on the Front's
# model, demo-xa on Xóm 2's), so those ballots have two voters. With the default rules and all
# twelve results above the threshold: all for → proposed to the province; two of three for →
# recognised; fewer (or one of two) → not recognised. A model not listed: all for.
MEETING_VOTERS = ("demo-thamdinh", "demo-uyvien", "demo-xa")
MEETING_VOTES = {
    "NA-DIENCHAU-CB-UBND": "FFF",
    "NA-DIENCHAU-CB-CONGAN": "FFF",
    "NA-DIENCHAU-MTTQ": "F-F",
    "NA-DIENCHAU-LHPN": "FKF",
    "NA-DIENCHAU-CCB": "FFA",
    # The model the members scored more than 20 points apart: not agreed on.
    "NA-DIENCHAU-CB-XOM03": "FAA",
    "NA-DIENCHAU-HND": "FAF",
    "NA-DIENCHAU-UBND": "FFK",
    "NA-DIENCHAU-CTD": "AFF",
    "NA-DIENCHAU-CB-XOM02": "FA-",
    "NA-DIENCHAU-CB-XOM01": "FFA",
    "NA-DIENCHAU-CB-XOM07": "AAF",
}
CHOICES = {"F": VoteChoice.FOR, "A": VoteChoice.AGAINST, "K": VoteChoice.ABSTAIN}


def build_rubrics(ctx):
    campaigns = ctx.data.get("campaigns", {})
    for key in STORED_FOR:
        campaign = campaigns.get(key)
        if campaign is None:
            continue
        exists = Rubric.objects.filter(campaign=campaign).exists()
        if not exists:
            view = selectors.rubric_of(campaign)
            services.rubric_save(
                campaign=campaign,
                criteria=[
                    {"name": c.name, "description": c.description, "max_points": c.max_points, "required": c.required}
                    for c in view.criteria
                ],
                threshold=view.threshold,
                bands=view.bands,
                expected_version=0,
            )
        ctx.count("rubrics", not exists)


def _board(ctx, campaign):
    board, created = board_create(campaign, user=ctx.users["demo-xa"])
    ctx.count("boards", created)
    if created:
        for username, role, position in MEMBERS:
            member_add(board, ctx.users[username], role, position=position, by=ctx.users["demo-xa"])
    return board


def _registration(campaign, code):
    return (
        Registration.objects.filter(campaign=campaign, organization__code=code)
        .select_related("organization", "initiative", "campaign__organization")
        .order_by("pk")
        .first()
    )


def _dossier(ctx, registration, letter_date=datetime.date(2026, 9, 5)):
    """The unit's submitted recognition dossier, dated `letter_date` and sent three days later
    (the 2026 round: before its September visits; the live round: before the coming ones)."""
    year = registration.campaign.period_end.year
    if RecognitionDossier.objects.filter(registration=registration).exists():
        ctx.count("dossiers", False)
        return
    unit = registration.organization.name
    dossier_save(
        registration,
        None,
        expected_version=0,
        letter_number=f"{10 + registration.pk % 80:02d}-TTr/CB",
        letter_date=letter_date,
        letter_to="Ban Thường vụ Đảng ủy xã Diễn Châu",
        letter_request=(
            f"{unit} kính đề nghị Ban Thường vụ Đảng ủy xã xem xét, công nhận mô hình "
            f"“{registration.initiative.name}” là mô hình “Dân vận khéo” cấp xã năm {year}."
        ),
        signer_name=SIGNERS[registration.pk % len(SIGNERS)],
        signer_position="Bí thư chi bộ" if "Chi bộ" in unit else "Thủ trưởng đơn vị",
        report_purposes=(
            "Phát huy vai trò của Nhân dân trong xây dựng khu dân cư văn minh; mô hình triển khai "
            "trên toàn địa bàn, thu hút các hộ gia đình và đoàn viên, hội viên tham gia."
        ),
        report_content=(
            "Giai đoạn 1: xây dựng kế hoạch, họp dân, thống nhất cách làm.\n"
            "Giai đoạn 2: tổ chức thực hiện, phân công đảng viên phụ trách từng nhóm hộ.\n"
            "Giai đoạn 3: sơ kết, đánh giá, nhân rộng."
        ),
        report_results=results_prefill(registration),
        report_creativity=(
            "Cách làm mới, phù hợp điều kiện địa phương; duy trì thường xuyên, được Nhân dân đồng tình "
            "và nhiều đơn vị trong xã đến học tập."
        ),
        report_lessons="Cấp ủy sát sao; phát huy vai trò người có uy tín; công khai kết quả để Nhân dân giám sát.",
    )
    opinion_add(
        registration,
        None,
        body="front",
        author="Ủy ban MTTQ Việt Nam xã Diễn Châu",
        text="Mô hình được Nhân dân đồng tình, hưởng ứng; đề nghị xem xét công nhận.",
    )
    dossier_submit(registration, None)
    # Sent before the visits, not on the day the demo was built.
    sent = timezone.make_aware(datetime.datetime.combine(letter_date + datetime.timedelta(days=3), datetime.time(9)))
    RecognitionDossier.objects.filter(registration=registration).update(submitted_at=min(sent, timezone.now()))
    ctx.count("dossiers", True)


def _visits(ctx, board, registrations, days):
    """One visit per registration on the given days: the voting members go, except one
    conflicted on that model (the Front's chairman stays away from the Front's own)."""
    members = {m.user.username: m for m in BoardMember.objects.filter(board=board).select_related("user")}
    voting = [members["demo-thamdinh"], members["demo-uyvien"], members["demo-xa"]]
    conflicted = conflicts_for(board, [(m, r) for r in registrations for m in voting])
    visited = set(Visit.objects.filter(board=board).values_list("registration_id", flat=True))
    for i, (registration, day) in enumerate(zip(registrations, days, strict=False)):
        going = [m for m in voting if (m.pk, registration.pk) not in conflicted]
        created = registration.pk not in visited
        if created:
            visit_schedule(
                board,
                registration,
                day,
                datetime.time(8 + (i % 2) * 6, 0),
                f"Nhà văn hóa, {registration.organization.name}",
                going,
                ctx.users["demo-xa"],
                notify=False,
            )
        ctx.count("visits", created)


def _assign(ctx, board, registrations):
    before = Assignment.objects.filter(board=board).count()
    assign(board=board, registration_ids=[r.pk for r in registrations], user=ctx.users["demo-xa"])
    after = Assignment.objects.filter(board=board).count()
    ctx.created["assignments"] += after - before
    ctx.existing["assignments"] += before


def _points(max_points, share):
    """`share` of `max_points`, to the half point, within 0..max."""
    return min(Decimal(max_points), max(Decimal(0), Decimal(round(max_points * share * 2)) / 2))


def _lines(rng, criteria, share):
    lines = []
    for i, criterion in enumerate(criteria):
        this = share + rng.uniform(-0.03, 0.03)
        band = "high" if this >= 0.85 else "mid" if this >= 0.7 else "low"
        comment = rng.choice(LINE_COMMENTS[band]) if i < 2 or band == "low" else ""
        lines.append(LineInput(criterion.pk, _points(criterion.max_points, this), comment))
    return lines


def _scorable(board):
    """The board's assignments of voting members not conflicted on them, in tree order."""
    assignments = list(
        Assignment.objects.filter(board=board, member__voting=True)
        .select_related("member__user", "registration__organization")
        .order_by("registration__organization__path", "member__position_order")
    )
    conflicted = conflicts_for(board, [(a.member, a.registration) for a in assignments])
    return [a for a in assignments if (a.member_id, a.registration_id) not in conflicted]


def _score_all(ctx, board):
    """Every voting member's submitted scorecard on each model they are not conflicted on,
    through the scoring service, in the scope of the board's organisation; then scoring
    closed."""
    with scope(org=board.organization):
        criteria = rubric_criteria(board.campaign)
        scored = set(Scorecard.objects.filter(assignment__board=board).values_list("assignment_id", flat=True))
        for a in _scorable(board):
            if a.pk in scored:
                ctx.count("scorecards", False)
                continue
            code, username = a.registration.organization.code, a.member.user.username
            share = random.Random(f"dvk-demo-{code}").uniform(0.72, 0.94) + LEANING[username]
            if (code, username) == DISAGREED[:2]:
                share += DISAGREED[2]
            rng = random.Random(f"dvk-demo-{code}-{username}")
            scorecard_save(
                assignment=a,
                lines=_lines(rng, criteria, share),
                comment=rng.choice(GENERAL_COMMENTS),
                expected_version=0,
                user=a.member.user,
                submit=True,
            )
            ctx.count("scorecards", True)
        if board.scoring_closed_at is None:
            head = BoardMember.objects.get(board=board, role="head").user
            result_services.scoring_close(board=board, user=head)
            # The 2026 round is history: its scoring closed after the survey window, not today.
            closed_at = min(timezone.make_aware(SCORING_CLOSED_ON), timezone.now())
            Board.objects.filter(pk=board.pk).update(scoring_closed_at=closed_at)


def _at(day, time, minutes=0):
    """An aware moment of the 2026 round, never later than now."""
    moment = datetime.datetime.combine(day, time) + datetime.timedelta(minutes=minutes)
    return min(timezone.make_aware(moment), timezone.now())


def _meeting(ctx, board):
    """The board's ended review meeting (nothing if it has one): the roll with one written
    vote, a ballot on every model of the frozen results with MEETING_VOTES, through the meeting
    service in the scope of the board's organisation; the times moved back to the meeting day."""
    with scope(org=board.organization):
        existing = Meeting.objects.filter(board=board).first()
        if existing is not None:
            ctx.count("meetings", False)
            ctx.existing["ballots"] += Ballot.objects.filter(meeting__board=board).count()
            return
        members = {m.user.username: m for m in BoardMember.objects.filter(board=board).select_related("user")}
        head = next(m for m in members.values() if m.role == "head")
        secretary = members["demo-thuky"]
        clerk = secretary.user
        meeting = meetings.meeting_create(
            board=board,
            held_on=MEETING_ON,
            held_at=MEETING_AT,
            place=MEETING_PLACE,
            chair=head,
            secretary=secretary,
            user=clerk,
        )
        roll = {m.pk: Attendance.WRITTEN if name == WRITTEN_VOTE else Attendance.PRESENT for name, m in members.items()}
        meeting = meetings.attendance_set(
            meeting=meeting, attendance=roll, expected_version=meeting.version, user=clerk
        )
        meeting = meetings.meeting_open(meeting=meeting, expected_version=meeting.version, user=clerk)
        ctx.count("meetings", True)
        ids = [row["registration"] for row in meeting.results]
        registrations = {r.pk: r for r in Registration.objects.filter(pk__in=ids).select_related("organization")}
        voting = [m for m in members.values() if m.voting]
        conflicted = conflicts_for(board, [(m, r) for r in registrations.values() for m in voting])
        for rid in ids:
            registration = registrations[rid]
            letters = MEETING_VOTES.get(registration.organization.code, "F" * len(MEETING_VOTERS))
            by_name = dict(zip(MEETING_VOTERS, letters, strict=True))
            # Like the service: the voting members not conflicted on the model; each casts a vote
            # (in person or in writing: nobody is absent without one).
            votes = {
                m.pk: CHOICES.get(by_name.get(m.user.username), VoteChoice.FOR)
                for m in voting
                if (m.pk, rid) not in conflicted
            }
            meetings.ballot_record(meeting=meeting, registration_id=rid, votes=votes, expected_version=0, user=clerk)
            ctx.count("ballots", True)
        meeting = meetings.meeting_end(meeting=meeting, expected_version=meeting.version, user=clerk)
        # The 2026 round is history: the meeting took its morning, not the moment the demo ran.
        for i, rid in enumerate(ids):
            Ballot.objects.filter(meeting=meeting, registration_id=rid).update(
                recorded_at=_at(MEETING_ON, MEETING_AT, 15 + 10 * i)
            )
        ended = _at(MEETING_ON, MEETING_AT, 20 + 10 * len(ids))
        Meeting.objects.filter(pk=meeting.pk).update(opened_at=_at(MEETING_ON, MEETING_AT, 5), ended_at=ended)
        # What the decisions made (recognitions, proposals to Nghệ An) dates from that morning too.
        Recognition.objects.filter(ballot__meeting=meeting).update(issued_at=ended)
        Proposal.objects.filter(ballot__meeting=meeting).update(sent_at=ended)


def _draft_for_today(ctx, board):
    """`demo-thamdinh`'s draft scorecard for the first model visited today that he scores:
    three criteria scored on site, not submitted."""
    with scope(org=board.organization):
        visited = list(
            Visit.objects.filter(board=board, visit_on=ctx.today)
            .order_by("visit_at", "pk")
            .values_list("registration_id", flat=True)
        )
        mine = {a.registration_id: a for a in _scorable(board) if a.member.user.username == "demo-thamdinh"}
        assignment = next((mine[r] for r in visited if r in mine), None)
        if assignment is None:
            return
        if Scorecard.objects.filter(assignment=assignment).exists():
            ctx.count("scorecards", False)
            return
        criteria = rubric_criteria(board.campaign)
        rng = random.Random(f"dvk-demo-draft-{assignment.registration.organization.code}")
        scorecard_save(
            assignment=assignment,
            lines=_lines(rng, criteria[:3], 0.82),
            comment="Đang chấm tại cơ sở; còn xem sổ theo dõi của chi bộ.",
            expected_version=0,
            user=assignment.member.user,
        )
        ctx.count("scorecards", True)


def build_boards(ctx):
    campaigns = ctx.data.get("campaigns", {})
    past = campaigns.get("dienchau-2026")
    if past is not None:
        board = _board(ctx, past)
        registrations = [r for code in DOSSIER_UNITS_2026 if (r := _registration(past, code)) is not None]
        for registration in registrations:
            _dossier(ctx, registration)
        _assign(ctx, board, registrations)
        username, code, reason = DECLARED
        assignment = (
            Assignment.objects.filter(
                board=board, member__user__username=username, registration__organization__code=code
            )
            .select_related("member__user", "board__organization", "board__campaign", "registration__organization")
            .first()
        )
        if (
            assignment is not None
            and not Conflict.objects.filter(member=assignment.member, registration=assignment.registration).exists()
        ):
            conflict_declare(assignment=assignment, user=assignment.member.user, reason=reason)
        # After the declaration: a conflicted member does not go on that visit.
        # Inside the 2026 survey window (15/09-10/10/2026, campaigns/demo.py), two a day.
        _visits(
            ctx, board, registrations, [datetime.date(2026, 9, 15) + datetime.timedelta(days=i // 2) for i in range(12)]
        )
        _score_all(ctx, board)
        _meeting(ctx, board)
    live = campaigns.get("dienchau-2027")
    if live is not None:
        board = _board(ctx, live)
        registrations = list(
            Registration.objects.filter(campaign=live, status__in=("accepted", "in_progress", "completed"))
            .exclude(organization=live.organization)
            .select_related("organization", "initiative")
            .order_by("organization__path", "pk")
        )
        _assign(ctx, board, registrations)
        today = ctx.today
        # The units being surveyed sent their dossiers a fortnight ago: the board reads them on site.
        for registration in registrations:
            _dossier(ctx, registration, letter_date=today - datetime.timedelta(days=14))
        _visits(
            ctx, board, registrations, [today, today] + [today + datetime.timedelta(days=d) for d in (1, 2, 3, 5, 6)]
        )
        _draft_for_today(ctx, board)


def reset_appraisal(deleted):
    """Deletes the demo tree's boards (with their meetings, attendance, ballots and votes,
    members, assignments and their grants, scorecards, conflicts, visits, changes and scoring
    reminders), dossiers (with opinions) and rubrics, with their history rows."""
    boards = Board.objects.filter(in_demo_tree())
    board_ids = list(boards.values_list("pk", flat=True))
    # Meetings first: they hold their board, its members (chair, roll, votes) and the
    # registrations voted on with PROTECT foreign keys. Votes, ballots, the roll, the meetings.
    meeting_ids = list(Meeting.objects.filter(board_id__in=board_ids).values_list("pk", flat=True))
    # What the ended meetings' decisions made (meetings.meeting_end): recognitions, proposals.
    for model in (Proposal, Recognition):
        ids = list(model.objects.filter(ballot__meeting_id__in=meeting_ids).values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).delete()
        purge_history(model, ids)
    Vote.objects.filter(meeting_id__in=meeting_ids).delete()
    for model in (Ballot, MeetingAttendance, Meeting):
        key = "pk__in" if model is Meeting else "meeting_id__in"
        ids = list(model.objects.filter(**{key: meeting_ids}).values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).delete()
        purge_history(model, ids)
    deleted["meetings"] += len(meeting_ids)
    visits = Visit.objects.filter(board_id__in=board_ids)
    visit_ids = list(visits.values_list("pk", flat=True))
    VisitMember.objects.filter(visit_id__in=visit_ids).delete()
    visits.delete()
    purge_history(Visit, visit_ids)
    # Scorecards (lines, photos), the change feed and the scoring reminders go before their
    # assignments, members and boards, history included.
    cards = Scorecard.objects.filter(assignment__board_id__in=board_ids)
    card_ids = list(cards.values_list("pk", flat=True))
    photos = ScorePhoto.objects.filter(scorecard_id__in=card_ids)
    for photo in photos:
        photo.file.delete(save=False)
        if photo.thumbnail:
            photo.thumbnail.delete(save=False)
    for model, rows in (
        (ScorePhoto, photos),
        (ScoreLine, ScoreLine.objects.filter(scorecard_id__in=card_ids)),
        (Scorecard, cards),
    ):
        ids = list(rows.values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).delete()
        purge_history(model, ids)
    AssignmentChange.objects.filter(board_id__in=board_ids).delete()
    ScoringReminder.objects.filter(member__board_id__in=board_ids).delete()
    for model in (Conflict, Assignment):
        ids = list(model.objects.filter(board_id__in=board_ids).values_list("pk", flat=True))
        if model is Assignment:
            AssignmentUserObjectPermission.objects.filter(content_object_id__in=ids).delete()
        model.objects.filter(pk__in=ids).delete()
        purge_history(model, ids)
    member_ids = list(BoardMember.objects.filter(board_id__in=board_ids).values_list("pk", flat=True))
    BoardMember.objects.filter(pk__in=member_ids).delete()
    purge_history(BoardMember, member_ids)
    boards.delete()
    deleted["boards"] += len(board_ids)
    purge_history(Board, board_ids)

    dossiers = RecognitionDossier.objects.filter(in_demo_tree("registration__organization"))
    dossier_ids = list(dossiers.values_list("pk", flat=True))
    opinions = DossierOpinion.objects.filter(dossier_id__in=dossier_ids)
    opinion_ids = list(opinions.values_list("pk", flat=True))
    for opinion in opinions:
        if opinion.file:
            opinion.file.delete(save=False)
    DossierOpinion.objects.filter(pk__in=opinion_ids).delete()
    purge_history(DossierOpinion, opinion_ids)
    dossiers.delete()
    deleted["dossiers"] += len(dossier_ids)
    purge_history(RecognitionDossier, dossier_ids)

    rubric_ids = list(Rubric.objects.filter(in_demo_tree("campaign__organization")).values_list("pk", flat=True))
    criterion_ids = list(Criterion.objects.filter(rubric_id__in=rubric_ids).values_list("pk", flat=True))
    Rubric.objects.filter(pk__in=rubric_ids).delete()
    deleted["rubrics"] += len(rubric_ids)
    purge_history(Rubric, rubric_ids)
    purge_history(Criterion, criterion_ids)


# After campaigns' and models_registry's build steps (apps run in order).
BUILD_STEPS = [build_rubrics, build_boards]
RESET_STEPS = [reset_appraisal]
