"""Reads of the tree and of roles. Organization and Membership define the scope itself, so
they have no scoped manager: requests read them only through these functions, which take
the acting organisation and stay inside its subtree."""

from django.db.models import Count, Q

from .models import Membership, Organization, SecondFactorReset, TreeImport


def memberships_of(user):
    """The user's memberships with their organisations, loaded once per request."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_dvk_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, organization__archived_at__isnull=True)
            .select_related("organization")
            .order_by("organization__path", "role")
        )
        user._dvk_memberships = cached
    return cached


def load_memberships(users):
    """Fills `memberships_of`'s cache for many users with one query (a page of people)."""
    users = [u for u in users if getattr(u, "_dvk_memberships", None) is None]
    by_user = {u.pk: [] for u in users}
    rows = (
        Membership.objects.filter(user__in=users, organization__archived_at__isnull=True)
        .select_related("organization")
        .order_by("organization__path", "role")
    )
    for m in rows:
        by_user[m.user_id].append(m)
    for u in users:
        u._dvk_memberships = by_user[u.pk]


def roles_at(user, org):
    """Memberships that apply at `org`: held there or at one of its ancestors."""
    return [m for m in memberships_of(user) if org.path.startswith(m.organization.path)]


def has_role_at(user, org, *roles, strictly_above=False):
    for m in roles_at(user, org):
        if strictly_above and m.organization.path == org.path:
            continue
        if not roles or m.role in roles:
            return True
    return False


def organizations_of(user):
    """Organisations the user may act for (distinct, tree order) with their role names."""
    by_org = {}
    for m in memberships_of(user):
        entry = by_org.setdefault(m.organization.pk, {"organization": m.organization, "roles": []})
        entry["roles"].append(m.role)
    return list(by_org.values())


def children_of(org, *, include_archived=False):
    qs = Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.order_by("path")


def ancestors_of(org):
    """Ancestors of `org`, root first, in one query."""
    paths = org.ancestor_paths()[:-1]
    if not paths:
        return []
    return list(Organization.objects.filter(path__in=paths).order_by("depth"))


def subtree_of(org):
    return Organization.objects.filter(path__startswith=org.path)


def subtree_counts_by_level(org):
    """{level: count} for the active organisations strictly below `org`, in one query."""
    rows = (
        subtree_of(org)
        .filter(depth__gt=org.depth, archived_at__isnull=True)
        .values("level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["level"]: row["n"] for row in rows}


def search_subtree(org, query):
    from .text import normalize_search

    needle = normalize_search(query)
    qs = subtree_of(org).filter(depth__gt=org.depth)
    if needle:
        qs = qs.filter(Q(search_name__contains=needle) | Q(code__iexact=query.strip()))
    return qs.order_by("depth", "path")


def find_in_subtree(org, code):
    """The organisation with `code` if it is `org` or below it, else None."""
    return subtree_of(org).filter(code=code).first()


def members_of(org, *, include_subtree=False):
    qs = Membership.objects.select_related("user", "organization")
    if include_subtree:
        qs = qs.filter(organization__path__startswith=org.path)
    else:
        qs = qs.filter(organization=org)
    return qs.order_by("organization__path", "user__username", "role")


def tree_imports_here():
    """Imports visible in the current scope (tenant manager applies the rule)."""
    return TreeImport.objects.select_related("imported_by", "organization").order_by("-created_at")


def second_factor_resets_in(org):
    """Resets of a lost second factor made by staff acting for `org` or an organisation below."""
    return SecondFactorReset.objects.filter(organization__path__startswith=org.path).select_related(
        "user", "reset_by", "organization"
    )
