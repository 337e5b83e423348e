"""The machinery of the outsider test (tests/test_outsider.py): every URL of the site, the
probes a case makes, and the query parameters each view reads.

Nothing in the URL conf may escape the test: every pattern is listed, named or not, written
with `path` or `re_path`, with or without parameters (a URL may carry the tenant only in its
query string), and must have a case or a reason in NOT_TENANT_URLS. A view that reads a query
parameter no probe of its case tries fails too, unless the parameter never names a tenant's
object (HARMLESS_PARAMETERS)."""

import contextlib
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver

# URLs that name no tenant's object and show none, each with the reason.
NOT_TENANT_URLS = {
    "healthz": "the load balancer's liveness probe: a fixed 'ok'",
    "login": "the login form",
    "logout": "ends the caller's own session (it would end the test client's too)",
    "password_change": "the caller's own password",
    "password_change_done": "a fixed page",
    "password_reset": "asks for a reset mail to an address, the same answer whether it exists or not",
    "password_reset_done": "a fixed page",
    "password_reset_confirm": "a signed one-time token, not an object",
    "password_reset_complete": "a fixed page",
    "schema": "the OpenAPI schema: the API's shape, no data",
    "api_docs": "Swagger UI over the schema, no data",
    "service_worker": "the tablet app's worker: fixed code and the static files' names",
    "web_manifest": "the tablet app's manifest: its name and icons",
    "outbox": "a shell over the caller's own device storage (IndexedDB): no server data",
}
IGNORED_NAMESPACES = {"admin"}  # Django's admin: superusers only, outside the tenant model

# Query parameters that never name a tenant's object: a view may read them without a case
# trying them. Anything else a view reads (?org=, ?node=, ?campaign=...) must be tried.
HARMLESS_PARAMETERS = {
    "page": "a page number",
    "q": "free text to search within the scope",
    "search": "free text to search within the scope",
    "sort": "one of a fixed list of orders",
    "status": "one of a fixed list of states",
    "subject": "collective or individual",
    "subject_type": "collective or individual",
    "kind": "one of a fixed list of kinds",
    "archived": "a yes/no switch",
    "subtree": "a yes/no switch",
    "check": "a yes/no switch",
    "field": "a field of work (lĩnh vực): a list shared by every tenant",
    "next": "a same-site address to return to, checked by url_has_allowed_host_and_scheme",
    "format": "DRF's choice of renderer (json, api)",
}


def url_key(entry, namespace):
    """A URL's name in the case list: its name, or its route when it has none."""
    if entry.name:
        return f"{namespace}:{entry.name}" if namespace else entry.name
    return None


def all_urls(urlconf=None):
    """{key: route} for every URL pattern outside the ignored namespaces; the key is the
    pattern's name, or its full route when it has none."""
    found = {}

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                if ns in IGNORED_NAMESPACES:
                    continue
                walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                found[url_key(entry, namespace) or route] = route

    walk(get_resolver(urlconf).url_patterns, "/", None)
    return found


def missing_cases(cases, urlconf=None):
    return sorted(set(all_urls(urlconf)) - set(cases) - set(NOT_TENANT_URLS))


def schema_paths():
    """API paths from the OpenAPI schema drf-spectacular generates."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return set(schema["paths"])


@dataclass(frozen=True)
class Probe:
    """One request of a case and what it must answer. Whatever it answers, the body never
    shows the victim's data and no row of any table changes."""

    method: str
    url: str
    data: dict | None = None
    expect: int = 404
    # How an API probe's body is sent (None: the client's default, multipart; "json" for
    # bodies with lists of objects, as a tablet sends them).
    format: str | None = None


def get(url, expect=404):
    return Probe("get", url, None, expect)


def post(url, data=None, expect=404):
    return Probe("post", url, data, expect)


def delete(url, expect=404):
    return Probe("delete", url, None, expect)


def check_probes(name, persona, probes):
    """A case must try something for every persona: an empty list would pass unseen."""
    if not probes:
        raise AssertionError(f"case {name!r} makes no request as {persona}")
    return probes


def tried_parameters(probes):
    return {key for probe in probes for key, _value in parse_qsl(urlsplit(probe.url).query, keep_blank_values=True)}


def untried_parameters(read, probes):
    """The query parameters a view read that name something and no probe tried."""
    return sorted(set(read) - tried_parameters(probes) - set(HARMLESS_PARAMETERS))


class RecordingQueryDict(QueryDict):
    """request.GET that notes which keys the view asked for (pages and DRF's query_params)."""

    reads = None  # the set being filled, while `recording_query_reads` runs

    def _note(self, key):
        if RecordingQueryDict.reads is not None:
            RecordingQueryDict.reads.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)


@dataclass
class QueryReads:
    keys: set = field(default_factory=set)


@contextlib.contextmanager
def recording_query_reads():
    """While it runs, every request's GET is a RecordingQueryDict; yields the keys read."""
    reads = QueryReads()
    original = WSGIRequest.__dict__["GET"]

    def recording_get(request):
        if "_recording_get" not in request.__dict__:
            request.__dict__["_recording_get"] = RecordingQueryDict(
                request.META.get("QUERY_STRING", ""), encoding=request.encoding
            )
        return request.__dict__["_recording_get"]

    def forget(request):  # a new encoding (HttpRequest.encoding's setter) decodes again
        request.__dict__.pop("_recording_get", None)

    RecordingQueryDict.reads = reads.keys
    WSGIRequest.GET = property(recording_get, None, forget)
    try:
        yield reads
    finally:
        WSGIRequest.GET = original
        RecordingQueryDict.reads = None
