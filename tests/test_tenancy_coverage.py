"""docs/TENANCY.md against the code: every model of ours is scoped or exempt with a reason,
and reads across tenants go through the one door, in the modules that may use it."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django_scopes import ScopeError

from dvk.scoping import TenantManager

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "TENANCY.md").read_text()
OUR_APPS = {"dvk", "campaigns", "models_registry", "appraisal"}
SOURCE_DIRS = ("dvk", "campaigns", "models_registry", "appraisal")
# Modules that may read across tenants with `all_tenants()`, each for a reason docs/TENANCY.md gives.
DOOR_USERS = {
    "appraisal/reminders.py": "the scoring reminders, run by the daily sweep (background job)",
    "appraisal/seats.py": "the user's own board seats, read before a scope exists (like memberships)",
    "campaigns/reminders.py": "the daily sweep and its batch sender serve every tenant (background job)",
    "models_registry/demo.py": "the demo loader (management command)",
    "models_registry/scale.py": "the scale generator (management command)",
}
# Generic deletion of generated data walks every model's relations: the one use of _base_manager.
BASE_MANAGER_USERS = {"dvk/scale.py", "models_registry/scale.py"}


def _section(title):
    start = DOC.index(f"## {title}")
    end = DOC.find("\n## ", start + 1)
    return DOC[start : end if end != -1 else None]


def _labels(section):
    return set(re.findall(r"^\| `([a-z_]+\.[A-Za-z]+)` \|", section, flags=re.MULTILINE))


def our_models():
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in OUR_APPS and not m._meta.auto_created and not m.__name__.startswith("Historical")
    ]


def test_every_model_is_scoped_or_exempt_with_a_reason():
    scoped = {m._meta.label for m in our_models() if isinstance(m._default_manager, TenantManager)}
    unscoped = {m._meta.label for m in our_models()} - scoped
    assert scoped == _labels(_section("Scoped models and their rule")), "update docs/TENANCY.md's scoped table"
    assert unscoped == _labels(_section("Exempt models, and why")), (
        "give the model a TenantManager, or say in docs/TENANCY.md why it is exempt"
    )


@pytest.mark.parametrize(
    "label", sorted(m._meta.label for m in our_models() if isinstance(m._default_manager, TenantManager))
)
def test_a_scoped_model_refuses_to_query_outside_a_scope(label):
    with pytest.raises(ScopeError):
        list(apps.get_model(label).objects.all())


def _sources():
    for top in SOURCE_DIRS:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in rel:
                yield rel, path.read_text()


def test_reads_across_tenants_go_through_the_door_in_the_listed_modules_only():
    uses = {rel for rel, text in _sources() if ".all_tenants()" in text and rel != "dvk/scoping.py"}
    assert uses == set(DOOR_USERS), "a new read across tenants: list it in DOOR_USERS and docs/TENANCY.md"


def test_no_base_manager_and_no_model_reached_through_meta():
    base = {rel for rel, text in _sources() if "_base_manager" in text}
    assert base == BASE_MANAGER_USERS
    # dvk/scoping.py follows a child row's own foreign key to its parent, nothing else.
    through_meta = {rel for rel, text in _sources() if re.search(r"get_field\([^)]*\)\.related_model", text)}
    assert through_meta == {"dvk/scoping.py"}
