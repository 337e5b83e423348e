"""Appraisal pages, under /o/<org_code>/appraisal/ (the acting organisation's scope)."""

from django.urls import path

from . import board_views, views

app_name = "appraisal"

urlpatterns = [
    path("campaigns/<id:pk>/rubric/", views.rubric, name="rubric"),
    # The board (board_views): these accept a seat.
    path("boards/<id:pk>/", board_views.board, name="board"),
    # Forming the board: staff of its level (no seat).
    path("campaigns/<id:pk>/board/new/", board_views.board_create, name="board_create"),
    path("boards/<id:pk>/edit/", board_views.board_edit, name="board_edit"),
    path("boards/<id:pk>/members/add/", board_views.member_add, name="board_member_add"),
    path("boards/<id:pk>/members/<id:member_pk>/edit/", board_views.member_change, name="board_member_change"),
    path("boards/<id:pk>/members/<id:member_pk>/remove/", board_views.member_remove, name="board_member_remove"),
]
