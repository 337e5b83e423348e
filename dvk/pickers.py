"""Search pickers: one widget to pick things by typing part of their name.

A picker field posts plain values (organisation codes today, one a line), so the form's own
validation stays the authority and the field still works without JavaScript: the server
renders the plain input, and static/js/picker.js turns it into a combobox with chips that
searches a *source* through `/o/<code>/pick/<source>/?q=` (dvk.views.picker_search, under
the tenancy middleware: the acting organisation of that URL bounds every search).

A source says what can be picked: `matches` (the search, capped) and `resolve` (the chips of
values already in the field). Sources register themselves by key with `register_source`;
the organisation and people sources live here, and later apps add theirs the same way, from
their own modules, without this one importing them.
"""

import re
from dataclasses import dataclass

from django import forms
from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.db.models.functions import Length
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .enums import Role
from .models import Membership, Organization, User
from .selectors import has_role_at, subtree_of
from .text import normalize_search

LIMIT = 20
MIN_LENGTH = 2
MAX_QUERY = 100
SEPARATORS = re.compile(r"[\s,;]+")
PATH_SEPARATOR = " › "


@dataclass
class Choice:
    value: str  # what the form posts
    label: str
    context: str = ""  # where it sits, e.g. "Tỉnh Nghệ An › Xã Diễn Châu"
    detail: str = ""  # a second hint, e.g. its level and code
    known: bool = True  # False for a typed value the source does not know (shown as typed)


@dataclass
class SearchResult:
    choices: list
    more: bool = False  # the cap cut the list: the user should narrow the search
    too_short: bool = False


class Source:
    """What a picker searches. Subclasses set `key` and implement `matches` and `resolve`."""

    key = ""
    limit = LIMIT
    min_length = MIN_LENGTH
    placeholder = _lazy("Tìm theo tên hoặc mã…")
    autocapitalize = "none"  # the plain field's, for those who type values

    def allowed(self, request, root):
        """May this request search below `root`? The middleware has already checked a role at
        `root` or above; a source with stricter needs (people) says so here (False: 403)."""
        return True

    def clean_value(self, value):
        return value.strip()

    def values(self, value, multiple=True):
        """The field's values, cleaned, each once, in the order given."""
        return split_values([self.clean_value(v) for v in split_values(value, multiple)])

    def typed_placeholder(self, multiple):
        """The plain field's placeholder, for those who type values without the script."""
        return ""

    def matches(self, request, root, query, limit):
        """Up to `limit` Choices for `query` below `root`, best first, in a fixed number of queries."""
        raise NotImplementedError

    def resolve(self, root, values):
        """{value: Choice} for the `values` found below `root` (the rest are left out)."""
        raise NotImplementedError

    def search(self, request, root, query):
        query = (query or "")[:MAX_QUERY].strip()
        if len(normalize_search(query).replace(" ", "")) < self.min_length:
            return SearchResult(choices=[], too_short=True)
        found = self.matches(request, root, query, self.limit + 1)
        return SearchResult(choices=found[: self.limit], more=len(found) > self.limit)


def words_match(needle):
    """Each word of `needle` (folded by normalize_search) starts a word of `search_name`, in
    any order: "cong an" finds "Công an tỉnh", not "Ban công tác"."""
    wanted = Q()
    for word in needle.split():
        wanted &= Q(search_name__startswith=word) | Q(search_name__contains=f" {word}")
    return wanted


def name_rank(needle, *, exact):
    """Best first: the `exact` key (a code, a username), the exact name, a name that starts
    with what was typed, one with a word that does; then the rest."""
    return Case(
        When(exact, then=Value(0)),
        When(search_name=needle, then=Value(1)),
        When(search_name__startswith=needle, then=Value(2)),
        When(search_name__contains=f" {needle}", then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )


SOURCES = {}


def register_source(source):
    """Adds a source (an instance) under its key; a later registration of the key replaces it."""
    SOURCES[source.key] = source
    return source


def source_or_404(key):
    source = SOURCES.get(key)
    if source is None:
        raise Http404
    return source


class OrganizationSource(Source):
    """Organisations of the root's subtree (the root included), by name without diacritics
    (every word typed must start a word of the name, in any order: "cong an tinh" and
    "tinh cong" find "Công an tỉnh") or by code; exact and leading matches first."""

    key = "organizations"
    autocapitalize = "characters"

    def clean_value(self, value):
        return value.strip().upper()

    def typed_placeholder(self, multiple):
        return _lazy("Mã tổ chức, mỗi dòng một mã") if multiple else _lazy("Mã tổ chức")

    def candidates(self, request, root):
        """What may be offered below `root`: every active organisation of its subtree. A
        narrower source (the units a user may register for) narrows this queryset."""
        return subtree_of(root).filter(archived_at__isnull=True)

    def matches(self, request, root, query, limit):
        needle = normalize_search(query)
        # Each word typed starts a word of the name ("cong an" is not "Ban công tác"); a query
        # of one token may also be (part of) a code.
        by_name = words_match(needle)
        code = query.strip().upper() if len(query.split()) == 1 else None
        wanted = by_name | Q(code__contains=code) if code else by_name
        rows = (
            self.candidates(request, root)
            .filter(wanted)
            .annotate(rank=name_rank(needle, exact=Q(code=code or "")), name_length=Length("search_name"))
            .order_by("rank", "depth", "name_length", "search_name", "path")[:limit]
        )
        return self.choices(root, list(rows))

    def resolve(self, root, values):
        found = subtree_of(root).filter(code__in=values)
        return {choice.value: choice for choice in self.choices(root, list(found))}

    def choices(self, root, orgs):
        """Choices with their place in the tree from `root` down: one query for every ancestor."""
        wanted = {path for org in orgs for path in org.ancestor_paths()[root.depth - 1 : -1]}
        names = dict(Organization.objects.filter(path__in=wanted).values_list("path", "name")) if wanted else {}
        return [
            Choice(
                value=org.code,
                label=org.name,
                context=PATH_SEPARATOR.join(names[p] for p in org.ancestor_paths()[root.depth - 1 : -1] if p in names),
                detail=f"{org.get_level_display()} · {org.code}",
            )
            for org in orgs
        ]


register_source(OrganizationSource())


# Short role names for a person's line in the picker ("Cán bộ – Xã Diễn Châu; Bí thư – Chi bộ
# Xóm 5"): Role's own labels are written for forms and too long side by side.
SHORT_ROLES = {
    Role.STAFF: _lazy("Cán bộ"),
    Role.SECRETARY: _lazy("Bí thư"),
    Role.MEMBER: _lazy("Thành viên"),
}
ROLE_SEPARATOR = "; "


class PeopleSource(Source):
    """Active people holding a role (any) at the root or anywhere below it: a commune's board
    mixes the commune's staff with, say, the chairman of its Front, whose role is at a unit.
    Matched by name without diacritics (every word typed starts a word of the name) or by
    username; each shows the roles it holds in the subtree, never an e-mail or a phone, and
    never a role outside the subtree (another tenant's organisations stay unnamed). The value
    posted is the username: stable, and shown to staff on the member pages already.

    Only staff of the root (or above) may search: a unit's secretary must not list the
    commune's people through the commune's code."""

    key = "people"
    placeholder = _lazy("Tìm theo họ tên hoặc tên đăng nhập…")

    def allowed(self, request, root):
        return has_role_at(request.user, root, Role.STAFF)

    def typed_placeholder(self, multiple):
        return _lazy("Tên đăng nhập, mỗi dòng một người") if multiple else _lazy("Tên đăng nhập")

    def candidates(self, root):
        """Active users with an active role in the root's subtree (one EXISTS, no duplicates)."""
        roles = Membership.objects.filter(
            user=OuterRef("pk"), organization__path__startswith=root.path, organization__archived_at__isnull=True
        )
        return User.objects.filter(Exists(roles), is_active=True)

    def with_roles(self, root, users):
        """`users` with their roles in the subtree (`.picker_roles`), in one more query."""
        roles = (
            Membership.objects.filter(organization__path__startswith=root.path, organization__archived_at__isnull=True)
            .select_related("organization")
            .only("user_id", "role", "organization__name", "organization__path")
            .order_by("organization__path", "role")
        )
        return users.prefetch_related(Prefetch("memberships", queryset=roles, to_attr="picker_roles"))

    def matches(self, request, root, query, limit):
        needle = normalize_search(query)
        by_name = words_match(needle)
        # A single word may also be (the start of) a username; usernames keep their case.
        username = query.strip() if len(query.split()) == 1 else None
        wanted = by_name | Q(username__istartswith=username) if username else by_name
        rows = (
            self.candidates(root)
            .filter(wanted)
            .annotate(
                rank=name_rank(needle, exact=Q(username__iexact=username or "")), name_length=Length("search_name")
            )
            .order_by("rank", "name_length", "search_name", "username")[:limit]
        )
        return [self.choice(user) for user in self.with_roles(root, rows)]

    def resolve(self, root, values):
        found = self.with_roles(root, self.candidates(root).filter(username__in=values))
        return {user.username: self.choice(user) for user in found}

    def users(self, root, values):
        """{username: User} for the `values` found in the subtree (the rest are left out)."""
        return {user.username: user for user in self.candidates(root).filter(username__in=values)}

    def choice(self, user):
        where = ROLE_SEPARATOR.join(
            f"{SHORT_ROLES.get(m.role, m.get_role_display())} – {m.organization.name}" for m in user.picker_roles
        )
        return Choice(value=user.username, label=str(user), context=where, detail=user.username)


register_source(PeopleSource())


def people_from_usernames(root, usernames):
    """The people `usernames` name among those with a role in the subtree of `root`, in the
    order given; a ValidationError naming every one unknown or outside (the same message for
    both: whether a username exists elsewhere is not told)."""
    if not usernames:
        return []
    found = SOURCES[PeopleSource.key].users(root, usernames)
    return in_order_or_refuse(
        usernames, found, _("Không tìm thấy người có tên đăng nhập %(names)s trong phạm vi của %(org)s."), root
    )


def in_order_or_refuse(values, found, message, root):
    """[found[v] for v in values], or a ValidationError `message` naming every value not
    found (`%(names)s`) within `root` (`%(org)s`)."""
    missing = [value for value in values if value not in found]
    if missing:
        raise forms.ValidationError(message % {"names": ", ".join(f"“{v}”" for v in missing), "org": root.name})
    return [found[value] for value in values]


def split_values(value, multiple=True):
    """The values of a field's text, in the order typed, each once (one field: the whole text)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = SEPARATORS.split(str(value)) if multiple else [str(value)]
    seen = []
    for item in items:
        item = str(item).strip()
        if item and item not in seen:
            seen.append(item)
    return seen


class PickerWidget(forms.Widget):
    """The plain field (a textarea of values for several, an input for one), with the picker
    around it; picker.js shows the picker and hides the plain field. `root` (the organisation
    that bounds the search) is set by the form, per request; without it only the plain field
    is rendered."""

    template_name = "dvk/widgets/picker.html"

    def __init__(self, source, *, multiple, attrs=None):
        super().__init__(attrs)
        self.source_key = source
        self.multiple = multiple
        self.root = None

    @property
    def source(self):
        return SOURCES[self.source_key]

    def format_value(self, value):
        values = self.source.values(value, self.multiple)
        return "\n".join(values) if self.multiple else (values[0] if values else "")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["multiple"] = self.multiple
        widget["picker"] = None
        if self.root is not None:
            source = self.source
            values = source.values(value, self.multiple)
            found = source.resolve(self.root, values) if values else {}
            chips = [found.get(v) or Choice(value=v, label=v, known=False) for v in values]
            widget["picker"] = {
                "url": reverse("picker_search", kwargs={"org_code": self.root.code, "source": source.key}),
                "root": self.root,
                "chips": chips[:1] if not self.multiple else chips,
                "placeholder": source.placeholder,
                "min_length": source.min_length,
            }
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template engine (templates/ and its tags), not the form renderer's.
        return render_to_string(self.template_name, self.get_context(name, value, attrs))


class PickerField(forms.CharField):
    """A field picked with a search picker. Its cleaned value is the list of values (several)
    or one value ("" when empty); the form checks them against the root's subtree (for
    organisations, campaigns.forms.organizations_from_codes)."""

    def __init__(self, *, source, multiple=True, **kwargs):
        kwargs.setdefault("required", False)
        kwargs["widget"] = PickerWidget(source, multiple=multiple)
        self.multiple = multiple
        super().__init__(**kwargs)
        autocapitalize = SOURCES[source].autocapitalize
        self.widget.attrs.update({"spellcheck": "false", "autocapitalize": autocapitalize, "autocomplete": "off"})
        if multiple:
            self.widget.attrs["rows"] = 3
        placeholder = SOURCES[source].typed_placeholder(multiple)
        if placeholder:
            self.widget.attrs.setdefault("placeholder", placeholder)

    def bind(self, root):
        """The organisation whose subtree the picker searches."""
        self.widget.root = root
        return self

    def to_python(self, value):
        source = SOURCES[self.widget.source_key]
        values = source.values(super().to_python(value), self.multiple)
        if self.multiple:
            return values
        return values[0] if values else ""
