"""Proposals up a level, at the receiving level: /o/<code>/appraisal/proposals/, the queue of
models lower levels' boards proposed to this one (appraisal.Proposal, `to` = this level), for
its staff. Each row: the model, its unit, the proposing level, the result and the ballot, the
state, when it came. Filter by state; 50 a page; a fixed number of queries.

Receiving, passing to this level's board and deciding come next (issue 14)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dvk.access import require_perm

from .enums import ProposalStatus
from .models import Proposal

PAGE_SIZE = 50


@require_GET
def proposal_queue(request, org_code):
    require_perm(request, "appraisal.receive_proposals", request.organization)
    status = request.GET.get("status", "")
    rows = (
        Proposal.objects.filter(to=request.organization)
        .select_related("registration__initiative", "registration__organization", "proposed_by", "ballot__meeting")
        .order_by("-sent_at", "-pk")
    )
    if status in ProposalStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "org": request.organization,
        "page": page,
        "status": status,
        "statuses": ProposalStatus.choices,
    }
    return render(request, "appraisal/proposals.html", context)
