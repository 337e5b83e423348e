"""The API answers in Vietnamese, its framework's messages included (locale/vi)."""

import gettext
import re
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from dvk.models import DeviceToken

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "vi" / "LC_MESSAGES"


@pytest.fixture
def api(secretary):
    client = APIClient()
    client.force_authenticate(secretary)
    return client


def test_a_value_too_long_is_refused_in_vietnamese(api, tree):
    response = api.post("/api/v1/auth/tokens/", {"username": "x", "password": "y", "device_name": "m" * 101})
    assert response.status_code == 400
    assert response.json()["device_name"] == ["Trường này dài tối đa 100 ký tự."]


def test_a_page_beyond_the_last_is_refused_in_vietnamese(api, tree):
    response = api.get("/api/v1/o/UNIT/registrations/?page=99")
    assert response.status_code == 404
    assert response.json() == {"detail": "Trang không hợp lệ."}


def test_another_users_token_is_not_found_in_vietnamese(api, tree, commune_staff):
    token, _key = DeviceToken.issue(user=commune_staff, name="Máy của xã")
    response = api.delete(f"/api/v1/auth/tokens/{token.pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Không tìm thấy."}
    assert DeviceToken.objects.get(pk=token.pk).revoked_at is None


def test_a_request_without_credentials_is_answered_in_vietnamese(tree):
    assert APIClient().get("/api/v1/me/").json() == {
        "detail": "Bạn chưa đăng nhập hoặc phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.",
        "code": "not_authenticated",
    }


def _po_entries(text):
    """{msgid: msgstr} of a .po file (plural entries under their singular msgid)."""
    entries = {}
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        msgid = re.search(r'^msgid "(.*)"$', "\n".join(lines), re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? "(.*)"$', "\n".join(lines), re.M)
        if msgid and msgid.group(1):
            entries[msgid.group(1).encode().decode("unicode_escape").encode("latin-1").decode()] = (
                msgstr.group(1).encode().decode("unicode_escape").encode("latin-1").decode()
            )
    return entries


def test_the_compiled_catalog_matches_its_source():
    """The .mo is committed (a fresh machine may lack gettext): it must be the .po compiled."""
    source = _po_entries((LOCALE / "django.po").read_text(encoding="utf-8"))
    with open(LOCALE / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    compiled_entries = {(k[0] if isinstance(k, tuple) else k): v for k, v in catalog.items() if k}
    compiled_entries = {k.split("\x00")[0]: v for k, v in compiled_entries.items()}
    assert compiled_entries == source, "run msgfmt -o locale/vi/LC_MESSAGES/django.mo locale/vi/LC_MESSAGES/django.po"
