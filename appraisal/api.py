"""Scoring API under /api/v1/o/<board's organisation>/appraisal/: a board member's own
assignments with the dossiers they read, their scorecards (read, save, submit), on-site
photos, conflict declaration, the feed of what changed, and a batch of scorecard writes. The
tablet page is built on it (the contract: docs of issue 12, API.md).

Every view accepts a seat (members often reach the board's level only through the board).
Only the user's own assignment is found (`appraisal.view_assignment`); anyone else's, on the
same board or not, answers 404. Writes go through appraisal.scoring_services (and
assignment_services for a conflict), each under an `Idempotency-Key`; a refusal answers
`{"detail", "code", "fields"}` with the status of scoring_services.REFUSAL_STATUS, and a stale
or submitted card adds `"current"`: the server's copy. Nothing is merged."""

from types import SimpleNamespace

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from dvk.access import object_or_404, parse_id
from dvk.api import OrganizationScopedMixin
from dvk.files import stored_file_response
from dvk.idempotency import KeyRefused, api_once, fingerprint, idempotent_api, schema_parameter
from models_registry.enums import EvidenceKind

from . import assignment_services, scoring_selectors, scoring_services
from .assignment_selectors import board_is_open
from .conflicts import conflicts_of
from .models import Assignment, Scorecard
from .scoring_services import LineInput, ScoringRefused
from .serializers import (
    AssignmentFilterSerializer,
    AssignmentListSerializer,
    AssignmentSerializer,
    BatchItemSerializer,
    BatchResultsSerializer,
    BatchSchemaSerializer,
    BatchSerializer,
    ChangesFilterSerializer,
    ChangesSerializer,
    PhotoAddedSerializer,
    PhotoWriteSerializer,
    ReasonSerializer,
    RefusalSerializer,
    ScorecardSerializer,
    ScorecardWriteSerializer,
    VersionSerializer,
    assignment_item,
)

IDEMPOTENCY_KEY = schema_parameter()
REFUSED = OpenApiResponse(RefusalSerializer, description="Dữ liệu không hợp lệ (code invalid), theo từng tiêu chí")
CONFLICTED = OpenApiResponse(RefusalSerializer, description="Bạn có xung đột lợi ích (code conflicted), kèm lý do")
NOT_FOUND = OpenApiResponse(description="Không phải phân công của bạn tại tổ chức này")
STALE = OpenApiResponse(
    RefusalSerializer, description="Phiếu đã đổi ở nơi khác (stale) hoặc đã nộp (submitted): kèm `current`"
)
TOO_LARGE = OpenApiResponse(RefusalSerializer, description="Ảnh quá dung lượng cho phép (too_large)")
FILE = OpenApiResponse(description="Tệp (tải về), hoặc ảnh thu nhỏ (JPEG)")


class Links:
    """The addresses of the files an answer lists. Built from one reversed template per route
    (a member's list holds hundreds of files; reversing each would cost more than the list)."""

    PK, FILE_ID = 9_000_000_000_000_000_001, 9_000_000_000_000_000_002

    def __init__(self, org_code):
        self.org_code = org_code
        self._templates = {}

    def _url(self, name, pk, file_kwarg, file_id):
        template = self._templates.get(name)
        if template is None:
            url = reverse(f"api:{name}", kwargs={"org_code": self.org_code, "pk": self.PK, file_kwarg: self.FILE_ID})
            template = self._templates[name] = url.replace(str(self.PK), "{pk}").replace(str(self.FILE_ID), "{file}")
        return template.format(pk=pk, file=file_id)

    def evidence_file(self, evidence):
        return self._url("appraisal_evidence_file", evidence.assignment_pk, "evidence_id", evidence.pk)

    def evidence_thumbnail(self, evidence):
        return self._url("appraisal_evidence_thumbnail", evidence.assignment_pk, "evidence_id", evidence.pk)

    def photo_file(self, photo):
        return self._url("appraisal_photo_file", photo.assignment_pk, "photo_id", photo.pk)

    def photo_thumbnail(self, photo):
        return self._url("appraisal_photo_thumbnail", photo.assignment_pk, "photo_id", photo.pk)


def _not_found():
    return Response({"detail": _("Không tìm thấy."), "code": "not_found", "fields": {}}, status=404)


def _invalid(errors):
    return Response(
        {"detail": _("Dữ liệu gửi lên không hợp lệ."), "code": "invalid", "fields": errors},
        status=status.HTTP_400_BAD_REQUEST,
    )


# What every scoring route shares: the seat, the member's own assignment, the answers. (A
# comment, not a docstring: drf-spectacular would print it as each route's description.)
class ScoringView(OrganizationScopedMixin, APIView):
    accepts_seat = True

    @classmethod
    def answering(cls, organization, user):
        """An instance that makes this API's answers outside a request, for writes by `user`
        at `organization`: the staff import of an outbox file (appraisal.outbox_import) keeps
        the very answer the tablet's own request would have got, for the tablet's replay."""
        view = cls()
        view.organization = organization
        view.request = SimpleNamespace(user=user)
        return view

    @property
    def links(self):
        if not hasattr(self, "_links"):
            self._links = Links(self.organization.code)
        return self._links

    def assignment_or_none(self, pk):
        """The user's own assignment `pk` on a board of the acting organisation, or None."""
        assignment = (
            Assignment.objects.filter(pk=pk, board__organization=self.organization)
            .select_related("board__campaign", "board__organization", "member__user", "registration__organization")
            .first()
        )
        if assignment is None or not self.request.user.has_perm("appraisal.view_assignment", assignment):
            return None
        return assignment

    def assignment(self):
        assignment = self.assignment_or_none(self.kwargs["pk"])
        if assignment is None:
            raise Http404
        return assignment

    def criteria(self, campaign):
        """The campaign's criteria, read once per request (a batch answers many cards)."""
        cache = self.__dict__.setdefault("_criteria", {})
        if campaign.pk not in cache:
            cache[campaign.pk] = scoring_services.rubric_criteria(campaign)
        return cache[campaign.pk]

    def scorecard_data(self, assignment, card, *, conflicts=None, blind=False, parts=None):
        """The scorecard answer (ScorecardSerializer) of `assignment` with `card` (None: not
        made yet). `conflicts` and `parts` (lines, photos) when already known; `blind` leaves
        out what was scored (the head reopening another member's card reads none of its scores)."""
        criteria = self.criteria(assignment.board.campaign)
        if blind:
            lines, photos = [], []
        else:
            lines, photos = parts or scoring_selectors.scorecard_parts(card)
        for photo in photos:
            photo.assignment_pk = assignment.pk
        if conflicts is None and not blind:
            conflicts = conflicts_of(assignment)
        why_not = "" if blind else scoring_selectors.why_not_scoring(assignment, conflicts, card)
        stored = card is not None and card.pk is not None
        data = {
            "assignment": assignment.pk,
            "version": card.version if stored else 0,
            "status": card.status if stored else None,
            "comment": card.comment if stored and not blind else "",
            "total": card.total if stored and not blind else None,
            "submitted_at": card.submitted_at if stored else None,
            "reopen_reason": card.reopen_reason if stored else "",
            "criteria": criteria,
            "lines": lines,
            "photos": photos,
            "may_score": not blind and why_not == "",
            "why_not": why_not,
        }
        return ScorecardSerializer(data, context={"links": self.links}).data

    def refusal(self, refused, assignment):
        body = {"detail": " ".join(refused.messages), "code": refused.code, "fields": refused.fields}
        if refused.code in ("stale", "submitted"):
            body["current"] = self.scorecard_data(assignment, refused.current) if refused.current else None
        return Response(body, status=refused.status)

    def item_data(self, assignment_pk):
        row = scoring_selectors.member_assignment(self.request.user, self.organization, assignment_pk)
        if row is None:  # not the user's own (a superuser passes has_perm, not this)
            raise Http404
        return assignment_item(row, self.links)

    def save_scorecard(self, assignment, body, loaded=None):
        """One scorecard write (a PUT, or an item of a batch) as a Response: 200 with the
        card, or the refusal. Runs inside the caller's idempotent claim. `loaded`: what the
        batch read under its locks for this assignment (scoring_services.lock_for_writes)."""
        if assignment is None:
            return _not_found()
        parsed = ScorecardWriteSerializer(data=body)
        if not parsed.is_valid():
            return _invalid(parsed.errors)
        data = parsed.validated_data
        lines = [LineInput(line["criterion"], line["points"], line["comment"]) for line in data["lines"]]
        try:
            card = scoring_services.scorecard_save(
                assignment=assignment,
                lines=lines,
                comment=data["comment"],
                expected_version=data["version"],
                user=self.request.user,
                submit=data["submit"],
                criteria=self.criteria(assignment.board.campaign),
                loaded=loaded,
            )
        except ScoringRefused as refused:
            return self.refusal(refused, assignment)
        except Assignment.DoesNotExist:  # unassigned since it was read
            return _not_found()
        # The service found no conflict under its lock: none to read again; its lines as saved.
        photos = loaded.photos if loaded is not None else list(card.photos.order_by("added_at", "pk"))
        return Response(self.scorecard_data(assignment, card, conflicts=[], parts=(card.saved_lines, photos)))

    def add_photo(self, assignment, data):
        """One photo added (the multipart `data`: file, caption) as a Response: 201 with the
        photo and the card's version, or the refusal."""
        parsed = PhotoWriteSerializer(data=data)
        if not parsed.is_valid():
            return _invalid(parsed.errors)
        try:
            photo = scoring_services.photo_add(
                assignment=assignment,
                uploaded_file=parsed.validated_data["file"],
                user=self.request.user,
                caption=parsed.validated_data["caption"],
            )
        except ScoringRefused as refused:
            return self.refusal(refused, assignment)
        photo.assignment_pk = assignment.pk
        data = {"photo": photo, "scorecard_version": photo.scorecard.version}
        return Response(PhotoAddedSerializer(data, context={"links": self.links}).data, status=status.HTTP_201_CREATED)

    def remove_photo(self, assignment, photo_id):
        """One photo removed as a Response (204, or the refusal); Http404 when it is not on the
        card (never was, or another tab removed it first)."""
        photo = scoring_selectors.own_photo(assignment, photo_id)
        if photo is None:
            raise Http404
        photo.scorecard.assignment = assignment
        try:
            removed = scoring_services.photo_delete(photo=photo, user=self.request.user)
        except ScoringRefused as refused:
            return self.refusal(refused, assignment)
        if not removed:  # another tab removed it first
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- reads ------------------------------------------------------------------------------------


class AssignmentListView(ScoringView):
    @extend_schema(
        operation_id="v1_o_appraisal_assignments_list",
        parameters=[AssignmentFilterSerializer],
        responses={200: AssignmentListSerializer, 400: REFUSED},
        summary="Các mô hình được phân công cho tôi (kèm hồ sơ, minh chứng, phiếu chấm), theo ngày khảo sát",
        description=(
            "Chỉ các phân công của chính người dùng tại các đoàn thẩm định của tổ chức này. Số truy vấn cố định "
            "dù nhiều hay ít phân công."
        ),
    )
    def get(self, request, org_code):
        filters = AssignmentFilterSerializer(data=request.query_params)
        if not filters.is_valid():
            return _invalid(filters.errors)
        rows = scoring_selectors.member_assignments(
            request.user, self.organization, board=filters.validated_data.get("board")
        )
        # The list's shape is AssignmentListSerializer's (the schema); its items are made by
        # assignment_item, which gives the same output faster.
        return Response(
            {"counts": scoring_selectors.counts(rows), "results": [assignment_item(a, self.links) for a in rows]}
        )


class AssignmentDetailView(ScoringView):
    @extend_schema(responses={200: AssignmentSerializer, 404: NOT_FOUND}, summary="Một phân công của tôi")
    def get(self, request, org_code, pk):
        return Response(self.item_data(self.assignment().pk))


class EvidenceFileView(ScoringView):
    thumbnail = False

    @extend_schema(responses={(200, "*/*"): FILE, 404: NOT_FOUND}, summary="Tệp minh chứng của mô hình được phân công")
    def get(self, request, org_code, pk, evidence_id):
        evidence = scoring_selectors.own_evidence(self.assignment(), evidence_id)
        if evidence is None:
            raise Http404
        if self.thumbnail:
            if not evidence.thumbnail:
                raise Http404
            return stored_file_response(evidence.thumbnail, content_type="image/jpeg")
        # A photo (sniffed as one on upload) opens on the tablet; any other file downloads.
        filename = None if evidence.kind == EvidenceKind.IMAGE else evidence.download_name
        return stored_file_response(evidence.file, filename=filename, content_type=evidence.content_type)


class EvidenceThumbnailView(EvidenceFileView):
    thumbnail = True

    @extend_schema(responses={(200, "image/jpeg"): FILE, 404: NOT_FOUND}, summary="Ảnh thu nhỏ của minh chứng")
    def get(self, request, org_code, pk, evidence_id):
        return super().get(request, org_code, pk, evidence_id)


class ScorecardView(ScoringView):
    @extend_schema(
        responses={200: ScorecardSerializer, 404: NOT_FOUND},
        summary="Phiếu chấm của tôi cho một mô hình (version 0 khi chưa có), kèm bộ tiêu chí",
    )
    def get(self, request, org_code, pk):
        assignment = self.assignment()
        card = Scorecard.objects.filter(assignment=assignment).first()
        return Response(self.scorecard_data(assignment, card))

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=ScorecardWriteSerializer,
        responses={200: ScorecardSerializer, 400: REFUSED, 403: CONFLICTED, 404: NOT_FOUND, 409: STALE},
        summary="Lưu phiếu chấm (bản nháp, hoặc nộp luôn với submit), dựa trên version đã đọc",
        description=(
            "Thay toàn bộ phiếu: tiêu chí không gửi là chưa chấm. Điểm từ 0 đến điểm tối đa của tiêu chí (400 nêu "
            "tên tiêu chí). version cũ hơn bản trên máy chủ: 409 stale kèm `current`; phiếu đã nộp: 409 submitted. "
            "Không bao giờ gộp tự động: “giữ bản của tôi” là một lần ghi mới với version của máy chủ và mã mới."
        ),
    )
    @idempotent_api
    def put(self, request, org_code, pk):
        return self.save_scorecard(self.assignment_or_none(pk), request.data)


class ScorecardSubmitView(ScoringView):
    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=VersionSerializer,
        responses={200: ScorecardSerializer, 400: REFUSED, 403: CONFLICTED, 404: NOT_FOUND, 409: STALE},
        summary="Nộp phiếu chấm như đang lưu (đủ các tiêu chí bắt buộc); sau đó phiếu bị khóa",
    )
    @idempotent_api
    def post(self, request, org_code, pk):
        assignment = self.assignment()
        parsed = VersionSerializer(data=request.data)
        if not parsed.is_valid():
            return _invalid(parsed.errors)
        try:
            card = scoring_services.scorecard_submit(
                assignment=assignment, expected_version=parsed.validated_data["version"], user=request.user
            )
        except ScoringRefused as refused:
            return self.refusal(refused, assignment)
        return Response(self.scorecard_data(assignment, card, conflicts=[]))


class ScorecardReopenView(ScoringView):
    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=ReasonSerializer,
        responses={
            200: ScorecardSerializer,
            400: REFUSED,
            403: OpenApiResponse(description="Không phải Trưởng đoàn"),
            404: NOT_FOUND,
            409: STALE,
        },
        summary="Trưởng đoàn mở lại một phiếu đã nộp, kèm lý do (ghi vết, báo cho thành viên)",
        description="Câu trả lời không kèm điểm, nhận xét của thành viên (chấm độc lập).",
    )
    @idempotent_api
    def post(self, request, org_code, pk):
        user = request.user
        assignment = object_or_404(
            request,
            Assignment.objects.filter(board__organization=self.organization).select_related(
                "board__campaign", "board__organization", "member__user", "registration__organization"
            ),
            pk=pk,
        )
        if not user.has_perm("appraisal.reopen_scorecard", assignment):
            # Another member's card is not found; one's own is there but not theirs to reopen.
            if not user.has_perm("appraisal.view_assignment", assignment):
                raise Http404
            return Response(
                {"detail": _("Chỉ Trưởng đoàn mở lại được phiếu chấm đã nộp."), "code": "forbidden", "fields": {}},
                status=status.HTTP_403_FORBIDDEN,
            )
        parsed = ReasonSerializer(data=request.data)
        if not parsed.is_valid():
            return _invalid(parsed.errors)
        try:
            card = scoring_services.scorecard_reopen(
                assignment=assignment, reason=parsed.validated_data["reason"], user=user
            )
        except ScoringRefused as refused:
            # Without `current`: the head reads none of another member's scores.
            body = {"detail": " ".join(refused.messages), "code": refused.code, "fields": refused.fields}
            return Response(body, status=refused.status)
        own = assignment.member.user_id == user.pk
        return Response(self.scorecard_data(assignment, card, blind=not own))


class PhotoListView(ScoringView):
    # Checked by dvk.uploads before the body is read (Content-Length).
    dvk_upload = True

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request={"multipart/form-data": PhotoWriteSerializer},
        responses={201: PhotoAddedSerializer, 400: REFUSED, 403: CONFLICTED, 404: NOT_FOUND, 413: TOO_LARGE},
        summary="Thêm ảnh chụp tại chỗ vào phiếu chấm của tôi (ảnh thật, theo nội dung tệp)",
    )
    @idempotent_api
    def post(self, request, org_code, pk):
        return self.add_photo(self.assignment(), request.data)


class PhotoView(ScoringView):
    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        responses={204: None, 403: CONFLICTED, 404: NOT_FOUND, 409: STALE},
        summary="Xóa một ảnh khỏi phiếu chấm (bản nháp) của tôi",
    )
    @idempotent_api
    def delete(self, request, org_code, pk, photo_id):
        return self.remove_photo(self.assignment(), photo_id)


class PhotoFileView(ScoringView):
    thumbnail = False

    @extend_schema(responses={(200, "image/*"): FILE, 404: NOT_FOUND}, summary="Ảnh chụp tại chỗ của phiếu chấm")
    def get(self, request, org_code, pk, photo_id):
        photo = scoring_selectors.own_photo(self.assignment(), photo_id)
        if photo is None:
            raise Http404
        if self.thumbnail:
            if not photo.thumbnail:
                raise Http404
            return stored_file_response(photo.thumbnail, content_type="image/jpeg")
        return stored_file_response(photo.file, content_type=photo.content_type)


class PhotoThumbnailView(PhotoFileView):
    thumbnail = True

    @extend_schema(responses={(200, "image/jpeg"): FILE, 404: NOT_FOUND}, summary="Ảnh thu nhỏ")
    def get(self, request, org_code, pk, photo_id):
        return super().get(request, org_code, pk, photo_id)


class ConflictDeclareView(ScoringView):
    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=ReasonSerializer,
        responses={
            201: AssignmentSerializer,
            400: REFUSED,
            404: NOT_FOUND,
            409: OpenApiResponse(RefusalSerializer, description="Đã ghi nhận xung đột (conflicted) hoặc đã khóa"),
        },
        summary="Tự khai xung đột lợi ích với mô hình được phân công (như trên trang), kèm lý do",
    )
    @idempotent_api
    def post(self, request, org_code, pk):
        assignment = self.assignment()
        parsed = ReasonSerializer(data=request.data)
        if not parsed.is_valid():
            return _invalid(parsed.errors)
        try:
            assignment_services.conflict_declare(
                assignment=assignment, user=request.user, reason=parsed.validated_data["reason"]
            )
        except DjangoValidationError as error:
            if hasattr(error, "error_dict"):
                return _invalid(error.message_dict)
            code = "conflicted" if board_is_open(assignment.board) else "closed"
            return Response({"detail": " ".join(error.messages), "code": code, "fields": {}}, status=409)
        return Response(self.item_data(assignment.pk), status=status.HTTP_201_CREATED)


class ChangesView(ScoringView):
    @extend_schema(
        parameters=[ChangesFilterSerializer],
        responses={200: ChangesSerializer, 400: REFUSED},
        summary="Những gì đã thay đổi với các phân công của tôi từ lần đọc trước (cursor)",
        description=(
            "Được phân công, thôi phân công, phiếu được mở lại, xung đột được ghi nhận, khóa hoặc mở lại chấm "
            "điểm (cho cả đoàn). Cũ trước; tối đa 500 mỗi lần, `more` khi còn."
        ),
    )
    def get(self, request, org_code):
        filters = ChangesFilterSerializer(data=request.query_params)
        if not filters.is_valid():
            return _invalid(filters.errors)
        since = filters.validated_data["since"]
        rows, more = scoring_selectors.changes_for(request.user, self.organization, since)
        data = {"cursor": rows[-1].pk if rows else since, "more": more, "changes": rows}
        return Response(ChangesSerializer(data).data)


class BatchView(ScoringView):
    @extend_schema(
        request=BatchSchemaSerializer,
        responses={200: BatchResultsSerializer, 400: REFUSED},
        summary="Nhiều lần ghi phiếu chấm một lúc (hộp thư đi của máy tính bảng), trả lời từng mục",
        description=(
            "Mỗi mục là một lần ghi như PUT phiếu chấm, với mã chống gửi trùng `key` của riêng nó (không dùng "
            "header Idempotency-Key): gửi lại cả lô thì không mục nào được ghi hai lần. Mỗi mục ghi riêng: một mục "
            "sai được báo trong kết quả của nó, các mục đúng vẫn được ghi. Tối đa 100 mục."
        ),
    )
    def post(self, request, org_code):
        parsed = BatchSerializer(data=request.data)
        if not parsed.is_valid():
            return _invalid(parsed.errors)
        items = parsed.validated_data["items"]
        # The user's own assignments among the items, in one query (as `appraisal.view_assignment`
        # says: theirs, with the grant), rather than two permission queries per item.
        own = scoring_selectors.own_assignments(
            request.user, self.organization, {pk for raw in items if (pk := parse_id(raw.get("assignment", "")))}
        )
        # One transaction, each item in its own savepoint (run_once's): a refused item rolls
        # back only itself, and the batch pays one commit, not one per item. A replay of the
        # same batch running meanwhile waits on the first item's key, then answers each item
        # from the claims this one made.
        with transaction.atomic():
            # Every item's assignment locked in id order first, with what its write checks.
            loaded = scoring_services.lock_for_writes(own.values())
            results = [self._item(raw, own, loaded) for raw in items]
        return Response(BatchResultsSerializer({"results": results}).data)

    def _item(self, raw, own, loaded):
        key = raw.get("key") if isinstance(raw.get("key"), str) else None
        pk = parse_id(raw.get("assignment", ""))
        result = {"key": key, "assignment": pk, "replayed": False}
        if key is None or pk is None:
            errors = BatchItemSerializer(data=raw)
            errors.is_valid()
            return {**result, "status": 400, "body": _invalid(errors.errors).data}
        # The same fingerprint as the PUT of this card with this body: a write sent once as
        # a PUT and again in a batch (or the reverse) under one key is applied once.
        path = reverse("api:appraisal_scorecard", kwargs={"org_code": self.organization.code, "pk": pk})
        body = {k: v for k, v in raw.items() if k not in ("key", "assignment")}
        try:
            response = api_once(
                user=self.request.user,
                key=key,
                request_digest=fingerprint("PUT", path, body),
                perform=lambda: self.save_scorecard(own.get(pk), body, loaded.get(pk)),
            )
        except KeyRefused as refused:
            return {**result, "status": refused.status, "body": {"detail": refused.message, "code": refused.code}}
        replayed = response.get("Idempotent-Replay") == "true"
        return {**result, "status": response.status_code, "body": response.data, "replayed": replayed}
