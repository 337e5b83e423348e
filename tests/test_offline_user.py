"""Whose local data a tablet keeps (dvk.offline): the offline key in the header of every
signed-in response and in the page's meta tag, another user's key is another key, and the
outbox page is for signed-in users only."""

import pytest

from dvk.offline import HEADER, user_key
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_signed_in_response_names_its_user_by_offline_key_and_an_anonymous_one_does_not(
    client, tree, commune_staff, secretary
):
    response = client_for(commune_staff).get("/outbox/")
    assert response.status_code == 200
    key = user_key(commune_staff)
    assert response[HEADER] == key and len(key) == 16 and str(commune_staff.pk) != key
    assert f'<meta name="dvk-user" content="{key}"' in response.content.decode()
    assert user_key(secretary) != key
    anonymous = client.get("/outbox/")
    assert anonymous.status_code == 302 and HEADER not in anonymous
    assert "dvk-user" not in client.get("/accounts/login/").content.decode()
