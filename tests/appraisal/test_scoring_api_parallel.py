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


# --- every other write, pressed twice at once ----------------------------------------------------


def _scored(w, member, *, submit=False):
    from django_scopes import scope

    from appraisal import scoring_services
    from tests.appraisal.scoring_builders import full_lines

    with scope(org=w.board.organization):
        return scoring_services.scorecard_save(
            assignment=w.assignment(member),
            lines=full_lines(w.criteria),
            expected_version=0,
            user=member.user,
            submit=submit,
        )


@pytest.mark.parametrize("same_key", [True, False], ids=["same key", "two tabs"])
def test_two_presses_of_submit_submit_once(w, same_key):
    card = _scored(w, w.member)
    a, keys = w.assignment(w.member), [key()] * 2 if same_key else [key(), key()]
    tabs = [api_for(w.member.user), api_for(w.member.user)]
    responses = in_parallel(
        2,
        lambda i: tabs[i].post(
            url(a, "scorecard/submit/"), {"version": card.version}, format="json", HTTP_IDEMPOTENCY_KEY=keys[i]
        ),
    )
    assert sorted(r.status_code for r in responses) == ([200, 200] if same_key else [200, 409])
    with scopes_disabled():
        assert Scorecard.objects.get(assignment=a).status == "submitted"
        assert Scorecard.history.filter(status="submitted").count() == 1


def test_the_same_photo_sent_twice_at_once_is_stored_once(w):
    from appraisal.models import ScorePhoto
    from tests.appraisal.scoring_api_builders import jpeg_upload

    a, same = w.assignment(w.member), key()
    devices = [api_for(w.member.user), api_for(w.member.user)]
    responses = in_parallel(
        2, lambda i: devices[i].post(url(a, "photos/"), {"file": jpeg_upload()}, HTTP_IDEMPOTENCY_KEY=same)
    )
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    with scopes_disabled():
        assert ScorePhoto.objects.count() == 1


@pytest.mark.parametrize("same_key", [True, False], ids=["same key", "two tabs"])
def test_a_conflict_declared_twice_at_once_is_stored_once(w, same_key):
    from appraisal.models import Conflict

    a, keys = w.assignment(w.member), [key()] * 2 if same_key else [key(), key()]
    tabs = [api_for(w.member.user), api_for(w.member.user)]
    responses = in_parallel(
        2,
        lambda i: tabs[i].post(
            url(a, "conflict/"), {"reason": "Người nhà"}, format="json", HTTP_IDEMPOTENCY_KEY=keys[i]
        ),
    )
    assert sorted(r.status_code for r in responses) == ([201, 201] if same_key else [201, 409])
    with scopes_disabled():
        assert Conflict.objects.filter(member=w.member).count() == 1


@pytest.mark.parametrize("same_key", [True, False], ids=["same key", "two tabs"])
def test_the_heads_reopening_pressed_twice_at_once_reopens_once(w, same_key):
    from appraisal.models import AssignmentChange

    _scored(w, w.member, submit=True)
    a, keys = w.assignment(w.member), [key()] * 2 if same_key else [key(), key()]
    tabs = [api_for(w.head.user), api_for(w.head.user)]
    responses = in_parallel(
        2,
        lambda i: tabs[i].post(
            url(a, "scorecard/reopen/"), {"reason": "Chấm lại"}, format="json", HTTP_IDEMPOTENCY_KEY=keys[i]
        ),
    )
    assert sorted(r.status_code for r in responses) == ([200, 200] if same_key else [200, 409])
    with scopes_disabled():
        assert AssignmentChange.objects.filter(kind="reopened").count() == 1


def test_a_photo_removed_from_two_tabs_at_once_is_removed_once(w):
    from appraisal.models import ScorePhoto
    from tests.appraisal.scoring_api_builders import jpeg_upload

    a = w.assignment(w.member)
    added = api_for(w.member.user).post(url(a, "photos/"), {"file": jpeg_upload()}, HTTP_IDEMPOTENCY_KEY=key())
    photo = added.json()["photo"]["id"]
    tabs = [api_for(w.member.user), api_for(w.member.user)]
    responses = in_parallel(2, lambda i: tabs[i].delete(url(a, f"photos/{photo}/"), HTTP_IDEMPOTENCY_KEY=key()))
    assert sorted(r.status_code for r in responses) == [204, 404]
    with scopes_disabled():
        assert not ScorePhoto.objects.exists()
        assert ScorePhoto.history.filter(history_type="-").count() == 1
