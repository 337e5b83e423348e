"""The review meeting's API (appraisal.meeting_api) in the meeting world
(tests/appraisal/meeting_builders.py): the minutes as read, a ballot recorded once with a key,
bad ballots refused with a Vietnamese reason and nothing changed."""

import uuid

import pytest
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from appraisal.enums import Attendance, Decision
from appraisal.models import Ballot, Vote
from tests.appraisal.meeting_builders import meeting_world, opened, roll
from tests.conftest import table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree, commune_staff):
    return meeting_world(tree, commune_staff)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(w, meeting, rest=""):
    return f"/api/v1/o/COMM/appraisal/boards/{w.board.pk}/meetings/{meeting.pk}/{rest}"


def body(voters, choice="for", version=0):
    return {"version": version, "votes": [{"member": m.pk, "choice": choice} for m in voters]}


def put(client, address, data, key=None):
    return client.put(address, data, format="json", HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex)


def test_the_minutes_read_as_on_the_page(w):
    meeting = opened(w, roll(w, extra0=Attendance.WRITTEN))
    head = api(w.head.user)
    listed = head.get(f"/api/v1/o/COMM/appraisal/boards/{w.board.pk}/meetings/")
    assert listed.status_code == 200 and [m["id"] for m in listed.json()] == [meeting.pk]
    data = head.get(url(w, meeting)).json()
    assert (data["status"], data["voting_members"], data["present"], data["quorum"]) == ("open", 7, 6, 5)
    assert data["rules"]["propose_share"] == "4/5"
    assert [r["registration"] for r in data["results"]] == [r.pk for r in w.registrations]
    assert {a["member"]: a["attendance"] for a in data["attendance"]}[w.extra[0].pk] == "written"
    assert data["results"][0]["ballot"] is None


def test_a_ballot_is_recorded_once_with_its_key_and_read_back(w):
    meeting = opened(w)
    head = api(w.head.user)
    key = uuid.uuid4().hex
    address = url(w, meeting, f"ballots/{w.registrations[0].pk}/")
    first = put(head, address, body(w.voters[:6]), key)
    assert first.status_code == 200 and first.json()["ballot"]["decision"] == Decision.PROPOSE
    again = put(head, address, body(w.voters[:6]), key)
    assert again.status_code == 200 and again.get("Idempotent-Replay") == "true"
    with scopes_disabled():
        assert Ballot.objects.count() == 1 and Vote.objects.count() == 6
    read = head.get(url(w, meeting)).json()["results"][0]["ballot"]
    assert (read["version"], read["votes_for"], read["voters"]) == (1, 6, 6)
    stale = put(head, address, body(w.voters[:6], "against", version=0))
    assert stale.status_code == 409 and stale.json()["code"] == "stale"


def test_bad_ballots_are_refused_and_change_nothing(w):
    meeting = opened(w)
    head = api(w.head.user)
    address = url(w, meeting, f"ballots/{w.registrations[0].pk}/")
    before = table_counts()
    conflicted = put(head, address, body(w.voters))  # the seventh is conflicted on registration 0
    assert conflicted.status_code == 400 and "xung đột lợi ích" in conflicted.json()["detail"]
    twice = put(head, address, {"version": 0, "votes": [{"member": w.head.pk, "choice": "for"}] * 2})
    assert twice.status_code == 400 and "chỉ có một biểu quyết" in str(twice.json()["fields"])
    too_few = put(head, address, body(w.voters[:3]))
    assert too_few.status_code == 400 and "Chưa ghi biểu quyết" in too_few.json()["detail"]
    bad_choice = put(head, address, {"version": 0, "votes": [{"member": w.head.pk, "choice": "maybe"}]})
    assert bad_choice.status_code == 400 and bad_choice.json()["code"] == "invalid"
    member = put(api(w.member.user), address, body(w.voters[:6]))
    assert member.status_code == 403
    missing = put(head, url(w, meeting, "ballots/999999/"), body(w.voters[:6]))
    assert missing.status_code == 404
    assert table_counts() == before


def test_the_schema_lists_the_meeting_api(db, client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    base = "/api/v1/o/{org_code}/appraisal/boards/{id}/meetings/"
    assert base in paths and base + "{meeting_pk}/" in paths
    assert "put" in paths[base + "{meeting_pk}/ballots/{registration_pk}/"]
