"""The scope every tenant-owned query runs in.

A tenant-owned model's default manager refuses to query outside a scope (django-scopes'
`DisabledQuerySet` raises `ScopeError`) and, inside `scope(org=...)`, applies the model's own
visibility rule, `Model.visible_to(org)`. Stock `ScopedManager` cannot express the downward
rule of issued data (ancestors' published rows), hence this small manager.

Three rules, one per kind of row (docs/TENANCY.md lists every model and its rule):
- `ProducedByOrganization`: data a unit produces, seen from its subtree upward;
- `IssuedByOrganization`: data a level issues, seen by its subtree and, once published, below;
- `ScopedThroughParent`: a child row (a quota line, a target, a report entry), seen exactly
  where its parent is seen.

Reads across tenants have one door, `Model.objects.all_tenants()`, whose name says what it does:
background jobs use it, and aggregates that filter by the acting organisation's subtree
themselves. Nothing else does.
"""

from django.db import models
from django.db.models import Q
from django_scopes import ScopeError  # noqa: F401  (re-exported for callers and tests)
from django_scopes.manager import DisabledQuerySet
from django_scopes.state import get_scope


class TenantManager(models.Manager):
    def get_queryset(self):
        current = get_scope()
        if not current.get("_enabled", True):
            return super().get_queryset()
        org = current.get("org")
        if org is None:
            return DisabledQuerySet(self.model, using=self._db, missing_scopes=["org"])
        return super().get_queryset().filter(self.model.visible_to(org))

    def all(self):
        qs = super().all()
        if isinstance(qs, DisabledQuerySet):
            qs.error()
        return qs

    def all_tenants(self):
        """Every tenant's rows, whatever the scope: the one door across tenants.

        For background jobs (the reminder sweep), and for aggregates that filter by the acting
        organisation's subtree themselves (each with a test that a sibling's rows never count).
        A request's reads go through the scoped manager instead."""
        return super().get_queryset()


class ProducedByOrganization(models.Model):
    """Data a unit produces (registrations, reports, evidence): seen from its subtree upward.

    Visible to the producing organisation and every ancestor: its path starts with the
    acting organisation's path."""

    organization_field = "organization"

    class Meta:
        abstract = True

    @classmethod
    def visible_to(cls, org, through=""):
        """The rule as a Q; `through` ("campaign__") applies it to a related row instead."""
        return Q(**{f"{through}{cls.organization_field}__path__startswith": org.path})


class IssuedByOrganization(models.Model):
    """Data a level issues downward (campaigns, rubrics): seen by the issuer's subtree and,
    once published, by every organisation below the issuer. A draft never leaks downward."""

    organization_field = "organization"

    class Meta:
        abstract = True

    @classmethod
    def published_q(cls, through=""):
        raise NotImplementedError

    @classmethod
    def visible_to(cls, org, through=""):
        field = f"{through}{cls.organization_field}"
        in_subtree = Q(**{f"{field}__path__startswith": org.path})
        from_ancestor = Q(**{f"{field}__path__in": org.ancestor_paths()[:-1]}) & cls.published_q(through)
        return in_subtree | from_ancestor


class ScopedThroughParent(models.Model):
    """A child row that belongs to a tenant-owned parent (a campaign's quota lines and
    milestones, a registration's targets, a report's entries): visible exactly where the
    parent is, so a child id from another tenant is not found even when a query does not
    start from its parent. `parent_field` names the foreign key to the parent."""

    parent_field = None

    class Meta:
        abstract = True

    @classmethod
    def visible_to(cls, org, through=""):
        parent = cls._meta.get_field(cls.parent_field).related_model
        return parent.visible_to(org, through=f"{through}{cls.parent_field}__")
