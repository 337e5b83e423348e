"""The scope every tenant-owned query runs in.

A tenant-owned model's default manager refuses to query outside a scope (django-scopes'
`DisabledQuerySet` raises `ScopeError`) and, inside `scope(org=...)`, applies the model's own
visibility rule, `Model.visible_to(org)`. Stock `ScopedManager` cannot express the downward
rule of issued data (ancestors' published rows), hence this small manager.
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


class ProducedByOrganization(models.Model):
    """Data a unit produces (registrations, reports, evidence): seen from its subtree upward.

    Visible to the producing organisation and every ancestor: its path starts with the
    acting organisation's path.
    """

    organization_field = "organization"

    class Meta:
        abstract = True

    @classmethod
    def visible_to(cls, org):
        return Q(**{f"{cls.organization_field}__path__startswith": org.path})


class IssuedByOrganization(models.Model):
    """Data a level issues downward (campaigns, rubrics): seen by the issuer's subtree and,
    once published, by every organisation below the issuer. A draft never leaks downward."""

    organization_field = "organization"

    class Meta:
        abstract = True

    @classmethod
    def published_q(cls):
        raise NotImplementedError

    @classmethod
    def visible_to(cls, org):
        field = cls.organization_field
        in_subtree = Q(**{f"{field}__path__startswith": org.path})
        from_ancestor = Q(**{f"{field}__path__in": org.ancestor_paths()[:-1]}) & cls.published_q()
        return in_subtree | from_ancestor
