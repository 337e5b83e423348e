"""Reads of assignments: which registrations a board takes, who is assigned what, and a
member's own work. Inside the request's scope (the tenant managers apply the rules).

A board takes the registrations made directly under its campaign (not under plans derived
from it: those belong to the derived level's board), accepted, in progress or completed,
while the campaign is published or closed. A registration of the board's own organisation
cannot be appraised by that board: it is one for the level above (`for_upper_level`)."""

from django.utils.translation import gettext as _

from models_registry.models import Registration
from models_registry.selectors import DEFAULT_SORT, registrations_for_list

from .conflicts import conflicts_for
from .enums import APPRAISABLE_CAMPAIGN_STATUSES, APPRAISABLE_REGISTRATION_STATUSES
from .models import Assignment


def board_is_open(board):
    """Whether the board may still be given work: its campaign is published or closed."""
    return board.campaign.status in APPRAISABLE_CAMPAIGN_STATUSES


def _board_registrations(board, **filters):
    status = filters.pop("status", None)
    return registrations_for_list(
        board.organization,
        campaign=board.campaign,
        campaign_exact=True,
        status=status if status in APPRAISABLE_REGISTRATION_STATUSES else None,
        statuses=APPRAISABLE_REGISTRATION_STATUSES,
        **filters,
    ).filter(organization__path__startswith=board.organization.path)


def eligible_registrations(board, *, field=None, status=None, subtree=None, search="", sort=DEFAULT_SORT):
    """The registrations `board` may appraise, with the registration list's filters
    (models_registry.selectors.registrations_for_list): `field`, one appraisable `status`,
    `subtree` (an organisation of the board's subtree), `search`, `sort`. None while the
    campaign is a draft or archived."""
    if not board_is_open(board):
        return Registration.objects.none()
    qs = _board_registrations(board, field=field, status=status, subtree=subtree, search=search, sort=sort)
    return qs.exclude(organization_id=board.organization_id)


def for_upper_level(board):
    """The board's own organisation's registrations under its campaign: not appraisable by
    this board, listed for the level above (để cấp trên thẩm định)."""
    if not board_is_open(board):
        return Registration.objects.none()
    return _board_registrations(board).filter(organization_id=board.organization_id)


def why_not_eligible(board, registration):
    """Why `board` may not take `registration` (a visible one), in Vietnamese; None if it may."""
    if not board_is_open(board):
        return _("kế hoạch đang ở trạng thái “%s”") % board.campaign.get_status_display()
    if registration.campaign_id != board.campaign_id:
        if registration.campaign.lineage.startswith(board.campaign.lineage):
            return _("đăng ký theo kế hoạch cấp dưới %s: do đoàn thẩm định cấp đó thẩm định") % (
                registration.campaign.number
            )
        return _("không đăng ký theo kế hoạch %s") % board.campaign.number
    if registration.status not in APPRAISABLE_REGISTRATION_STATUSES:
        return _("đang ở trạng thái “%s”, chưa được duyệt") % registration.get_status_display()
    if registration.organization_id == board.organization_id:
        return _("là mô hình của chính %s: để cấp trên thẩm định") % board.organization.name
    if not registration.organization.path.startswith(board.organization.path):
        return _("không thuộc phạm vi của đoàn")
    return None


def assignments_by_registration(board, registrations, members):
    """{registration id: [Assignment]} of `board` for `registrations`, each with its member
    taken from `members` (the board's, users loaded): one query of bare rows, whatever the
    number (a head's page holds every assignment of the board)."""
    found = {r.pk: [] for r in registrations}
    if not found:
        return found
    by_pk = {m.pk: m for m in members}
    rows = (
        Assignment.objects.filter(board=board, registration_id__in=found.keys())
        .only("pk", "board_id", "member_id", "registration_id")
        .order_by("member__position_order", "member_id")
    )
    for a in rows:
        a.member = by_pk[a.member_id]
        found[a.registration_id].append(a)
    return found


def assignment_rows(board, registrations, members):
    """What the assignment page shows of each registration: its assignments and, for every
    member, the conflicts (reasons). Three queries whatever the rows and members."""
    assigned = assignments_by_registration(board, registrations, members)
    conflicts = conflicts_for(board, [(m, r) for r in registrations for m in members])
    rows = []
    for r in registrations:
        by_member = {a.member_id: a for a in assigned[r.pk]}
        rows.append(
            {
                "registration": r,
                "assignments": assigned[r.pk],
                "members": [
                    {
                        "member": m,
                        "assignment": by_member.get(m.pk),
                        "conflicts": conflicts.get((m.pk, r.pk), []),
                    }
                    for m in members
                ],
                "conflicted": [(m, conflicts[(m.pk, r.pk)]) for m in members if (m.pk, r.pk) in conflicts],
            }
        )
    return rows


def assigned_registrations(board):
    """The registrations `board` has given to at least one member, in tree order (a queryset,
    so a page of it is one query)."""
    return (
        Registration.objects.filter(pk__in=Assignment.objects.filter(board=board).values("registration_id"))
        .select_related("organization", "initiative")
        .order_by("organization__path", "pk")
    )


def assignments_of_member(member):
    """`member`'s assignments with their registrations, units and conflicts: a list of
    (Assignment, [ConflictReason]). Three queries whatever the number."""
    rows = list(
        Assignment.objects.filter(member=member)
        .select_related(
            "registration__organization", "registration__initiative", "registration__field", "registration__campaign"
        )
        .order_by("registration__organization__path", "registration_id")
    )
    conflicts = conflicts_for(member.board, [(member, a.registration) for a in rows])
    return [(a, conflicts.get((member.pk, a.registration_id), [])) for a in rows]


def assignment_in_board(board, pk):
    """The assignment `pk` of `board`, with what its pages show, or None."""
    return (
        Assignment.objects.filter(board=board, pk=pk)
        .select_related(
            "member__user", "member__board", "registration__organization", "registration__initiative", "board__campaign"
        )
        .first()
    )
