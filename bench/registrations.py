"""`make bench` (third part): the registration list and the annex 01 import, on PostgreSQL
with DEBUG off, in the `dvk_bench` database.

Builds its own small tree (no generate_scale needed) under the root BREG:
  BREG-C  a commune of 40 units with 2,000 registrations (the list under test),
  BREG-S  the same commune shape with 10 registrations (its small twin),
  BREG-I  a commune of 40 units that receives the 10,000-row import (emptied before each run).

(a) Times, as a logged-in staff member, whole requests through Django's handler (median of
    30 after 5 warm-ups): the list page of BREG-C (target < 150 ms), with a search and with
    the Vietnamese person-name sort, next to the same pages of BREG-S: the query count must
    be the same.
(b) Imports a generated 10,000-row annex 01 workbook through the import view (upload → dry
    run with preview → confirm → written), in a subprocess run under `/usr/bin/time -v`:
    wall time (target < 15 s) and peak memory, "Maximum resident set size" (target < 300 MB).

Usage: python bench/registrations.py [--rebuild] [--runs 30] [--rows 10000]
"""

import argparse
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "dvk.settings.test"
os.environ.setdefault("DVK_DB_NAME", "dvk_bench")

DB = os.environ["DVK_DB_NAME"]
LIST_TARGET_MS = 150
IMPORT_TARGET_S = 15
IMPORT_TARGET_MB = 300
BIG, SMALL, IMPORTS = "BREG-C", "BREG-S", "BREG-I"
SIZES = {BIG: 2000, SMALL: 10}
UNITS = 40
IMPORT_NUMBER = "BENCH-NHAP-01"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Ngọc"]
GIVEN = ["An", "Ánh", "Bình", "Châu", "Dũng", "Đông", "Giang", "Hà", "Hòa", "Hùng", "Lan", "Ơn", "Ước", "Yến"]
MODELS = [
    "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa",
    "Tuyến đường hoa sáng - xanh - sạch - đẹp",
    "Dân vận khéo trong xây dựng nông thôn mới",
    "Một kèm một giúp hộ nghèo",
    "Ngôi nhà an toàn phòng cháy",
    "Chi hội phụ nữ không có người vi phạm pháp luật",
    "Vườn mẫu kiểu mẫu",
    "Mái ấm cho hội viên khó khăn",
]


def ensure_database():
    import psycopg2

    conn = psycopg2.connect(host=os.environ.get("DVK_DB_HOST", "127.0.0.1"), user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DB}"')
    conn.close()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], check=True, cwd=ROOT)
    import django

    django.setup()


def _person(rng):
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _delete_registrations(registrations):
    """Registrations (a queryset, scopes off), their targets, initiatives and audit rows."""
    from models_registry.models import Initiative, Registration, RegistrationTarget

    ids = list(registrations.values_list("pk", flat=True))
    initiative_ids = list(registrations.values_list("initiative_id", flat=True))
    target_ids = list(RegistrationTarget.objects.filter(registration_id__in=ids).values_list("pk", flat=True))
    RegistrationTarget.history.filter(id__in=target_ids).delete()
    RegistrationTarget.objects.filter(pk__in=target_ids).delete()
    Registration.history.filter(id__in=ids).delete()
    Registration.objects.all_tenants().filter(pk__in=ids).delete()
    Initiative.history.filter(id__in=initiative_ids).delete()
    Initiative.objects.all_tenants().filter(pk__in=initiative_ids).delete()


def _delete_tree():
    from campaigns.models import Campaign
    from dvk.models import Membership, Organization, User
    from models_registry.models import Registration

    root = Organization.objects.filter(code="BREG").first()
    if root is None:
        return
    _delete_registrations(Registration.objects.all_tenants().filter(organization__path__startswith=root.path))
    for campaign in Campaign.objects.all_tenants().filter(organization__path__startswith=root.path):
        campaign.milestones.all().delete()
        campaign.delete()
    Membership.objects.filter(organization__path__startswith=root.path).delete()
    User.objects.filter(username__startswith="bench-reg-").delete()
    Organization.objects.filter(path__startswith=root.path).order_by("-depth").delete()


def _commune(root, code, name):
    from dvk.models import Organization

    commune = Organization.objects.add_child(
        root, {"code": code, "name": name, "level": "commune", "kind": "administrative"}
    )
    for i in range(UNITS):
        commune = Organization.objects.get(pk=commune.pk)
        Organization.objects.add_child(
            commune, {"code": f"{code}-U{i:02d}", "name": f"Chi bộ Thôn {i}", "level": "unit", "kind": "party_cell"}
        )
    return Organization.objects.get(pk=commune.pk)


def _campaign(commune, number, today):
    from campaigns.models import Campaign, Field

    campaign = Campaign.objects.create(
        organization=commune,
        number=number,
        title=f"Kế hoạch {number}",
        issuing_body="party_committee",
        issuing_body_name=f"Đảng ủy {commune.name}",
        period_start=today.replace(month=1, day=1),
        period_end=today.replace(month=12, day=31),
        status="published",
        target_levels=["unit"],
    )
    campaign.fields.set(Field.objects.all())
    return campaign


def _staff(username, org):
    from dvk.models import Membership, User

    user = User.objects.create(username=username, full_name=username)
    Membership.objects.create(user=user, organization=org, role="staff")
    return user


def _registrations(campaign, commune, count, rng):
    """`count` registrations spread over the commune's units, bulk-inserted (bench data)."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from campaigns.models import Field
    from dvk.models import Organization
    from dvk.text import normalize_search, vietnamese_name_sort_key
    from models_registry.models import Initiative, Registration, RegistrationTarget

    units = list(Organization.objects.filter(path__startswith=commune.path, depth=commune.depth + 1))
    fields = list(Field.objects.all())
    statuses = ["submitted"] * 5 + ["accepted"] * 3 + ["draft", "returned", "in_progress", "completed"]
    initiatives, registrations = [], []
    for i in range(count):
        unit = units[i % len(units)]
        name = f"{rng.choice(MODELS)} – {unit.name} số {i}"
        initiatives.append(Initiative(organization=unit, name=name, search_name=normalize_search(name)))
    Initiative.objects.bulk_create(initiatives, batch_size=1000)
    now = timezone.now()
    for i, initiative in enumerate(initiatives):
        individual = i % 3 == 0
        person = _person(rng) if individual else ""
        status = rng.choice(statuses)
        registrations.append(
            Registration(
                campaign=campaign,
                organization=initiative.organization,
                initiative=initiative,
                subject_type="individual" if individual else "collective",
                status=status,
                field=rng.choice(fields),
                is_late=i % 17 == 0,
                person_name=person,
                person_name_sort_key=vietnamese_name_sort_key(person),
                search_text=normalize_search(f"{initiative.name} {person}")[:700],
                submitted_at=None if status == "draft" else now - datetime.timedelta(minutes=i),
                location="Thôn",
                starts_on=now.date(),
                completes_on=now.date(),
                responsible_person="Bí thư",
                content="Nội dung",
                responsibility="Chi bộ",
                authority="Đảng ủy xã",
                schedule="Cả năm",
            )
        )
    Registration.objects.bulk_create(registrations, batch_size=1000)
    RegistrationTarget.objects.bulk_create(
        [
            RegistrationTarget(registration=r, indicator="Số hộ tham gia", value=Decimal(10 + i % 90), unit="hộ")
            for i, r in enumerate(registrations)
        ],
        batch_size=1000,
    )


def ensure_data(rebuild):
    from django.db import connection
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from dvk.models import Organization
    from models_registry.models import Registration

    with scopes_disabled():
        root = Organization.objects.filter(code="BREG").first()
        if root is not None and not rebuild:
            counts = {
                code: Registration.objects.all_tenants()
                .filter(organization__path__startswith=Organization.objects.get(code=code).path)
                .exclude(campaign__number=IMPORT_NUMBER)
                .count()
                for code in SIZES
            }
            if counts == SIZES:
                return
        print(f"Building the registration bench tree in {DB}...", flush=True)
        started = time.perf_counter()
        _delete_tree()
        today = timezone.localdate()
        rng = random.Random(2026)
        root = Organization.objects.add_root(
            {"code": "BREG", "name": "Tỉnh Đo Thử", "level": "province", "kind": "administrative"}
        )
        for code, name, username in (
            (BIG, "Xã Đăng Ký Lớn", "bench-reg-xa"),
            (SMALL, "Xã Đăng Ký Nhỏ", "bench-reg-xa-nho"),
            (IMPORTS, "Xã Nhập Excel", "bench-reg-nhap"),
        ):
            root = Organization.objects.get(pk=root.pk)
            commune = _commune(root, code, name)
            _staff(username, commune)
            if code in SIZES:
                _registrations(_campaign(commune, f"BENCH-{code}", today), commune, SIZES[code], rng)
            else:
                _campaign(commune, IMPORT_NUMBER, today)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)


def bench_list(runs):
    from run import measure, signed_in

    client_for = signed_in

    clients = {BIG: client_for("bench-reg-xa"), SMALL: client_for("bench-reg-xa-nho")}
    pages = [
        ("list page", "", LIST_TARGET_MS),
        ("search ?q=dan van kheo", "?q=dan+van+kheo", None),
        ("sort by person name", "?sort=person&subject_type=individual", None),
        ("status filter, page 3", "?status=submitted&page=3", None),
    ]
    results = []
    print(f"\n(a) Registration list, median of {runs} after 5 warm-up requests, whole request through Django")
    print(f"{'page':32} {'commune':8} {'rows':>6} {'median ms':>10} {'queries':>8}  target")
    for label, query, target in pages:
        for code in (BIG, SMALL):
            if "page=3" in query and code == SMALL:
                continue
            url = f"/o/{code}/registrations/{query}"
            median, queries = measure(clients[code], url, runs)
            verdict = ""
            if target is not None and code == BIG:
                verdict = f"< {target} ms {'OK' if median < target else 'MISSED'}"
            print(f"{label:32} {code:8} {SIZES[code]:>6,} {median:>10.1f} {queries:>8}  {verdict}")
            results.append(
                {
                    "page": label,
                    "url": url,
                    "registrations": SIZES[code],
                    "median_ms": round(median, 2),
                    "queries": queries,
                    "target_ms": target if code == BIG else None,
                }
            )
    for label, _query, _target in pages[:3]:
        big = next(r for r in results if r["page"] == label and r["registrations"] == SIZES[BIG])
        small = next(r for r in results if r["page"] == label and r["registrations"] == SIZES[SMALL])
        verdict = "same" if big["queries"] == small["queries"] else "DIFFERS"
        print(
            f"  {label}: {big['queries']} queries at {SIZES[BIG]:,} registrations, "
            f"{small['queries']} at {SIZES[SMALL]:,}: {verdict}"
        )
    return results


def annex_workbook(rows):
    """A `rows`-line annex 01 for the units of BREG-I, as typed from paper forms. A regular
    (not write-only) workbook, so the sheet states its dimension as Excel's files do."""
    import openpyxl

    from models_registry.exports import COLUMNS

    rng = random.Random(7)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for i in range(rows):
        individual = i % 4 == 0
        unit = f"{IMPORTS}-U{i % UNITS:02d}"
        values = {
            "STT": i + 1,
            "Mã tổ chức": unit,
            "Tên mô hình": f"{rng.choice(MODELS)} số {i}",
            "Tập thể/Cá nhân": "Cá nhân" if individual else "Tập thể",
            "Họ và tên": _person(rng) if individual else "",
            "Chức vụ": "Hội viên" if individual else "",
            "Đơn vị công tác": "Chi hội" if individual else "",
            "Địa chỉ": "Thôn 1" if individual else "",
            "Lĩnh vực": rng.choice(["Kinh tế", "Văn hóa - xã hội", "Quốc phòng - an ninh"]),
            "Địa điểm thực hiện": "Thôn 1",
            "Thời gian bắt đầu": "10/03/2026",
            "Thời gian hoàn thành": "31/08/2026",
            "Số điện thoại": "0912 345 678",
            "Mô hình mới/duy trì": "Mới",
            "Kết quả cần đạt": f"Số hộ tham gia: {10 + i % 90} hộ; Số tiền quyên góp: 12.000.000 đồng",
            "Người chịu trách nhiệm": "Bí thư chi bộ",
            "Lực lượng tham gia": "Đảng viên, hội viên",
            "Nội dung": "Vận động nhân dân",
            "Trách nhiệm": "Chi bộ chỉ đạo",
            "Thẩm quyền": "Đảng ủy xã",
            "Tiến độ": "Tháng 3 - tháng 8",
            "Trạng thái": "",
        }
        sheet.append([values.get(column, "") for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_worker(path):
    """Runs in the measured subprocess: the import view, upload → preview → confirm."""
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scopes_disabled
    from run import signed_in

    from campaigns.models import Campaign
    from models_registry.models import Registration

    with scopes_disabled():
        campaign = Campaign.objects.get(number=IMPORT_NUMBER)
    client = signed_in("bench-reg-nhap")
    url = f"/o/{IMPORTS}/registrations/import/"
    content = Path(path).read_bytes()
    started = time.perf_counter()
    upload = SimpleUploadedFile("phu-luc-01.xlsx", content)
    response = client.post(url, {"campaign": campaign.pk, "file": upload})
    dry_run = time.perf_counter() - started
    assert response.status_code == 200, response.content.decode()[:2000]
    token = client.session["dvk_pending_registration_import"]["token"]
    started = time.perf_counter()
    response = client.post(url, {"token": token})
    confirm = time.perf_counter() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        created = Registration.objects.all_tenants().filter(campaign=campaign).count()
    print(json.dumps({"dry_run_s": dry_run, "confirm_s": confirm, "created": created}))


def bench_import(rows):
    from django_scopes import scopes_disabled

    from models_registry.models import Registration

    with scopes_disabled():
        _delete_registrations(Registration.objects.all_tenants().filter(campaign__number=IMPORT_NUMBER))
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        handle.write(annex_workbook(rows))
        path = handle.name
    size_mb = os.path.getsize(path) / 1048576
    print(
        f"\n(b) Annex 01 import of {rows:,} rows ({size_mb:.1f} MB) through the import view, in a subprocess "
        "under /usr/bin/time -v"
    )
    try:
        result = subprocess.run(
            ["/usr/bin/time", "-v", sys.executable, __file__, "--import-worker", path],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(path)
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:])
        raise SystemExit("the import worker failed")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)[1])
    wall = figures["dry_run_s"] + figures["confirm_s"]
    peak_mb = peak_kb / 1024
    print(f"{'step':34} {'seconds':>8}")
    print(f"{'upload, check, preview (dry run)':34} {figures['dry_run_s']:>8.2f}")
    print(f"{'confirm: re-check and write':34} {figures['confirm_s']:>8.2f}")
    print(f"{'total':34} {wall:>8.2f}  < {IMPORT_TARGET_S} s {'OK' if wall < IMPORT_TARGET_S else 'MISSED'}")
    print(
        f"registrations created: {figures['created']:,}; peak memory (max RSS) {peak_mb:.0f} MB  "
        f"< {IMPORT_TARGET_MB} MB {'OK' if peak_mb < IMPORT_TARGET_MB else 'MISSED'}"
    )
    with scopes_disabled():
        _delete_registrations(Registration.objects.all_tenants().filter(campaign__number=IMPORT_NUMBER))
    return {
        "rows": rows,
        "file_mb": round(size_mb, 2),
        **figures,
        "total_s": round(wall, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "target_s": IMPORT_TARGET_S,
        "target_mb": IMPORT_TARGET_MB,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="rebuild the bench tree and its registrations")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rows", type=int, default=10000, help="rows of the imported annex 01")
    parser.add_argument("--import-worker", help=argparse.SUPPRESS)
    args, _others = parser.parse_known_args()  # `make bench` passes the same BENCH_ARGS to every part
    if args.import_worker:
        import_worker(args.import_worker)
        return
    ensure_database()
    from django.conf import settings

    assert not settings.DEBUG
    ensure_data(args.rebuild)
    print(f"\nDVK registration bench on {DB}, DEBUG={settings.DEBUG}")
    listing = bench_list(args.runs)
    imported = bench_import(args.rows)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "registrations.json").write_text(
        json.dumps({"list": listing, "import": imported}, indent=2, ensure_ascii=False)
    )


if __name__ == "__main__":
    main()
