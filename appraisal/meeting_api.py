"""The review meeting's API, under /api/v1/o/<board's organisation>/appraisal/boards/<id>/
(namespace "api"): the board's meetings, one meeting's minutes (as the page shows them), and
recording a ballot (the head or the secretary). The same services and rules as the pages
(appraisal.meetings); a ballot's PUT is idempotent (Idempotency-Key) and names the version it
was based on (0: none yet)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from dvk.api import OrganizationScopedMixin
from dvk.idempotency import idempotent_api, schema_parameter
from models_registry.serializers import VietnameseErrors

from . import meetings, selectors
from .enums import Attendance, Decision, MeetingStatus, VoteChoice
from .models import Meeting
from .results import seat_on
from .serializers import _values

IDEMPOTENCY_KEY = schema_parameter()


class MeetingPersonSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="user.display_name")
    role = serializers.CharField()
    voting = serializers.BooleanField()


class BallotSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    voters = serializers.IntegerField(help_text="Thành viên biểu quyết về mô hình (trừ người có xung đột lợi ích)")
    votes_for = serializers.IntegerField()
    votes_against = serializers.IntegerField()
    votes_abstain = serializers.IntegerField()
    decision = serializers.CharField(help_text=_values(Decision.values))


class MeetingRowSerializer(serializers.Serializer):
    registration = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    result = serializers.CharField(allow_null=True, help_text="Kết quả chưa làm tròn, khi khai mạc")
    rank = serializers.IntegerField(allow_null=True)
    band = serializers.CharField(allow_null=True)
    reached = serializers.BooleanField()
    ballot = BallotSerializer(allow_null=True)


class MeetingBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    held_on = serializers.DateField()
    held_at = serializers.TimeField(allow_null=True)
    place = serializers.CharField()
    status = serializers.CharField(help_text=_values(MeetingStatus.values))
    version = serializers.IntegerField()


class AttendanceRowSerializer(MeetingPersonSerializer):
    attendance = serializers.CharField(
        allow_null=True, help_text=_values(Attendance.values) + " (null: chưa điểm danh)"
    )


class MeetingSerializer(MeetingBriefSerializer):
    chair = MeetingPersonSerializer(allow_null=True)
    secretary = MeetingPersonSerializer(allow_null=True)
    opened_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    rules = serializers.DictField(help_text="Quy tắc đã chốt khi khai mạc (phân số a/b, ngưỡng điểm, quorum)")
    voting_members = serializers.IntegerField()
    present = serializers.IntegerField(help_text="Thành viên có quyền biểu quyết có mặt trực tiếp")
    quorum = serializers.IntegerField()
    attendance = AttendanceRowSerializer(many=True)
    results = MeetingRowSerializer(many=True, help_text="Danh sách xếp hạng đã chốt khi khai mạc")


class VoteWriteSerializer(VietnameseErrors, serializers.Serializer):
    member = serializers.IntegerField(min_value=1)
    choice = serializers.ChoiceField(choices=VoteChoice.values)


class BallotWriteSerializer(VietnameseErrors, serializers.Serializer):
    version = serializers.IntegerField(min_value=0, help_text="Phiên bản phiếu đã đọc (0: chưa có)")
    votes = VoteWriteSerializer(many=True)

    def validate_votes(self, votes):
        members = [v["member"] for v in votes]
        if len(members) != len(set(members)):
            raise serializers.ValidationError(_("Mỗi thành viên chỉ có một biểu quyết."))
        return votes


class MeetingRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="invalid, refused (400), stale (409)")
    fields = serializers.DictField()


REFUSED = OpenApiResponse(
    MeetingRefusalSerializer, description="Không ghi được (lý do bằng tiếng Việt); không có gì thay đổi"
)
NOT_FOUND = OpenApiResponse(description="Không có đoàn, cuộc họp hay mô hình này tại tổ chức này")


class MeetingView(OrganizationScopedMixin, APIView):
    accepts_seat = True

    def board(self, perm):
        board = selectors.boards_here().filter(pk=self.kwargs["pk"]).select_related("campaign").first()
        if board is None or (self.request.via_seat and seat_on(self.request.user, board) is None):
            raise Http404
        if not self.request.user.has_perm(perm, board):
            raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
        return board

    def meeting(self, board):
        meeting = (
            Meeting.objects.filter(board=board, pk=self.kwargs["meeting_pk"])
            .select_related("chair__user", "secretary__user")
            .first()
        )
        if meeting is None:
            raise Http404
        meeting.board = board
        return meeting

    def minutes_data(self, meeting):
        minutes = meetings.minutes_of(meeting, via_seat=self.request.via_seat, user=self.request.user)
        data = {
            **{name: getattr(meeting, name) for name in ("id", "held_on", "held_at", "place", "status", "version")},
            "chair": meeting.chair,
            "secretary": meeting.secretary,
            "opened_at": meeting.opened_at,
            "ended_at": meeting.ended_at,
            "rules": meeting.rules,
            "voting_members": minutes.voting,
            "present": minutes.present,
            "quorum": minutes.quorum,
            "attendance": [_with(m, attendance=minutes.roll.get(m.pk)) for m in minutes.members],
            "results": minutes.rows,
        }
        return MeetingSerializer(data).data


def _with(member, **extra):
    for name, value in extra.items():
        setattr(member, name, value)
    return member


class MeetingListView(MeetingView):
    @extend_schema(
        responses={200: MeetingBriefSerializer(many=True), 404: NOT_FOUND}, summary="Các cuộc họp bình xét của đoàn"
    )
    def get(self, request, org_code, pk):
        board = self.board("appraisal.view_results")
        rows = Meeting.objects.filter(board=board)
        return Response(MeetingBriefSerializer(rows, many=True).data)


class MeetingDetailView(MeetingView):
    @extend_schema(
        responses={200: MeetingSerializer, 404: NOT_FOUND},
        summary="Biên bản cuộc họp: điểm danh, quorum, danh sách đã chốt, biểu quyết và quyết định",
        description="Thành viên vào qua ghế trong đoàn chỉ thấy các mô hình được phân công cho mình.",
    )
    def get(self, request, org_code, pk, meeting_pk):
        board = self.board("appraisal.view_results")
        return Response(self.minutes_data(self.meeting(board)))


class BallotView(MeetingView):
    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=BallotWriteSerializer,
        responses={
            200: MeetingRowSerializer,
            400: REFUSED,
            403: OpenApiResponse(description="Không phải Trưởng đoàn hay Thư ký"),
            404: NOT_FOUND,
            409: REFUSED,
        },
        summary="Ghi biểu quyết về một mô hình của cuộc họp (Trưởng đoàn hoặc Thư ký)",
        description=(
            "Mỗi thành viên có mặt (hoặc vắng có phiếu bằng văn bản) và không có xung đột lợi ích biểu quyết một lần: "
            "for, against, abstain. Thiếu người, thừa người, người có xung đột, người vắng không có phiếu, cuộc họp "
            "không đủ số người có mặt: 400, không ghi gì. version cũ: 409 stale."
        ),
    )
    @idempotent_api
    def put(self, request, org_code, pk, meeting_pk, registration_pk):
        board = self.board("appraisal.record_meeting")
        meeting = self.meeting(board)
        row = next((r for r in meeting.results if r["registration"] == registration_pk), None)
        if row is None:
            raise Http404
        parsed = BallotWriteSerializer(data=request.data)
        if not parsed.is_valid():
            return Response(
                {"detail": _("Dữ liệu gửi lên không hợp lệ."), "code": "invalid", "fields": parsed.errors}, status=400
            )
        try:
            ballot = meetings.ballot_record(
                meeting=meeting,
                registration_id=registration_pk,
                votes={v["member"]: v["choice"] for v in parsed.validated_data["votes"]},
                expected_version=parsed.validated_data["version"],
                user=request.user,
            )
        except DjangoValidationError as error:
            stale = (
                any(getattr(e, "code", None) == "stale" for e in error.error_list)
                if hasattr(error, "error_list")
                else False
            )
            body = {"detail": " ".join(error.messages), "code": "stale" if stale else "refused", "fields": {}}
            return Response(body, status=status.HTTP_409_CONFLICT if stale else status.HTTP_400_BAD_REQUEST)
        return Response(MeetingRowSerializer({**row, "ballot": ballot}).data)
