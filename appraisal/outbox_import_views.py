"""The staff import of a member's outbox file, under the board's pages:
/o/<board's organisation>/appraisal/boards/<id>/outbox-import/.

For staff of the board's level (`appraisal.change_board`); no seat (a member through a seat
is not staff). The page holds the upload form and the board's earlier imports; a file is
checked whole and refused with its reasons (400, nothing changed), or applied and recorded
(appraisal.outbox_import), and the result page lists what became of each item."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from dvk.access import object_or_404
from dvk.idempotency import idempotent
from dvk.uploads import upload_view

from . import outbox_import as service
from .board_views import board_or_404
from .forms import OutboxImportForm
from .models import OutboxImport

# The board's earlier imports the page lists, newest first.
EARLIER_SHOWN = 50


def _page(request, board, form, refusal=None, status=200):
    earlier = list(OutboxImport.objects.filter(board=board).select_related("member", "imported_by")[:EARLIER_SHOWN])
    context = {"org": request.organization, "board": board, "form": form, "refusal": refusal, "earlier": earlier}
    return render(request, "appraisal/outbox_import.html", context, status=status)


@upload_view(max_file_setting="DVK_OUTBOX_IMPORT_MAX_BYTES")
@require_http_methods(["GET", "POST"])
@idempotent
def outbox_import(request, org_code, pk):
    """ "Nhập tệp hộp thư đi của thành viên": the form and the earlier imports (GET); a file
    applied for its member, then its result page (POST)."""
    board = board_or_404(request, pk, "appraisal.change_board")
    if request.method != "POST":
        return _page(request, board, OutboxImportForm())
    form = OutboxImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, board, form, status=400)
    try:
        outbox = service.read_outbox(board, form.cleaned_data["file"])
    except service.OutboxRefused as refused:
        return _page(request, board, OutboxImportForm(), refusal=refused.messages, status=400)
    record = service.outbox_import(board=board, outbox=outbox, user=request.user)
    return redirect(
        "appraisal:outbox_import_result", org_code=request.organization.code, pk=board.pk, import_pk=record.pk
    )


@require_GET
def outbox_import_result(request, org_code, pk, import_pk):
    """What became of each item of one import."""
    board = board_or_404(request, pk, "appraisal.change_board")
    record = object_or_404(
        request, OutboxImport.objects.select_related("member", "imported_by"), board=board, pk=import_pk
    )
    results = record.results
    context = {
        "org": request.organization,
        "board": board,
        "record": record,
        "results": results,
        "submits_left": sum(1 for r in results if r.get("submit_left")),
    }
    return render(request, "appraisal/outbox_import_result.html", context)
