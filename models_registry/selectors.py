"""Reads of registrations, inside the acting organisation's scope.

The list page and `GET /api/v1/o/<code>/registrations/` share `registrations_for_list`, so
filters, search and order are the same on both."""

from django.db.models import Case, IntegerField, Q, Value, When

from campaigns.enums import RegistrationStatus, SubjectType
from dvk.enums import Role
from dvk.selectors import memberships_of, subtree_of
from dvk.text import clean_text, normalize_search

from .models import Registration

# ?sort= values a list accepts, each with its ORDER BY.
SORTS = {
    "org": ("organization__path", "pk"),
    "name": ("initiative__search_name", "pk"),
    "person": ("person_name_sort_key", "organization__path", "pk"),
    "status": ("status", "organization__path", "pk"),
    "-submitted": ("-submitted_at", "pk"),
    "-updated": ("-updated_at", "pk"),
}
DEFAULT_SORT = "org"


def registrations_here():
    """Registrations visible in the current scope (the tenant manager applies the rule)."""
    return Registration.objects.select_related("initiative", "organization", "campaign__organization", "field")


def search_registrations(queryset, query):
    """Diacritic-insensitive search on the stored `search_text` column; rows whose model or
    person name holds the query exactly as typed (diacritics included) come first.

    Each word must appear ("dan kheo" finds "Dân vận khéo"), in any order."""
    words = normalize_search(query).split()
    if not words:
        return queryset, False
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    typed = clean_text(query)
    exact = Q(initiative__name__icontains=typed) | Q(person_name__icontains=typed)
    queryset = queryset.annotate(
        search_rank=Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    return queryset, True


def registrations_for_list(
    org,
    *,
    campaign=None,
    campaign_exact=False,
    field=None,
    status=None,
    statuses=None,
    subject_type=None,
    subtree=None,
    search="",
    sort=DEFAULT_SORT,
):
    """Registrations of `org`'s subtree (the scope), filtered, searched and ordered.

    `campaign`: registered under it or under a plan derived from it (`campaign_exact`: under
    it alone, as an appraisal board takes them). `status`: one status;
    `statuses`: several (the page's default, those counted toward quotas). `subtree`: an
    Organization inside the scope whose subtree narrows the list. Values are expected
    already validated (unknown choices are the caller's to drop)."""
    qs = registrations_here()
    if campaign is not None and campaign_exact:
        qs = qs.filter(campaign=campaign)
    elif campaign is not None:
        # The campaign and the plans lower levels derived from it: the registrations that count
        # toward it (campaigns.compliance), so a compliance row's link lists what its numbers count.
        qs = qs.filter(campaign__lineage__startswith=campaign.lineage)
    if field is not None:
        qs = qs.filter(field=field)
    if status in RegistrationStatus.values:
        qs = qs.filter(status=status)
    elif statuses is not None:
        qs = qs.filter(status__in=statuses)
    if subject_type in SubjectType.values:
        qs = qs.filter(subject_type=subject_type)
    if subtree is not None:
        qs = qs.filter(organization__path__startswith=subtree.path)
    qs, ranked = search_registrations(qs, search)
    order = SORTS.get(sort) or SORTS[DEFAULT_SORT]
    return qs.order_by(*(("search_rank",) if ranked else ()), *order)


def registering_units(user, root):
    """Active organisations of `root`'s subtree `user` may register for, the rule of
    models_registry.add_registration as one query (the memberships are cached per request):
    those it is the secretary of, and every one at or below an organisation it is staff of.
    The open-campaigns page's unit picker offers these and only these."""
    allowed = Q()
    for m in memberships_of(user):
        if m.role == Role.STAFF:
            allowed |= Q(path__startswith=m.organization.path)
        elif m.role == Role.SECRETARY:
            allowed |= Q(path=m.organization.path)
    units = subtree_of(root).filter(archived_at__isnull=True)
    return units.filter(allowed) if allowed else units.none()
