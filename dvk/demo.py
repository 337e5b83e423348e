"""Demo data for `manage.py seed_demo`: a realistic tree, demo accounts, and the builder.

The data are plain Python structures (a nested tree of dicts, a list of accounts). Feature apps
add theirs without the core importing them: every installed app may have a `demo` module
(`campaigns/demo.py`, `models_registry/demo.py`...), found by `demo_modules()` in app order
(dvk first), which may define

* `BUILD_STEPS`: functions of a `DemoContext`, run in app order inside one transaction;
* `FINISH_STEPS`: run after every app's build steps, in the same transaction (closing the
  history campaigns once their registrations exist, say);
* `AFTER_COMMIT_STEPS`: run once the transaction has committed (the reminder sweep, which
  manages its own transactions and hands mail over on commit);
* `RESET_STEPS`: functions of a `Counter` of deleted rows, run by `reset()` in reverse app
  order (later apps' rows point at earlier apps' rows with PROTECT foreign keys);
* `LABELS`: Vietnamese labels of the counters their steps fill, for the command's report.

Every step is idempotent: it looks rows up by their natural key (an organisation's code, a
username, a membership's user/organisation/role, a campaign's organisation and number) and
never re-saves a row that exists, so a second run writes nothing (no rows, no history rows).
Everything runs with scopes disabled (a management command).

The three provinces come from the seeds: Nghệ An with Diễn Châu commune (seed 004), Đồng Nai
with Đồng Phú commune (seed 000) and Vĩnh Long with its provincial agencies and former
districts (seed 001). Names of units are realistic; people are invented.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django_scopes import scopes_disabled

from . import services
from .enums import Kind, Level, Role
from .models import Membership, Notification, Organization, TreeImport, User

DEMO_PASSWORD = "dvk-demo-2026"
DEMO_EMAIL_DOMAIN = "demo.dvk.local"


# --------------------------------------------------------------------------------------------
# The tree. A node: {"code", "name", "level", "kind", "children": [...]}; "address" optional.
# Codes are stable: URLs carry them and later demo steps refer to them.
# --------------------------------------------------------------------------------------------


def node(code, name, level, kind, children=(), address=""):
    return {"code": code, "name": name, "level": level, "kind": kind, "address": address, "children": list(children)}


def unit(code, name, kind, children=()):
    return node(code, name, Level.UNIT, kind, children)


def commune_bodies(prefix, place):
    """The party committee, people's committee, Fatherland Front and the four mass organisations
    every commune has (the subjects listed in seed 004, 2.1)."""
    return [
        unit(f"{prefix}-DU", f"Đảng ủy xã {place}", Kind.PARTY_COMMITTEE),
        unit(f"{prefix}-UBND", f"Ủy ban nhân dân xã {place}", Kind.PEOPLES_COMMITTEE),
        unit(f"{prefix}-MTTQ", f"Ủy ban Mặt trận Tổ quốc Việt Nam xã {place}", Kind.FATHERLAND_FRONT),
        unit(f"{prefix}-CCB", f"Hội Cựu chiến binh xã {place}", Kind.VETERANS),
        unit(f"{prefix}-LHPN", f"Hội Liên hiệp Phụ nữ xã {place}", Kind.WOMEN),
        unit(f"{prefix}-DTN", f"Đoàn Thanh niên Cộng sản Hồ Chí Minh xã {place}", Kind.YOUTH),
        unit(f"{prefix}-HND", f"Hội Nông dân xã {place}", Kind.FARMERS),
    ]


def party_cells(prefix, names):
    """Party cells of residential areas: `names` like ["Xóm 1", "Xóm 2"]; code suffix from the number."""
    return [unit(f"{prefix}-CB-{code}", f"Chi bộ {name}", Kind.PARTY_CELL) for code, name in names]


def numbered(word, code_word, numbers):
    return [(f"{code_word}{n:02d}", f"{word} {n}") for n in numbers]


DIEN_CHAU = node(
    "NA-DIENCHAU",
    "Xã Diễn Châu",
    Level.COMMUNE,
    Kind.ADMINISTRATIVE,
    address="Xã Diễn Châu, tỉnh Nghệ An",
    children=[
        *commune_bodies("NA-DIENCHAU", "Diễn Châu"),
        unit("NA-DIENCHAU-NCT", "Hội Người cao tuổi xã Diễn Châu", Kind.COMMUNITY),
        unit("NA-DIENCHAU-CTD", "Hội Chữ thập đỏ xã Diễn Châu", Kind.COMMUNITY),
        # Party cells attached to the commune's party committee (seed 004: police, military,
        # offices, schools, health station).
        unit("NA-DIENCHAU-CB-CONGAN", "Chi bộ Công an xã Diễn Châu", Kind.POLICE),
        unit("NA-DIENCHAU-CB-QUANSU", "Chi bộ Quân sự xã Diễn Châu", Kind.MILITARY),
        unit("NA-DIENCHAU-CB-UBND", "Chi bộ Cơ quan Ủy ban nhân dân xã", Kind.PARTY_CELL),
        unit("NA-DIENCHAU-CB-DANGUY", "Chi bộ Cơ quan Đảng ủy - Mặt trận - Đoàn thể xã", Kind.PARTY_CELL),
        unit("NA-DIENCHAU-CB-MN1", "Chi bộ Trường Mầm non Diễn Châu 1", Kind.SCHOOL),
        unit("NA-DIENCHAU-CB-MN2", "Chi bộ Trường Mầm non Diễn Châu 2", Kind.SCHOOL),
        unit("NA-DIENCHAU-CB-TH1", "Chi bộ Trường Tiểu học Diễn Châu 1", Kind.SCHOOL),
        unit("NA-DIENCHAU-CB-TH2", "Chi bộ Trường Tiểu học Diễn Châu 2", Kind.SCHOOL),
        unit("NA-DIENCHAU-CB-THCS", "Chi bộ Trường Trung học cơ sở Diễn Châu", Kind.SCHOOL),
        unit("NA-DIENCHAU-CB-TYT", "Chi bộ Trạm Y tế xã Diễn Châu", Kind.HEALTH_STATION),
        # Party cells of the hamlets (xóm).
        *party_cells("NA-DIENCHAU", numbered("Xóm", "XOM", range(1, 19))),
        # Residential areas whose "Ban công tác Mặt trận" registers models of its own.
        *[
            node(f"NA-DIENCHAU-{code}", f"Ban công tác Mặt trận {name}", Level.VILLAGE, Kind.VILLAGE)
            for code, name in numbered("Xóm", "XOM", range(1, 9))
        ],
    ],
)

HAI_CHAU = node(
    "NA-HAICHAU",
    "Xã Hải Châu",
    Level.COMMUNE,
    Kind.ADMINISTRATIVE,
    address="Xã Hải Châu, tỉnh Nghệ An",
    children=[
        *commune_bodies("NA-HAICHAU", "Hải Châu"),
        unit("NA-HAICHAU-CB-CONGAN", "Chi bộ Công an xã Hải Châu", Kind.POLICE),
        unit("NA-HAICHAU-CB-THCS", "Chi bộ Trường Trung học cơ sở Hải Châu", Kind.SCHOOL),
        *party_cells("NA-HAICHAU", numbered("Xóm", "XOM", range(1, 4))),
    ],
)

DONG_PHU = node(
    "DNAI-DONGPHU",
    "Xã Đồng Phú",
    Level.COMMUNE,
    Kind.ADMINISTRATIVE,
    address="Xã Đồng Phú, tỉnh Đồng Nai",
    children=[
        # Seed 000: every chi bộ / đảng bộ and every MTTQ organisation registers at least one model.
        *commune_bodies("DNAI-DONGPHU", "Đồng Phú"),
        unit("DNAI-DONGPHU-CB-CONGAN", "Chi bộ Công an xã Đồng Phú", Kind.POLICE),
        unit("DNAI-DONGPHU-CB-QUANSU", "Chi bộ Quân sự xã Đồng Phú", Kind.MILITARY),
        unit("DNAI-DONGPHU-CB-UBND", "Chi bộ Cơ quan Ủy ban nhân dân xã", Kind.PARTY_CELL),
        unit("DNAI-DONGPHU-CB-THCS", "Chi bộ Trường Trung học cơ sở Tân Phú", Kind.SCHOOL),
        unit("DNAI-DONGPHU-CB-TYT", "Chi bộ Trạm Y tế xã Đồng Phú", Kind.HEALTH_STATION),
        *party_cells(
            "DNAI-DONGPHU",
            [
                ("KPTANAN", "Khu phố Tân An"),
                ("KPTANXUAN", "Khu phố Tân Xuân"),
                ("APTHUANPHU1", "Ấp Thuận Phú 1"),
                ("APTHUANPHU2", "Ấp Thuận Phú 2"),
            ],
        ),
    ],
)


def commune(code, name, province_name):
    return node(code, name, Level.COMMUNE, Kind.ADMINISTRATIVE, address=f"{name}, tỉnh {province_name}")


VINH_LONG = node(
    "VL",
    "Tỉnh Vĩnh Long",
    Level.PROVINCE,
    Kind.ADMINISTRATIVE,
    children=[
        # Seed 001: police, military, education and health have a larger quota (5 + 10) than the
        # other provincial agencies (2 + 4); registrations go to the Home Affairs department.
        unit("VL-CONGAN", "Công an tỉnh Vĩnh Long", Kind.POLICE),
        unit("VL-BCHQS", "Bộ Chỉ huy Quân sự tỉnh Vĩnh Long", Kind.MILITARY),
        unit("VL-SOGDDT", "Sở Giáo dục và Đào tạo tỉnh Vĩnh Long", Kind.AGENCY),
        unit("VL-SOYT", "Sở Y tế tỉnh Vĩnh Long", Kind.AGENCY),
        unit("VL-SONV", "Sở Nội vụ tỉnh Vĩnh Long", Kind.AGENCY),
        unit("VL-SOTC", "Sở Tài chính tỉnh Vĩnh Long", Kind.AGENCY),
        unit("VL-SONNMT", "Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long", Kind.AGENCY),
        unit("VL-SOVHTTDL", "Sở Văn hóa, Thể thao và Du lịch tỉnh Vĩnh Long", Kind.AGENCY),
        unit("VL-MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Vĩnh Long", Kind.FATHERLAND_FRONT),
        # Former districts (abolished by the 2025 reform), kept for the 2025 campaign's history;
        # their quota "includes the specialised offices and communes".
        node(
            "VL-LONGHO",
            "Huyện Long Hồ (cũ)",
            Level.LEGACY_DISTRICT,
            Kind.ADMINISTRATIVE,
            children=[
                unit("VL-LONGHO-PNV", "Phòng Nội vụ huyện Long Hồ (cũ)", Kind.AGENCY),
                unit("VL-LONGHO-PGDDT", "Phòng Giáo dục và Đào tạo huyện Long Hồ (cũ)", Kind.AGENCY),
                unit("VL-LONGHO-PVHTT", "Phòng Văn hóa và Thông tin huyện Long Hồ (cũ)", Kind.AGENCY),
                commune("VL-LONGHO-LONGHO", "Xã Long Hồ", "Vĩnh Long"),
                commune("VL-LONGHO-PHUQUOI", "Xã Phú Quới", "Vĩnh Long"),
                commune("VL-LONGHO-TANHANH", "Xã Tân Hạnh", "Vĩnh Long"),
            ],
        ),
        node(
            "VL-MANGTHIT",
            "Huyện Mang Thít (cũ)",
            Level.LEGACY_DISTRICT,
            Kind.ADMINISTRATIVE,
            children=[
                unit("VL-MANGTHIT-PNV", "Phòng Nội vụ huyện Mang Thít (cũ)", Kind.AGENCY),
                unit("VL-MANGTHIT-PGDDT", "Phòng Giáo dục và Đào tạo huyện Mang Thít (cũ)", Kind.AGENCY),
                commune("VL-MANGTHIT-CAINHUM", "Xã Cái Nhum", "Vĩnh Long"),
                commune("VL-MANGTHIT-NHONPHU", "Xã Nhơn Phú", "Vĩnh Long"),
            ],
        ),
        commune("VL-THANHDUC", "Phường Thanh Đức", "Vĩnh Long"),
        commune("VL-LONGCHAU", "Phường Long Châu", "Vĩnh Long"),
        commune("VL-PHUOCHAU", "Phường Phước Hậu", "Vĩnh Long"),
    ],
)

TREE = [
    node("NA", "Tỉnh Nghệ An", Level.PROVINCE, Kind.ADMINISTRATIVE, children=[DIEN_CHAU, HAI_CHAU]),
    node("DNAI", "Tỉnh Đồng Nai", Level.PROVINCE, Kind.ADMINISTRATIVE, children=[DONG_PHU]),
    VINH_LONG,
]


# --------------------------------------------------------------------------------------------
# Accounts: one shared password (DEMO_PASSWORD). roles: [(organisation code, role)].
# --------------------------------------------------------------------------------------------

ACCOUNTS = [
    {
        "username": "demo-tinh",
        "full_name": "Nguyễn Thị Thu Hà",
        "position": "Chuyên viên Ban Tuyên giáo và Dân vận Tỉnh ủy Nghệ An",
        "roles": [("NA", Role.STAFF)],
    },
    {
        "username": "demo-xa",
        "full_name": "Hoàng Văn Bình",
        "position": "Chuyên viên Ban Xây dựng Đảng xã Diễn Châu",
        "roles": [("NA-DIENCHAU", Role.STAFF)],
    },
    {
        "username": "demo-chibo",
        "full_name": "Trần Văn Hùng",
        "position": "Bí thư Chi bộ Xóm 5",
        "roles": [("NA-DIENCHAU-CB-XOM05", Role.SECRETARY)],
    },
    {
        "username": "demo-xa-ben",
        "full_name": "Lê Thị Mai",
        "position": "Chuyên viên Ban Xây dựng Đảng xã Hải Châu",
        "roles": [("NA-HAICHAU", Role.STAFF)],
    },
    {
        "username": "demo-xa-khac",
        "full_name": "Phạm Minh Tuấn",
        "position": "Chuyên viên Ban Xây dựng Đảng xã Đồng Phú",
        "roles": [("DNAI-DONGPHU", Role.STAFF)],
    },
    {
        "username": "demo-thamdinh",
        "full_name": "Đặng Thị Lan",
        "position": "Trưởng Ban Xây dựng Đảng xã Diễn Châu, Trưởng đoàn thẩm định",
        "roles": [("NA-DIENCHAU", Role.MEMBER)],
    },
    {
        # Seed 004's board mixes the commune's Party office with the chairman of the commune's
        # Front, whose own role is at the Front's unit: he reaches the board through its seat.
        "username": "demo-uyvien",
        "full_name": "Nguyễn Văn Toàn",
        "position": "Chủ tịch Ủy ban MTTQ Việt Nam xã Diễn Châu, Phó Trưởng đoàn thẩm định",
        "roles": [("NA-DIENCHAU-MTTQ", Role.SECRETARY)],
    },
    {
        "username": "demo-thuky",
        "full_name": "Phan Thị Hòa",
        "position": "Chuyên viên Ban Xây dựng Đảng xã Diễn Châu, Thư ký đoàn thẩm định",
        "roles": [("NA-DIENCHAU", Role.MEMBER)],
    },
    {
        "username": "demo-vinhlong",
        "full_name": "Võ Thanh Phong",
        "position": "Chuyên viên Sở Nội vụ tỉnh Vĩnh Long",
        "roles": [("VL", Role.STAFF)],
    },
]


def demo_email(username):
    return f"{username}@{DEMO_EMAIL_DOMAIN}"


def iter_tree(nodes=None):
    """Every node of the demo tree, parents before children."""
    for item in TREE if nodes is None else nodes:
        yield item
        yield from iter_tree(item["children"])


# --------------------------------------------------------------------------------------------
# The builder.
# --------------------------------------------------------------------------------------------


@dataclass
class DemoContext:
    """What the steps share: organisations and users by their natural key, counts, the day the
    demo is built (live milestones are relative to it) and a dict for the feature apps' own
    lookups (`data["campaigns"]`...)."""

    today: datetime.date = field(default_factory=timezone.localdate)
    verbosity: int = 1
    orgs: dict = field(default_factory=dict)  # code -> Organization
    users: dict = field(default_factory=dict)  # username -> User
    data: dict = field(default_factory=dict)
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    log: list = field(default_factory=list)

    def count(self, key, created):
        """Counts one row looked up by its natural key: created now, or found."""
        if created:
            self.created[key] += 1
        else:
            self.existing[key] += 1

    def org(self, code):
        if code not in self.orgs:
            self.orgs[code] = Organization.objects.get(code=code)
        return self.orgs[code]


def _create_node(spec, parent):
    fields = {
        "code": spec["code"],
        "name": spec["name"],
        "level": spec["level"],
        "kind": spec["kind"],
        "address": spec.get("address", ""),
    }
    if parent is None:
        org = Organization(**fields)
        org.full_clean(exclude=["path", "depth", "numchild"])
        return Organization.objects.add_root(instance=org)
    # services.organization_create re-reads the parent (treebeard computes the child's path
    # from the parent's numchild and path) and checks ALLOWED_CHILD_LEVELS.
    return services.organization_create(parent=Organization.objects.get(pk=parent.pk), **fields)


def build_organizations(ctx):
    def walk(nodes, parent):
        for spec in nodes:
            org = Organization.objects.filter(code=spec["code"]).first()
            if org is None:
                org = _create_node(spec, parent)
                ctx.created["organizations"] += 1
            else:
                ctx.existing["organizations"] += 1
            ctx.orgs[org.code] = org
            walk(spec["children"], org)

    walk(TREE, None)


def build_accounts(ctx):
    for spec in ACCOUNTS:
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            user = User(
                username=spec["username"],
                full_name=spec["full_name"],
                email=demo_email(spec["username"]),
                position=spec.get("position", ""),
                demo_account=True,
            )
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
            ctx.created["accounts"] += 1
        else:
            ctx.existing["accounts"] += 1
            if not user.demo_account:  # made before accounts were marked
                User.objects.filter(pk=user.pk).update(demo_account=True)
        ctx.users[user.username] = user
        for code, role in spec["roles"]:
            org = ctx.org(code)
            _, created = Membership.objects.get_or_create(user=user, organization=org, role=role)
            ctx.created["memberships"] += created
            ctx.existing["memberships"] += not created
            ctx.log.append(f"{user.username:<15} {Role(role).label} – {org.name} ({org.code})")


LABELS = {"organizations": "Tổ chức", "accounts": "Tài khoản", "memberships": "Vai trò"}
HOOKS = ("BUILD_STEPS", "FINISH_STEPS", "AFTER_COMMIT_STEPS", "RESET_STEPS")


def demo_modules():
    """The `demo` module of every installed app that has one, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "demo"):
            module = import_module(f"{config.name}.demo")
            if any(hasattr(module, hook) for hook in HOOKS):
                found.append(module)
    return found


def labels():
    """Counter key -> Vietnamese label, over every demo module, in app order."""
    merged = {}
    for module in demo_modules():
        merged.update(getattr(module, "LABELS", {}))
    return merged


def build(today=None, verbosity=1):
    """Creates whatever part of the demo data is missing, in every app; returns the DemoContext."""
    ctx = DemoContext(today=today or timezone.localdate(), verbosity=verbosity)
    modules = demo_modules()
    with scopes_disabled():
        with transaction.atomic():
            for hook in ("BUILD_STEPS", "FINISH_STEPS"):
                for module in modules:
                    for step in getattr(module, hook, ()):
                        step(ctx)
        for module in modules:
            for step in getattr(module, "AFTER_COMMIT_STEPS", ()):
                step(ctx)
    return ctx


def reset():
    """Deletes the demo data of every app (later apps first), then the demo roots' subtrees and
    the demo accounts, with the history rows of what it deletes, so that a rebuild starts from
    a clean slate. Returns counts deleted."""
    deleted = Counter()
    with scopes_disabled(), transaction.atomic():
        for module in reversed(demo_modules()):
            for step in getattr(module, "RESET_STEPS", ()):
                step(deleted)
    return deleted


def demo_root_codes():
    return [spec["code"] for spec in TREE]


def demo_usernames():
    return [spec["username"] for spec in ACCOUNTS]


def in_demo_tree(field="organization"):
    """Q matching rows whose `field` (a foreign key to Organization, or "" for organisations
    themselves) lies in a demo root's subtree."""
    prefix = f"{field}__" if field else ""
    q = Q(pk__in=[])
    for path in Organization.objects.filter(code__in=demo_root_codes(), depth=1).values_list("path", flat=True):
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def demo_users():
    return User.objects.filter(username__in=demo_usernames())


def purge_history(model, ids):
    """Deletes the django-simple-history rows of `model` rows `ids` (deleted ones), including
    the history of their tracked many-to-many fields. Returns the number of rows deleted."""
    ids = list(ids)
    history = getattr(model, "history", None)
    if not ids or history is None:
        return 0
    historical = history.model
    history_ids = list(historical.objects.filter(id__in=ids).values_list("history_id", flat=True))
    count = 0
    for related in apps.get_models():
        # The history of a tracked many-to-many field points at its owner's history rows.
        link = next(
            (f for f in related._meta.concrete_fields if f.name == "history" and f.related_model is historical), None
        )
        if link is not None:
            count += related.objects.filter(history_id__in=history_ids)._raw_delete(related.objects.db)
    return count + historical.objects.filter(history_id__in=history_ids)._raw_delete(historical.objects.db)


def reset_organizations_and_accounts(deleted):
    """The core's part of the reset: demo accounts, the demo roots' subtrees, their memberships,
    imports and notifications, and the history rows of all of them."""
    roots = list(Organization.objects.filter(code__in=demo_root_codes(), depth=1))
    subtree = Organization.objects.none()
    for root in roots:
        subtree |= Organization.objects.filter(path__startswith=root.path)
    org_ids = list(subtree.values_list("pk", flat=True))
    users = demo_users()
    user_ids = list(users.values_list("pk", flat=True))
    membership_ids = list(Membership.objects.filter(organization_id__in=org_ids).values_list("pk", flat=True)) + list(
        Membership.objects.filter(user_id__in=user_ids).values_list("pk", flat=True)
    )
    # Imports made by demo accounts or under demo organisations (PROTECT foreign keys).
    TreeImport.objects.filter(organization_id__in=org_ids).delete()
    TreeImport.objects.filter(imported_by_id__in=user_ids).delete()
    deleted["notifications"] += Notification.objects.filter(
        Q(user_id__in=user_ids) | Q(organization_id__in=org_ids)
    ).delete()[0]
    deleted["accounts"] = users.delete()[1].get(User._meta.label, 0)
    for root in roots:
        # treebeard's delete removes the whole subtree (memberships cascade).
        Organization.objects.get(pk=root.pk).delete()
    deleted["organizations"] = len(org_ids)
    purge_history(Organization, org_ids)
    purge_history(Membership, set(membership_ids))


BUILD_STEPS = [build_organizations, build_accounts]
RESET_STEPS = [reset_organizations_and_accounts]
