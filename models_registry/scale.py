"""Campaigns and registrations on the synthetic national tree, for the campaign benchmarks
(`manage.py generate_scale_registrations`, on top of `manage.py generate_scale`).

* One published campaign per generated province (S01, S02...): every unit and village below
  it is a target with a per-target quota of one model; a registration milestone due five days
  after the build day (so the 7-day reminders are due) and a result report later.
* The first few communes of the first province implement it with a derived campaign of their
  own (so the province's compliance also rolls registrations up the derivation chain); units
  there register under their commune's campaign, elsewhere under the province's.
* About 150,000 registrations spread over the tree: about 30% of the targets (≈ 40,000 of the
  ≈ 136,000 units and villages of 34 × 100 × 40) have none and are behind; the others have
  one or more, mostly submitted or accepted, plus some drafts (which do not count).
* A secretary (role secretary, with an email address) for every target, so the reminder sweep
  has someone to write to.

Written with `bulk_create` in batches (`search_name` filled here, `save()` is not called), so
no django-simple-history rows are recorded for the registrations, initiatives, users and
memberships: acceptable for synthetic benchmark data, never for real data. The campaigns
themselves go through the services (a few dozen). Random choices come from a seeded
generator: the same arguments give the same data.

`generate_scale --reset` cannot delete a tree that still has these campaigns (PROTECT): run
`generate_scale_registrations --delete` first (bench/campaigns.py does when it has to).
"""

import datetime
import random
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_scopes import scopes_disabled

from campaigns import services
from campaigns.enums import CampaignStatus, RegistrationStatus, SubjectType
from campaigns.models import Campaign, Field, Milestone, MilestoneKind, Quota
from dvk.demo import purge_history
from dvk.enums import Level, Role
from dvk.models import Membership, Organization
from dvk.scale import BENCH_PASSWORD, SCALE_CODE_RE, SCALE_ROOT_CODE_RE
from dvk.text import normalize_search

from .models import Initiative, Registration

CAMPAIGN_NUMBER = "QM-01/KH-BCĐ"
DERIVED_NUMBER = "QM-01/KH-ĐU"
SECRETARY_PREFIX = "bt-"
SECRETARY_RE = r"^bt-s[0-9]+-c[0-9]+-u[0-9]+$"
SECRETARY_EMAIL_DOMAIN = "scale.dvk.local"
BATCH_SIZE = 5000
TARGET_LEVELS = [Level.UNIT, Level.VILLAGE]
REGISTRATION_DAYS = 5
RESULT_REPORT_DAYS = 60

MODEL_NAMES = [
    "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa",
    "Một giúp một",
    "Dân vận khéo trong chuyển đổi số",
    "Chính quyền thân thiện, vì Nhân dân phục vụ",
    "Tuyến đường sáng - xanh - sạch - đẹp",
    "Khu dân cư không có tội phạm và tệ nạn xã hội",
    "Hiến đất mở rộng đường giao thông nông thôn",
    "Thắp sáng đường quê",
    "Phụ nữ chung tay bảo vệ môi trường",
    "Tổ hòa giải ở cơ sở giữ tình làng nghĩa xóm",
    "Tổ liên gia tự quản an ninh trật tự",
    "Việc cưới, việc tang văn minh, tiết kiệm",
    "Quỹ khuyến học dòng họ",
    "Cựu chiến binh giúp nhau phát triển kinh tế",
    "Camera an ninh: mắt thần khu dân cư",
    "Vận động người dân tham gia bảo hiểm y tế",
    "Hướng dẫn người dân sử dụng dịch vụ công trực tuyến",
    "Ngày Chủ nhật xanh",
    "Tủ bánh mì 0 đồng",
    "Liên kết sản xuất và tiêu thụ nông sản an toàn",
    "Đảng viên gương mẫu giúp hộ cận nghèo thoát nghèo",
    "Xây dựng trường học hạnh phúc",
    "Bữa cơm nghĩa tình",
    "Người có uy tín vận động đồng bào sống tốt đời, đẹp đạo",
]


@dataclass
class ScaleRegistrationsResult:
    campaigns: int = 0
    derived: int = 0
    targets: int = 0
    behind: int = 0
    registrations: int = 0
    drafts: int = 0
    initiatives: int = 0
    secretaries: int = 0
    deleted: dict = None
    seconds: float = 0.0

    @property
    def behind_share(self):
        return self.behind / self.targets if self.targets else 0.0


class ScaleRegistrationsError(Exception):
    pass


def scale_campaigns():
    """The campaigns this generator made (on the generated provinces and their communes)."""
    return Campaign.objects.all_tenants().filter(
        number__in=[CAMPAIGN_NUMBER, DERIVED_NUMBER], organization__code__regex=SCALE_CODE_RE
    )


def _reverse_relations(model):
    return [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_one or f.one_to_many)
    ]


def fast_delete(queryset):
    """Deletes `queryset` with plain DELETEs instead of the ORM's row-by-row collector (which
    would load and history-log 150,000 rows): cascades recursively, nulls SET_NULL references,
    clears many-to-many rows, refuses when anything else (PROTECT...) still refers to the rows."""
    model = queryset.model
    for rel in _reverse_relations(model):
        if rel.on_delete is models.DO_NOTHING:
            continue
        dependents = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": queryset.values("pk")})
        if not dependents.exists():
            continue
        if rel.on_delete is models.CASCADE:
            fast_delete(dependents)
        elif rel.on_delete is models.SET_NULL:
            dependents.update(**{rel.field.name: None})
        else:
            raise ScaleRegistrationsError(
                f"{rel.related_model._meta.label} rows still refer to the {model._meta.label} rows to delete."
            )
    for m2m in model._meta.local_many_to_many:
        through = m2m.remote_field.through
        through._base_manager.filter(**{f"{m2m.m2m_field_name()}__in": queryset.values("pk")}).delete()
    return queryset._raw_delete(queryset.db)


def secretaries():
    return get_user_model().objects.filter(username__regex=SECRETARY_RE)


@transaction.atomic
def delete_scale_registrations():
    """Removes what `build_scale_registrations` made: registrations under the scale campaigns,
    the initiatives of the scale tree left without registration, the campaigns (with their
    quotas, milestones, reminders, snapshots and history rows) and the secretaries."""
    deleted = {}
    with scopes_disabled():
        campaign_ids = list(scale_campaigns().values_list("pk", flat=True))
        deleted["registrations"] = fast_delete(Registration.objects.all_tenants().filter(campaign_id__in=campaign_ids))
        in_tree = Q(pk__in=[])
        roots = Organization.objects.filter(depth=1, code__regex=SCALE_ROOT_CODE_RE)
        for path in roots.values_list("path", flat=True):
            in_tree |= Q(organization__path__startswith=path)
        registered = Registration.objects.all_tenants().filter(initiative_id=OuterRef("pk"))
        deleted["initiatives"] = fast_delete(
            Initiative.objects.all_tenants().filter(in_tree).filter(~Exists(registered))
        )
        quota_ids = list(Quota.objects.filter(campaign_id__in=campaign_ids).values_list("pk", flat=True))
        milestone_ids = list(Milestone.objects.filter(campaign_id__in=campaign_ids).values_list("pk", flat=True))
        Campaign.objects.all_tenants().filter(pk__in=campaign_ids, derived_from__isnull=False).delete()
        Campaign.objects.all_tenants().filter(pk__in=campaign_ids).delete()
        deleted["campaigns"] = len(campaign_ids)
        purge_history(Campaign, campaign_ids)
        purge_history(Quota, quota_ids)
        purge_history(Milestone, milestone_ids)
        deleted["secretaries"] = secretaries().count()
        fast_delete(secretaries())
    return deleted


def create_scale_campaign(province, *, today, derive=(), user=None):
    """The benchmark campaign of `province` (published) and, for each commune of `derive`, a
    derived campaign of its own (published). Returns (campaign, [derived campaigns])."""
    fields = list(Field.objects.all())
    kinds = {k.code: k for k in MilestoneKind.objects.filter(code__in=["registration", "result_report"])}
    campaign = services.campaign_create(
        organization=province,
        user=user,
        number=CAMPAIGN_NUMBER,
        title=f"Kế hoạch thực hiện phong trào thi đua “Dân vận khéo” – {province.name} (dữ liệu quy mô)",
        issuing_body="steering_committee",
        issuing_body_name=f"Ban Chỉ đạo phong trào thi đua “Dân vận khéo” {province.name}",
        issued_on=today - datetime.timedelta(days=14),
        period_start=today - datetime.timedelta(days=14),
        period_end=today + datetime.timedelta(days=365),
        target_levels=list(TARGET_LEVELS),
        fields=fields,
    )
    services.quota_save(
        campaign=campaign, label="Mỗi cơ quan, đơn vị, chi bộ, khu dân cư ít nhất 01 mô hình", min_total=1
    )
    _milestones(campaign, kinds, today)
    campaign = services.campaign_publish(campaign=campaign)
    derived = []
    for commune in derive:
        lower = services.campaign_derive(
            parent=campaign,
            organization=commune,
            user=user,
            number=DERIVED_NUMBER,
            title=f"Kế hoạch thực hiện phong trào thi đua “Dân vận khéo” – {commune.name} (dữ liệu quy mô)",
            issuing_body_name=f"Đảng ủy {commune.name}",
        )
        derived.append(services.campaign_publish(campaign=lower))
    return campaign, derived


def _milestones(campaign, kinds, today):
    services.milestone_save(
        campaign=campaign,
        kind=kinds["registration"],
        title="Hạn đăng ký mô hình",
        due_on=today + datetime.timedelta(days=REGISTRATION_DAYS),
    )
    services.milestone_save(
        campaign=campaign,
        kind=kinds["result_report"],
        title="Hạn báo cáo kết quả",
        due_on=today + datetime.timedelta(days=RESULT_REPORT_DAYS),
    )


def realign_milestones(campaigns, today=None):
    """Moves the benchmark campaigns' deadlines back to "registration in five days, result
    report later" (a benchmark database outlives the day it was built). Plain UPDATEs."""
    today = today or timezone.localdate()
    ids = [c.pk for c in campaigns]
    Milestone.objects.all_tenants().filter(campaign_id__in=ids, kind__code="registration").update(
        due_on=today + datetime.timedelta(days=REGISTRATION_DAYS)
    )
    Milestone.objects.all_tenants().filter(campaign_id__in=ids, kind__code="result_report").update(
        due_on=today + datetime.timedelta(days=RESULT_REPORT_DAYS)
    )


def build_scale_registrations(
    registrations=150_000,
    *,
    behind=0.30,
    drafts=0.05,
    derived_communes=5,
    with_secretaries=True,
    reset=False,
    seed=2026,
    today=None,
    batch_size=BATCH_SIZE,
    log=None,
):
    """Campaigns, registrations and secretaries on the generated tree; see the module's doc.

    `behind`: the share of targets with no registration at all; `drafts`: the share of the
    registrations left as drafts (always a unit's extra ones, so they never decide whether a
    unit is behind). Raises ScaleRegistrationsError when there is no generated tree, or when
    the data exist already and `reset` is false."""
    if registrations < 0 or not 0 <= behind <= 1 or not 0 <= drafts <= 1:
        raise ScaleRegistrationsError("Counts must not be negative; shares are between 0 and 1.")
    started = time.monotonic()
    say = log or (lambda message: None)
    today = today or timezone.localdate()
    result = ScaleRegistrationsResult(deleted={})
    rng = random.Random(seed)

    with scopes_disabled(), transaction.atomic():
        if reset:
            result.deleted = delete_scale_registrations()
        if scale_campaigns().exists():
            raise ScaleRegistrationsError(
                "Scale campaigns and registrations exist already; use --reset to replace them."
            )
        provinces = list(Organization.objects.filter(depth=1, code__regex=SCALE_ROOT_CODE_RE).order_by("path"))
        if not provinces:
            raise ScaleRegistrationsError("No generated tree (S01, S02...): run `manage.py generate_scale` first.")

        # Campaigns: one per province, derived ones for the first communes of the first.
        campaign_of = {}  # path prefix (province or derived commune) -> campaign id
        for index, province in enumerate(provinces):
            communes = []
            if index == 0 and derived_communes:
                below = Organization.objects.filter(path__startswith=province.path, depth=2).order_by("path")
                communes = list(below[:derived_communes])
            campaign, derived = create_scale_campaign(province, today=today, derive=communes)
            campaign_of[province.path] = campaign.pk
            for commune, lower in zip(communes, derived, strict=True):
                campaign_of[commune.path] = lower.pk
            result.campaigns += 1
            result.derived += len(derived)
        say(f"  {result.campaigns} campaigns, {result.derived} derived ({time.monotonic() - started:.1f}s)")

        # Targets: every unit and village below a commune of the generated provinces.
        in_tree = Q(pk__in=[])
        for province in provinces:
            in_tree |= Q(path__startswith=province.path)
        targets = list(
            Organization.objects.filter(in_tree, depth=3, level__in=TARGET_LEVELS, archived_at__isnull=True)
            .order_by("path")
            .values_list("id", "code", "name", "path")
        )
        result.targets = len(targets)
        registered = [t for t in targets if rng.random() >= behind]
        result.behind = result.targets - len(registered)
        if registrations < len(registered):
            result.behind += len(registered) - registrations
            registered = registered[:registrations]
        extra = registrations - len(registered)
        owners = registered + [rng.choice(registered) for _ in range(extra)] if registered else []
        draft_count = min(extra, round(registrations * drafts))
        say(f"  {result.targets} targets, {result.behind} without registration ({time.monotonic() - started:.1f}s)")

        fields = list(Field.objects.values_list("pk", flat=True))
        names = [(name, normalize_search(name)) for name in MODEL_NAMES]
        now = timezone.now()
        steplen = Organization.steplen
        for start in range(0, len(owners), batch_size):
            chunk = owners[start : start + batch_size]
            specs = []
            for offset, (org_id, _code, _name, path) in enumerate(chunk):
                position = start + offset
                draft = position >= len(owners) - draft_count  # only extras, never a unit's first
                name, search = rng.choice(names)
                campaign_id = campaign_of.get(path[: 2 * steplen]) or campaign_of[path[:steplen]]
                specs.append((org_id, campaign_id, name, search, draft))
            initiatives = Initiative.objects.all_tenants().bulk_create(
                [Initiative(organization_id=o, name=n, search_name=s) for o, _c, n, s, _d in specs],
                batch_size=batch_size,
            )
            rows = []
            for initiative, (org_id, campaign_id, _n, search, draft) in zip(initiatives, specs, strict=True):
                if draft:
                    status, submitted_at = RegistrationStatus.DRAFT, None
                else:
                    status = RegistrationStatus.SUBMITTED if rng.random() < 0.6 else RegistrationStatus.ACCEPTED
                    submitted_at = now - datetime.timedelta(days=rng.randint(0, 13), minutes=rng.randint(0, 600))
                rows.append(
                    Registration(
                        campaign_id=campaign_id,
                        organization_id=org_id,
                        initiative_id=initiative.pk,
                        subject_type=SubjectType.COLLECTIVE if rng.random() < 0.65 else SubjectType.INDIVIDUAL,
                        status=status,
                        field_id=rng.choice(fields) if fields else None,
                        submitted_at=submitted_at,
                        search_text=search,
                    )
                )
            Registration.objects.all_tenants().bulk_create(rows, batch_size=batch_size)
            result.initiatives += len(initiatives)
            result.registrations += len(rows)
            result.drafts += sum(1 for *_rest, draft in specs if draft)
            if (start // batch_size) % 10 == 9:
                say(f"  {result.registrations} registrations ({time.monotonic() - started:.1f}s)")

        if with_secretaries:
            result.secretaries = _secretaries(targets, batch_size)
            say(f"  {result.secretaries} secretaries ({time.monotonic() - started:.1f}s)")

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Initiative, Registration, get_user_model(), Membership):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    result.seconds = time.monotonic() - started
    return result


def _secretaries(targets, batch_size):
    """One secretary per target (username bt-<code>), unless they exist already."""
    User = get_user_model()
    if secretaries().exists():
        return 0
    password = make_password(BENCH_PASSWORD)  # hashed once, reused
    made = 0
    for start in range(0, len(targets), batch_size):
        chunk = targets[start : start + batch_size]
        users = User.objects.bulk_create(
            [
                User(
                    username=f"{SECRETARY_PREFIX}{code.lower()}",
                    full_name=f"Bí thư {name}"[:150],
                    search_name=normalize_search(f"Bí thư {name}"[:150])[:150],  # bulk_create skips save()
                    email=f"{SECRETARY_PREFIX}{code.lower()}@{SECRETARY_EMAIL_DOMAIN}",
                    password=password,
                )
                for _id, code, name, _path in chunk
            ],
            batch_size=batch_size,
        )
        Membership.objects.bulk_create(
            [
                Membership(user_id=user.pk, organization_id=org_id, role=Role.SECRETARY)
                for user, (org_id, *_rest) in zip(users, chunk, strict=True)
            ],
            batch_size=batch_size,
        )
        made += len(users)
    return made


def scale_status():
    """Counts for a quick look (and for the benchmark's "is it built?")."""
    with scopes_disabled():
        campaigns = list(scale_campaigns().values_list("pk", flat=True))
        return {
            "campaigns": len(campaigns),
            "registrations": Registration.objects.all_tenants().filter(campaign_id__in=campaigns).count(),
            "counted": Registration.objects.all_tenants()
            .filter(campaign_id__in=campaigns, status__in=[RegistrationStatus.SUBMITTED, RegistrationStatus.ACCEPTED])
            .count(),
            "open": Campaign.objects.all_tenants().filter(pk__in=campaigns, status=CampaignStatus.PUBLISHED).count(),
        }
