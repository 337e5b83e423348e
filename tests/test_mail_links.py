"""Links in mail start with DVK_SITE_URL, whatever Host the request that sent them came in on."""

from django.test import Client

from tests.conftest import client_for

SITE = "https://dvk.tinh.gov.vn:8443"


def test_password_reset_mail_links_to_the_site_url(commune_staff, settings, mailoutbox):
    settings.DVK_SITE_URL = SITE + "/"
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    Client(HTTP_HOST="other.example").post("/accounts/password/reset/", {"email": "can-bo-xa@example.test"})
    (mail,) = mailoutbox
    assert f"{SITE}/accounts/reset/" in mail.body
    assert "other.example" not in mail.body and "http://" not in mail.body


def test_invitation_mail_links_to_the_site_url(tree, commune_staff, settings, mailoutbox):
    settings.DVK_SITE_URL = SITE
    form = {"role": "secretary", "username": "bi-thu-moi", "full_name": "Nguyễn Văn Mới", "email": "moi@example.test"}
    assert client_for(commune_staff).post("/o/UNIT/members/add/", form).status_code == 302
    (mail,) = mailoutbox
    assert f"{SITE}/accounts/reset/" in mail.body
    assert "testserver" not in mail.body
