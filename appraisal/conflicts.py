"""Conflicts of interest: why a board member may not score (nor vote on) a registration.

A member is conflicted on a registration when
- ROLE: they hold a membership at the registration's organisation, or at any organisation
  strictly between it and the board's organisation (not at the board's own: a commune staffer
  on the commune's board is not conflicted with every unit of the commune; the secretary of
  Chi bộ Xóm 5 is with Xóm 5's models, the Front's chairman with the Front's own model);
- SUBJECT: the registration is an individual's and `person_user` is the member;
- DECLARED / RECUSAL: a stored Conflict row (the member's declaration, the head's recusal).

ROLE and SUBJECT are computed from the tree as it is today, never stored. `conflicts_for`
answers many (member, registration) pairs in two queries, whatever their number, with the
reasons the screens show."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from campaigns.enums import SubjectType
from dvk.models import Membership

from .enums import ConflictKind
from .models import Conflict


@dataclass(frozen=True)
class ConflictReason:
    kind: str
    text: str
    # The stored row (DECLARED, RECUSAL), None for a computed reason.
    stored: Conflict | None = None

    @property
    def label(self):
        return ConflictKind(self.kind).label

    @property
    def computed(self):
        return self.stored is None


def _paths_between(board, registration):
    """Paths of the registration's organisation and of its ancestors strictly below the
    board's organisation (none when the registration is outside the board's subtree)."""
    org = registration.organization
    top = board.organization.path
    if not org.path.startswith(top):
        return []
    return [path for path in org.ancestor_paths() if len(path) > len(top)]


def conflicts_for(board, pairs):
    """{(member id, registration id): [ConflictReason]} for the conflicted pairs among `pairs`
    (BoardMember, Registration with its organisation loaded) of `board`; a pair missing from
    the answer is not conflicted. Two queries whatever the number of pairs, none when empty.
    Reads inside the request's scope (stored conflicts go through the tenant manager)."""
    pairs = [(m, r) for m, r in pairs]
    found = defaultdict(list)
    if not pairs:
        return found
    members = {m.pk: m for m, _r in pairs}
    registrations = {r.pk: r for _m, r in pairs}
    paths_of = {r.pk: _paths_between(board, r) for r in registrations.values()}
    wanted_paths = {p for paths in paths_of.values() for p in paths}
    users = {m.user_id for m in members.values()}

    # ROLE: the members' memberships on the way from the board's level down to each unit.
    # Membership has no scoped manager (it defines the scope); this reads only the members'
    # own rows, at organisations inside the board's subtree.
    roles = defaultdict(list)  # (user id, path) -> [Membership]
    if wanted_paths:
        rows = (
            Membership.objects.filter(
                user_id__in=users, organization__path__in=wanted_paths, organization__archived_at__isnull=True
            )
            .select_related("organization")
            .order_by("organization__path", "role")
        )
        for m in rows:
            roles[(m.user_id, m.organization.path)].append(m)

    stored = defaultdict(list)
    for c in Conflict.objects.filter(
        board=board, member_id__in=members.keys(), registration_id__in=registrations.keys()
    ).select_related("recorded_by"):
        stored[(c.member_id, c.registration_id)].append(c)

    for member, registration in pairs:
        key = (member.pk, registration.pk)
        if key in found:
            continue
        reasons = []
        for path in paths_of[registration.pk]:
            for m in roles.get((member.user_id, path), ()):
                reasons.append(
                    ConflictReason(
                        ConflictKind.ROLE,
                        _("Giữ vai trò “%(role)s” tại %(org)s.")
                        % {"role": m.get_role_display(), "org": m.organization.name},
                    )
                )
        if (
            registration.subject_type == SubjectType.INDIVIDUAL
            and registration.person_user_id is not None
            and registration.person_user_id == member.user_id
        ):
            reasons.append(ConflictReason(ConflictKind.SUBJECT, _("Là người được đề nghị trong đăng ký cá nhân này.")))
        for c in stored.get(key, ()):
            # The kind's label says who recorded it (ConflictReason.label); the text says when and why.
            text = _("ngày %(date)s: %(reason)s") % {"date": local_date(c.recorded_at), "reason": c.reason}
            reasons.append(ConflictReason(c.kind, text, c))
        if reasons:
            found[key] = reasons
    return found


def conflicts_of(assignment):
    """The reasons `assignment`'s member is conflicted on its registration ([] when none)."""
    board = assignment.board
    return conflicts_for(board, [(assignment.member, assignment.registration)]).get(
        (assignment.member_id, assignment.registration_id), []
    )


def stored_conflict(member, registration):
    """The stored Conflict of `member` on `registration`, or None."""
    return Conflict.objects.filter(member=member, registration=registration).first()


def local_date(moment):
    """`moment` as dd/mm/yyyy in the local time zone (Asia/Ho_Chi_Minh)."""
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%d/%m/%Y")


def conflicted_assignment_ids(board):
    """The ids of `board`'s assignments whose member is conflicted on the registration: the
    rule of `conflicts_for`, asked of the database for the whole board at once (results and
    progress aggregate over thousands of assignments). Two queries, whatever the number.

    ROLE: a membership of the member at an organisation strictly below the board's whose
    path begins the registration organisation's path (the registration's own or one between);
    SUBJECT: an individual registration about the member; DECLARED / RECUSAL: a stored row."""
    from .models import Assignment, BoardMember

    top = board.organization.path
    memberships = (
        Membership.objects.filter(
            user_id__in=BoardMember.objects.filter(board=board).values("user_id"),
            organization__path__startswith=top,
            organization__archived_at__isnull=True,
        )
        .exclude(organization_id=board.organization_id)
        .values_list("user_id", "organization__path")
    )
    conflicted = Q(registration__subject_type=SubjectType.INDIVIDUAL, registration__person_user_id=F("member__user_id"))
    for user_id, path in memberships:
        conflicted |= Q(member__user_id=user_id, registration__organization__path__startswith=path)
    stored = Exists(
        Conflict.objects.filter(member_id=OuterRef("member_id"), registration_id=OuterRef("registration_id"))
    )
    return set(Assignment.objects.filter(board=board).filter(stored | conflicted).values_list("pk", flat=True))
