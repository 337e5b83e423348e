"""Scoring reminders: board members who have not submitted are reminded before a survey
window ends. Sent by the campaigns' daily sweep, which this module joins as a SweepExtension
(registered in AppConfig.ready; campaigns imports nothing of appraisal).

What is chased
    Every board whose campaign is published or closed and whose scoring is not closed, at
    each occurrence of each of its campaign's survey milestones (kind "survey", the window of
    the field visits, visit_services.survey_windows): the occurrence's due date is the end of
    the window. A voting member with at least one assigned registration that they are not
    conflicted on (conflicts.conflicts_for: role, subject, declared, recusal) and whose
    scorecard is not submitted (none yet, or a draft) is reminded; their message lists what
    is left to score and links to their scoring list. A member who submitted everything,
    a non-voting member and a member left only with conflicted registrations get nothing.

Offsets, catch-up, once
    The campaigns' rules, with the campaigns' helpers (campaigns.reminders): an offset of
    DVK_REMINDER_OFFSETS is due when end - d <= today <= end; every due offset gets its row
    (unique per milestone, occurrence, member, offset), only the nearest is sent and the
    others are recorded as superseded. Rows are inserted with ignore_conflicts, claimed with
    the same conditional UPDATE (claim timeout, attempts), mailed through one connection,
    then marked sent with their notifications in one transaction. A pending row that should
    no longer go out (the window ended, the member caught up, scoring was closed, the
    campaign archived) is superseded.

Tenancy
    A background job serving every board: it reads across tenants with `all_tenants()`
    (docs/TENANCY.md), and computes a board's conflicts in the scope of the board's own
    organisation. A few queries per board whose window ends within the offsets; none for
    the others.
"""

from collections import defaultdict
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from campaigns import reminders as campaign_reminders
from campaigns.models import Milestone
from dvk.links import site_url
from dvk.notifications import notifications_create

from .conflicts import conflicts_for
from .enums import APPRAISABLE_CAMPAIGN_STATUSES, ScorecardStatus, ScoringReminderStatus
from .models import Assignment, BoardMember, ScoringReminder
from .visit_services import SURVEY

BATCH_TASK = "appraisal.send_scoring_reminder_batch"
# A reminder row's key (the unique constraint scoring_reminder_once).
ROW_KEY = ("milestone_id", "occurrence", "member_id", "offset_days")
# At most this many registrations are named in one message; the link shows the rest.
LISTED = 20


def sweep(*, today=None, now=None, dispatch=None):
    """Records one row per (survey occurrence, member, due offset) for the members with work
    left, supersedes what should no longer go out, claims the rest and hands each batch to
    `dispatch(ids=[...], claim_token=...)` (default: `send_batch` inline).
    Side effects: ScoringReminder rows inserted, superseded and claimed; whatever `dispatch`
    does. Returns counts."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    dispatch = dispatch or partial(send_batch, today=today)
    wanted, rows = _plan(today)
    rows = campaign_reminders.not_yet_recorded(
        rows, ScoringReminder, ("milestone_id", "occurrence", "member_id", "offset_days")
    )
    ScoringReminder.objects.all_tenants().bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    superseded, batches, exhausted = _sort_pending(wanted, now)
    stats = {"new_rows": len(rows), "chased": len(wanted), "superseded": superseded, "exhausted": exhausted}
    stats.update(claimed=0, batches=0, sent=0, messages=0, notifications=0)
    for ids in batches:
        claimed, token = campaign_reminders.claim(ScoringReminder, ids, now)
        if not claimed:
            continue
        stats["claimed"] += len(claimed)
        stats["batches"] += 1
        result = dispatch(ids=claimed, claim_token=token)
        if isinstance(result, dict):
            for key in ("sent", "messages", "notifications"):
                stats[key] += result.get(key, 0)
    return stats


EXTENSION = campaign_reminders.SweepExtension(name="scoring", sweep=sweep, batch_task=BATCH_TASK)


def _plan(today):
    """(wanted, rows): wanted maps (milestone, occurrence, member) to the offset to send; rows
    are every ScoringReminder due today, the ones not to send already superseded."""
    milestones = (
        Milestone.objects.all_tenants()
        .filter(
            kind__code=SURVEY,
            campaign__status__in=APPRAISABLE_CAMPAIGN_STATUSES,
            campaign__board__isnull=False,
            campaign__board__scoring_closed_at__isnull=True,
        )
        .select_related("campaign__board__organization", "campaign__board__campaign")
        .order_by("pk")
    )
    due_by_board = defaultdict(list)  # board: [(milestone, end, due offsets)]
    for milestone in milestones:
        for end in milestone.occurrences():
            offsets = campaign_reminders.offsets_due(end, today)
            if offsets:
                due_by_board[milestone.campaign.board].append((milestone, end, offsets))

    wanted, rows = {}, []
    for board, occurrences in due_by_board.items():
        left = _left_to_score(board)
        for milestone, end, offsets in occurrences:
            nearest = min(offsets)
            for member_id, details in left.items():
                wanted[(milestone.pk, end, member_id)] = nearest
                rows.extend(
                    ScoringReminder(
                        milestone_id=milestone.pk,
                        occurrence=end,
                        member_id=member_id,
                        offset_days=offset,
                        status=ScoringReminderStatus.PENDING if offset == nearest else ScoringReminderStatus.SUPERSEDED,
                        details=details,
                    )
                    for offset in offsets
                )
    # One insertion order for every sweep, so two sweeps at once never wait on each other crosswise.
    rows.sort(key=lambda r: (r.milestone_id, r.occurrence, r.member_id, r.offset_days))
    return wanted, rows


def _left_to_score(board):
    """{member id: details} of the voting members of `board` with assigned, non-conflicted
    registrations whose scorecard is not submitted; details hold who is told and what is left
    (in tree order). Three queries, in the scope of the board's organisation."""
    with scope(org=board.organization):
        assignments = list(
            Assignment.objects.filter(board=board, member__voting=True, member__user__is_active=True)
            .exclude(scorecard__status=ScorecardStatus.SUBMITTED)
            .select_related("member", "registration__organization", "registration__initiative")
            .order_by("member_id", "registration__organization__path", "registration_id")
        )
        conflicts = conflicts_for(board, [(a.member, a.registration) for a in assignments])
    left = {}
    for a in assignments:
        if (a.member_id, a.registration_id) in conflicts:
            continue
        details = left.setdefault(a.member_id, {"user": a.member.user_id, "left": [], "count": 0})
        details["count"] += 1
        if len(details["left"]) < LISTED:
            details["left"].append({"name": a.registration.initiative.name, "unit": a.registration.organization.name})
    return left


def _sort_pending(wanted, now):
    """Supersedes pending rows no longer to send; puts the rest into batches to claim (each row
    is one message). Returns (superseded count, batches of ids, count of rows out of attempts)."""
    cutoff = campaign_reminders.claim_cutoff(now)
    pending = (
        ScoringReminder.objects.all_tenants()
        .filter(campaign_reminders.claimable(cutoff))
        .values_list("id", "milestone_id", "occurrence", "member_id", "offset_days", "attempts")
        .order_by("id")
    )
    stale, groups, exhausted = [], [], 0
    for pk, milestone_id, occurrence, member_id, offset, attempts in pending:
        if wanted.get((milestone_id, occurrence, member_id)) != offset:
            stale.append(pk)
        elif attempts >= settings.DVK_REMINDER_MAX_ATTEMPTS:
            exhausted += 1
        else:
            groups.append([pk])
    superseded = 0
    if stale:
        superseded = (
            ScoringReminder.objects.all_tenants()
            .filter(campaign_reminders.claimable(cutoff), id__in=stale)
            .update(status=ScoringReminderStatus.SUPERSEDED)
        )
    return superseded, campaign_reminders.batches_of(groups), exhausted


# --- sending a batch ------------------------------------------------------------------------


def send_batch(*, ids, claim_token=None, now=None, today=None):
    """Sends the pending scoring reminders among `ids` (only those still held by
    `claim_token`, when given): one mail per row through one connection, then, in one
    transaction, the rows marked sent and a notification for each member told.

    A row whose window ended while it waited, or whose board closed scoring meanwhile, is not
    sent (superseded). Mail is handed off before the rows are marked: a crash in between sends
    it again (at least once). A fixed number of queries per batch, whatever its size."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    mine = campaign_reminders.held(ScoringReminder, ids, claim_token)
    rows = list(mine.order_by("id").values("id", "milestone_id", "occurrence", "member_id", "offset_days", "details"))
    members = (
        BoardMember.objects.all_tenants()
        .filter(pk__in={r["member_id"] for r in rows})
        .select_related("user", "board__organization", "board__campaign")
    )
    members = {m.pk: m for m in members}
    dropped = {
        r["id"]
        for r in rows
        if r["occurrence"] < today
        or r["member_id"] not in members
        or members[r["member_id"]].board.scoring_closed_at is not None
    }
    if dropped:
        mine.filter(id__in=dropped).update(status=ScoringReminderStatus.SUPERSEDED)
        rows = [r for r in rows if r["id"] not in dropped]
    if not rows:
        return {"sent": 0, "messages": 0, "notifications": 0}
    milestones = Milestone.objects.all_tenants().select_related("kind").filter(pk__in={r["milestone_id"] for r in rows})
    milestones = {m.pk: m for m in milestones}

    outgoing = {}  # row id: (user, subject, body, organisation id, path)
    for row in rows:
        member = members[row["member_id"]]
        outgoing[row["id"]] = _message(row, member, milestones[row["milestone_id"]], today)
    mails = [
        EmailMessage(subject, body, None, [user.email])
        for user, subject, body, _org, _path in outgoing.values()
        if user.email and user.is_active
    ]
    if mails:
        get_connection().send_messages(mails)

    with transaction.atomic():
        marked = campaign_reminders.hold_for_marking(ScoringReminder, list(outgoing), claim_token)
        ScoringReminder.objects.all_tenants().filter(id__in=marked).update(
            status=ScoringReminderStatus.SENT, sent_at=now
        )
        created = notifications_create(
            items=[
                {"user_id": user.pk, "organization_id": org_id, "title": subject, "body": body, "url": path}
                for pk, (user, subject, body, org_id, path) in outgoing.items()
                if pk in marked and user.is_active
            ]
        )
    return {"sent": len(marked), "messages": len(mails), "notifications": created}


def scoring_path(board):
    """The member's scoring list under the board's organisation, narrowed to `board`."""
    return reverse("appraisal:scoring", kwargs={"org_code": board.organization.code}) + f"?board={board.pk}"


def _message(row, member, milestone, today):
    """(user, subject, body, organisation id, path) of one row's message."""
    board = member.board
    path = scoring_path(board)
    details = row["details"]
    context = {
        "member": member,
        "board": board,
        "campaign": board.campaign,
        "window_name": milestone.title or milestone.kind.name,
        "end": row["occurrence"],
        "days_left": (row["occurrence"] - today).days,
        "left": details.get("left", []),
        "count": details.get("count", 0),
        "more": max(0, details.get("count", 0) - len(details.get("left", []))),
        "link": f"{site_url()}{path}",
    }
    subject = get_template("appraisal/email/scoring_reminder_subject.txt").render(context)
    subject = " ".join(subject.split())[:255]
    body = get_template("appraisal/email/scoring_reminder_body.txt").render(context).strip() + "\n"
    return member.user, subject, body, board.organization_id, path
