"""Board seats: a board member reaches the board's pages under the board's organisation,
whatever their own memberships (seed 004's Front chairman holds his role at the Front's unit).
`board_seats` is joined to dvk.seats in AppConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dvk.seats import Seat

from .enums import APPRAISABLE_CAMPAIGN_STATUSES
from .models import BoardMember


def board_members_of_user(user):
    """{board id: BoardMember} of the user's own seats with their boards, organisations and
    campaigns: one query per request (cached on the user object, which a request holds once),
    whatever the number of seats.

    The tenancy check needs these before a scope exists, as it needs memberships, so they are
    read through the door, filtered by the asking user: only their own rows."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_appraisal_board_members", None)
    if cached is None:
        rows = (
            BoardMember.objects.all_tenants()
            .filter(user=user)
            .select_related("board__organization", "board__campaign")
            .order_by("board__organization__path", "board_id")
        )
        cached = {m.board_id: m for m in rows}
        user._appraisal_board_members = cached
    return cached


def board_seats(user):
    """Seats of `user` on boards whose campaign may be appraised (published or closed)."""
    return [
        Seat(
            organization=m.board.organization,
            # The member's own place on the board, so the switcher says what the seat is.
            label=_("%(role)s, Đoàn thẩm định – %(number)s")
            % {"role": m.get_role_display(), "number": m.board.campaign.number},
            url=reverse("appraisal:board", kwargs={"org_code": m.board.organization.code, "pk": m.board_id}),
            work_label=_("Chấm điểm"),
            work_url=reverse("appraisal:scoring", kwargs={"org_code": m.board.organization.code}),
        )
        for m in board_members_of_user(user).values()
        if m.board.campaign.status in APPRAISABLE_CAMPAIGN_STATUSES
    ]
