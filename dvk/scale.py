"""A synthetic national-size organisation tree for benchmarks (`manage.py generate_scale`).

The tree is written with `bulk_create`: paths, depth and numchild are computed here the way
treebeard would compute them, because one `add_child` per node (several queries each) is far
too slow for ~139,000 nodes. Consequences, acceptable for synthetic data:

* no django-simple-history rows are written for the generated organisations, neither when
  they are created nor, usually, when `delete_scale_trees` removes them;
* `Organization.save()` is not called, so `name` is cleaned and `search_name` filled here.

Generated codes carry the `S` prefix (`S01`, `S01-C001`, `S01-C001-U01`) so they never clash
with demo or imported data; the generated roots are placed after the existing roots.
"""

import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from .enums import Kind, Level, Role
from .models import Membership, Organization
from .text import clean_text, normalize_search

SCALE_PREFIX = "S"
SCALE_ROOT_CODE_RE = rf"^{SCALE_PREFIX}[0-9]+$"
SCALE_CODE_RE = rf"^{SCALE_PREFIX}[0-9]+(-C[0-9]+(-U[0-9]+)?)?$"
BENCH_PASSWORD = "scale-bench-2026"
PROVINCE_USER = "scale-tinh"
COMMUNE_USER = "scale-xa"
BATCH_SIZE = 5000

# Bodies every commune has, in order; `{c}` is e.g. "xã Sc-12-034". The remaining units of a
# commune are villages (residential areas in wards) and their party cells, alternately.
COMMUNE_BODIES = [
    ("Đảng ủy {c}", Level.UNIT, Kind.PARTY_COMMITTEE),
    ("Ủy ban nhân dân {c}", Level.UNIT, Kind.PEOPLES_COMMITTEE),
    ("Ủy ban MTTQ Việt Nam {c}", Level.UNIT, Kind.FATHERLAND_FRONT),
    ("Ban Xây dựng Đảng Đảng ủy {c}", Level.UNIT, Kind.MASS_MOBILISATION_BOARD),
    ("Hội Cựu chiến binh {c}", Level.UNIT, Kind.VETERANS),
    ("Hội Liên hiệp Phụ nữ {c}", Level.UNIT, Kind.WOMEN),
    ("Đoàn Thanh niên {c}", Level.UNIT, Kind.YOUTH),
    ("Hội Nông dân {c}", Level.UNIT, Kind.FARMERS),
    ("Công an {c}", Level.UNIT, Kind.POLICE),
    ("Ban Chỉ huy Quân sự {c}", Level.UNIT, Kind.MILITARY),
    ("Trạm Y tế {c}", Level.UNIT, Kind.HEALTH_STATION),
    ("Trường Mầm non {c}", Level.UNIT, Kind.SCHOOL),
    ("Trường Tiểu học {c}", Level.UNIT, Kind.SCHOOL),
    ("Trường THCS {c}", Level.UNIT, Kind.SCHOOL),
]


@dataclass
class ScaleResult:
    provinces: int = 0
    communes: int = 0
    units: int = 0  # every node under a commune, villages included
    villages: int = 0
    users: int = 0
    deleted: int = 0
    seconds: float = 0.0

    @property
    def organizations(self):
        return self.provinces + self.communes + self.units


class ScaleError(Exception):
    pass


def _step(k):
    """The treebeard path step of the k-th child (1-based), e.g. 1 -> '0001', 36 -> '0010'."""
    key = Organization._int2str(k)
    return Organization.alphabet[0] * (Organization.steplen - len(key)) + key


def scale_roots():
    return Organization.objects.filter(depth=1, code__regex=SCALE_ROOT_CODE_RE).order_by("path")


def _reverse_relations(model):
    """Relations whose rows point at `model` (as Django's deletion collector finds them)."""
    return [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_one or f.one_to_many)
    ]


@transaction.atomic
def delete_scale_trees():
    """Delete every generated scale root and its subtree; returns the number of organisations.

    Rows of other models that cascade from the organisations (memberships, grants, anything a
    benchmark created under the tree) are deleted through the ORM first, then the organisations
    with one plain DELETE: the ORM path would load ~139,000 nodes and write a history row for
    each. If something refers to the tree in any other way (PROTECT, SET_NULL...), the normal
    ORM deletion is used instead, with its usual protections.
    """
    roots = list(scale_roots())
    if not roots:
        return 0
    subtree = models.Q()
    for root in roots:
        subtree |= models.Q(path__startswith=root.path)
    orgs = Organization.objects.filter(subtree)

    cascades = []
    for rel in _reverse_relations(Organization):
        if rel.on_delete is models.DO_NOTHING:
            continue
        dependents = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": orgs})
        if not dependents.exists():
            continue
        if rel.on_delete is not models.CASCADE:
            count = orgs.count()
            orgs.delete()  # full ORM semantics (raises ProtectedError on PROTECT)
            return count
        cascades.append(dependents)
    for dependents in cascades:
        dependents.delete()
    return orgs._raw_delete(orgs.db)


def _commune_units(commune_label, village_word, units):
    """(name, level, kind) of the units of one commune."""
    out = [(name.format(c=commune_label), level, kind) for name, level, kind in COMMUNE_BODIES[:units]]
    village = 1
    while len(out) < units:
        out.append((f"{village_word} {village}", Level.VILLAGE, Kind.VILLAGE))
        if len(out) < units:
            out.append((f"Chi bộ {village_word} {village}", Level.UNIT, Kind.PARTY_CELL))
        village += 1
    return out


def _org(path, depth, numchild, code, name, level, kind, address=""):
    name = clean_text(name)
    return Organization(
        path=path,
        depth=depth,
        numchild=numchild,
        code=code,
        name=name,
        search_name=normalize_search(name),
        level=level,
        kind=kind,
        address=address,
    )


def build_scale_tree(provinces=34, communes=100, units=40, *, reset=False, batch_size=BATCH_SIZE, log=None):
    """Generate provinces × communes × units organisations after the existing roots.

    Also creates (or reuses) the benchmark users `scale-tinh` (staff of the first generated
    province) and `scale-xa` (staff of its first commune), password `scale-bench-2026`.
    Returns a ScaleResult. Raises ScaleError if a scale tree exists and `reset` is false.
    """
    if min(provinces, communes, units) < 0:
        raise ScaleError("Counts must not be negative.")
    started = time.monotonic()
    result = ScaleResult()
    say = log or (lambda message: None)

    with transaction.atomic():
        if reset:
            result.deleted = delete_scale_trees()
        if Organization.objects.filter(code__regex=SCALE_CODE_RE).exists():
            raise ScaleError("A scale tree (codes S01, S01-C001...) already exists; use --reset to replace it.")

        last_root = Organization.objects.filter(depth=1).order_by("-path").first()
        first_root_pos = Organization._str2int(last_root.path) + 1 if last_root else 1
        if first_root_pos + provinces - 1 >= len(Organization.alphabet) ** Organization.steplen:
            raise ScaleError("No room left for that many roots.")

        pw = max(2, len(str(provinces)))
        cw = max(3, len(str(communes)))
        uw = max(2, len(str(units)))
        buffer = []

        def flush(force=False):
            while len(buffer) >= batch_size or (force and buffer):
                chunk = buffer[:batch_size]
                del buffer[:batch_size]
                Organization.objects.bulk_create(chunk, batch_size=batch_size)

        for p in range(1, provinces + 1):
            p_code = f"{SCALE_PREFIX}{p:0{pw}d}"
            p_label = f"Sc-{p:0{pw}d}"
            p_name = f"Tỉnh {p_label}"
            p_path = _step(first_root_pos + p - 1)
            buffer.append(_org(p_path, 1, communes, p_code, p_name, Level.PROVINCE, Kind.ADMINISTRATIVE))
            result.provinces += 1
            for c in range(1, communes + 1):
                ward = c % 10 == 0  # every tenth commune is an urban ward
                c_label = f"Sc-{p:0{pw}d}-{c:0{cw}d}"
                c_word, village_word = ("phường", "Khu phố") if ward else ("xã", "Thôn")
                c_code = f"{p_code}-C{c:0{cw}d}"
                c_path = p_path + _step(c)
                c_name = f"{c_word.capitalize()} {c_label}"
                address = f"{c_name}, {p_name}"
                buffer.append(_org(c_path, 2, units, c_code, c_name, Level.COMMUNE, Kind.ADMINISTRATIVE, address))
                result.communes += 1
                unit_specs = _commune_units(f"{c_word} {c_label}", village_word, units)
                for u, (u_name, level, kind) in enumerate(unit_specs, 1):
                    u_code = f"{c_code}-U{u:0{uw}d}"
                    buffer.append(_org(c_path + _step(u), 3, 0, u_code, u_name, level, kind, address))
                    result.units += 1
                    result.villages += level == Level.VILLAGE
                flush()
            say(f"  {p_code}: {result.organizations} organisations so far ({time.monotonic() - started:.1f}s)")
        flush(force=True)

        result.users = _bench_users(provinces, communes, pw, cw)

    if connection.vendor == "postgresql":
        # Fresh statistics, so that benchmarks run right after see the planner's real choices.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Organization._meta.db_table)}")
    result.seconds = time.monotonic() - started
    return result


def _bench_users(provinces, communes, pw, cw):
    """`scale-tinh` and `scale-xa`: staff of S01 and S01-C001. Returns how many were set up."""
    if provinces < 1:
        return 0
    User = get_user_model()
    password = make_password(BENCH_PASSWORD)  # hashed once, reused
    province_code = f"{SCALE_PREFIX}{1:0{pw}d}"
    targets = [(PROVINCE_USER, "Cán bộ tỉnh (quy mô)", province_code)]
    if communes >= 1:
        targets.append((COMMUNE_USER, "Cán bộ xã (quy mô)", f"{province_code}-C{1:0{cw}d}"))
    orgs = {o.code: o for o in Organization.objects.filter(code__in=[code for _, _, code in targets])}
    for username, full_name, code in targets:
        user, _ = User.objects.update_or_create(
            username=username, defaults={"full_name": full_name, "password": password, "is_active": True}
        )
        Membership.objects.get_or_create(user=user, organization=orgs[code], role=Role.STAFF)
    return len(targets)
