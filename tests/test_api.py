import datetime

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from dvk.models import DeviceToken
from dvk.twofactor import requires_second_factor
from tests.conftest import PASSWORD, second_factor_device, totp_now


@pytest.fixture(autouse=True)
def _clear_axes(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()
    cache.clear()


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def issue_token(username, password=PASSWORD, device="Máy tính bảng 01", otp_code=None):
    """A tablet asks for a token. A staff account sends the code its authenticator app shows
    (made here from its device, unless `otp_code` says otherwise)."""
    from dvk.models import User

    user = User.objects.filter(username=username).first()
    if otp_code is None and user is not None and requires_second_factor(user):
        otp_code = totp_now(second_factor_device(user))
    body = {"username": username, "password": password, "device_name": device, "otp_code": otp_code or ""}
    return APIClient().post("/api/v1/auth/tokens/", body, format="json")


def test_me_lists_organizations_and_roles(commune_staff, tree):
    from dvk.models import Membership

    Membership.objects.create(user=commune_staff, organization=tree.unit, role="member")
    data = api_for(commune_staff).get("/api/v1/me/").json()
    assert data["username"] == "can-bo-xa"
    assert [(o["organization"]["code"], o["roles"]) for o in data["organizations"]] == [
        ("COMM", ["staff"]),
        ("UNIT", ["member"]),
    ]


def test_me_requires_authentication(db):
    assert APIClient().get("/api/v1/me/").status_code in (401, 403)


def test_children_in_scope(commune_staff):
    data = api_for(commune_staff).get("/api/v1/o/COMM/children/").json()
    assert sorted(o["code"] for o in data["results"]) == ["MTTQ", "UNIT"]


def test_api_outsider_gets_404(outsider):
    client = api_for(outsider)
    for url in ("/api/v1/o/COMM/", "/api/v1/o/COMM/children/", "/api/v1/o/COMM/members/"):
        assert client.get(url).status_code == 404, url


def test_api_same_tenant_without_role_gets_403(tree):
    from dvk.models import Membership
    from tests.conftest import make_user

    viewer = make_user("nguoi-xem")
    Membership.objects.create(user=viewer, organization=tree.unit, role="member")
    assert api_for(viewer).get("/api/v1/o/UNIT/members/").status_code == 403


def test_device_token_is_issued_by_password_and_works(commune_staff):
    response = issue_token("can-bo-xa")
    assert response.status_code == 201
    key = response.json()["key"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/o/COMM/").json()["code"] == "COMM"
    assert client.get("/api/v1/o/SIBL/").status_code == 404
    token = DeviceToken.objects.get()
    assert token.key_hash != key and key.startswith(token.prefix)


def test_wrong_password_gets_401_and_counts_toward_lockout(commune_staff):
    for _ in range(4):
        assert issue_token("can-bo-xa", password="sai").status_code == 401
    assert issue_token("can-bo-xa", password="sai").status_code == 429  # the fifth failure locks
    response = issue_token("can-bo-xa")  # the right password, but locked now
    assert response.status_code == 429
    assert "khóa 30 phút" in response.json()["detail"]
    assert issue_token("can-bo-xa", device="khác").status_code == 429


def test_tokens_are_listed_and_revoked_by_their_owner_only(commune_staff, outsider):
    key = issue_token("can-bo-xa").json()["key"]
    token = DeviceToken.objects.get()
    owner = api_for(commune_staff)
    assert [t["name"] for t in owner.get("/api/v1/auth/tokens/").json()] == ["Máy tính bảng 01"]
    assert api_for(outsider).delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 404
    assert owner.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me/").status_code == 401


def test_token_expires_after_30_days_unused(commune_staff):
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        key = issue_token("can-bo-xa").json()["key"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    with time_machine.travel(start + datetime.timedelta(days=29), tick=False):
        assert client.get("/api/v1/me/").status_code == 200  # use renews it
    with time_machine.travel(start + datetime.timedelta(days=58), tick=False):
        assert client.get("/api/v1/me/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(days=89), tick=False):
        assert client.get("/api/v1/me/").status_code == 401


def test_login_page_locks_after_five_failures(commune_staff, client):
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": "can-bo-xa", "password": "sai"})
        assert response.status_code == 200
        assert "không đúng" in response.content.decode()
    assert client.post("/accounts/login/", {"username": "can-bo-xa", "password": "sai"}).status_code == 429
    response = client.post("/accounts/login/", {"username": "can-bo-xa", "password": PASSWORD})
    assert response.status_code == 429
    assert "30 phút" in response.content.decode()


def test_login_then_lands_on_own_organization(secretary, client):
    response = client.post("/accounts/login/", {"username": "bi-thu", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/o/UNIT/registrations/open/"


def test_a_staff_account_without_its_second_factor_gets_no_token(commune_staff):
    response = issue_token("can-bo-xa", otp_code="")
    assert response.status_code == 403 and "xác thực hai lớp" in response.json()["detail"]
    second_factor_device(commune_staff)
    assert issue_token("can-bo-xa").status_code == 201
    wrong = issue_token("can-bo-xa", device="Máy khác", otp_code="000000")
    assert wrong.status_code == 403 and "mã xác thực hai lớp" in wrong.json()["detail"]
    assert DeviceToken.objects.count() == 1


def test_password_reset_sends_a_vietnamese_email(commune_staff, client, mailoutbox):
    client.post("/accounts/password/reset/", {"email": "can-bo-xa@example.test"})
    assert len(mailoutbox) == 1
    assert "Đặt lại mật khẩu" in mailoutbox[0].subject


def test_schema_lists_the_api(db, client):
    response = client.get("/api/schema/", {"format": "json"})
    paths = response.json()["paths"]
    assert "/api/v1/me/" in paths and "/api/v1/o/{org_code}/children/" in paths
