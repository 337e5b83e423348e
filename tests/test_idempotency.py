"""Writes a person may repeat are applied once (dvk.idempotency), proved with parallel
requests on real PostgreSQL: each thread is a phone pressing again, or retrying on a bad
connection, with its own database connection."""

import datetime
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from campaigns.enums import RegistrationStatus as S
from dvk.enums import Role
from dvk.models import DeviceToken, IdempotentWrite, Membership, Organization, User
from models_registry.models import Evidence, ProgressReport, Registration
from tests.campaigns.builders import campaign, quota
from tests.conftest import PASSWORD, client_for, table_counts
from tests.registry.builders import complete_registration

pytestmark = pytest.mark.django_db(transaction=True)
PRESSES = 10
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"


def in_parallel(n, send):
    """Runs send(i) in n threads released together; returns the responses in order."""
    barrier = threading.Barrier(n)

    def one(i):
        try:
            barrier.wait()
            return send(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def key():
    return uuid.uuid4().hex


@pytest.fixture
def plan(tree):
    """Diễn Châu's plan, open for registration well past today."""
    c = campaign(
        tree.commune,
        "01-KH/ĐU",
        end=datetime.date(2099, 12, 31),
        registration_due=datetime.date(2099, 3, 5),
        target_levels=["unit"],
    )
    quota(c, "Mỗi chi bộ ít nhất 01 mô hình", min_total=1)
    return c


def _registrations():
    with scopes_disabled():
        return Registration.objects.count()


def test_ten_presses_of_create_make_one_draft_and_all_land_on_it(tree, plan, secretary):
    form = {"name": "Mỗi ngày tiết kiệm 1.000 đồng", "subject_type": "collective", "idempotency_key": key()}
    url = f"/o/UNIT/registrations/new/{plan.pk}/"
    clients = [client_for(secretary) for _ in range(PRESSES)]
    responses = in_parallel(PRESSES, lambda i: clients[i].post(url, form))
    assert [r.status_code for r in responses] == [302] * PRESSES
    assert _registrations() == 1
    with scopes_disabled():
        draft = Registration.objects.get()
    assert {r["Location"] for r in responses} == {f"/o/UNIT/registrations/{draft.pk}/edit/"}


def test_without_the_mechanism_the_presses_would_each_make_a_draft(tree, plan, secretary):
    """The same ten presses with a new key each (ten different forms): ten drafts. So the
    test above proves the key, not some other lock."""
    url = f"/o/UNIT/registrations/new/{plan.pk}/"
    clients = [client_for(secretary) for _ in range(PRESSES)]
    forms = [{"name": f"Mô hình {i}", "subject_type": "collective", "idempotency_key": key()} for i in range(PRESSES)]
    responses = in_parallel(PRESSES, lambda i: clients[i].post(url, forms[i]))
    assert [r.status_code for r in responses] == [302] * PRESSES
    assert _registrations() == PRESSES


def test_ten_api_creates_with_one_key_make_one_and_answer_the_same(tree, plan, secretary):
    body = {"campaign": plan.pk, "subject_type": "collective", "name": "Thắp sáng đường quê"}
    header = {"HTTP_IDEMPOTENCY_KEY": key()}

    def send(i):
        api = APIClient()
        api.force_authenticate(secretary)
        return api.post("/api/v1/o/UNIT/registrations/", body, format="json", **header)

    responses = in_parallel(PRESSES, send)
    assert [r.status_code for r in responses] == [201] * PRESSES
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.get("Idempotent-Replay") == "true" for r in responses) == PRESSES - 1
    assert _registrations() == 1


def test_the_same_key_with_another_request_is_refused_and_changes_nothing(tree, plan, secretary):
    api = APIClient()
    api.force_authenticate(secretary)
    header = {"HTTP_IDEMPOTENCY_KEY": key()}
    first = api.post(
        "/api/v1/o/UNIT/registrations/",
        {"campaign": plan.pk, "subject_type": "collective", "name": "Một"},
        format="json",
        **header,
    )
    assert first.status_code == 201
    before = table_counts()
    other = api.post(
        "/api/v1/o/UNIT/registrations/",
        {"campaign": plan.pk, "subject_type": "collective", "name": "Hai"},
        format="json",
        **header,
    )
    assert other.status_code == 409
    assert "đã dùng cho một yêu cầu khác" in other.json()["detail"]
    assert table_counts() == before


def test_a_refused_form_keeps_its_key_free_for_the_corrected_one(tree, plan, secretary):
    client = client_for(secretary)
    url = f"/o/UNIT/registrations/new/{plan.pk}/"
    the_key = key()
    refused = client.post(url, {"name": "", "subject_type": "collective", "idempotency_key": the_key})
    assert refused.status_code == 400
    assert not IdempotentWrite.objects.exists()
    done = client.post(url, {"name": "Vườn rau sạch", "subject_type": "collective", "idempotency_key": the_key})
    assert done.status_code == 302 and _registrations() == 1


def test_keys_belong_to_one_user(tree, plan, secretary):
    other = User.objects.create_user("bi-thu-2", password=PASSWORD)
    Membership.objects.create(user=other, organization=tree.unit, role=Role.SECRETARY)
    the_key = key()
    url = f"/o/UNIT/registrations/new/{plan.pk}/"
    for user, name in ((secretary, "Một"), (other, "Hai")):
        response = client_for(user).post(url, {"name": name, "subject_type": "collective", "idempotency_key": the_key})
        assert response.status_code == 302
    assert _registrations() == 2


def test_a_malformed_key_is_refused(tree, plan, secretary):
    response = client_for(secretary).post(
        f"/o/UNIT/registrations/new/{plan.pk}/",
        {"name": "Một", "subject_type": "collective", "idempotency_key": "x"},
    )
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()
    assert _registrations() == 0


@pytest.fixture
def accepted(plan, tree):
    return complete_registration(plan, tree.unit, status=S.ACCEPTED)


def _report_form(registration):
    [target] = list(registration.targets.all())
    return {
        "reported_on": "30/06/2026",
        "summary": "Đã quyên góp được 6.000.000 đồng",
        f"achieved_{target.pk}": "6.000.000",
        "idempotency_key": key(),
    }


def test_ten_report_sends_make_one_report(tree, accepted, secretary):
    with scopes_disabled():
        form = _report_form(accepted)
    url = f"/o/UNIT/registrations/{accepted.pk}/reports/new/?kind=progress"
    clients = [client_for(secretary) for _ in range(PRESSES)]
    responses = in_parallel(PRESSES, lambda i: clients[i].post(url, form))
    assert [r.status_code for r in responses] == [302] * PRESSES, responses[0].content[:2000]
    with scopes_disabled():
        assert ProgressReport.objects.filter(registration=accepted).count() == 1


def test_ten_uploads_of_one_file_store_it_once(tree, accepted, secretary):
    the_key = key()
    url = f"/o/UNIT/registrations/{accepted.pk}/evidence/"
    clients = [client_for(secretary) for _ in range(PRESSES)]

    def send(i):
        upload = SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")
        return clients[i].post(url, {"files": [upload], "caption": "Biên bản", "idempotency_key": the_key})

    responses = in_parallel(PRESSES, send)
    assert [r.status_code for r in responses] == [302] * PRESSES
    with scopes_disabled():
        assert Evidence.objects.filter(registration=accepted).count() == 1


def test_ten_presses_of_add_organisation_add_one(tree, commune_staff):
    form = {"name": "Chi bộ Xóm 12", "level": "unit", "kind": "party_cell", "idempotency_key": key()}
    clients = [client_for(commune_staff) for _ in range(PRESSES)]
    before = Organization.objects.count()
    responses = in_parallel(PRESSES, lambda i: clients[i].post("/o/COMM/add/", form))
    assert [r.status_code for r in responses] == [302] * PRESSES
    assert Organization.objects.count() == before + 1


def test_ten_presses_of_add_member_grant_one_role_and_send_one_invitation(tree, commune_staff, mailoutbox):
    form = {
        "role": "secretary",
        "username": "bi-thu-moi",
        "full_name": "Nguyễn Văn Mới",
        "email": "moi@example.test",
        "idempotency_key": key(),
    }
    clients = [client_for(commune_staff) for _ in range(PRESSES)]
    responses = in_parallel(PRESSES, lambda i: clients[i].post("/o/UNIT/members/add/", form))
    assert [r.status_code for r in responses] == [302] * PRESSES
    assert Membership.objects.filter(user__username="bi-thu-moi").count() == 1
    assert len(mailoutbox) == 1


def test_ten_presses_of_submit_and_of_review_each_apply_once(tree, plan, secretary, commune_staff):
    draft = complete_registration(plan, tree.unit)
    clients = [client_for(secretary) for _ in range(PRESSES)]
    form = {"idempotency_key": key()}
    responses = in_parallel(PRESSES, lambda i: clients[i].post(f"/o/UNIT/registrations/{draft.pk}/submit/", form))
    assert {r.status_code for r in responses} == {302}
    with scopes_disabled():
        assert draft.history.filter(status=S.SUBMITTED).count() == 1
    reviewers = [client_for(commune_staff) for _ in range(PRESSES)]
    review = {"action": "accept", "comment": "", "idempotency_key": key()}
    in_parallel(PRESSES, lambda i: reviewers[i].post(f"/o/COMM/registrations/{draft.pk}/review/", review))
    with scopes_disabled():
        assert draft.history.filter(status=S.ACCEPTED).count() == 1
    assert secretary.notifications.filter(title__contains="được duyệt").count() == 1


def _copy_form(**extra):
    return {"number": "03-KH/ĐU", "title": "Kế hoạch năm 2100", "shift": "year", "days": "", **extra}


@pytest.mark.parametrize("same_key", [True, False], ids=["a double press", "two tabs"])
def test_ten_presses_of_copy_make_one_copy(tree, plan, commune_staff, same_key):
    """One key: every press lands on the one copy. A key per press (two tabs): the level's
    numbers are checked under a lock, so one copy is made and the others are told the
    number is taken."""
    from campaigns.models import Campaign

    the_key = key()
    url = f"/o/COMM/campaigns/{plan.pk}/copy/"
    clients = [client_for(commune_staff) for _ in range(PRESSES)]
    responses = in_parallel(
        PRESSES, lambda i: clients[i].post(url, _copy_form(idempotency_key=the_key if same_key else key()))
    )
    with scopes_disabled():
        copy = Campaign.objects.get(number="03-KH/ĐU")
        assert (copy.quotas.count(), copy.milestones.count(), copy.history.count()) == (1, 1, 1)
    landed = [r for r in responses if r.status_code == 302]
    assert {r["Location"] for r in landed} == {f"/o/COMM/campaigns/{copy.pk}/"}
    if same_key:
        assert len(landed) == PRESSES
    else:
        refused = [r for r in responses if r.status_code == 400]
        assert (len(landed), len(refused)) == (1, PRESSES - 1)
        assert "đã có kế hoạch số 03-KH/ĐU" in refused[0].content.decode()


@pytest.mark.parametrize("same_key", [True, False], ids=["a double press", "two staff at once"])
def test_ten_presses_of_dismissing_a_copy_review_dismiss_it_once(tree, plan, commune_staff, same_key):
    """ "Đã rà soát" on a copy's review: every press lands on the draft; one of them is told
    it dismissed the review, the others (other forms) that it had been dismissed already."""
    from campaigns import services
    from campaigns.models import Campaign
    from dvk.services import organization_archive
    from tests.conftest import fresh

    with scopes_disabled():
        plan.target_organizations.set([tree.mttq])
        organization_archive(organization=fresh(tree.mttq))
        copy = services.campaign_copy(original=plan, user=commune_staff, number="03-KH/ĐU", title="X").campaign
        assert copy.copy_review["rows"][0]["code"] == "MTTQ"
    the_key = key()
    url = f"/o/COMM/campaigns/{copy.pk}/copy-review/dismiss/"
    clients = [client_for(commune_staff) for _ in range(PRESSES)]
    responses = in_parallel(
        PRESSES, lambda i: clients[i].post(url, {"idempotency_key": the_key if same_key else key()})
    )
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, f"/o/COMM/campaigns/{copy.pk}/")}
    with scopes_disabled():
        copy = Campaign.objects.get(pk=copy.pk)
        assert (copy.copy_review, copy.history.count(), copy.version) == ({}, 1, 1)
    told = [c.get(f"/o/COMM/campaigns/{copy.pk}/").content.decode() for c in clients]
    dismissed = [t for t in told if "Đã ghi nhận: danh sách cần rà soát" in t]
    already = [t for t in told if "đã được rà soát trước đó" in t]
    # One key: the one answer is replayed to every press (its message reaches the first client only).
    assert (len(dismissed), len(already)) == ((1, 0) if same_key else (1, PRESSES - 1))
    assert all('id="copy-review"' not in t for t in told)


def test_a_second_token_for_the_same_device_is_refused_while_the_first_is_active(tree, secretary):
    body = {"username": secretary.username, "password": PASSWORD, "device_name": "Máy tính bảng 1"}
    responses = in_parallel(5, lambda i: APIClient().post("/api/v1/auth/tokens/", body, format="json"))
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]
    refused = next(r for r in responses if r.status_code == 409)
    assert "Máy tính bảng 1" in refused.json()["detail"] and "thu hồi" in refused.json()["detail"]
    assert DeviceToken.objects.filter(user=secretary, revoked_at__isnull=True).count() == 1
    # Once revoked, the device may have a new one.
    DeviceToken.objects.update(revoked_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert APIClient().post("/api/v1/auth/tokens/", body, format="json").status_code == 201


TREE_ROWS = [
    ["Mã", "Tên tổ chức", "Cấp", "Loại", "Mã cấp trên", "Địa chỉ"],
    ["XOM2", "Chi bộ Xóm 2", "Đơn vị, chi bộ, đoàn thể", "Chi bộ, đảng bộ cơ sở", "COMM", ""],
    ["XOM2-BCTMT", "Ban công tác Mặt trận Xóm 2", "thon, ban, khu dan cu", "Mặt trận Tổ quốc", "XOM2", "Xóm 2"],
]


def _previewed_tree_import(client):
    from tests.xlsx import upload, workbook_bytes

    response = client.post("/o/COMM/import/", {"file": upload(workbook_bytes(TREE_ROWS), "to-chuc.xlsx")})
    assert response.status_code == 200
    return client.session["dvk_pending_import"]["token"]


@pytest.mark.parametrize("same_key", [True, False], ids=["a double click", "two tabs"])
def test_ten_confirms_of_one_tree_import_apply_it_once(tree, commune_staff, same_key):
    from dvk.models import TreeImport

    preview = client_for(commune_staff)
    token = _previewed_tree_import(preview)
    the_key = key()
    clients = []
    for _ in range(PRESSES):
        client = client_for(commune_staff)
        client.cookies = preview.cookies  # the same browser session
        clients.append(client)
    responses = in_parallel(
        PRESSES,
        lambda i: clients[i].post(
            "/o/COMM/import/", {"token": token, "idempotency_key": the_key if same_key else key()}
        ),
    )
    assert [r.status_code for r in responses] == [302] * PRESSES
    with scopes_disabled():
        assert TreeImport.objects.count() == 1
    assert Organization.objects.filter(code__startswith="XOM2").count() == 2
    assert Organization.objects.get(code="XOM2").history.count() == 1


def test_a_tree_import_preview_writes_nothing_and_opens_no_transaction(tree, commune_staff):
    """On SQLite a transaction takes the database's write lock: a preview must not open one,
    or a large file locks every other user's saves out for its whole run."""
    from tests.xlsx import upload, workbook_bytes

    rows = [TREE_ROWS[0]] + [
        [f"CB{i:03}", f"Chi bộ {i}", "Đơn vị, chi bộ, đoàn thể", "Chi bộ, đảng bộ cơ sở", "COMM", ""]
        for i in range(200)
    ]
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append((connection.in_atomic_block, sql.split(None, 1)[0].upper()))
        return execute(sql, params, many, context)

    client = client_for(commune_staff)
    with connection.execute_wrapper(watch):
        from dvk.imports import tree_import
        from dvk.models import Organization as Org

        report = tree_import(
            root=Org.objects.get(code="COMM"), upload=upload(workbook_bytes(rows)), user=commune_staff, dry_run=True
        )
    assert not report.has_errors and report.count("new") == 200
    assert seen and not [s for s in seen if s[0]], "a preview query ran inside a transaction"
    assert {verb for _atomic, verb in seen} == {"SELECT"}
    assert client.get("/o/COMM/").status_code == 200


def test_five_presses_of_new_recovery_codes_issue_one_set_and_show_it(tree, commune_staff):
    from django_otp.plugins.otp_static.models import StaticToken

    client = client_for(commune_staff)
    form = {"idempotency_key": key()}
    responses = in_parallel(5, lambda i: client.post("/accounts/2fa/recovery/", form))
    assert [r.status_code for r in responses] == [302] * 5
    shown = client.get("/accounts/2fa/recovery/").context["codes"]
    stored = set(StaticToken.objects.filter(device__user=commune_staff).values_list("token", flat=True))
    assert {c.replace("-", "") for c in shown} == stored and len(stored) == 10


def test_ten_saves_of_a_rubric_with_one_key_store_it_once(tree, plan, commune_staff):
    """The first save of a campaign's rubric creates it: ten presses with one key make one
    rubric, one set of criteria, one version, and all land on the page."""
    from appraisal.models import Criterion, Rubric
    from tests.appraisal.helpers import rubric_form

    form = rubric_form(threshold=75, key=key())
    url = f"/o/COMM/appraisal/campaigns/{plan.pk}/rubric/"
    clients = [client_for(commune_staff) for _ in range(PRESSES)]
    responses = in_parallel(PRESSES, lambda i: clients[i].post(url, form))
    assert [r.status_code for r in responses] == [302] * PRESSES
    assert {r["Location"] for r in responses} == {url}
    with scopes_disabled():
        rubric = Rubric.objects.get(campaign=plan)
        assert (rubric.version, rubric.threshold, Criterion.objects.count()) == (1, 75, 5)
        assert rubric.history.count() == 1


def test_ten_first_saves_of_a_rubric_from_ten_tabs_store_one(tree, plan, commune_staff):
    """Ten tabs (a key each), all having read the default: the campaign's row is locked, one
    save creates the rubric, the others are told someone saved first."""
    from appraisal.models import Criterion, Rubric
    from tests.appraisal.helpers import rubric_form

    url = f"/o/COMM/appraisal/campaigns/{plan.pk}/rubric/"
    clients = [client_for(commune_staff) for _ in range(PRESSES)]
    responses = in_parallel(PRESSES, lambda i: clients[i].post(url, rubric_form(threshold=70 + i, key=key())))
    codes = sorted(r.status_code for r in responses)
    assert codes == [302] + [400] * (PRESSES - 1)
    with scopes_disabled():
        assert Rubric.objects.get(campaign=plan).version == 1
        assert Criterion.objects.count() == 5
