"""Deadline reminders: the daily sweep, and the batch sender it hands its claims to.

What is chased
    For every published campaign (drafts, closed and archived ones get nothing) and each of its
    milestones whose kind chases "quota" or "report", at every occurrence of the milestone:
    "quota" chases the campaign's targets whose compliance is behind or overdue (compliance is
    computed once per campaign per sweep, whatever the number of milestones); "report" chases
    the organisations holding counted registrations of this campaign not yet completed
    (submitted, accepted, in progress). A unit inside a level that implements the campaign
    with its own open derived campaign registers there, so that campaign chases it, not this
    one: nobody is told the same thing twice. A compliant unit gets nothing.

Before the deadline: offsets, and the catch-up rule
    An offset d of DVK_REMINDER_OFFSETS (7, 3, 1) is due when due_on - d <= today <= due_on.
    Every due offset gets its row, but only the nearest (the smallest due offset) is sent;
    older ones not yet sent are marked superseded. So an offset whose day passed while the
    deadline has not is sent at the next sweep, once, and a unit that several offsets caught
    at once gets one mail: a first sweep two days before a deadline sends the 3-day reminder
    and records the 7-day one as superseded; the rows make any re-run a no-op. A pending
    reminder that should no longer go out (its deadline passed, its unit caught up, its
    campaign closed) is marked superseded too.

After the deadline: escalation
    From the day after the due day (a deadline is due at the end of the stored day,
    Asia/Ho_Chi_Minh), each unit still late gets an escalation row (kind escalation, offset 0),
    once per occurrence, and only while the deadline passed at most
    DVK_REMINDER_ESCALATION_WINDOW_DAYS ago, so a first run on an old database does not
    escalate years of history. The staff of the nearest ancestor that has staff get one
    message per occurrence listing all their late units: a batch never splits the rows of one
    (occurrence, ancestor).

Who is told
    A unit's secretaries; a unit with none is reminded through its own staff, else through the
    nearest ancestor's staff. Looked up in bulk: one query over the memberships of every
    involved organisation and its ancestors. Users without email still get the in-app
    notification.

Digests
    The units reminded through an ancestor's staff are not one message each: the staff of
    that ancestor get one digest per (occurrence, offset, ancestor) listing the units, what
    each misses and a link to each, sent by mail and in the notification centre. The rows
    stay one per unit (nothing is resent or skipped); a digest's rows are claimed in one batch,
    and its notifications are made in the transaction that marks its rows sent, from the rows
    it marked. A unit found behind later the same day, after its offset's digest went, gets
    a digest of its own at the next sweep.

Once, as far as mail allows
    Rows are inserted with bulk_create(ignore_conflicts=True) under the unique key (milestone,
    occurrence, organisation, kind, offset): two sweeps at once make one row per key. Rows to
    send are claimed in batches with a conditional UPDATE (pending, and unclaimed or claimed
    longer than DVK_REMINDER_CLAIM_TIMEOUT_MINUTES ago; attempts + 1, at most
    DVK_REMINDER_MAX_ATTEMPTS tries), handed to `dispatch` (inline, or one Celery task per
    batch) and marked sent after the hand-off to the mail backend. A re-run never resends what
    is marked sent; a claim whose worker died is retried by a later sweep after the timeout.

Later apps' reminders
    Campaigns import no later app. An app whose own reminders belong to the same daily sweep
    (appraisal's scoring reminders) registers a `SweepExtension` in its AppConfig.ready(); the
    sweep runs it after its own work and adds its counts to the stats under its name
    ("scoring_sent"...). Such an app keeps its own rows and claims them with the helpers below
    (`claim`, `batches_of`, `hold_for_marking`), so every reminder is claimed the same way.
"""

import datetime
import logging
import re
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.template.loader import get_template
from django.utils import timezone

from dvk.enums import Role
from dvk.links import site_url
from dvk.models import Membership, Organization, User
from dvk.notifications import notifications_create

from .compliance import compliance_report
from .enums import CampaignStatus, ComplianceStatus, RegistrationStatus, ReminderKind, ReminderStatus
from .models import Campaign, Milestone, Reminder

log = logging.getLogger(__name__)

CHASES = ("quota", "report")
LATE_STATUSES = (ComplianceStatus.BEHIND, ComplianceStatus.OVERDUE)
OPEN_REPORT_STATUSES = (RegistrationStatus.SUBMITTED, RegistrationStatus.ACCEPTED, RegistrationStatus.IN_PROGRESS)
STEP = Organization.steplen
LOOKUP_CHUNK = 5000

SWEEP_TASK = "campaigns.reminder_sweep"
SWEEP_SCHEDULE_NAME = "Quét nhắc hạn hằng ngày (campaigns.reminder_sweep)"
SWEEP_TIME_ZONE = "Asia/Ho_Chi_Minh"


# --- the sweep ------------------------------------------------------------------------------


@dataclass
class Late:
    """An organisation the sweep chases for one milestone, and what it is missing."""

    org: dict  # id, code, name, path
    missing: dict


def sweep(*, today=None, now=None, dispatch=None, extension_dispatch=None):
    """Finds who is behind, records one row per reminder, claims what is due and dispatches it;
    then runs every registered SweepExtension the same way.

    `dispatch(reminder_ids=[...], claim_token=...)` receives each claimed batch; the default
    sends it inline (`send_batch`, counting days from `today`), the Celery task enqueues a
    batch task instead. `extension_dispatch(extension)` gives the dispatch of an extension's
    batches (None, the default: the extension sends them inline).
    Side effects: Reminder rows inserted, superseded and claimed; whatever `dispatch` does;
    whatever the extensions do. Returns counts, an extension's prefixed with its name."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    dispatch = dispatch or partial(send_batch, today=today)
    wanted, rows = _plan(today)
    rows = not_yet_recorded(rows)
    Reminder.objects.all_tenants().bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    superseded, batches, exhausted = _sort_pending(wanted, now)
    stats = {
        "new_rows": len(rows),
        "chased": len(wanted),
        "superseded": superseded,
        "exhausted": exhausted,
        "claimed": 0,
        "batches": 0,
        "sent": 0,
        "messages": 0,
        "notifications": 0,
    }
    for ids in batches:
        claimed, token = claim(Reminder, ids, now)
        if not claimed:
            continue
        stats["claimed"] += len(claimed)
        stats["batches"] += 1
        result = dispatch(reminder_ids=claimed, claim_token=token)
        if isinstance(result, dict):
            for key in ("sent", "messages", "notifications"):
                stats[key] += result.get(key, 0)
    for extension in sweep_extensions():
        its_dispatch = extension_dispatch(extension) if extension_dispatch else None
        counts = extension.sweep(today=today, now=now, dispatch=its_dispatch)
        stats.update({f"{extension.name}_{key}": value for key, value in counts.items()})
    return stats


# --- what later apps join -------------------------------------------------------------------


@dataclass(frozen=True)
class SweepExtension:
    """A later app's reminders, swept by the daily sweep after the campaigns' own.

    `sweep(*, today, now, dispatch)` records, supersedes and claims the app's rows and hands
    each claimed batch to `dispatch(ids=[...], claim_token=...)` (None: send inline); it
    returns its counts. `batch_task` names the Celery task that sends one claimed batch (same
    keyword arguments), so the sweep task enqueues it without importing the app."""

    name: str
    sweep: Callable
    batch_task: str


_extensions = {}


def register_sweep_extension(extension):
    """Adds `extension` to the sweep (idempotent per name: AppConfig.ready may run twice)."""
    _extensions[extension.name] = extension


def sweep_extensions():
    return list(_extensions.values())


def reminder_offsets():
    """The days before a deadline a reminder is due (DVK_REMINDER_OFFSETS), ascending."""
    return sorted({int(d) for d in settings.DVK_REMINDER_OFFSETS if int(d) >= 0})


def offsets_due(due, today):
    """The offsets due on `today` for a deadline on `due`, nearest first ([] outside the reach
    of the largest offset and after the deadline). Every one gets its row; only the first
    (the nearest) is sent: the catch-up rule."""
    if today > due:
        return []
    return [d for d in reminder_offsets() if due - datetime.timedelta(days=d) <= today]


def _plan(today):
    """(wanted, rows): wanted maps (milestone, occurrence, organisation, kind) to the offset to
    send; rows are every Reminder due today, the ones not to send already superseded."""
    offsets = reminder_offsets()
    reach = max(offsets, default=-1)
    window = settings.DVK_REMINDER_ESCALATION_WINDOW_DAYS
    chasing = Milestone.objects.all_tenants().select_related("kind").filter(kind__chases__in=CHASES).order_by("pk")
    campaigns = (
        Campaign.objects.all_tenants()
        .filter(status=CampaignStatus.PUBLISHED)
        .select_related("organization")
        .prefetch_related(Prefetch("milestones", queryset=chasing))
        .order_by("pk")
    )
    implemented_below = defaultdict(list)
    for parent_id, path in (
        Campaign.objects.all_tenants()
        .filter(status=CampaignStatus.PUBLISHED, derived_from__isnull=False)
        .values_list("derived_from_id", "organization__path")
    ):
        implemented_below[parent_id].append(path)

    entries = []  # (milestone, due, kind, due offsets, [Late])
    for campaign in campaigns:
        due_now = []
        for milestone in campaign.milestones.all():
            for due in milestone.occurrences():
                if today <= due and today >= due - datetime.timedelta(days=reach):
                    due_offsets = [d for d in offsets if due - datetime.timedelta(days=d) <= today]
                    due_now.append((milestone, due, ReminderKind.REMINDER, due_offsets))
                elif today > due and (today - due).days <= window:
                    due_now.append((milestone, due, ReminderKind.ESCALATION, [0]))
        if not due_now:
            continue
        late = {}
        for milestone, due, kind, due_offsets in due_now:
            chases = milestone.kind.chases
            if chases not in late:
                late[chases] = _late_for(campaign, chases, today, implemented_below[campaign.pk])
            entries.append((milestone, due, kind, due_offsets, late[chases]))

    recipients = Recipients([late.org["path"] for *_rest, lates in entries for late in lates])
    wanted, rows = {}, []
    for milestone, due, kind, due_offsets, lates in entries:
        nearest = min(due_offsets)
        for late in lates:
            if kind == ReminderKind.REMINDER:
                via, to = recipients.for_reminder(late.org["path"])
            else:
                via, to = recipients.for_escalation(late.org["path"])
            details = {**late.missing, "via": via, "to": to}
            wanted[(milestone.pk, due, late.org["id"], kind)] = nearest
            for offset in due_offsets:
                rows.append(
                    Reminder(
                        milestone_id=milestone.pk,
                        occurrence=due,
                        organization_id=late.org["id"],
                        kind=kind,
                        offset_days=offset,
                        status=ReminderStatus.PENDING if offset == nearest else ReminderStatus.SUPERSEDED,
                        details=details,
                    )
                )
    # One insertion order for every sweep, so two sweeps at once never wait on each other crosswise.
    rows.sort(key=lambda r: (r.milestone_id, r.occurrence, r.organization_id, r.kind, r.offset_days))
    return wanted, rows


REMINDER_KEY = ("milestone_id", "occurrence", "organization_id", "kind", "offset_days")


def not_yet_recorded(rows, model=Reminder, key=REMINDER_KEY):
    """The rows whose key (`key`: attribute names, milestone and occurrence first) is not in
    `model`'s table yet, in one query. Only saves work: a row another sweep inserts meanwhile
    is still caught by the unique constraint. Shared with the apps' sweep extensions."""
    occurrences = {(r.milestone_id, r.occurrence) for r in rows}
    if not occurrences:
        return rows
    where = Q()
    for milestone_id, occurrence in occurrences:
        where |= Q(milestone_id=milestone_id, occurrence=occurrence)
    recorded = set(model.objects.all_tenants().filter(where).values_list(*key))
    return [r for r in rows if tuple(getattr(r, name) for name in key) not in recorded]


def _late_for(campaign, chases, today, implemented_below):
    """Organisations `campaign` chases for a milestone of this kind, with what they miss."""
    if chases == "quota":
        level = campaign.organization
        report = compliance_report(campaign, level, acting=level, today=today)
        lates = [
            Late(
                org=t.org,
                missing={
                    "required": [t.required.collective, t.required.individual, t.required.total],
                    "registered": [t.registered.collective, t.registered.individual, t.registered.total],
                },
            )
            for t in report.targets
            if t.status in LATE_STATUSES
        ]
    else:
        # Through the campaign's reverse relation (campaigns does not import registrations);
        # a registration of this campaign is always inside its level's subtree.
        org = "registrations__organization"
        rows = (
            Campaign.objects.all_tenants()
            .filter(
                pk=campaign.pk,
                registrations__status__in=OPEN_REPORT_STATUSES,
                **{f"{org}__archived_at__isnull": True, f"{org}__path__startswith": campaign.organization.path},
            )
            .values(f"{org}_id", f"{org}__code", f"{org}__name", f"{org}__path")
            .annotate(n=Count("registrations"))
            .order_by(f"{org}__path")
        )
        lates = [
            Late(
                org={
                    "id": r[f"{org}_id"],
                    "code": r[f"{org}__code"],
                    "name": r[f"{org}__name"],
                    "path": r[f"{org}__path"],
                },
                missing={"open_reports": r["n"]},
            )
            for r in rows
        ]
    return [
        late
        for late in lates
        if not any(late.org["path"].startswith(p) and late.org["path"] != p for p in implemented_below)
    ]


class Recipients:
    """Who is told about an organisation, from one bulk lookup of the memberships of the
    organisations at `paths` and all their ancestors."""

    def __init__(self, paths):
        wanted = set()
        for path in set(paths):
            wanted.update(path[: i * STEP] for i in range(1, len(path) // STEP + 1))
        self.secretaries = defaultdict(list)
        self.staff = defaultdict(list)
        self.org_id = {}
        ordered = sorted(wanted)
        for start in range(0, len(ordered), LOOKUP_CHUNK):
            memberships = (
                Membership.objects.filter(
                    organization__path__in=ordered[start : start + LOOKUP_CHUNK],
                    role__in=(Role.SECRETARY, Role.STAFF),
                    user__is_active=True,
                )
                .values_list("organization__path", "organization_id", "role", "user_id")
                .order_by("organization__path", "user_id")
            )
            for path, org_id, role, user_id in memberships:
                self.org_id[path] = org_id
                (self.secretaries if role == Role.SECRETARY else self.staff)[path].append(user_id)
        self._staff_above = {}

    def for_reminder(self, path):
        """(organisation id told through, user ids): secretaries, else own staff, else above."""
        if self.secretaries.get(path):
            return self.org_id[path], self.secretaries[path]
        if self.staff.get(path):
            return self.org_id[path], self.staff[path]
        return self.staff_above(path)

    def for_escalation(self, path):
        return self.staff_above(path)

    def staff_above(self, path):
        """The nearest strict ancestor with staff: (its id, staff ids), or (None, [])."""
        parent = path[:-STEP]
        if not parent:
            return None, []
        if parent not in self._staff_above:
            if self.staff.get(parent):
                self._staff_above[parent] = (self.org_id[parent], self.staff[parent])
            else:
                self._staff_above[parent] = self.staff_above(parent)
        return self._staff_above[parent]


# --- claiming: one mechanism for every reminder row -------------------------------------------
# A reminder model here or in a later app has status ("pending" until sent or superseded),
# claimed_at, claim_token and attempts, and an `objects.all_tenants()` door.

PENDING = ReminderStatus.PENDING


def claim_cutoff(now):
    """Claims made before this moment have timed out (their worker died): claimable again."""
    return now - datetime.timedelta(minutes=settings.DVK_REMINDER_CLAIM_TIMEOUT_MINUTES)


def claimable(cutoff):
    """Pending, and unclaimed or claimed before `cutoff`."""
    return Q(status=PENDING) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=cutoff))


def claim(model, ids, now):
    """Claims the claimable rows of `model` among `ids`: ([claimed ids], claim token).

    Rows are locked in id order first, so two sweeps claiming overlapping batches queue up
    instead of deadlocking, and a batch (an ancestor's whole escalation) goes to one of them.
    Each claim counts an attempt; a row out of attempts (DVK_REMINDER_MAX_ATTEMPTS) is not
    claimed again."""
    rows = model.objects.all_tenants()
    token = uuid.uuid4().hex
    with transaction.atomic():
        list(rows.filter(id__in=ids).order_by("id").select_for_update().values_list("id"))
        rows.filter(claimable(claim_cutoff(now)), id__in=ids, attempts__lt=settings.DVK_REMINDER_MAX_ATTEMPTS).update(
            claimed_at=now, claim_token=token, attempts=F("attempts") + 1
        )
    claimed = rows.filter(id__in=ids, claim_token=token).order_by("id")
    return list(claimed.values_list("id", flat=True)), token


def batches_of(groups, size=None):
    """The groups of ids (each sent as one message, so never split) packed into batches of at
    most DVK_REMINDER_BATCH_SIZE ids (a larger group makes a batch of its own)."""
    size = size or settings.DVK_REMINDER_BATCH_SIZE
    batches, current = [], []
    for group in groups:
        if current and len(current) + len(group) > size:
            batches.append(current)
            current = []
        current.extend(group)
    if current:
        batches.append(current)
    return batches


def held(model, ids, claim_token=None):
    """The pending rows of `model` among `ids`, only those still held by `claim_token` when
    given (a queryset)."""
    rows = model.objects.all_tenants().filter(id__in=ids, status=PENDING)
    return rows.filter(claim_token=claim_token) if claim_token else rows


def hold_for_marking(model, ids, claim_token=None):
    """Inside the transaction that marks a batch sent: locks the rows among `ids` this batch
    still holds (pending, its claim) and returns their ids. A row taken over meanwhile (its
    claim timed out, another sweep holds it) is left out, and its message is not recorded."""
    return set(held(model, ids, claim_token).order_by("id").select_for_update().values_list("id", flat=True))


def _sort_pending(wanted, now):
    """Supersedes pending rows no longer to send; groups the rest into batches to claim.

    Returns (superseded count, batches of ids, count of rows out of attempts)."""
    cutoff = claim_cutoff(now)
    max_attempts = settings.DVK_REMINDER_MAX_ATTEMPTS
    pending = (
        Reminder.objects.all_tenants()
        .filter(claimable(cutoff))
        .values_list(
            "id", "milestone_id", "occurrence", "organization_id", "kind", "offset_days", "attempts", "details__via"
        )
    )
    stale, exhausted = [], 0
    reminders, escalations, digests = [], defaultdict(list), defaultdict(list)
    for pk, milestone_id, occurrence, org_id, kind, offset, attempts, via in pending.order_by("id"):
        if wanted.get((milestone_id, occurrence, org_id, kind)) != offset:
            stale.append(pk)
        elif attempts >= max_attempts:
            exhausted += 1
        elif kind == ReminderKind.ESCALATION:
            escalations[(milestone_id, occurrence, via)].append(pk)
        elif (digest := _digest_key(milestone_id, occurrence, org_id, kind, offset, via)) is not None:
            digests[digest].append(pk)
        else:
            reminders.append(pk)
    superseded = 0
    for start in range(0, len(stale), LOOKUP_CHUNK):
        superseded += (
            Reminder.objects.all_tenants()
            .filter(claimable(cutoff), id__in=stale[start : start + LOOKUP_CHUNK])
            .update(status=ReminderStatus.SUPERSEDED)
        )
    if exhausted:
        log.error("%s reminders were tried %s times and are no longer retried.", exhausted, max_attempts)
    # A digest, like an escalation, is one message for all its rows: its batch holds it whole.
    groups = [[pk] for pk in reminders]
    groups += [digests[key] for key in sorted(digests, key=str)]
    groups += [escalations[key] for key in sorted(escalations, key=str)]
    return superseded, batches_of(groups), exhausted


def _digest_key(milestone_id, occurrence, org_id, kind, offset, via):
    """The digest a reminder row goes in, or None for a reminder of its own.

    A unit with neither secretary nor staff is reminded through the staff of the nearest
    ancestor that has some (`via` is then that ancestor): they get one digest per
    (occurrence, offset, ancestor) listing all such units, not one message per unit."""
    if kind == ReminderKind.REMINDER and via is not None and via != org_id:
        return (milestone_id, occurrence, offset, via)
    return None


# --- sending a batch ------------------------------------------------------------------------


def send_batch(*, reminder_ids, claim_token=None, now=None, today=None):
    """Sends the pending reminders among `reminder_ids` (only those still held by
    `claim_token`, when given): mail through one connection of Django's mail backend, then, in
    one transaction, a notification per recipient and the rows marked sent.

    An escalation is one message per (occurrence, ancestor) listing its late units; the units
    reminded through an ancestor's staff get one digest per (occurrence, offset, ancestor).
    A reminder whose deadline passed while it waited is not sent (superseded). Mail is handed
    off before the rows are marked: a crash in between sends it again (at least once). The
    notifications are made in the transaction that marks the rows, from the rows it marked,
    so a notification never lists a unit whose row was not marked, and no row is marked sent
    without being in one. A fixed number of queries per batch, whatever its size. `today`
    (default: the day of `now`) is the day the messages count from."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    mine = held(Reminder, reminder_ids, claim_token)
    rows = list(
        mine.order_by("id").values(
            "id", "milestone_id", "occurrence", "organization_id", "kind", "offset_days", "details"
        )
    )
    expired = {r["id"] for r in rows if r["kind"] == ReminderKind.REMINDER and r["occurrence"] < today}
    if expired:
        mine.filter(id__in=expired).update(status=ReminderStatus.SUPERSEDED)
        rows = [r for r in rows if r["id"] not in expired]
    if not rows:
        return {"sent": 0, "messages": 0, "notifications": 0}
    milestones = (
        Milestone.objects.all_tenants()
        .select_related("kind", "campaign")
        .only("id", "title", "kind__name", "kind__chases", "campaign__id", "campaign__number", "campaign__title")
    )
    milestones = {m.pk: m for m in milestones.filter(pk__in={r["milestone_id"] for r in rows})}
    org_ids = {r["organization_id"] for r in rows} | {r["details"].get("via") for r in rows}
    orgs = Organization.objects.filter(pk__in=org_ids - {None}).values("id", "code", "name", "path")
    orgs = {o["id"]: o for o in orgs}
    user_ids = {u for r in rows for u in r["details"].get("to", [])}
    emails = dict(User.objects.filter(pk__in=user_ids, is_active=True).values_list("id", "email"))
    messages = _Messages(milestones, orgs, emails, today)
    outgoing = messages.of(rows)

    mails, told = [], {}
    for row_ids, to, subject, body, _org_id, _path in outgoing:
        for pk in row_ids:
            told[pk] = len(to)
        mails.extend(EmailMessage(subject, body, None, [emails[u]]) for u in to if emails[u])
    if mails:
        get_connection().send_messages(mails)

    with transaction.atomic():
        marked = hold_for_marking(Reminder, list(told), claim_token)
        by_count = defaultdict(list)
        for pk in marked:
            by_count[told[pk]].append(pk)
        for count, ids in by_count.items():
            Reminder.objects.all_tenants().filter(id__in=ids).update(
                status=ReminderStatus.SENT, sent_at=now, recipients=count
            )
        if marked != set(told):
            # Some rows were taken over meanwhile (their claim timed out and another sweep
            # holds them now): the notifications list only what this batch marked.
            outgoing = messages.of([r for r in rows if r["id"] in marked])
        notes = [
            {"user_id": user_id, "organization_id": org_id, "title": subject, "body": body, "url": path}
            for _row_ids, to, subject, body, org_id, path in outgoing
            for user_id in to
        ]
        created = notifications_create(items=notes)
    return {"sent": len(marked), "messages": len(mails), "notifications": created}


class _Messages:
    """The messages of a batch's rows: (row ids, user ids, subject, body, organisation id, path)
    each, one per reminder of its own, per digest and per escalation."""

    def __init__(self, milestones, orgs, emails, today):
        self.milestones, self.orgs, self.emails, self.today = milestones, orgs, emails, today
        self.renderer = _Renderer()

    def of(self, rows):
        outgoing = []
        digests, escalations = defaultdict(list), defaultdict(list)
        for row in rows:
            via = row["details"].get("via")
            if row["kind"] == ReminderKind.ESCALATION:
                escalations[(row["milestone_id"], row["occurrence"], via)].append(row)
                continue
            digest = _digest_key(
                row["milestone_id"], row["occurrence"], row["organization_id"], row["kind"], row["offset_days"], via
            )
            if digest is not None:
                digests[digest].append(row)
                continue
            milestone, org = self.milestones[row["milestone_id"]], self.orgs[row["organization_id"]]
            path = _campaign_path(org, milestone.campaign)
            context = _context(milestone, row["occurrence"], self.today)
            context.update(lines=_missing_lines(row["details"]), open_reports=row["details"].get("open_reports", 0))
            subject, body = self.renderer.reminder(row, context, org, _absolute(path))
            outgoing.append(([row["id"]], self._to(row), subject, body, org["id"], path))
        for (milestone_id, occurrence, _offset, via_id), group in digests.items():
            outgoing.append(self._listing("digest", milestone_id, occurrence, via_id, group))
        for (milestone_id, occurrence, via_id), group in escalations.items():
            outgoing.append(self._listing("escalation", milestone_id, occurrence, via_id, group))
        return outgoing

    def _to(self, row):
        return [u for u in row["details"].get("to", []) if u in self.emails]

    def _listing(self, name, milestone_id, occurrence, via_id, group):
        """One message to an ancestor's staff listing several units (a digest, an escalation),
        the units in tree order, each with what it misses and its own link."""
        milestone, via = self.milestones[milestone_id], self.orgs.get(via_id)
        campaign = milestone.campaign
        path = f"{_campaign_path(via, campaign)}compliance/" if via else ""
        context = _context(milestone, occurrence, self.today)
        units = sorted(group, key=lambda r: self.orgs[r["organization_id"]]["path"])
        context.update(
            ancestor=via,
            late=[
                {
                    "organization": self.orgs[r["organization_id"]],
                    "lines": _missing_lines(r["details"]),
                    "open_reports": r["details"].get("open_reports", 0),
                    "link": _absolute(_campaign_path(self.orgs[r["organization_id"]], campaign)),
                }
                for r in units
            ],
            link=_absolute(path),
        )
        subject, body = _render_subject(name, context), _render_body(name, context)
        return ([r["id"] for r in group], self._to(group[0]), subject, body, via_id, path)


def _context(milestone, occurrence, today):
    return {
        "campaign": milestone.campaign,
        "milestone_name": milestone.title or milestone.kind.name,
        "chases": milestone.kind.chases,
        "due": occurrence,
        "days_left": (occurrence - today).days,
        "days_late": (today - occurrence).days,
    }


def _missing_lines(details):
    """What a unit behind on its quota is missing: one line per number the quota sets."""
    if "required" not in details:
        return []
    required, registered = details["required"], details["registered"]
    lines = []
    for index, label in enumerate(("Tập thể", "Cá nhân", "Tổng số")):
        # The total only when it asks for more than the collective and individual lines together.
        if required[index] and (index < 2 or required[index] > required[0] + required[1]):
            lines.append(
                {
                    "label": label,
                    "registered": registered[index],
                    "required": required[index],
                    "missing": max(0, required[index] - registered[index]),
                }
            )
    return lines


def _campaign_path(org, campaign):
    return f"/o/{org['code']}/campaigns/{campaign.pk}/"


def _absolute(path):
    return f"{site_url()}{path}" if path else ""


class _Renderer:
    """Renders reminders from the templates, once per shortfall rather than once per unit.

    A national sweep mails tens of thousands of units whose messages differ only by the
    unit's name and code, its link and what it misses; the subject is the same for every unit
    of an occurrence. So each (occurrence, shortfall) body is rendered once with markers in
    place of the unit's name, code and link, which are then filled in. The body template
    receives them as plain text (no filter should be applied to them)."""

    NAME, CODE, LINK = "\x00name\x00", "\x00code\x00", "\x00link\x00"

    def __init__(self):
        self.subjects, self.bodies = {}, {}

    def reminder(self, row, context, org, link):
        occurrence = (row["milestone_id"], row["occurrence"])
        if occurrence not in self.subjects:
            self.subjects[occurrence] = _render_subject("reminder", context)
        shortfall = (*occurrence, context["open_reports"], *(tuple(line.values()) for line in context["lines"]))
        if shortfall not in self.bodies:
            placeholders = {"organization": {"name": self.NAME, "code": self.CODE}, "link": self.LINK}
            self.bodies[shortfall] = _render_body("reminder", {**context, **placeholders})
        body = self.bodies[shortfall].replace(self.NAME, org["name"]).replace(self.CODE, org["code"])
        return self.subjects[occurrence], body.replace(self.LINK, link)


def _render_subject(name, context):
    """One line: the same for every unit of an occurrence, so rendered once per batch."""
    subject = get_template(f"campaigns/email/{name}_subject.txt").render(context)
    return " ".join(subject.split())[:255]


def _render_body(name, context):
    return get_template(f"campaigns/email/{name}_body.txt").render(context).strip() + "\n"


# --- the beat schedule ----------------------------------------------------------------------


def sweep_time():
    """(hour, minute) of DVK_REMINDER_SWEEP_TIME ("HH:MM")."""
    value = settings.DVK_REMINDER_SWEEP_TIME
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value)
    if match is None:
        raise ImproperlyConfigured(f"DVK_REMINDER_SWEEP_TIME must be HH:MM, not {value!r}.")
    return int(match.group(1)), int(match.group(2))


def install_sweep_schedule():
    """Creates or updates the daily sweep in django-celery-beat's schedule (idempotent)."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    hour, minute = sweep_time()
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=zoneinfo.ZoneInfo(SWEEP_TIME_ZONE),
    )
    task, _created = PeriodicTask.objects.update_or_create(
        name=SWEEP_SCHEDULE_NAME,
        defaults={"task": SWEEP_TASK, "crontab": crontab, "interval": None, "kwargs": "{}", "enabled": True},
    )
    return task
