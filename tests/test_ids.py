"""Ids from users are read in one place (dvk.access): anything that is not an id names
nothing, on every entry point, instead of reaching the database (SQLite raised OverflowError
on an id beyond 64 bits: a 500)."""

import pytest
from django.http import Http404
from rest_framework.test import APIClient

from dvk.access import MAX_ID, ids_or_404, parse_id
from tests.conftest import client_for, table_counts

BEYOND = str(MAX_ID + 1)


@pytest.mark.parametrize("value", [BEYOND, "9" * 40, "0", "-1", "1.5", "abc", "", " 12 ", "١٢"])
def test_only_positive_integers_that_fit_an_id_column_are_ids(value):
    expected = 12 if value == " 12 " else None
    assert parse_id(value) == expected


def test_a_ticked_row_that_is_not_an_id_is_not_found():
    assert ids_or_404(["3", "7"]) == {3, 7}
    with pytest.raises(Http404):
        ids_or_404(["3", BEYOND])


def test_bulk_review_with_an_id_beyond_the_range_is_not_found_and_changes_nothing(tree, commune_staff):
    client = client_for(commune_staff)
    before = table_counts()
    response = client.post("/o/COMM/registrations/bulk/", {"ids": [BEYOND], "action": "accept"})
    assert response.status_code == 404
    assert table_counts() == before


def test_urls_with_an_id_beyond_the_range_do_not_resolve(tree, commune_staff):
    client = client_for(commune_staff)
    for url in (f"/o/COMM/registrations/{BEYOND}/", f"/o/COMM/campaigns/{BEYOND}/", f"/notifications/{BEYOND}/read/"):
        assert client.get(url).status_code == 404, url


def test_api_ids_beyond_the_range_are_refused_with_a_message(tree, commune_staff):
    api = APIClient()
    api.force_authenticate(commune_staff)
    response = api.get(f"/api/v1/o/COMM/registrations/?campaign={BEYOND}")
    assert response.status_code == 400
    assert response.json()["campaign"] == [f"Giá trị phải nhỏ hơn hoặc bằng {MAX_ID}."]
