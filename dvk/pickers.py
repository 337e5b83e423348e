"""Search pickers: one widget to pick things by typing part of their name.

A picker field posts plain values (organisation codes today, one a line), so the form's own
validation stays the authority and the field still works without JavaScript: the server
renders the plain input, and static/js/picker.js turns it into a combobox with chips that
searches a *source* through `/o/<code>/pick/<source>/?q=` (dvk.views.picker_search, under
the tenancy middleware: the acting organisation of that URL bounds every search).

A source says what can be picked: `matches` (the search, capped) and `resolve` (the chips of
values already in the field). Sources register themselves by key with `register_source`;
the organisation source lives here, and later apps add theirs (people, for the appraisal
board) the same way, from their own modules, without this one importing them.
"""

import re
from dataclasses import dataclass

from django import forms
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Length
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _lazy

from .models import Organization
from .selectors import subtree_of
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
        by_name = Q()
        for word in needle.split():
            by_name &= Q(search_name__startswith=word) | Q(search_name__contains=f" {word}")
        code = query.strip().upper() if len(query.split()) == 1 else None
        wanted = by_name | Q(code__contains=code) if code else by_name
        rows = (
            self.candidates(request, root)
            .filter(wanted)
            .annotate(
                rank=Case(
                    When(code=code or "", then=Value(0)),
                    When(search_name=needle, then=Value(1)),
                    When(search_name__startswith=needle, then=Value(2)),
                    When(search_name__contains=f" {needle}", then=Value(3)),
                    default=Value(4),
                    output_field=IntegerField(),
                ),
                name_length=Length("search_name"),
            )
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
        self.widget.attrs.update({"spellcheck": "false", "autocapitalize": "characters", "autocomplete": "off"})
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
