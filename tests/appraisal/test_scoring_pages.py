"""The member's tablet pages (appraisal/scoring_views.py): shells over the scoring API that
open only for the member's own assignments, in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm

from appraisal.models import Assignment
from dvk.enums import Role
from tests.appraisal.assignment_builders import accepted, board_for, seat
from tests.appraisal.scoring_builders import scoring_world
from tests.campaigns.builders import campaign
from tests.conftest import client_for, persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, commune_staff):
    return scoring_world(tree, commune_staff)


def _list(board=None, code="COMM"):
    return f"/o/{code}/appraisal/scoring/" + (f"?board={board}" if board is not None else "")


def _one(assignment, code="COMM"):
    return f"/o/{code}/appraisal/scoring/{assignment.pk}/"


def test_a_member_opens_their_list_with_the_api_it_reads(world):
    response = client_for(world.member.user).get(_list())
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-api="/api/v1/o/COMM/appraisal/"' in text
    assert 'data-assignment-url="/o/COMM/appraisal/scoring/"' in text
    assert "js/scoring.js" in text and "<noscript>" in text
    # The script's strings are in the page, translated (not in the script).
    assert 'data-key="keep_mine">Giữ bản của tôi<' in text
    assert 'data-key="regstatus_accepted">Đã duyệt<' in text


def test_the_list_narrows_to_one_of_the_members_boards_and_no_other(world, tree, commune_staff):
    client = client_for(world.member.user)
    response = client.get(_list(world.board.pk))
    assert response.status_code == 200
    assert f'data-board="{world.board.pk}"' in response.content.decode()
    # A board of the same level the member does not sit on, and what is not an id: not found.
    other = board_for(campaign(tree.commune, "02-KH/ĐU"), created_by=commune_staff)
    assert client.get(_list(other.pk)).status_code == 404
    assert client.get(_list("abc")).status_code == 404


def test_a_member_on_two_boards_chooses_between_them(world, tree):
    other = board_for(campaign(tree.commune, "02-KH/ĐU"))
    seat(other, world.member.user, "member")
    text = client_for(world.member.user).get(_list()).content.decode()
    assert 'id="scoring-boards"' in text
    assert f"?board={world.board.pk}" in text and f"?board={other.pk}" in text


def test_a_seat_holder_opens_the_list_and_their_assignment_through_the_seat(world):
    client = client_for(world.deputy.user)  # the MTTQ secretary: no role at the commune
    assert client.get(_list()).status_code == 200
    response = client.get(_one(world.assignment(world.deputy)))
    assert response.status_code == 200
    assert "Tủ sách Xóm Một" in response.content.decode()


def test_a_member_opens_their_own_assignment(world):
    mine = world.assignment(world.member)
    response = client_for(world.member.user).get(_one(mine))
    text = response.content.decode()
    assert response.status_code == 200
    assert f'data-assignment="{mine.pk}"' in text
    assert "Tủ sách Xóm Một" in text and "Kế hoạch 01-KH/ĐU" in text
    assert 'accept="image/*" capture="environment"' in text
    assert f'href="/o/COMM/appraisal/scoring/?board={world.board.pk}"' in text


def test_another_members_assignment_is_not_found_even_on_the_same_board(world):
    client = client_for(world.member.user)
    assert client.get(_one(world.assignment(world.head))).status_code == 404
    # Through a seat too: the deputy opens the head's assignment.
    assert client_for(world.deputy.user).get(_one(world.assignment(world.head))).status_code == 404


def test_staff_of_the_level_who_are_not_on_the_board_see_an_empty_list_and_no_assignment(world, tree):
    staff = persona("can-bo-xa-3", tree.commune, Role.STAFF)
    client = client_for(staff)
    response = client.get(_list())
    assert response.status_code == 200 and 'id="scoring-boards"' not in response.content.decode()
    assert client.get(_one(world.assignment(world.member))).status_code == 404
    assert client.get(_list(world.board.pk)).status_code == 404


def test_an_assignment_without_its_grant_is_not_found(world):
    mine = world.assignment(world.member)
    from guardian.shortcuts import remove_perm

    remove_perm("appraisal.appraise_assignment", world.member.user, mine)
    assert client_for(world.member.user).get(_one(mine)).status_code == 404


def test_an_assignment_is_opened_under_its_boards_level_only(world, tree, province_staff):
    # The province sees the commune's board in its scope, but the page (and the API it reads)
    # is the board's level's: under the province it is not found.
    member = seat(world.board, province_staff, "member")
    with scopes_disabled():
        mine = Assignment.objects.create(board=world.board, member=member, registration=world.registrations[0])
    assign_perm("appraisal.appraise_assignment", province_staff, mine)
    client = client_for(province_staff)
    assert client.get(_one(mine, "COMM")).status_code == 200
    assert client.get(_one(mine, "PROV")).status_code == 404


def _count(client, url):
    client.get(url)  # warm caches (content types)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_and_the_assignment_page_take_the_same_queries_at_two_sizes(world, tree):
    client = client_for(world.member.user)
    mine = world.assignment(world.member)
    small = (_count(client, _list()), _count(client, _one(mine)))
    for i in range(3):
        plan = campaign(tree.commune, f"1{i}-KH/ĐU", start=datetime.date(2026, 1, 1))
        board = board_for(plan)
        member = seat(board, world.member.user, "member")
        registration = accepted(plan, tree.unit, f"Mô hình thêm {i}")
        with scopes_disabled():
            a = Assignment.objects.create(board=board, member=member, registration=registration)
        assign_perm("appraisal.appraise_assignment", world.member.user, a)
    client = client_for(world.member.user)
    assert (_count(client, _list()), _count(client, _one(mine))) == small
    assert _list(board.pk).endswith(str(board.pk)) and client.get(_list(board.pk)).status_code == 200


def test_the_board_page_and_my_work_link_the_members_scoring(world):
    client = client_for(world.member.user)
    board_page = client.get(f"/o/COMM/appraisal/boards/{world.board.pk}/").content.decode()
    assert f'href="/o/COMM/appraisal/scoring/?board={world.board.pk}" id="board-scoring"' in board_page
    my_work = client.get(f"/o/COMM/appraisal/boards/{world.board.pk}/mine/").content.decode()
    assert f'href="/o/COMM/appraisal/scoring/?board={world.board.pk}" id="my-work-scoring"' in my_work
    for registration in world.registrations:
        assert f'href="{_one(world.assignment(world.member, world.registrations.index(registration)))}"' in my_work
    # Through a seat as well (the deputy's only place at the commune is the board).
    seat_page = client_for(world.deputy.user).get(f"/o/COMM/appraisal/boards/{world.board.pk}/").content.decode()
    assert 'id="board-scoring"' in seat_page


def test_the_header_links_a_board_members_scoring_list_wherever_they_are(world, tree):
    """One tap from any page: a seat's work (the scoring list at the board's level) is in the
    header, once however many boards the level has; someone on no board has no such link."""
    page = client_for(world.deputy.user).get(f"/o/{tree.mttq.code}/registrations/").content.decode()
    assert page.count("nav-seat-work") == 1
    assert f'href="/o/{tree.commune.code}/appraisal/scoring/"' in page
    outsider_page = client_for(persona("khong-trong-doan", tree.unit, Role.SECRETARY)).get("/").content.decode()
    assert "nav-seat-work" not in outsider_page
