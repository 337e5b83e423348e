"""Compliance of a campaign: required vs registered for every organisation of a subtree.

A fixed number of queries whatever the subtree's size: the subtree's organisations (one),
the quota lines with their picks (three), and the counted registrations grouped by
organisation and subject type (one, through the campaigns' reverse relation, filtered
explicitly by the subtree: aggregates do not pass through a scoped manager). Everything
else is arithmetic on paths in Python. A closed campaign reads the same inputs from its
snapshot, so its history does not move when the tree does.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils import timezone

from dvk.models import Organization

from .enums import COUNTED_STATUSES, CampaignStatus, ComplianceStatus, QuotaScope, SubjectType
from .models import Campaign, Milestone

STEP = Organization.steplen
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

    def targets_by_status(self, *statuses):
        return [t for t in self.targets if t.status in statuses]


def registration_deadline(campaign, milestones=None):
    """The registration milestone's (last) due date, if the campaign has one."""
    milestones = milestones if milestones is not None else list(campaign.milestones.select_related("kind"))
    dues = [d for m in milestones if m.kind.code == "registration" for d in m.occurrences()]
    return max(dues) if dues else None


def _registration_model():
    return Campaign._meta.get_field("registrations").related_model


def live_inputs(campaign, root_path):
    """Organisations of the subtree and their own counted registrations (two queries)."""
    orgs = list(
        Organization.objects.filter(path__startswith=root_path, archived_at__isnull=True)
        .order_by("path")
        .values(*ORG_FIELDS)
    )
    rows = (
        _registration_model()
        ._base_manager.filter(
            campaign__lineage__startswith=campaign.lineage,
            status__in=COUNTED_STATUSES,
            organization__path__startswith=root_path,
        )
        .values("organization_id", "subject_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    own = defaultdict(Tally)
    for row in rows:
        tally = own[row["organization_id"]]
        if row["subject_type"] == SubjectType.COLLECTIVE:
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


def compliance_report(campaign, root, *, today=None):
    """Compliance of `campaign` for the subtree of `root` (an Organization).

    `root` is clamped to the campaign's level: viewed from above, the report starts at the
    issuing level; viewed from below, it covers only the viewer's subtree."""
    today = today or timezone.localdate()
    campaign_org = campaign.organization
    if campaign.status in (CampaignStatus.CLOSED, CampaignStatus.ARCHIVED) and hasattr(campaign, "snapshot"):
        return snapshot_report(campaign, root, today=today)
    root_path = root.path if root.path.startswith(campaign_org.path) else campaign_org.path
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
        campaign_path=campaign_org.path,
    )


def take_snapshot(campaign):
    """Freezes the inputs of the campaign's compliance (the whole level) as JSON."""
    orgs, own = live_inputs(campaign, campaign.organization.path)
    return {
        "campaign_path": campaign.organization.path,
        "orgs": orgs,
        "own": {str(k): [v.collective, v.individual] for k, v in own.items()},
        "picked": sorted(o.pk for o in campaign.target_organizations.only("id")),
        "registration_due": (d.isoformat() if (d := registration_deadline(campaign)) else None),
    }


def snapshot_report(campaign, root, *, today=None):
    data = campaign.snapshot.data
    campaign_path = data["campaign_path"]
    by_id = {o["id"]: o for o in data["orgs"]}
    # The viewer's place at closing time: the tree may have moved since.
    then = by_id.get(root.pk)
    root_path = then["path"] if then else campaign_path
    if not root_path.startswith(campaign_path):
        root_path = campaign_path
    orgs = [o for o in data["orgs"] if o["path"].startswith(root_path)]
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
        root_path=root_path,
        campaign_path=campaign_path,
    )
    report.from_snapshot = True
    return report
