"""Which URLs take an object or an organisation, from the URL conf and the API schema.

Every such URL must have an entry in tests/test_outsider.py's CASES, which says how the
outsider (staff of the sibling commune) reaches the victim tenant's object there.
"""

from django.urls import URLPattern, URLResolver, get_resolver

# URLs with parameters that name no tenant object, each with the reason.
NOT_TENANT_OBJECTS = {
    "password_reset_confirm": "a signed one-time token, not an object",
}
IGNORED_NAMESPACES = {"admin"}  # Django's admin: superusers only, outside the tenant model


def object_urls(urlconf=None):
    """{url name: route} for every named URL pattern with at least one parameter."""
    found = {}

    def walk(patterns, prefix, namespace, inherited_params):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                if ns in IGNORED_NAMESPACES:
                    continue
                params = inherited_params | set(entry.pattern.converters)
                walk(entry.url_patterns, prefix + str(entry.pattern), ns, params)
            elif isinstance(entry, URLPattern):
                params = inherited_params | set(entry.pattern.converters)
                if not params or not entry.name:
                    continue
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                if name in NOT_TENANT_OBJECTS:
                    continue
                found[name] = prefix + str(entry.pattern)

    walk(get_resolver(urlconf).url_patterns, "/", None, set())
    return found


def schema_object_paths():
    """API paths with a parameter, from the OpenAPI schema drf-spectacular generates."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {path for path in schema["paths"] if "{" in path}


def missing_cases(cases, urlconf=None):
    return sorted(set(object_urls(urlconf)) - set(cases))
