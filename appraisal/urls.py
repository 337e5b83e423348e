"""Appraisal pages, under /o/<org_code>/appraisal/ (the acting organisation's scope)."""

from django.urls import path

from . import (
    assignment_views,
    board_views,
    dossier_views,
    meeting_views,
    outbox_import_views,
    proposal_views,
    result_views,
    scoring_views,
    views,
    visit_views,
)

app_name = "appraisal"

urlpatterns = [
    path("campaigns/<id:pk>/rubric/", views.rubric, name="rubric"),
    # The board (board_views): these accept a seat.
    path("boards/<id:pk>/", board_views.board, name="board"),
    # Visits (visit_views): the schedule accepts a seat; scheduling is staff work.
    path("boards/<id:pk>/schedule/", visit_views.schedule, name="schedule"),
    path("boards/<id:pk>/visits/new/", visit_views.visit_create, name="visit_create"),
    path("boards/<id:pk>/visits/<id:visit_pk>/edit/", visit_views.visit_edit, name="visit_edit"),
    path("boards/<id:pk>/visits/<id:visit_pk>/cancel/", visit_views.visit_cancel, name="visit_cancel"),
    # Assignments and conflicts (assignment_views): the list is staff's; the rest accept a seat.
    path("boards/<id:pk>/assignments/", assignment_views.assignments, name="assignments"),
    path(
        "boards/<id:pk>/assignments/<id:assignment_pk>/recuse/",
        assignment_views.assignment_recuse,
        name="assignment_recuse",
    ),
    path("boards/<id:pk>/mine/", assignment_views.my_work, name="my_work"),
    path(
        "boards/<id:pk>/mine/<id:assignment_pk>/conflict/",
        assignment_views.conflict_declare,
        name="conflict_declare",
    ),
    # The member's tablet pages (scoring_views): shells over the scoring API; they accept a seat.
    path("scoring/", scoring_views.scoring, name="scoring"),
    path("scoring/<id:pk>/", scoring_views.scoring_assignment, name="scoring_assignment"),
    # Results (result_views): accept a seat, except the settings (staff of the board's level).
    path("boards/<id:pk>/results/", result_views.results, name="results"),
    path("boards/<id:pk>/results/settings/", result_views.results_settings, name="results_settings"),
    path("boards/<id:pk>/results/rules/", result_views.decision_rules, name="decision_rules"),
    path("boards/<id:pk>/results/<id:registration_pk>/", result_views.result_detail, name="result_detail"),
    path(
        "boards/<id:pk>/results/<id:registration_pk>/photos/<id:photo_pk>/",
        result_views.result_photo,
        name="result_photo",
    ),
    path("boards/<id:pk>/scoring/close/", result_views.scoring_close, name="scoring_close"),
    path("boards/<id:pk>/scoring/open/", result_views.scoring_open, name="scoring_open"),
    path(
        "boards/<id:pk>/assignments/<id:assignment_pk>/reopen/",
        result_views.scorecard_reopen,
        name="scorecard_reopen",
    ),
    # The review meeting (meeting_views): its minutes accept a seat; the head or the secretary records it.
    path("boards/<id:pk>/meetings/new/", meeting_views.meeting_create, name="meeting_create"),
    path("boards/<id:pk>/meetings/<id:meeting_pk>/", meeting_views.meeting_detail, name="meeting"),
    path("boards/<id:pk>/meetings/<id:meeting_pk>/edit/", meeting_views.meeting_edit, name="meeting_edit"),
    path(
        "boards/<id:pk>/meetings/<id:meeting_pk>/attendance/",
        meeting_views.meeting_attendance,
        name="meeting_attendance",
    ),
    path("boards/<id:pk>/meetings/<id:meeting_pk>/open/", meeting_views.meeting_open, name="meeting_open"),
    path("boards/<id:pk>/meetings/<id:meeting_pk>/end/", meeting_views.meeting_end, name="meeting_end"),
    path(
        "boards/<id:pk>/meetings/<id:meeting_pk>/ballots/<id:registration_pk>/",
        meeting_views.meeting_ballot,
        name="meeting_ballot",
    ),
    # Proposals from lower levels' boards, at the receiving level (proposal_views): its staff.
    path("proposals/", proposal_views.proposal_queue, name="proposal_queue"),
    # The recognition dossier (dossier_views): under the unit, and read by the board.
    path("registrations/<id:pk>/dossier/", dossier_views.dossier, name="dossier"),
    path("registrations/<id:pk>/dossier/submit/", dossier_views.dossier_submit, name="dossier_submit"),
    path("registrations/<id:pk>/dossier/return/", dossier_views.dossier_return, name="dossier_return"),
    path("registrations/<id:pk>/dossier/opinions/", dossier_views.opinion_add, name="dossier_opinion_add"),
    path(
        "registrations/<id:pk>/dossier/opinions/<id:opinion_id>/delete/",
        dossier_views.opinion_delete,
        name="dossier_opinion_delete",
    ),
    path(
        "registrations/<id:pk>/dossier/opinions/<id:opinion_id>/file/",
        dossier_views.opinion_file,
        name="dossier_opinion_file",
    ),
    path("boards/<id:pk>/dossiers/<id:registration_pk>/", dossier_views.board_dossier, name="board_dossier"),
    path(
        "boards/<id:pk>/dossiers/<id:registration_pk>/evidence/<id:evidence_id>/",
        dossier_views.board_dossier_evidence,
        name="board_dossier_evidence",
    ),
    path(
        "boards/<id:pk>/dossiers/<id:registration_pk>/opinions/<id:opinion_id>/file/",
        dossier_views.board_dossier_opinion_file,
        name="board_dossier_opinion_file",
    ),
    # Forming the board: staff of its level (no seat).
    path("campaigns/<id:pk>/board/new/", board_views.board_create, name="board_create"),
    path("boards/<id:pk>/edit/", board_views.board_edit, name="board_edit"),
    path("boards/<id:pk>/members/add/", board_views.member_add, name="board_member_add"),
    path("boards/<id:pk>/members/<id:member_pk>/edit/", board_views.member_change, name="board_member_change"),
    path("boards/<id:pk>/members/<id:member_pk>/remove/", board_views.member_remove, name="board_member_remove"),
    # A member's exported outbox file, imported by staff of the board's level (no seat).
    path("boards/<id:pk>/outbox-import/", outbox_import_views.outbox_import, name="outbox_import"),
    path(
        "boards/<id:pk>/outbox-import/<id:import_pk>/",
        outbox_import_views.outbox_import_result,
        name="outbox_import_result",
    ),
]
