"""The staff import of an outbox file under concurrent requests on real PostgreSQL: the same
file imported twice at once (two staff, or two tabs), and the form sent twice at once."""

import pytest
from django_scopes import scopes_disabled

from appraisal.models import OutboxImport, Scorecard, ScorePhoto
from dvk.enums import Role
from dvk.models import IdempotentWrite
from tests.appraisal.outbox_builders import jpeg_bytes, new_key, outbox_file, photo_item, post_import, scorecard_item
from tests.appraisal.scoring_api_builders import body
from tests.appraisal.scoring_builders import scoring_world
from tests.conftest import client_for, persona
from tests.test_idempotency import in_parallel

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def w(tree, commune_staff):
    return scoring_world(tree, commune_staff)


def _file(w):
    items = [
        scorecard_item(w.assignment(w.member, 0), body(w.criteria, 0.8)),
        photo_item(w.assignment(w.member, 0), jpeg_bytes()),
        scorecard_item(w.assignment(w.member, 1), body(w.criteria, 0.6)),
    ]
    return outbox_file(w.member.user, items)


def test_two_imports_of_the_same_file_at_once_apply_each_item_once(w, tree, commune_staff):
    other_staff = persona("can-bo-xa-3", tree.commune, Role.STAFF)
    clients = [client_for(commune_staff), client_for(other_staff)]
    content = _file(w)
    responses = in_parallel(2, lambda i: post_import(clients[i], w.board, content))
    assert [r.status_code for r in responses] == [302, 302]
    with scopes_disabled():
        records = list(OutboxImport.objects.order_by("pk"))
        assert len(records) == 2
        states = sorted(sorted(r["state"] for r in record.results) for record in records)
        # One import wrote every item; the other waited on its keys, then replayed them.
        assert states == [["applied"] * 3, ["replayed"] * 3]
        assert sorted(Scorecard.objects.values_list("version", flat=True)) == [1, 1]
        assert ScorePhoto.objects.count() == 1
        assert IdempotentWrite.objects.filter(user=w.member.user).count() == 3


def test_the_form_sent_twice_at_once_is_one_import(w, commune_staff):
    clients = [client_for(commune_staff), client_for(commune_staff)]
    content, form_key = _file(w), new_key()
    responses = in_parallel(2, lambda i: post_import(clients[i], w.board, content, key=form_key))
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    with scopes_disabled():
        assert OutboxImport.objects.count() == 1
        assert ScorePhoto.objects.count() == 1
