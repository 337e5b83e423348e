"""What the API answers a write it will not authenticate, in a form the tablet acts on
(docs/OFFLINE.md, state `signin`): a CSRF failure of a signed-in session is 403 with code
"csrf", no one signed in is 401 with code "not_authenticated"; neither changes anything."""

import pytest
from rest_framework.test import APIClient

from tests.appraisal.scoring_api_builders import body, url
from tests.appraisal.scoring_builders import scoring_world
from tests.conftest import client_for, table_counts


@pytest.fixture
def w(tree, commune_staff):
    return scoring_world(tree, commune_staff)


def _put(client, w, **extra):
    return client.put(
        url(w.assignment(w.member), "scorecard/"),
        body(w.criteria),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-auth-00001",
        **extra,
    )


def _session(user):
    client = client_for(user)
    client.handler.enforce_csrf_checks = True
    return client


def test_a_session_write_without_its_csrf_token_is_403_csrf_and_changes_nothing(w):
    client = _session(w.member.user)
    before = table_counts()
    response = _put(client, w)
    assert response.status_code == 403
    data = response.json()
    assert data["code"] == "csrf" and "đăng nhập lại" in data["detail"]
    assert table_counts() == before


def test_a_token_that_is_not_the_cookies_is_403_csrf_and_the_cookies_one_works(w):
    """A queued write holding the token of an earlier session (signing in rotates it) sends a
    token that no longer matches the cookie."""
    client = _session(w.member.user)
    client.get("/outbox/")
    current = client.cookies["csrftoken"].value
    earlier = "".join(reversed(current))
    response = _put(client, w, HTTP_X_CSRFTOKEN=earlier)
    assert (response.status_code, response.json()["code"]) == (403, "csrf")
    assert _put(client, w, HTTP_X_CSRFTOKEN=current).status_code == 200


def test_no_one_signed_in_is_401_not_authenticated(w):
    before = table_counts()
    response = _put(APIClient(), w)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated" and "đăng nhập lại" in response.json()["detail"]
    assert table_counts() == before
    read = APIClient().get("/api/v1/me/")
    assert (read.status_code, read.json()["code"]) == (401, "not_authenticated")


def test_a_refused_device_token_is_401_with_its_code(db):
    response = APIClient(HTTP_AUTHORIZATION="Token nothing-such").get("/api/v1/me/")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
