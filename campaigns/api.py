"""Campaign API under /api/v1/o/<org_code>/campaigns/ (read-only; the tablets' view of the plans)."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from dvk.access import object_or_404, require_perm
from dvk.api import OrganizationScopedMixin

from . import selectors
from .compliance import compliance_report
from .enums import CampaignStatus
from .serializers import CampaignSerializer, ComplianceSerializer, target_row_data

STATUS_PARAMETER = OpenApiParameter(
    "status", OpenApiTypes.STR, enum=CampaignStatus.values, description="Chỉ các kế hoạch ở trạng thái này"
)
NODE_PARAMETER = OpenApiParameter(
    "node",
    OpenApiTypes.STR,
    description="Mã một tổ chức trong phạm vi để xem sâu (mặc định: tổ chức đang thao tác)",
)


class CampaignScopedMixin(OrganizationScopedMixin):
    def get_campaign(self, *, details=False):
        campaigns = selectors.campaigns_here()
        if details:
            campaigns = selectors.with_details(campaigns)
        return object_or_404(self.request, campaigns, "campaigns.view_campaign", pk=self.kwargs["pk"])


class CampaignListView(OrganizationScopedMixin, generics.ListAPIView):
    serializer_class = CampaignSerializer

    @extend_schema(
        parameters=[STATUS_PARAMETER],
        summary="Các kế hoạch: của cấp này, cấp trên (đã ban hành) và cấp dưới",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        org = self.organization
        status = self.request.query_params.get("status")
        rows = selectors.campaigns_for_list(
            org,
            status=status if status in CampaignStatus.values else None,
            include_drafts=self.request.user.has_perm("campaigns.add_campaign", org),
        )
        return selectors.with_details(rows)


class CampaignDetailView(CampaignScopedMixin, APIView):
    @extend_schema(responses=CampaignSerializer, summary="Một kế hoạch, với chỉ tiêu và mốc thời gian")
    def get(self, request, org_code, pk):
        return Response(CampaignSerializer(self.get_campaign(details=True)).data)


class CampaignComplianceView(CampaignScopedMixin, APIView):
    @extend_schema(
        parameters=[NODE_PARAMETER],
        responses=ComplianceSerializer,
        summary="Tình hình thực hiện chỉ tiêu của một nhánh cây, xem sâu từng cấp",
    )
    def get(self, request, org_code, pk):
        campaign = self.get_campaign()
        require_perm(request, "campaigns.view_compliance", self.organization)
        found = selectors.compliance_root(self.organization, campaign, request.query_params.get("node", "").strip())
        if found is None:
            raise Http404
        _start, node = found
        today = timezone.localdate()
        report = compliance_report(campaign, node, acting=self.organization, today=today)
        due = report.registration_due
        data = {
            "campaign": campaign,
            "node": node.code,
            "today": today,
            "registration_due": due,
            "days_left": (due - today).days if due else None,
            "from_snapshot": report.from_snapshot,
            "in_snapshot": report.in_snapshot,
            "root": report.root,
            "own": report.root.target_row,
            "totals": report.totals,
            "children": report.children,
            "targets": [],
        }
        payload = ComplianceSerializer(data).data
        payload["targets"] = [target_row_data(row) for row in report.targets]
        return Response(payload)
