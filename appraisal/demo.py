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
* 2027: the accepted registrations are assigned, with visits in the coming days, two today.

Every step looks its rows up first, so a second run writes nothing."""

import datetime

from dvk.demo import in_demo_tree, purge_history
from models_registry.models import Registration

from . import selectors, services
from .assignment_services import assign, conflict_declare
from .board_services import board_create, member_add
from .conflicts import conflicts_for
from .dossier_services import dossier_save, dossier_submit, opinion_add, results_prefill
from .models import (
    Assignment,
    AssignmentUserObjectPermission,
    Board,
    BoardMember,
    Conflict,
    Criterion,
    DossierOpinion,
    RecognitionDossier,
    Rubric,
    Visit,
    VisitMember,
)
from .visit_services import visit_schedule

LABELS = {
    "rubrics": "Bộ tiêu chí thẩm định",
    "boards": "Đoàn thẩm định",
    "dossiers": "Hồ sơ đề nghị công nhận",
    "assignments": "Phân công thẩm định",
    "visits": "Lịch khảo sát",
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


def _dossier(ctx, registration):
    if RecognitionDossier.objects.filter(registration=registration).exists():
        ctx.count("dossiers", False)
        return
    unit = registration.organization.name
    dossier_save(
        registration,
        None,
        expected_version=0,
        letter_number=f"{10 + registration.pk % 80:02d}-TTr/CB",
        letter_date=datetime.date(2026, 9, 5),
        letter_to="Ban Thường vụ Đảng ủy xã Diễn Châu",
        letter_request=(
            f"{unit} kính đề nghị Ban Thường vụ Đảng ủy xã xem xét, công nhận mô hình "
            f"“{registration.initiative.name}” là mô hình “Dân vận khéo” cấp xã năm 2026."
        ),
        signer_name=SIGNERS[registration.pk % len(SIGNERS)],
        signer_position="Bí thư chi bộ" if "Chi bộ" in unit else "Thủ trưởng đơn vị",
        report_purposes=(
            "Phát huy vai trò của Nhân dân trong xây dựng khu dân cư văn minh; mô hình triển khai "
            "trên toàn địa bàn, thu hút các hộ gia đình và đoàn viên, hội viên tham gia."
        ),
        report_content=(
            "Giai đoạn 1 (tháng 3 - 4/2026): xây dựng kế hoạch, họp dân, thống nhất cách làm.\n"
            "Giai đoạn 2 (tháng 5 - 8/2026): tổ chức thực hiện, phân công đảng viên phụ trách từng nhóm hộ.\n"
            "Giai đoạn 3 (tháng 9/2026): sơ kết, đánh giá, nhân rộng."
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
        _visits(
            ctx, board, registrations, [today, today] + [today + datetime.timedelta(days=d) for d in (1, 2, 3, 5, 6)]
        )


def reset_appraisal(deleted):
    """Deletes the demo tree's boards (with members, assignments and their grants, conflicts,
    visits), dossiers (with opinions) and rubrics, with their history rows."""
    boards = Board.objects.filter(in_demo_tree())
    board_ids = list(boards.values_list("pk", flat=True))
    visits = Visit.objects.filter(board_id__in=board_ids)
    visit_ids = list(visits.values_list("pk", flat=True))
    VisitMember.objects.filter(visit_id__in=visit_ids).delete()
    visits.delete()
    purge_history(Visit, visit_ids)
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
