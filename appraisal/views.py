"""Appraisal pages under /o/<org_code>/appraisal/.

The tenancy middleware has checked the user's role at the acting organisation and runs each
view in its scope: a campaign outside the scope is not found (404); a visible one the user
may not act on is refused (403). Writes go through appraisal.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.selectors import campaigns_here
from dvk.access import object_or_404, require_perm
from dvk.forms import attach_errors, form_status
from dvk.idempotency import idempotent
from dvk.seats import accepts_seat

from . import selectors, services
from .forms import RubricForm
from .rules import sits_on_board_of


@require_http_methods(["GET", "POST"])
@accepts_seat
@idempotent
def rubric(request, org_code, pk):
    """A campaign's rubric: read by whoever sees the campaign and by the members of its board
    (who score with it, through their seat if that is all they hold), edited by its level's
    staff. Through a seat, another campaign's rubric is not found."""
    org = request.organization
    campaign = object_or_404(request, campaigns_here(), None, pk=pk)
    view = selectors.rubric_of(campaign)
    if getattr(request, "via_seat", False) and not sits_on_board_of(request.user, view.rubric):
        raise Http404
    require_perm(request, "appraisal.view_rubric", view.rubric)
    can_change = request.user.has_perm("appraisal.change_rubric", view.rubric)
    locked = services.rubric_locked(view.rubric)
    form = None
    if request.method == "POST":
        require_perm(request, "appraisal.change_rubric", view.rubric)
    if can_change:
        form = RubricForm(request.POST or None, view=view)
        if request.method == "POST" and form.is_valid():
            try:
                services.rubric_save(campaign=campaign, user=request.user, **form.service_kwargs())
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu bộ tiêu chí thẩm định."))
                return redirect("appraisal:rubric", org_code=org.code, pk=campaign.pk)
    context = {
        "org": org,
        "campaign": campaign,
        "rubric": view,
        "form": form,
        "locked": locked,
        # Through a seat the campaign page is closed: back goes to the board (the seat's page).
        "back_url": request.seat.url if getattr(request, "via_seat", False) else None,
    }
    return render(request, "appraisal/rubric.html", context, status=form_status(request))


def rubric_panel(request, campaign):
    """The campaign page's panel (campaigns.panels): the rubric in brief, with its page."""
    view = selectors.rubric_of(campaign)
    if not request.user.has_perm("appraisal.view_rubric", view.rubric):
        return None
    return "appraisal/_rubric_panel.html", {"rubric": view}
