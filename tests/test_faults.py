"""The app keeps serving when a backing service fails."""

from django.test import override_settings

from tests.conftest import PASSWORD

DEAD_REDIS = {"default": {"BACKEND": "dvk.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}


def test_pages_and_logins_work_while_redis_is_down(client, secretary, tree):
    with override_settings(CACHES=DEAD_REDIS):
        response = client.post("/accounts/login/", {"username": "bi-thu", "password": PASSWORD})
        assert response.status_code == 302
        # The session was written to the database: the next request is still logged in.
        assert client.get("/o/UNIT/registrations/").status_code == 200
        assert client.get("/o/UNIT/registrations/open/").status_code == 200
