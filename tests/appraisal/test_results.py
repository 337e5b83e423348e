"""A board's results (appraisal.results), blind scoring, closing scoring and reopening cards.

The world (tests/appraisal/scoring_builders.py): the commune's board on its plan with the
default rubric (30 + 20 + 20 + 15 + 15 = 100 points, threshold 70, bands 90/80/70); the
commune's staffer heads it, a second staffer is a member, the Front's secretary is deputy
through a seat; both registrations are assigned to all three."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled
from guardian.shortcuts import assign_perm
from PIL import Image

from appraisal import scoring_services as scoring
from appraisal.models import Assignment, AssignmentChange, Board, Conflict, Scorecard
from appraisal.results import aggregate, band_of, board_progress, board_results, ranks
from appraisal.scoring_services import LineInput
from dvk.enums import Role
from tests.appraisal.assignment_builders import accepted
from tests.appraisal.scoring_builders import card, lines_for, scoring_world
from tests.conftest import client_for, persona, table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree, commune_staff):
    return scoring_world(tree, commune_staff)


def results(w):
    """The board's results, every registration's cards read (as a page of all of them)."""
    with scope(org=w.board.organization):
        res = board_results(Board.objects.get(pk=w.board.pk))
        res.with_cards(list(res.by_registration))
        return res


def row(w, r=0):
    return results(w).by_registration[w.registrations[r].pk]


def set_board(w, **fields):
    with scopes_disabled():
        Board.objects.filter(pk=w.board.pk).update(**fields)


def close(w):
    set_board(w, scoring_closed_at=datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC))


def url(w, rest=""):
    return f"/o/COMM/appraisal/boards/{w.board.pk}/{rest}"


def add_registration(w, tree, name, members):
    r = accepted(w.plan, tree.unit, name)
    with scopes_disabled():
        for m in members:
            a = Assignment.objects.create(board=w.board, member=m, registration=r)
            assign_perm("appraisal.appraise_assignment", m.user, a)
            w.assignments[(m.pk, r.pk)] = a
    w.registrations.append(r)
    return r


# --- results -------------------------------------------------------------------------------------


def test_the_result_is_the_mean_of_the_submitted_totals_with_breakdown_spread_band(w):
    card(w, w.head, 80)
    card(w, w.member, 70)
    card(w, w.deputy, 60)
    r = row(w)
    assert (r.result, r.spread, r.band, r.reached, r.rank) == (Decimal(70), Decimal(20), "Đạt", True, 1)
    # Exactly the disagreement points (20) is not flagged.
    assert r.flagged is False
    with scope(org=w.board.organization):
        from appraisal.results import breakdowns

        means = breakdowns(results(w), [w.registrations[0].pk])[w.registrations[0].pk]
    # 80 = 30+20+20+10+0, 70 = 30+20+20+0+0, 60 = 30+20+10+0+0.
    assert [round(means[c.pk], 2) for c in w.criteria] == [30, 20, Decimal("16.67"), Decimal("3.33"), 0]


def test_a_spread_above_the_disagreement_points_flags_the_registration(w):
    card(w, w.head, 81)
    card(w, w.member, 60)
    assert (row(w).spread, row(w).flagged) == (Decimal(21), True)
    set_board(w, disagreement_points=21)
    assert row(w).flagged is False


def test_the_median_is_a_board_setting(w):
    card(w, w.head, 90)
    card(w, w.member, 60)
    card(w, w.deputy, 70)
    assert row(w).result == Decimal("73.33333333333333333333333333")
    set_board(w, result_method="median")
    assert row(w).result == Decimal(70)


def test_the_threshold_and_bands_compare_the_unrounded_result(w, commune_staff):
    card(w, w.head, "69.96")
    r = row(w)
    assert (r.result, r.reached, r.band) == (Decimal("69.96"), False, None)
    close(w)
    text = client_for(commune_staff).get(url(w, "results/")).content.decode()
    cells = re.search(rf'id="result-{w.registrations[0].pk}".*?</tr>', text, re.S).group(0)
    assert "<strong>70,0</strong>" in cells and "Chưa đạt" in cells and "69,96" not in cells


def test_drafts_and_conflicted_members_cards_do_not_count(w):
    card(w, w.head, 90)
    card(w, w.member, 10, submit=False)
    card(w, w.deputy, 20)
    with scopes_disabled():
        Conflict.objects.create(
            board=w.board, member=w.deputy, registration=w.registrations[0], kind="declared", reason="Người nhà"
        )
    r = row(w)
    assert (r.result, r.spread, r.submitted_count, r.expected_count) == (Decimal(90), Decimal(0), 1, 2)


def test_a_member_without_a_vote_scores_for_information_only(w):
    from appraisal.models import BoardMember

    with scopes_disabled():
        BoardMember.objects.filter(pk=w.deputy.pk).update(voting=False)
    card(w, w.head, 90)
    card(w, w.member, 70)
    card(w, w.deputy, 10)
    r = row(w)
    assert (r.result, r.spread, r.submitted_count, r.expected_count) == (Decimal(80), Decimal(20), 2, 2)
    with scope(org=w.board.organization):
        p = board_progress(w.board)
    assert (p.board.submitted, p.board.expected) == (2, 4)
    assert (p.members[2][1].submitted, p.members[2][1].expected) == (1, 2)


def test_the_boards_conflicted_assignments_follow_the_same_rule_as_conflicts_for(w, tree):
    from appraisal.conflicts import conflicted_assignment_ids, conflicts_for
    from dvk.models import Membership

    # ROLE: the member also holds a role at the registrations' unit; SUBJECT: an individual
    # registration about the deputy; DECLARED: the head on the first registration.
    Membership.objects.create(user=w.member.user, organization=tree.unit, role=Role.SECRETARY)
    about = add_registration(w, tree, "Gương người tốt", [w.head, w.deputy])
    with scopes_disabled():
        type(about).objects.filter(pk=about.pk).update(subject_type="individual", person_user=w.deputy.user)
        Conflict.objects.create(
            board=w.board, member=w.head, registration=w.registrations[0], kind="declared", reason="Người nhà"
        )
    with scope(org=w.board.organization):
        rows = list(Assignment.objects.filter(board=w.board).select_related("member", "registration__organization"))
        expected = conflicts_for(w.board, [(a.member, a.registration) for a in rows])
        got = conflicted_assignment_ids(w.board)
    assert got == {a.pk for a in rows if (a.member_id, a.registration_id) in expected}
    assert len(got) == 1 + 2 + 1  # the declaration, the member's two, the deputy's own


def test_equal_results_share_a_rank_and_the_next_rank_skips(w, tree):
    third = add_registration(w, tree, "Vườn thuốc nam", [w.head])
    card(w, w.head, 75, 0)
    card(w, w.member, 85, 0)  # mean 80
    card(w, w.head, 80, 1)
    card(w, w.head, "79.99", 2)
    res = results(w)
    got = {rid: res.by_registration[rid].rank for rid in res.by_registration}
    assert got == {w.registrations[0].pk: 1, w.registrations[1].pk: 1, third.pk: 3}
    assert ranks([(1, Decimal(3)), (2, Decimal(5)), (3, Decimal(3)), (4, Decimal(1))]) == {2: 1, 1: 2, 3: 2, 4: 4}


def test_each_members_totals_are_normalised_to_the_pool(w):
    # The head scores high, the member low, with the same spread: normalised, they agree.
    card(w, w.head, 90, 0)
    card(w, w.head, 70, 1)
    card(w, w.member, 60, 0)
    card(w, w.member, 40, 1)
    res = results(w)
    assert res.pool_mean == pytest.approx(65)
    pool_std = 325**0.5
    first, second = (res.by_registration[r.pk] for r in w.registrations)
    assert first.normalised_totals == {
        w.head.pk: pytest.approx(65 + pool_std),
        w.member.pk: pytest.approx(65 + pool_std),
    }
    assert second.normalised == pytest.approx(65 - pool_std)
    # Raw results stay what they were.
    assert (first.result, second.result) == (Decimal(75), Decimal(55))


def test_a_member_with_one_card_or_equal_totals_keeps_raw_totals(w):
    card(w, w.head, 90, 0)
    card(w, w.member, 50, 0)
    card(w, w.member, 50, 1)
    first = row(w, 0)
    assert first.normalised_totals == {w.head.pk: 90.0, w.member.pk: 50.0}


def test_normalised_totals_are_clipped_to_the_rubric_range(w, tree):
    extra = [add_registration(w, tree, f"Mô hình {i}", [w.head, w.member]) for i in range(3)]
    assert len(extra) == 3
    # The member's own scale is narrow; the pool is wide: a z of about 1.7 lands above 100.
    for r, (head, member) in enumerate([(100, 52), (100, 50), (0, 50), (0, 50), (100, 50)]):
        card(w, w.head, head, r)
        card(w, w.member, member, r)
    first = row(w, 0)
    assert first.normalised_totals[w.member.pk] == 100.0


def test_helpers(w):
    assert aggregate([], "mean") is None
    assert aggregate([Decimal(1), Decimal(2), Decimal(9)], "median") == Decimal(2)
    bands = [{"name": "Xuất sắc", "min": 90}, {"name": "Tốt", "min": 80}]
    assert (band_of(Decimal("89.99"), bands), band_of(Decimal(90), bands), band_of(1, bands)) == (
        "Tốt",
        "Xuất sắc",
        None,
    )


# --- progress ------------------------------------------------------------------------------------


def test_progress_counts_submitted_over_assigned_non_conflicted(w):
    card(w, w.head, 80, 0)
    card(w, w.head, 80, 1)
    card(w, w.member, 80, 0, submit=False)
    with scopes_disabled():
        Conflict.objects.create(
            board=w.board, member=w.deputy, registration=w.registrations[1], kind="declared", reason="Người nhà"
        )
    with scope(org=w.board.organization):
        p = board_progress(w.board)
    assert (p.board.submitted, p.board.expected) == (2, 5)
    assert [(m.pk, q.submitted, q.expected) for m, q in p.members] == [
        (w.head.pk, 2, 2),
        (w.member.pk, 0, 2),
        (w.deputy.pk, 0, 1),
    ]
    assert [m.pk for m, _p in p.pending_voting_members()] == [w.member.pk, w.deputy.pk]


def test_the_board_page_and_the_campaign_page_show_progress(w, commune_staff):
    card(w, w.head, 80, 0)
    card(w, w.member, 80, 0)
    client = client_for(commune_staff)
    text = client.get(url(w)).content.decode()
    assert 'id="board-progress">2/6 đã chấm' in text
    assert re.search(rf'id="member-{w.head.pk}".*?member-progress">1/2 đã chấm', text, re.S)
    text = client.get(f"/o/COMM/campaigns/{w.plan.pk}/").content.decode()
    assert 'id="board-panel-progress">2/6 đã chấm' in text


def _grow(w, tree, n):
    for i in range(n):
        r = add_registration(w, tree, f"Thêm {i}", [w.head, w.member, w.deputy])
        card(w, w.head, 70 + i, len(w.registrations) - 1)
        card(w, w.member, 60 + i, len(w.registrations) - 1)
        assert r


def _queries_of(client, target, w):
    """The queries of one GET of `target` once scoring is closed (everything shown)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    close(w)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(target).status_code == 200
    set_board(w, scoring_closed_at=None)
    return len(captured.captured_queries)


@pytest.mark.parametrize("path", ["", "results/", "campaign"], ids=["board page", "results page", "campaign page"])
def test_pages_read_a_fixed_number_of_queries_whatever_the_board_size(w, tree, commune_staff, path):
    client = client_for(commune_staff)
    target = f"/o/COMM/campaigns/{w.plan.pk}/" if path == "campaign" else url(w, path)
    _grow(w, tree, 1)
    small = _queries_of(client, target, w)
    _grow(w, tree, 4)
    assert _queries_of(client, target, w) == small


def test_the_detail_page_reads_a_fixed_number_of_queries(w, tree, commune_staff):
    client = client_for(commune_staff)
    card(w, w.head, 80, 0)
    target = url(w, f"results/{w.registrations[0].pk}/")
    small = _queries_of(client, target, w)
    card(w, w.member, 70, 0)
    card(w, w.deputy, 60, 0)
    _grow(w, tree, 3)
    assert _queries_of(client, target, w) == small


# --- blind scoring -------------------------------------------------------------------------------

# The head's total and comment nobody may read before their time: "83,3" (83.25 to one
# decimal), "28,25" in the card's lines, the comment.
HEAD_NOTE = "Nhận xét BÍ-MẬT của trưởng đoàn"
SECRET_TEXTS = ("83,3", "28,25", HEAD_NOTE)


def _head_scored(w):
    assignment = w.assignment(w.head)
    with scope(org=w.board.organization):
        lines = [LineInput(w.criteria[0].pk, "28.25")] + lines_for(w.criteria[1:], 55)
        return scoring.scorecard_save(
            assignment=assignment, lines=lines, comment=HEAD_NOTE, expected_version=0, user=w.head.user, submit=True
        )


def _pages(client, w, r=0):
    """The results page and the registration's detail page, as text."""
    responses = [client.get(url(w, "results/")), client.get(url(w, f"results/{w.registrations[r].pk}/"))]
    assert [x.status_code for x in responses] == [200, 200]
    return "".join(x.content.decode() for x in responses)


def _leaks(text):
    return [s for s in SECRET_TEXTS if s in text]


def test_a_member_sees_no_other_score_until_their_own_card_is_submitted(w):
    _head_scored(w)
    client = client_for(w.member.user)
    assert _leaks(_pages(client, w)) == []
    card(w, w.member, 50, submit=False)
    text = _pages(client, w)
    assert _leaks(text) == [] and "50,0" in text  # their own draft, and nothing else
    card(w, w.member, 50)
    assert _leaks(_pages(client, w)) == list(SECRET_TEXTS)


def test_the_head_is_blind_too_although_staff_of_the_level(w, commune_staff):
    card(w, w.member, 61, comment="Nhận xét của thành viên")
    client = client_for(commune_staff)
    text = _pages(client, w)
    assert "61,0" not in text and "Nhận xét của thành viên" not in text
    _head_scored(w)
    text = _pages(client, w)
    assert "61,0" in text and "Nhận xét của thành viên" in text


def test_a_member_who_submitted_one_registration_is_still_blind_on_the_other(w):
    _head_scored(w)
    card(w, w.head, 77, 1)
    card(w, w.member, 50, 0)
    text = _pages(client_for(w.member.user), w, 1)
    assert "77,0" not in text and "Ẩn cho đến khi bạn nộp phiếu" in text
    # The ranking would tell the other registration's standing: not before closing.
    assert "Hạng" not in text and "Chuẩn hóa" not in text


def test_a_conflicted_member_sees_no_scores_until_scoring_closes_even_with_a_submitted_card(w):
    _head_scored(w)
    card(w, w.deputy, 50)
    with scopes_disabled():
        Conflict.objects.create(
            board=w.board, member=w.deputy, registration=w.registrations[0], kind="declared", reason="Người nhà"
        )
    client = client_for(w.deputy.user)
    assert _leaks(_pages(client, w)) == []
    close(w)
    assert _leaks(_pages(client, w)) == list(SECRET_TEXTS)


def test_staff_who_are_not_members_see_counts_until_the_head_closes_scoring(w, tree):
    staffer = persona("can-bo-xa-3", tree.commune, Role.STAFF)
    _head_scored(w)
    card(w, w.member, 60)
    client = client_for(staffer)
    text = _pages(client, w)
    assert _leaks(text) == [] and "71,6" not in text and "60,0" not in text
    assert "2/3 đã chấm" in text
    photo_probe = _photo(w)
    assert client.get(photo_probe).status_code == 403
    close(w)
    text = _pages(client, w)
    assert _leaks(text) == list(SECRET_TEXTS) and "71,6" in text
    assert client.get(photo_probe).status_code == 200


def test_through_a_seat_a_member_lists_only_their_own_assignments(w, tree):
    other = add_registration(w, tree, "Chỉ trưởng đoàn chấm", [w.head])
    close(w)
    client = client_for(w.deputy.user)
    text = client.get(url(w, "results/")).content.decode()
    assert w.registrations[0].initiative.name in text and "Chỉ trưởng đoàn chấm" not in text
    assert client.get(url(w, f"results/{other.pk}/")).status_code == 404


def test_a_role_at_the_level_without_staff_or_seat_may_not_open_results(w, tree):
    reader = persona("chi-xem", tree.commune, Role.MEMBER)
    assert client_for(reader).get(url(w, "results/")).status_code == 403


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "JPEG")
    return SimpleUploadedFile("anh.jpg", out.getvalue(), content_type="image/jpeg")


def _photo(w):
    """The head's photo on the first registration (their card is then submitted): its URL."""
    with scopes_disabled():
        existing = Scorecard.objects.filter(assignment=w.assignment(w.head)).first()
    if existing is not None and existing.status == "submitted":
        with scope(org=w.board.organization):
            scoring.scorecard_reopen(assignment=w.assignment(w.head), reason="Thêm ảnh", user=w.head.user)
    with scope(org=w.board.organization):
        photo = scoring.photo_add(assignment=w.assignment(w.head), uploaded_file=_jpeg(), user=w.head.user)
        current = Scorecard.objects.get(assignment=w.assignment(w.head))
        scoring.scorecard_submit(assignment=w.assignment(w.head), expected_version=current.version, user=w.head.user)
    return url(w, f"results/{w.registrations[0].pk}/photos/{photo.pk}/")


def test_a_photo_is_shown_to_whoever_may_see_its_card(w):
    _head_scored(w)
    target = _photo(w)
    member = client_for(w.member.user)
    assert member.get(target).status_code == 403
    assert client_for(w.head.user).get(target).status_code == 200
    card(w, w.member, 60)
    response = member.get(target)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert 'src="' + target in member.get(url(w, f"results/{w.registrations[0].pk}/")).content.decode()


# --- closing scoring -----------------------------------------------------------------------------


def _feed(kind):
    with scopes_disabled():
        return list(AssignmentChange.objects.filter(kind=kind).values_list("user_id", flat=True))


def test_closing_with_members_still_scoring_asks_for_confirmation_listing_them(w, commune_staff):
    card(w, w.head, 80, 0)
    card(w, w.head, 80, 1)
    client = client_for(commune_staff)
    before = table_counts()
    response = client.post(url(w, "scoring/close/"))
    text = response.content.decode()
    assert response.status_code == 200 and 'id="pending-members"' in text
    assert w.member.user.display_name in text and w.deputy.user.display_name in text
    assert table_counts() == before
    response = client.post(url(w, "scoring/close/"), {"confirm": "1"})
    assert response.status_code == 302 and response["Location"] == url(w, "results/")
    with scopes_disabled():
        assert Board.objects.get(pk=w.board.pk).scoring_closed_at is not None
    assert _feed("scoring_closed") == [None]
    # Closed: no card is written any more.
    with pytest.raises(scoring.ScoringRefused) as refused:
        card(w, w.member, 50)
    assert refused.value.code == "closed"


def test_the_head_closes_without_asking_when_everyone_submitted_and_opens_again(w, commune_staff):
    for m in (w.head, w.member, w.deputy):
        for r in (0, 1):
            card(w, m, 80, r)
    client = client_for(commune_staff)
    assert client.post(url(w, "scoring/close/")).status_code == 302
    assert _feed("scoring_closed") == [None]
    # Opening asks for a reason first: the results were the board's.
    before = table_counts()
    asked = client.post(url(w, "scoring/open/"))
    assert asked.status_code == 200 and "Lý do mở lại chấm điểm" in asked.content.decode()
    assert client.post(url(w, "scoring/open/"), {"reason": "  "}).status_code == 400
    assert table_counts() == before
    assert client.post(url(w, "scoring/open/"), {"reason": "Chấm lại mô hình Xóm 1"}).status_code == 302
    assert _feed("scoring_reopened") == [None]
    with scopes_disabled():
        assert AssignmentChange.objects.get(kind="scoring_reopened").detail == "Chấm lại mô hình Xóm 1"
        assert Board.objects.get(pk=w.board.pk).scoring_closed_at is None
    # Opening what is open changes nothing.
    before = table_counts()
    assert client.post(url(w, "scoring/open/"), {"reason": "Lần nữa"}).status_code == 302
    assert table_counts() == before


def test_the_result_method_is_locked_once_scoring_closes(w, commune_staff):
    close(w)
    client = client_for(commune_staff)
    page = client.get(url(w, "results/")).content.decode()
    assert 'id="results-settings-locked"' in page and 'id="results-settings"' not in page
    before = table_counts()
    with scopes_disabled():
        version = Board.objects.get(pk=w.board.pk).version
    data = {"results-version": str(version), "results-result_method": "median", "results-disagreement_points": "20"}
    response = client.post(url(w, "results/settings/"), data)
    assert response.status_code == 400 and "không đổi được nữa" in response.content.decode()
    assert table_counts() == before


def test_only_the_head_closes_scoring(w):
    member, deputy = client_for(w.member.user), client_for(w.deputy.user)
    before = table_counts()
    assert member.post(url(w, "scoring/close/"), {"confirm": "1"}).status_code == 403
    assert deputy.post(url(w, "scoring/close/"), {"confirm": "1"}).status_code == 403
    assert table_counts() == before


# --- reopening a card ----------------------------------------------------------------------------


def _reopen_url(w, member=None):
    return url(w, f"assignments/{w.assignment(member or w.member).pk}/reopen/")


def test_the_head_reopens_a_submitted_card_with_a_reason_audited(w, commune_staff):
    submitted = card(w, w.member, 60)
    client = client_for(commune_staff)
    response = client.post(_reopen_url(w), {"reason": "Chấm thiếu tiêu chí Bền vững"})
    assert response.status_code == 302 and response["Location"] == url(w, f"results/{w.registrations[0].pk}/")
    with scopes_disabled():
        reopened = Scorecard.objects.get(pk=submitted.pk)
        history = list(reopened.history.order_by("history_id").values_list("status", "reopen_reason"))
    assert (reopened.status, reopened.reopen_reason, reopened.reopened_by_id) == (
        "draft",
        "Chấm thiếu tiêu chí Bền vững",
        commune_staff.pk,
    )
    assert history[-1] == ("draft", "Chấm thiếu tiêu chí Bền vững") and ("submitted", "") in history
    assert _feed("reopened") == [w.member.user.pk]


def test_reopening_needs_a_reason_and_the_head(w, commune_staff):
    card(w, w.member, 60)
    head, member, deputy = client_for(commune_staff), client_for(w.member.user), client_for(w.deputy.user)
    before = table_counts()
    response = head.post(_reopen_url(w), {"reason": "  "})
    assert response.status_code == 400 and "Lý do mở lại phiếu" in response.content.decode()
    assert member.post(_reopen_url(w, w.member), {"reason": "Tự mở"}).status_code == 403
    # Through a seat, the deputy does not reach another member's assignment.
    assert deputy.post(_reopen_url(w), {"reason": "Mở hộ"}).status_code == 404
    assert table_counts() == before


def test_reopening_a_draft_says_so_and_changes_nothing(w, commune_staff):
    card(w, w.member, 60, submit=False)
    client = client_for(commune_staff)
    before = table_counts()
    response = client.post(_reopen_url(w), {"reason": "Mở lại"}, follow=True)
    assert "chưa nộp nên không cần mở lại" in response.content.decode()
    assert table_counts() == before


# --- settings ------------------------------------------------------------------------------------


def _settings(version, method="median", points="15"):
    return {"results-result_method": method, "results-disagreement_points": points, "results-version": str(version)}


def test_staff_set_the_result_method_and_the_disagreement_points(w, commune_staff):
    client = client_for(commune_staff)
    response = client.post(url(w, "results/settings/"), _settings(1))
    assert response.status_code == 302
    with scopes_disabled():
        board = Board.objects.get(pk=w.board.pk)
    assert (board.result_method, board.disagreement_points, board.version) == ("median", 15, 2)
    before = table_counts()
    response = client.post(url(w, "results/settings/"), _settings(1, "mean"))
    assert response.status_code == 400 and "vừa được người khác sửa" in response.content.decode()
    response = client.post(url(w, "results/settings/"), _settings(2, "mode", "-1"))
    assert response.status_code == 400
    assert table_counts() == before
    # Through a seat it is not there.
    assert client_for(w.deputy.user).post(url(w, "results/settings/"), _settings(2)).status_code == 404


# --- presses in parallel (real PostgreSQL connections) -------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_key", [True, False], ids=["same key", "two tabs"])
def test_parallel_presses_of_close_apply_once(w, commune_staff, same_key):
    from tests.test_idempotency import in_parallel

    clients = [client_for(commune_staff) for _ in range(2)]
    keys = ["close-key-0123456789"] * 2 if same_key else ["close-a-0123456789", "close-b-0123456789"]
    responses = in_parallel(
        2, lambda i: clients[i].post(url(w, "scoring/close/"), {"confirm": "1", "idempotency_key": keys[i]})
    )
    assert [r.status_code for r in responses] == [302, 302]
    assert _feed("scoring_closed") == [None]
    responses = in_parallel(
        2,
        lambda i: clients[i].post(url(w, "scoring/open/"), {"reason": "Chấm lại", "idempotency_key": keys[i] + "-o"}),
    )
    assert [r.status_code for r in responses] == [302, 302]
    assert _feed("scoring_reopened") == [None]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_key", [True, False], ids=["same key", "two tabs"])
def test_parallel_presses_of_reopen_apply_once(w, commune_staff, same_key):
    from tests.test_idempotency import in_parallel

    submitted = card(w, w.member, 60)
    clients = [client_for(commune_staff) for _ in range(2)]
    keys = ["reopen-key-0123456789"] * 2 if same_key else ["reopen-a-0123456789", "reopen-b-0123456789"]
    responses = in_parallel(
        2, lambda i: clients[i].post(_reopen_url(w), {"reason": "Chấm lại", "idempotency_key": keys[i]})
    )
    assert [r.status_code for r in responses] == [302, 302]
    assert _feed("reopened") == [w.member.user.pk]
    with scopes_disabled():
        card_now = Scorecard.objects.get(pk=submitted.pk)
        assert (card_now.status, card_now.version) == ("draft", submitted.version + 1)
        assert card_now.history.filter(reopen_reason="Chấm lại").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_tabs_saving_the_result_method_at_once_one_wins_the_other_is_refused(w, commune_staff):
    from tests.test_idempotency import in_parallel

    clients = [client_for(commune_staff) for _ in range(2)]
    with scopes_disabled():
        version = Board.objects.get(pk=w.board.pk).version
    forms = [
        {"results-version": str(version), "results-result_method": method, "results-disagreement_points": "15"}
        for method in ("median", "mean")
    ]
    responses = in_parallel(2, lambda i: clients[i].post(url(w, "results/settings/"), forms[i]))
    assert sorted(r.status_code for r in responses) == [302, 400]
    with scopes_disabled():
        assert Board.objects.get(pk=w.board.pk).version == version + 1


def test_the_heads_list_offers_to_reopen_a_submitted_card(w, commune_staff):
    card(w, w.member, 80)
    page = client_for(commune_staff).get(url(w, "mine/")).content.decode()
    assert page.count('class="btn btn-outline-secondary card-reopen"') == 1
    assert f"assignments/{w.assignment(w.member).pk}/reopen/" in page


def test_a_sibling_communes_cards_never_count_in_this_boards_results_or_progress(w, tree):
    """The aggregates run over this board's assignments; a sibling commune's board, scored
    high, changes nothing here."""
    from guardian.shortcuts import assign_perm

    from tests.appraisal.assignment_builders import board_for, seat
    from tests.campaigns.builders import campaign

    card(w, w.head, 60)
    before = (row(w).result, row(w).submitted_count)
    plan = campaign(tree.sibling, "05-KH/ĐU", target_levels=["unit"])
    board = board_for(plan)
    head = seat(board, persona("can-bo-dien-thinh", tree.sibling, Role.STAFF), "head")
    theirs = accepted(plan, tree.sibling_unit, "Một giúp một")
    with scopes_disabled():
        a = Assignment.objects.create(board=board, member=head, registration=theirs)
        Scorecard.objects.create(assignment=a, status="submitted", total=100)
    assign_perm("appraisal.appraise_assignment", head.user, a)
    assert (row(w).result, row(w).submitted_count) == before == (Decimal(60), 1)
    assert set(results(w).by_registration) == {r.pk for r in w.registrations}
    with scope(org=w.board.organization):
        p = board_progress(w.board)
    assert (p.board.submitted, p.board.expected) == (1, 6)
