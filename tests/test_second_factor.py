"""The second factor for staff (dvk.twofactor): set up, asked for, recovered, reset, audited."""

import re

import pytest
from django.test import Client, override_settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from dvk.enums import Role
from dvk.models import Membership, SecondFactorReset
from tests.conftest import PASSWORD, client_for, make_user, second_factor_device, table_counts, totp_now


def sign_in_with_password(username):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD, "next": "/o/COMM/"})
    assert response.status_code == 302
    return client


def test_a_staff_member_sets_up_an_authenticator_on_first_sign_in(tree, commune_staff):
    client = sign_in_with_password("can-bo-xa")
    first = client.get("/o/COMM/")
    assert first.status_code == 302 and first["Location"].startswith("/accounts/2fa/setup/?next=")
    page = client.get(first["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'id="totp-secret"' in html
    device = TOTPDevice.objects.get(user=commune_staff, confirmed=False)
    assert re.sub(r"\s", "", page.context["secret"]) in device.config_url

    before = table_counts()
    wrong = client.post("/accounts/2fa/setup/", {"code": "000000", "next": "/o/COMM/"})
    assert wrong.status_code == 400 and "Mã không khớp" in wrong.content.decode()
    assert table_counts() == before
    device.refresh_from_db()
    device.throttle_reset()  # django-otp waits a second after a wrong code; a person would too

    done = client.post("/accounts/2fa/setup/", {"code": totp_now(device), "next": "/o/COMM/"})
    assert done.status_code == 302 and done["Location"].startswith("/accounts/2fa/recovery/")
    shown = client.get(done["Location"])
    codes = shown.context["codes"]
    assert len(codes) == 10 and all(re.fullmatch(r"\d{4}-\d{4}", c) for c in codes)
    assert client.get("/accounts/2fa/recovery/").context["codes"] is None  # shown once
    assert client.get("/o/COMM/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_staff_member_with_a_device_gives_its_code_after_the_password(tree, commune_staff):
    device = second_factor_device(commune_staff)
    client = sign_in_with_password("can-bo-xa")
    asked = client.get("/o/COMM/campaigns/")
    assert asked["Location"] == "/accounts/2fa/?next=%2Fo%2FCOMM%2Fcampaigns%2F"
    assert client.get("/api/v1/o/COMM/").status_code == 403  # the API through the session too
    wrong = client.post("/accounts/2fa/", {"code": "000000", "next": "/o/COMM/campaigns/"})
    assert wrong.status_code == 400 and "Mã không đúng" in wrong.content.decode()
    # Right away, even the right code is held back (django-otp's throttle), and the page says why.
    held = client.post("/accounts/2fa/", {"code": totp_now(device), "next": "/o/COMM/campaigns/"})
    assert held.status_code == 400 and "hãy chờ vài giây" in held.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    right = client.post("/accounts/2fa/", {"code": totp_now(device), "next": "/o/COMM/campaigns/"})
    assert right["Location"] == "/o/COMM/campaigns/"
    assert client.get("/o/COMM/campaigns/").status_code == 200
    assert client.get("/api/v1/o/COMM/").status_code == 200


def test_a_recovery_code_works_once(tree, commune_staff):
    from dvk.twofactor import recovery_codes_issue

    second_factor_device(commune_staff)
    code = recovery_codes_issue(user=commune_staff)[0]
    client = sign_in_with_password("can-bo-xa")
    used = client.post("/accounts/2fa/", {"code": code, "next": "/o/COMM/"}, follow=True)
    assert used.redirect_chain[-1][0] == "/o/COMM/" and "còn 9 mã" in used.content.decode()
    again = sign_in_with_password("can-bo-xa").post("/accounts/2fa/", {"code": code})
    assert again.status_code == 400
    assert StaticToken.objects.filter(device__user=commune_staff).count() == 9


def test_a_unit_secretary_is_not_asked(tree, secretary):
    client = sign_in_with_password("bi-thu")
    assert client.get("/o/UNIT/registrations/open/").status_code == 200
    assert client.get("/accounts/2fa/setup/")["Location"] == "/"


def test_the_admin_asks_for_it_too(tree):
    make_user("quan-tri", is_staff=True, is_superuser=True)
    client = sign_in_with_password("quan-tri")
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/setup/")


def test_demo_accounts_are_exempt_only_while_the_demo_switch_is_on(tree):
    demo = make_user("demo-xa", demo_account=True)
    Membership.objects.create(user=demo, organization=tree.commune, role=Role.STAFF)
    assert sign_in_with_password("demo-xa").get("/o/COMM/").status_code == 200
    with override_settings(DVK_DEMO=False):
        assert sign_in_with_password("demo-xa").get("/o/COMM/").status_code == 302
    # A demo account that set up a device is asked for it, as anyone (README: how to try it).
    second_factor_device(demo)
    assert sign_in_with_password("demo-xa").get("/o/COMM/").status_code == 302


def test_staff_of_a_higher_level_reset_a_lost_device_and_it_is_audited(tree, province_staff, commune_staff):
    second_factor_device(commune_staff)
    membership = Membership.objects.get(user=commune_staff)
    province = client_for(province_staff)
    members = province.get("/o/PROV/members/?subtree=1")
    assert membership.pk in members.context["resettable"]
    response = province.post(f"/o/PROV/members/{membership.pk}/reset-2fa/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=commune_staff).exists()
    with scopes_disabled():
        reset = SecondFactorReset.objects.get()
    assert (reset.user, reset.reset_by, reset.organization.code) == (commune_staff, province_staff, "PROV")
    audit = province.get("/o/PROV/audit/?kind=second_factor").content.decode()
    assert "can-bo-xa" in audit and 'id="second-factor-resets"' in audit
    # The next sign-in sets up a new device.
    assert sign_in_with_password("can-bo-xa").get("/o/COMM/")["Location"].startswith("/accounts/2fa/setup/")


def test_nobody_resets_their_own_or_a_higher_levels_second_factor(tree, province_staff, commune_staff):
    second_factor_device(province_staff)
    commune = client_for(commune_staff)
    own = Membership.objects.get(user=commune_staff)
    assert commune.post(f"/o/COMM/members/{own.pk}/reset-2fa/").status_code == 403
    # A person who is also staff at the province is out of the commune's reach.
    both = make_user("can-bo-hai-cap")
    Membership.objects.create(user=both, organization=tree.province, role=Role.STAFF)
    here = Membership.objects.create(user=both, organization=tree.commune, role=Role.STAFF)
    second_factor_device(both)
    assert here.pk not in commune.get("/o/COMM/members/").context["resettable"]
    assert commune.post(f"/o/COMM/members/{here.pk}/reset-2fa/").status_code == 403
    assert TOTPDevice.objects.filter(user=both).exists()
    with scopes_disabled():
        assert not SecondFactorReset.objects.exists()


@pytest.mark.parametrize("module", ["dvk.settings.local", "dvk.settings.test", "dvk.settings.production"])
def test_every_settings_module_asks_staff_for_it(module, monkeypatch):
    import importlib

    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "dvk.example.vn")
    monkeypatch.setenv("DVK_SITE_URL", "https://dvk.example.vn")
    monkeypatch.setenv("DVK_DEMO", "false")
    settings = importlib.import_module(module)
    assert "dvk.twofactor.SecondFactorMiddleware" in settings.MIDDLEWARE
    assert settings.MIDDLEWARE.index("dvk.twofactor.SecondFactorMiddleware") > settings.MIDDLEWARE.index(
        "django_otp.middleware.OTPMiddleware"
    )
