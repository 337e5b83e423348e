"""The synthetic national-size tree (`manage.py generate_scale`), checked on a small size."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, ProtectedError
from django_scopes import scopes_disabled

from dvk.enums import Kind, Level, Role
from dvk.models import Membership, Organization, TreeImport, User
from dvk.scale import BENCH_PASSWORD, build_scale_tree, delete_scale_trees
from dvk.text import normalize_search

pytestmark = pytest.mark.django_db

SMALL = {"provinces": 2, "communes": 3, "units": 4}


def generate(*args, **small):
    out = StringIO()
    options = {**SMALL, **small}
    call_command("generate_scale", *args, *[f"--{k}={v}" for k, v in options.items()], stdout=out)
    return out.getvalue()


def assert_valid_tree():
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_small_tree_is_a_valid_treebeard_tree():
    output = generate()
    assert "Created 32 organisations: 2 provinces, 6 communes, 24 units" in output
    assert_valid_tree()
    assert Organization.objects.count() == 2 + 6 + 24
    assert Organization.objects.values("code").annotate(n=Count("id")).filter(n__gt=1).count() == 0

    roots = list(Organization.objects.get_root_nodes())
    assert [r.code for r in roots] == ["S01", "S02"]
    s01 = roots[0]
    assert s01.level == Level.PROVINCE and s01.numchild == 3
    assert [c.code for c in Organization.objects.get_children(s01)] == ["S01-C001", "S01-C002", "S01-C003"]
    assert Organization.objects.get_descendant_count(s01) == 3 + 12
    commune = Organization.objects.get(code="S01-C001")
    assert commune.level == Level.COMMUNE and Organization.objects.get_parent(commune) == s01
    units = list(Organization.objects.get_children(commune))
    assert [u.code for u in units] == [f"S01-C001-U0{i}" for i in range(1, 5)]
    assert all(u.is_leaf() and u.depth == 3 for u in units)
    assert units[0].name == "Đảng ủy xã Sc-01-001" and units[0].kind == Kind.PARTY_COMMITTEE
    assert list(Organization.objects.get_ancestors(units[-1])) == [s01, commune]


def test_names_search_and_mix_of_units():
    generate(units=18)
    for org in Organization.objects.all():
        assert org.search_name and org.search_name == normalize_search(org.name)
        assert org.created_at is not None
    units = {o.code: o for o in Organization.objects.filter(depth=3)}
    assert units["S01-C001-U08"].name == "Hội Nông dân xã Sc-01-001"
    assert units["S01-C001-U15"].name == "Thôn 1"
    assert (units["S01-C001-U15"].level, units["S01-C001-U15"].kind) == (Level.VILLAGE, Kind.VILLAGE)
    assert units["S01-C001-U16"].name == "Chi bộ Thôn 1"
    assert units["S01-C001-U16"].kind == Kind.PARTY_CELL
    assert units["S01-C001-U18"].name == "Chi bộ Thôn 2"
    kinds = set(Organization.objects.filter(depth=3).values_list("kind", flat=True))
    assert {Kind.SCHOOL, Kind.HEALTH_STATION, Kind.POLICE, Kind.MILITARY, Kind.FARMERS, Kind.VILLAGE} <= kinds
    assert Organization.objects.filter(search_name="hoi nong dan xa sc-02-003").exists()


def test_placed_after_existing_roots(tree, province_staff):
    before = list(Organization.objects.order_by("path").values_list("code", "path", "numchild"))
    generate()
    assert_valid_tree()
    roots = list(Organization.objects.get_root_nodes())
    assert [r.code for r in roots] == ["PROV", "S01", "S02"]
    assert roots[1].path == Organization._get_path(None, 1, Organization._str2int(tree.province.path) + 1)
    kept = Organization.objects.filter(code__in=[c for c, _, _ in before]).order_by("path")
    assert list(kept.values_list("code", "path", "numchild")) == before
    province = Organization.objects.get(code="PROV")
    assert Organization.objects.get_descendant_count(province) == 5


def test_benchmark_users_are_staff_of_the_first_province_and_commune(tree):
    generate()
    tinh, xa = User.objects.get(username="scale-tinh"), User.objects.get(username="scale-xa")
    assert tinh.check_password(BENCH_PASSWORD) and xa.check_password(BENCH_PASSWORD)
    assert tinh.password == xa.password  # hashed once
    assert list(Membership.objects.filter(user=tinh).values_list("organization__code", "role")) == [("S01", Role.STAFF)]
    assert list(Membership.objects.filter(user=xa).values_list("organization__code", "role")) == [
        ("S01-C001", Role.STAFF)
    ]


def test_second_run_needs_reset():
    generate()
    with pytest.raises(CommandError, match="--reset"):
        generate()


def test_reset_removes_only_the_scale_tree(tree, province_staff):
    generate()
    output = generate("--reset", provinces=3, communes=2, units=2)
    assert "Deleted 32 organisations" in output
    assert_valid_tree()
    assert [r.code for r in Organization.objects.get_root_nodes()] == ["PROV", "S01", "S02", "S03"]
    assert Organization.objects.count() == 6 + 3 * (1 + 2 + 4)
    assert Organization.objects.get_descendant_count(Organization.objects.get(code="PROV")) == 5
    assert Membership.objects.filter(user=province_staff, organization__code="PROV").exists()
    # the benchmark users were kept and attached to the new tree
    assert User.objects.filter(username__startswith="scale-").count() == 2
    assert Membership.objects.filter(user__username="scale-xa").get().organization.code == "S01-C001"

    assert delete_scale_trees() == 21
    assert [r.code for r in Organization.objects.get_root_nodes()] == ["PROV"]
    assert not Membership.objects.filter(user__username__startswith="scale-").exists()
    assert_valid_tree()


def test_reset_respects_protected_rows(tree):
    generate()
    user = User.objects.get(username="scale-xa")
    with scopes_disabled():
        TreeImport.objects.create(
            organization=Organization.objects.get(code="S02-C003"), imported_by=user, file_name="x.xlsx"
        )
    with pytest.raises(ProtectedError):
        build_scale_tree(**SMALL, reset=True)
    assert Organization.objects.filter(code__startswith="S0").count() == 32


def test_batches_smaller_than_a_province():
    result = build_scale_tree(3, 5, 7, batch_size=10)
    assert (result.provinces, result.communes, result.units, result.organizations) == (3, 15, 105, 123)
    assert Organization.objects.count() == 123
    assert_valid_tree()
