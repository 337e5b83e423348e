"""Personas over a small tree, shared by the whole suite.

Nghệ An (province, PROV)
├── Diễn Châu (commune, COMM)          ← the tenant under test
│   ├── Chi bộ Xóm 1 (unit, UNIT)
│   └── Ủy ban MTTQ xã (unit, MTTQ)
└── Diễn Thịnh (commune, SIBL)         ← the outsider's commune
    └── Chi bộ Xóm 9 (unit, SIBU)
"""

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from dvk.enums import Kind, Level, Role
from dvk.models import Membership, Organization, User

PASSWORD = "mat-khau-thu-nghiem-2026"


def make_user(username, **extra):
    full_name = extra.pop("full_name", username)
    user = User(username=username, full_name=full_name, email=f"{username}@example.test", **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def add_child(parent, code, name, level=Level.UNIT, kind=Kind.PARTY_CELL):
    return Organization.objects.add_child(parent, {"code": code, "name": name, "level": level, "kind": kind})


@pytest.fixture
def tree(db):
    province = Organization.objects.add_root(
        {"code": "PROV", "name": "Tỉnh Nghệ An", "level": Level.PROVINCE, "kind": Kind.ADMINISTRATIVE}
    )
    commune = add_child(province, "COMM", "Xã Diễn Châu", Level.COMMUNE, Kind.ADMINISTRATIVE)
    sibling = add_child(province, "SIBL", "Xã Diễn Thịnh", Level.COMMUNE, Kind.ADMINISTRATIVE)
    unit = add_child(commune, "UNIT", "Chi bộ Xóm 1")
    mttq = add_child(commune, "MTTQ", "Ủy ban MTTQ xã Diễn Châu", kind=Kind.FATHERLAND_FRONT)
    sibling_unit = add_child(sibling, "SIBU", "Chi bộ Xóm 9")
    refresh = lambda o: Organization.objects.get(pk=o.pk)  # noqa: E731
    return type(
        "Tree",
        (),
        {
            "province": refresh(province),
            "commune": refresh(commune),
            "sibling": refresh(sibling),
            "unit": refresh(unit),
            "mttq": refresh(mttq),
            "sibling_unit": refresh(sibling_unit),
        },
    )


def persona(username, org, role):
    """A user holding `role` at `org` (none when `org` is None)."""
    user = make_user(username)
    if org is not None:
        Membership.objects.create(user=user, organization=org, role=role)
    return user


def fresh(org):
    """`org` as the database holds it now (its path changes when the tree moves)."""
    return Organization.objects.get(pk=org.pk)


@pytest.fixture
def province_staff(tree):
    return persona("can-bo-tinh", tree.province, Role.STAFF)


@pytest.fixture
def commune_staff(tree):
    return persona("can-bo-xa", tree.commune, Role.STAFF)


@pytest.fixture
def secretary(tree):
    return persona("bi-thu", tree.unit, Role.SECRETARY)


@pytest.fixture
def outsider(tree):
    """Staff of the sibling commune: same province, other tenant."""
    return persona("can-bo-xa-ben", tree.sibling, Role.STAFF)


@pytest.fixture
def nobody(tree):
    return persona("khong-vai-tro", None, None)


def client_for(user):
    """A browser session signed in as `user`; a staff account has given its second factor
    (a confirmed authenticator device, verified in this session), as after a real sign-in."""
    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    return client


def second_factor_device(user):
    """The user's confirmed authenticator device (made if missing): its `.token()` codes
    are what the app on their phone would show."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Điện thoại thử nghiệm", confirmed=True)


def totp_now(device):
    """The code the device shows now."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(context, base_url, user):
    """Signs a Playwright browser context in as `user`, second factor given (client_for's
    session, handed to the browser as its cookie): browser tests start signed in."""
    from django.conf import settings

    cookie = client_for(user).cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}])


def verify_second_factor(client, user):
    from django_otp import DEVICE_ID_SESSION_KEY

    from dvk.twofactor import requires_second_factor

    fresh = User.objects.get(pk=user.pk)
    if not requires_second_factor(fresh):
        return client
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = second_factor_device(fresh).persistent_id
    session.save()
    return client


@pytest.fixture
def as_commune_staff(commune_staff):
    return client_for(commune_staff)


@pytest.fixture
def as_outsider(outsider):
    return client_for(outsider)


def table_counts():
    """Row count of every table in the database (audit tables included)."""
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and generated files of each test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_lists_survive_flushes(request):
    """Rows created by data migrations (fields, milestone kinds) are gone after a
    transactional test flushed the database; put them back for every database test."""
    if (
        "db" in request.fixturenames
        or "transactional_db" in request.fixturenames
        or request.node.get_closest_marker("django_db")
    ):
        request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
        from tests.campaigns.builders import ensure_default_lists

        ensure_default_lists()


def _is_transactional(request):
    marker = request.node.get_closest_marker("django_db")
    return "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture(autouse=True)
def _live_server_idle_before_flush(request):
    """The live server lives for the whole session; a browser test can end while the server
    still answers the page's last requests (a service worker keeping dossiers, say). Flushing
    the database under such a request fails ("couldn't be flushed") and leaves rows for the
    next test, so each browser test waits here, after its context closed and before the
    flush, until the server has answered everything it took."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so torn down after this
    httpd = request.getfixturevalue("live_server").thread.httpd
    if not hasattr(httpd, "dvk_busy"):
        httpd.dvk_busy, httpd.dvk_busy_lock = 0, threading.Lock()
        answer = httpd.application

        def counted(environ, start_response):
            with httpd.dvk_busy_lock:
                httpd.dvk_busy += 1
            try:
                return answer(environ, start_response)
            finally:
                with httpd.dvk_busy_lock:
                    httpd.dvk_busy -= 1

        httpd.application = counted
    yield
    deadline = time.monotonic() + 20
    while httpd.dvk_busy and time.monotonic() < deadline:
        time.sleep(0.05)
