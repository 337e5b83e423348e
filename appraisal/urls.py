"""Appraisal pages, under /o/<org_code>/appraisal/ (the acting organisation's scope)."""

from django.urls import path

from . import board_views, views

app_name = "appraisal"

urlpatterns = [
    path("campaigns/<id:pk>/rubric/", views.rubric, name="rubric"),
    # The board (board_views): these accept a seat.
    path("boards/<id:pk>/", board_views.board, name="board"),
]
