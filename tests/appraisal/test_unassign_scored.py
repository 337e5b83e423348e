"""An assignment whose scorecard is submitted is never removed: unassigning it or its member
leaving the board is refused with a clear message and changes nothing; a draft scorecard goes
with its assignment."""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from appraisal import assignment_services, board_services
from appraisal import scoring_services as scoring
from appraisal.models import Assignment, BoardMember, Scorecard
from tests.appraisal.scoring_builders import full_lines, scoring_world
from tests.conftest import client_for, table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree, commune_staff):
    return scoring_world(tree, commune_staff)


def save(w, member, r=0, submit=False):
    with scope(org=w.board.organization):
        return scoring.scorecard_save(
            assignment=w.assignment(member, r),
            lines=full_lines(w.criteria),
            expected_version=0,
            user=member.user,
            submit=submit,
        )


def unassign(w, registrations, members):
    with scope(org=w.board.organization):
        return assignment_services.unassign(
            board=w.board,
            registration_ids=[w.registrations[r].pk for r in registrations],
            member_ids=[m.pk for m in members],
            user=w.head.user,
        )


def scorecards():
    with scopes_disabled():
        return Scorecard.objects.count()


def test_unassigning_a_submitted_scorecard_is_refused_naming_it_and_changes_nothing(w):
    save(w, w.member, 0, submit=True)
    save(w, w.member, 1)  # a draft on the other one: nothing goes, not even that
    before = table_counts()
    with pytest.raises(ValidationError) as refused:
        unassign(w, [0, 1], [w.member])
    assert refused.value.messages == [
        "Không bỏ phân công được: can-bo-xa-2-01 đã gửi phiếu chấm mô hình “Tủ sách Xóm Một” (Chi bộ Xóm 1). "
        "Trưởng đoàn mở lại phiếu chấm trước nếu cần."
    ]
    assert table_counts() == before


def test_a_draft_scorecard_goes_with_its_assignment(w):
    save(w, w.member, 0)
    save(w, w.head, 0, submit=True)
    assert unassign(w, [0], [w.member]) == 1
    assert scorecards() == 1  # the head's submitted card stays
    with scopes_disabled():
        assert not Assignment.objects.filter(member=w.member, registration=w.registrations[0]).exists()


def test_a_member_who_submitted_a_scorecard_cannot_leave_the_board(w):
    save(w, w.deputy, 1, submit=True)
    before = table_counts()
    with scope(org=w.board.organization), pytest.raises(ValidationError) as refused:
        board_services.member_remove(w.deputy, by=w.head.user)
    assert refused.value.messages == [
        "Không đưa uy-vien-01 ra khỏi đoàn được: đã gửi phiếu chấm 1 mô hình (“Đường hoa Xóm Một” (Chi bộ Xóm 1)). "
        "Trưởng đoàn mở lại phiếu chấm trước nếu cần."
    ]
    assert table_counts() == before


def test_a_member_with_drafts_only_leaves_with_them(w):
    save(w, w.deputy, 0)
    save(w, w.deputy, 1)
    save(w, w.member, 0, submit=True)
    with scope(org=w.board.organization):
        assert board_services.member_remove(w.deputy, by=w.head.user) is True
    assert scorecards() == 1
    with scopes_disabled():
        assert not BoardMember.objects.filter(pk=w.deputy.pk).exists()


def test_once_the_head_reopens_the_card_the_member_may_be_unassigned(w):
    save(w, w.member, 0, submit=True)
    with scope(org=w.board.organization):
        scoring.scorecard_reopen(assignment=w.assignment(w.member, 0), reason="Chấm lại", user=w.head.user)
    assert unassign(w, [0], [w.member]) == 1


def test_the_board_page_says_why_the_member_stays(w, commune_staff):
    save(w, w.deputy, 0, submit=True)
    client = client_for(commune_staff)
    before = table_counts()
    url = f"/o/COMM/appraisal/boards/{w.board.pk}/"
    response = client.post(f"{url}members/{w.deputy.pk}/remove/", {"idempotency_key": "remove-" + "x" * 16})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert "Không đưa uy-vien-01 ra khỏi đoàn được: đã gửi phiếu chấm 1 mô hình" in page
    after = table_counts()
    assert after.pop("dvk_idempotentwrite") == before.pop("dvk_idempotentwrite") + 1  # the press, remembered
    assert after == before
    assert "phiếu chấm đang soạn (chưa gửi) bị xóa theo" in page  # the confirmation says so


def test_the_assignment_page_says_why_nothing_was_unassigned(w, commune_staff):
    save(w, w.member, 1, submit=True)
    client = client_for(commune_staff)
    before = table_counts()
    url = f"/o/COMM/appraisal/boards/{w.board.pk}/assignments/"
    data = {
        "action": "unassign",
        "ids": [str(r.pk) for r in w.registrations],
        "members": [str(w.member.pk)],
        "idempotency_key": "unassign-" + "y" * 16,
    }
    response = client.post(url, data)
    assert response.status_code == 400  # the page again, with the refusal
    text = response.content.decode()
    assert "Không bỏ phân công được: can-bo-xa-2-01 đã gửi phiếu chấm mô hình “Đường hoa Xóm Một”" in text
    assert table_counts() == before
