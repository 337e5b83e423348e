"""The scoring API under concurrent writes on real PostgreSQL connections: two tabs of one
member, two members, and a batch replayed while the first copy is still running."""

import pytest
from django_scopes import scopes_disabled

from appraisal.models import Scorecard, ScoreLine
from dvk.models import IdempotentWrite
from tests.appraisal.scoring_api_builders import BASE, api_for, body, url
from tests.appraisal.scoring_builders import scoring_world
from tests.test_idempotency import in_parallel, key

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def w(tree, commune_staff):
    return scoring_world(tree, commune_staff)


def _put(client, assignment, data):
    return client.put(url(assignment, "scorecard/"), data, format="json", HTTP_IDEMPOTENCY_KEY=key())


def test_two_tabs_of_one_member_writing_from_the_same_version_one_wins_one_is_stale(w):
    tabs = [api_for(w.member.user), api_for(w.member.user)]
    a = w.assignment(w.member)
    bodies = [body(w.criteria, 0.8, comment="Thẻ một"), body(w.criteria, 0.5, comment="Thẻ hai")]
    responses = in_parallel(2, lambda i: _put(tabs[i], a, bodies[i]))
    assert sorted(r.status_code for r in responses) == [200, 409]
    won = next(r for r in responses if r.status_code == 200).json()
    lost = next(r for r in responses if r.status_code == 409).json()
    assert lost["code"] == "stale" and lost["current"] == {**won, "may_score": True}
    with scopes_disabled():
        card = Scorecard.objects.get(assignment=a)
        assert (card.version, card.comment) == (1, won["comment"])
        assert ScoreLine.objects.filter(scorecard=card).count() == len(w.criteria)


def test_two_members_writing_their_own_cards_at_once_both_succeed(w):
    members = [w.member, w.deputy]
    clients = [api_for(m.user) for m in members]
    responses = in_parallel(2, lambda i: _put(clients[i], w.assignment(members[i]), body(w.criteria)))
    assert [r.status_code for r in responses] == [200, 200]
    with scopes_disabled():
        assert Scorecard.objects.filter(version=1).count() == 2


def test_the_same_batch_replayed_concurrently_applies_each_item_once(w):
    refused = {"key": key(), "assignment": w.assignment(w.head, 1).pk, **body(w.criteria)}  # the head's: not found
    items = [refused] + [
        {"key": key(), "assignment": w.assignment(w.member, r).pk, **body(w.criteria, 0.7)} for r in (0, 1)
    ]
    devices = [api_for(w.member.user) for _ in range(3)]
    responses = in_parallel(3, lambda i: devices[i].post(f"{BASE}batch/", {"items": items}, format="json"))
    assert [r.status_code for r in responses] == [200, 200, 200]
    for response in responses:
        assert [r["status"] for r in response.json()["results"]] == [404, 200, 200]
    first_results = [[r["body"] for r in response.json()["results"][1:]] for response in responses]
    assert first_results[0] == first_results[1] == first_results[2]
    replays = sorted(sum(r["replayed"] for r in response.json()["results"]) for response in responses)
    assert sum(replays) == 4  # each good item written by one request, replayed by the two others
    with scopes_disabled():
        assert sorted(Scorecard.objects.values_list("version", flat=True)) == [1, 1]
        assert Scorecard.history.count() == 2
        assert IdempotentWrite.objects.count() == 2
