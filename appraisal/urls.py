"""Appraisal pages, under /o/<org_code>/appraisal/ (the acting organisation's scope)."""

from django.urls import path

from . import board_views, dossier_views, views

app_name = "appraisal"

urlpatterns = [
    path("campaigns/<id:pk>/rubric/", views.rubric, name="rubric"),
    # The board (board_views): these accept a seat.
    path("boards/<id:pk>/", board_views.board, name="board"),
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
]
