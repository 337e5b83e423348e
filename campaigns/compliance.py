"""Compliance of a campaign: required vs registered for every organisation of a subtree.

A fixed number of queries whatever the subtree's size: the subtree's organisations (one),
the quota lines with their picks (three), and the counted registrations grouped by
organisation and subject type (one, through the campaigns' reverse relation, filtered
explicitly by the subtree: aggregates do not pass through a scoped manager). Everything
else is arithmetic on paths in Python. A closed campaign reads the same inputs from its
snapshot, so its history does not move when the tree does.

Every report is made for an acting organisation and runs in its scope; the subtree it
covers is clamped to that organisation's subtree, whether it came from the request (a
drill-down node) or from stored data (a snapshot's paths).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils import timezone
from django_scopes import scope

from dvk.models import Organization

from .enums import COUNTED_STATUSES, CampaignStatus, ComplianceStatus, QuotaScope, SubjectType
from .models import Campaign, Milestone

STEP = Organization.steplen
FINISHED = (CampaignStatus.CLOSED, CampaignStatus.ARCHIVED)
ORG_FIELDS = ("id", "code", "name", "path", "depth", "level", "kind", "numchild")


@dataclass
class Tally:
    collective: int = 0
    individual: int = 0

    @property
    def total(self):
        return self.collective + self.individual

    def add(self, other):
        self.collective += other.collective
        self.individual += other.individual

    def covers(self, required):
        return (
            self.collective >= required.collective
            and self.individual >= required.individual
            and self.total >= required.min_total
        )


@dataclass
class Required:
    collective: int = 0
    individual: int = 0
    min_total: int = 0

    @property
    def total(self):
        return max(self.min_total, self.collective + self.individual)

    def widen(self, quota):
        self.collective = max(self.collective, quota.min_collective)
        self.individual = max(self.individual, quota.min_individual)
        self.min_total = max(self.min_total, quota.min_total)

    def add(self, other):
        self.collective += other.collective
        self.individual += other.individual
        self.min_total += other.total


@dataclass
class TargetRow:
    org: dict
    required: Required
    registered: Tally
    status: str


@dataclass
class NodeRow:
    """One organisation of the drill-down with its subtree rolled up."""

    org: dict
    targets: int = 0
    met: int = 0
    overdue: int = 0
    required: Required = field(default_factory=Required)
    registered: Tally = field(default_factory=Tally)
    target_row: TargetRow | None = None

    @property
    def behind(self):
        return self.targets - self.met

    @property
    def status(self):
        if self.targets == 0:
            return ComplianceStatus.NOT_TARGETED
        if self.met == self.targets:
            return ComplianceStatus.MET
        return ComplianceStatus.OVERDUE if self.overdue else ComplianceStatus.BEHIND

    @property
    def percent(self):
        return round(100 * self.met / self.targets) if self.targets else None


@dataclass
class TotalLine:
    quota: object
    required: Required
    registered: Tally
    status: str


@dataclass
class ComplianceReport:
    campaign: Campaign
    root: NodeRow
    children: list
    targets: list
    totals: list
    registration_due: datetime.date | None
    from_snapshot: bool = False
    # False for an organisation a closed campaign's snapshot does not hold: it has no closed history.
    in_snapshot: bool = True

    def targets_by_status(self, *statuses):
        return [t for t in self.targets if t.status in statuses]


def registration_deadline(campaign, milestones=None):
    """The registration milestone's (last) due date, if the campaign has one."""
    milestones = milestones if milestones is not None else list(campaign.milestones.select_related("kind"))
    dues = [d for m in milestones if m.kind.code == "registration" for d in m.occurrences()]
    return max(dues) if dues else None


def live_inputs(campaign, root_path):
    """Organisations of the subtree at `root_path` and their own counted registrations (two
    queries). `root_path` must lie in the acting organisation's subtree: the count goes
    through the campaigns' reverse relation, which no scoped manager of registrations
    filters, so this path is all that keeps it inside the tenant."""
    orgs = list(
        Organization.objects.filter(path__startswith=root_path, archived_at__isnull=True)
        .order_by("path")
        .values(*ORG_FIELDS)
    )
    rows = (
        Campaign.objects.filter(
            lineage__startswith=campaign.lineage,
            registrations__status__in=COUNTED_STATUSES,
            registrations__organization__path__startswith=root_path,
        )
        .values("registrations__organization_id", "registrations__subject_type")
        .annotate(n=Count("registrations"))
        .order_by()
    )
    own = defaultdict(Tally)
    for row in rows:
        tally = own[row["registrations__organization_id"]]
        if row["registrations__subject_type"] == SubjectType.COLLECTIVE:
            tally.collective += row["n"]
        else:
            tally.individual += row["n"]
    return orgs, own


def _quotas(campaign):
    ids_only = Organization.objects.only("id")
    return list(
        campaign.quotas.prefetch_related(
            Prefetch("organizations", queryset=ids_only), Prefetch("excluded", queryset=ids_only)
        )
    )


def evaluate(campaign, orgs, own, *, quotas, picked_ids, today, registration_due, root_path, campaign_path):
    """The report from inputs: live ones or a snapshot's."""
    by_path = {o["path"]: o for o in orgs}
    subtree = defaultdict(Tally)
    root_depth = len(root_path) // STEP
    for org in orgs:
        tally = own.get(org["id"])
        if not tally:
            continue
        for depth in range(root_depth, org["depth"] + 1):
            subtree[org["path"][: depth * STEP]].add(tally)

    overdue_now = registration_due is not None and today > registration_due
    per_target = [
        (q, {o.id for o in q.organizations.all()}, {o.id for o in q.excluded.all()})
        for q in quotas
        if q.scope == QuotaScope.PER_TARGET
    ]
    targets = []
    for org in orgs:
        if not campaign.selects_target(org, picked_ids):
            continue
        applicable = [(q, p, e) for q, p, e in per_target if q.selects(org, p, e)]
        required = Required()
        met = True
        uses_subtree = any(q.counts_subtree for q, _p, _e in applicable)
        for quota, _p, _e in applicable:
            required.widen(quota)
            counted = subtree[org["path"]] if quota.counts_subtree else own.get(org["id"], Tally())
            line = Required(quota.min_collective, quota.min_individual, quota.min_total)
            met = met and counted.covers(line)
        registered = subtree[org["path"]] if uses_subtree else own.get(org["id"], Tally())
        if not applicable:
            status = ComplianceStatus.NOT_TARGETED
        elif met:
            status = ComplianceStatus.MET
        else:
            status = ComplianceStatus.OVERDUE if overdue_now else ComplianceStatus.BEHIND
        registered = Tally(registered.collective, registered.individual)
        targets.append(TargetRow(org=org, required=required, registered=registered, status=status))

    def rollup(org):
        counted = subtree[org["path"]]
        return NodeRow(org=org, registered=Tally(counted.collective, counted.individual))

    root_org = by_path.get(root_path)
    root = rollup(root_org) if root_org else NodeRow(org={"path": root_path})
    children = {o["path"]: rollup(o) for o in orgs if o["depth"] == root_depth + 1}
    for target in targets:
        if target.status == ComplianceStatus.NOT_TARGETED:
            continue
        path = target.org["path"]
        for node in (root, children.get(path[: (root_depth + 1) * STEP])):
            if node is None or not path.startswith(node.org["path"]):
                continue
            node.targets += 1
            node.met += target.status == ComplianceStatus.MET
            node.overdue += target.status == ComplianceStatus.OVERDUE
            node.required.add(target.required)
        child = children.get(path)
        if child is not None:
            child.target_row = target
    root.target_row = next((t for t in targets if t.org["path"] == root_path), None)

    totals = []
    if root_path == campaign_path:
        level_tally = subtree[campaign_path]
        for quota in quotas:
            if quota.scope != QuotaScope.TOTAL:
                continue
            required = Required(quota.min_collective, quota.min_individual, quota.min_total)
            if level_tally.covers(required):
                status = ComplianceStatus.MET
            else:
                status = ComplianceStatus.OVERDUE if overdue_now else ComplianceStatus.BEHIND
            totals.append(TotalLine(quota=quota, required=required, registered=level_tally, status=status))
    return ComplianceReport(
        campaign=campaign,
        root=root,
        children=sorted(children.values(), key=lambda n: n.org["path"]),
        targets=targets,
        totals=totals,
        registration_due=registration_due,
    )


def clamp(path, acting_path):
    """The deeper of two paths on one branch of the tree, or None when they are on different
    branches: a path computed from a request or from stored data, never wider than the
    acting organisation's subtree."""
    if path.startswith(acting_path):
        return path
    if acting_path.startswith(path):
        return acting_path
    return None


def compliance_report(campaign, node, *, acting, today=None):
    """Compliance of `campaign` for the subtree of `node`, as the acting organisation `acting`
    may see it: computed in `acting`'s scope, and never about anything outside its subtree.

    `node` is clamped to the campaign's level (viewed from above, the report starts at the
    issuing level; from below, it covers the viewer's subtree), then to `acting`'s subtree.
    A closed campaign is read from its snapshot (`snapshot_report`). Background jobs report
    as the campaign's own level: `acting=campaign.organization`."""
    today = today or timezone.localdate()
    with scope(org=acting):
        if campaign.status in FINISHED and hasattr(campaign, "snapshot"):
            return snapshot_report(campaign, node, acting=acting, today=today)
        campaign_path = campaign.organization.path
        root_path = clamp(node.path, campaign_path)
        root_path = root_path and clamp(root_path, acting.path)
        if root_path is None:
            raise ValueError(f"{node.code} is not on the branch of {acting.code} and the campaign's level.")
        milestones = list(Milestone.objects.filter(campaign=campaign).select_related("kind"))
        orgs, own = live_inputs(campaign, root_path)
        return evaluate(
            campaign,
            orgs,
            own,
            quotas=_quotas(campaign),
            picked_ids={o.pk for o in campaign.target_organizations.only("id")},
            today=today,
            registration_due=registration_deadline(campaign, milestones),
            root_path=root_path,
            campaign_path=campaign_path,
        )


def take_snapshot(campaign):
    """Freezes the inputs of the campaign's compliance (the whole level) as JSON. The caller
    has checked that the user manages the campaign's level; this reads it in that scope."""
    level = campaign.organization
    with scope(org=level):
        orgs, own = live_inputs(campaign, level.path)
        due = registration_deadline(campaign)
    return {
        "campaign_path": level.path,
        "orgs": orgs,
        "own": {str(k): [v.collective, v.individual] for k, v in own.items()},
        "picked": sorted(o.pk for o in campaign.target_organizations.only("id")),
        "registration_due": due.isoformat() if due else None,
    }


def snapshot_report(campaign, node, *, acting, today=None):
    """The report of a closed campaign from its snapshot, for `node` as `acting` may see it.

    The snapshot's paths are those of closing time, so they are not trusted as they are: a
    viewer at or above the campaign's level today sees the level as it closed; a viewer below
    it sees the rows of its node's subtree at closing time that are in its own subtree today
    (matched by id, one query). An organisation missing from the snapshot (created, moved in
    or archived at the time) has no closed history here: its report is empty, never the
    level's."""
    data = campaign.snapshot.data
    then = next((o for o in data["orgs"] if o["id"] == node.pk), None)
    if then is None:
        return _not_in_snapshot(campaign, node)
    orgs = [o for o in data["orgs"] if o["path"].startswith(then["path"])]
    if not campaign.organization.path.startswith(acting.path):
        mine = set(Organization.objects.filter(path__startswith=acting.path).values_list("id", flat=True))
        orgs = [o for o in orgs if o["id"] in mine]
    own = {int(k): Tally(*v) for k, v in data["own"].items()}
    due = data.get("registration_due")
    report = evaluate(
        campaign,
        orgs,
        own,
        quotas=_quotas(campaign),
        picked_ids=set(data["picked"]),
        today=today or timezone.localdate(),
        registration_due=datetime.date.fromisoformat(due) if due else None,
        root_path=then["path"],
        campaign_path=data["campaign_path"],
    )
    report.from_snapshot = True
    return report


def _not_in_snapshot(campaign, node):
    due = campaign.snapshot.data.get("registration_due")
    org = {name: getattr(node, name) for name in ORG_FIELDS}
    return ComplianceReport(
        campaign=campaign,
        root=NodeRow(org=org),
        children=[],
        targets=[],
        totals=[],
        registration_due=datetime.date.fromisoformat(due) if due else None,
        from_snapshot=True,
        in_snapshot=False,
    )
