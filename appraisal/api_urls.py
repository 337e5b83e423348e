"""Scoring and review meeting API, under /api/v1/o/<board's organisation>/appraisal/ (namespace "api")."""

from django.urls import path

from . import api, meeting_api

urlpatterns = [
    path("assignments/", api.AssignmentListView.as_view(), name="appraisal_assignments"),
    path("assignments/<id:pk>/", api.AssignmentDetailView.as_view(), name="appraisal_assignment"),
    path(
        "assignments/<id:pk>/evidence/<id:evidence_id>/file/",
        api.EvidenceFileView.as_view(),
        name="appraisal_evidence_file",
    ),
    path(
        "assignments/<id:pk>/evidence/<id:evidence_id>/thumbnail/",
        api.EvidenceThumbnailView.as_view(),
        name="appraisal_evidence_thumbnail",
    ),
    path("assignments/<id:pk>/scorecard/", api.ScorecardView.as_view(), name="appraisal_scorecard"),
    path("assignments/<id:pk>/scorecard/submit/", api.ScorecardSubmitView.as_view(), name="appraisal_scorecard_submit"),
    path("assignments/<id:pk>/scorecard/reopen/", api.ScorecardReopenView.as_view(), name="appraisal_scorecard_reopen"),
    path("assignments/<id:pk>/photos/", api.PhotoListView.as_view(), name="appraisal_photos"),
    path("assignments/<id:pk>/photos/<id:photo_id>/", api.PhotoView.as_view(), name="appraisal_photo"),
    path("assignments/<id:pk>/photos/<id:photo_id>/file/", api.PhotoFileView.as_view(), name="appraisal_photo_file"),
    path(
        "assignments/<id:pk>/photos/<id:photo_id>/thumbnail/",
        api.PhotoThumbnailView.as_view(),
        name="appraisal_photo_thumbnail",
    ),
    path("assignments/<id:pk>/conflict/", api.ConflictDeclareView.as_view(), name="appraisal_conflict"),
    path("changes/", api.ChangesView.as_view(), name="appraisal_changes"),
    path("batch/", api.BatchView.as_view(), name="appraisal_batch"),
    # The review meeting (meeting_api).
    path("boards/<id:pk>/meetings/", meeting_api.MeetingListView.as_view(), name="appraisal_meetings"),
    path("boards/<id:pk>/meetings/<id:meeting_pk>/", meeting_api.MeetingDetailView.as_view(), name="appraisal_meeting"),
    path(
        "boards/<id:pk>/meetings/<id:meeting_pk>/ballots/<id:registration_pk>/",
        meeting_api.BallotView.as_view(),
        name="appraisal_ballot",
    ),
]
