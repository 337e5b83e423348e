"""Visits of the board (lịch khảo sát): staff schedule, change and cancel them inside the
campaign's survey window; the visited unit's secretaries and the members going are told in
the notification centre and by mail; each member sees their schedule; the visited unit sees
its visits on the registration page, and nobody else does. Bad input changes no row."""

import datetime
import re
import uuid

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from appraisal import visit_services
from appraisal.models import Board, BoardMember, Visit, VisitMember
from campaigns.models import MilestoneKind
from campaigns.services import milestone_save
from dvk.celery import app as celery_app
from dvk.enums import Role
from dvk.models import Notification
from tests.campaigns.builders import campaign
from tests.conftest import add_child, client_for, persona, table_counts
from tests.registry.builders import complete_registration

D = datetime.date
WINDOW = (D(2026, 11, 1), D(2026, 11, 30))
WINDOW_TEXT = "Ngày khảo sát phải trong thời gian khảo sát của kế hoạch: từ 01/11/2026 đến 30/11/2026"


@pytest.fixture(autouse=True)
def eager_celery():
    """Mail tasks run in the test process (tests/settings keep Celery on its broker)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def survey(plan, start=WINDOW[0], end=WINDOW[1], **extra):
    with scopes_disabled():
        return milestone_save(
            campaign=plan, kind=MilestoneKind.objects.get(code="survey"), starts_on=start, due_on=end, **extra
        )


def make_board(plan, members):
    """A board on `plan` with `members`: [(user, role)], the first its head."""
    with scopes_disabled():
        board = Board.objects.create(organization=plan.organization, campaign=plan)
        rows = [
            BoardMember.objects.create(board=board, user=user, role=role, position_order=i)
            for i, (user, role) in enumerate(members)
        ]
    return board, rows


@pytest.fixture
def plan(tree):
    c = campaign(tree.commune, "01-KH/ĐU", registration_due=D(2026, 3, 5), target_levels=["unit"])
    survey(c)
    return c


@pytest.fixture
def front_chairman(tree):
    """Secretary of the Front's unit: on the board through a seat only."""
    user = persona("chu-tich-mttq", tree.mttq, Role.SECRETARY)
    user.full_name = "Trần Văn Mặt Trận"
    user.save()
    return user


@pytest.fixture
def board(plan, commune_staff, front_chairman):
    commune_staff.full_name = "Lê Thị Trưởng Đoàn"
    commune_staff.save()
    third = persona("thanh-vien", None, None)
    third.full_name = "Phạm Văn Thành Viên"
    third.save()
    board, members = make_board(plan, [(commune_staff, "head"), (front_chairman, "deputy"), (third, "member")])
    board.head, board.deputy, board.member = members
    return board


@pytest.fixture
def registration(tree, plan):
    return complete_registration(plan, tree.unit, name="Tủ sách Xóm Một", status="accepted")


def url(board, rest="", code="COMM"):
    return f"/o/{code}/appraisal/boards/{board.pk}/{rest}"


def form(registration=None, *, day="20/11/2026", at="08:30", place="Nhà văn hóa xóm 1", members=(), key=None, **more):
    data = {"visit_on": day, "visit_at": at, "place": place, "note": "", "members": [m.pk for m in members]}
    if registration is not None:
        data["registration"] = registration.pk
    data["idempotency_key"] = key or uuid.uuid4().hex
    data.update(more)
    return data


def visits():
    with scopes_disabled():
        return list(Visit.objects.order_by("pk"))


def going(visit):
    with scopes_disabled():
        return set(VisitMember.objects.filter(visit=visit).values_list("member_id", flat=True))


def notified():
    return sorted(Notification.objects.values_list("user__username", "url"))


# --- scheduling -------------------------------------------------------------------------------


def test_staff_schedule_a_visit_and_the_unit_and_the_members_going_are_told(
    board, registration, as_commune_staff, secretary, django_capture_on_commit_callbacks, settings
):
    settings.DVK_SITE_URL = "https://dvk.example.vn"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_commune_staff.post(
            url(board, "visits/new/"), form(registration, members=[board.head, board.deputy])
        )
    assert response.status_code == 302 and response["Location"] == url(board, "schedule/")
    [visit] = visits()
    assert (visit.visit_on, visit.visit_at, visit.place) == (D(2026, 11, 20), datetime.time(8, 30), "Nhà văn hóa xóm 1")
    assert going(visit) == {board.head.pk, board.deputy.pk}
    schedule = url(board, "schedule/")
    assert notified() == sorted(
        [
            ("bi-thu", f"/o/UNIT/registrations/{registration.pk}/"),
            ("can-bo-xa", schedule),
            ("chu-tich-mttq", schedule),
        ]
    )
    note = Notification.objects.get(user=secretary)
    assert note.title == "[DVK] Lịch khảo sát mô hình “Tủ sách Xóm Một”: 20/11/2026"
    assert "lúc 08:30" in note.body and "Nhà văn hóa xóm 1" in note.body
    assert "Lê Thị Trưởng Đoàn (Trưởng đoàn)" in note.body and "Trần Văn Mặt Trận (Phó Trưởng đoàn)" in note.body
    assert "Phạm Văn Thành Viên" not in note.body
    assert sorted(m.to[0] for m in mail.outbox) == [
        "bi-thu@example.test",
        "can-bo-xa@example.test",
        "chu-tich-mttq@example.test",
    ]
    to_unit = next(m for m in mail.outbox if m.to == ["bi-thu@example.test"])
    assert to_unit.subject == note.title
    assert f"https://dvk.example.vn/o/UNIT/registrations/{registration.pk}/" in to_unit.body
    to_member = next(m for m in mail.outbox if m.to == ["chu-tich-mttq@example.test"])
    assert f"https://dvk.example.vn{schedule}" in to_member.body


def test_mail_goes_only_once_the_write_is_committed(board, registration, as_commune_staff):
    """Without a commit (the test's transaction never commits), the mail is not sent."""
    as_commune_staff.post(url(board, "visits/new/"), form(registration, members=[board.head]))
    assert len(visits()) == 1 and mail.outbox == []


def test_the_form_lists_the_registrations_the_board_takes_and_its_members(
    tree, plan, board, registration, as_commune_staff
):
    own = complete_registration(plan, tree.commune, name="Mô hình của chính xã", status="accepted")
    draft = complete_registration(plan, tree.mttq, name="Bản nháp của Mặt trận")
    response = as_commune_staff.get(url(board, "visits/new/"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tủ sách Xóm Một – Chi bộ Xóm 1" in page
    assert own.initiative.name not in page and draft.initiative.name not in page
    assert "Phạm Văn Thành Viên (Thành viên)" in page
    assert "từ 01/11/2026 đến 30/11/2026" in page


def test_a_time_is_optional(board, registration, as_commune_staff):
    response = as_commune_staff.post(url(board, "visits/new/"), form(registration, at="", members=[board.member]))
    assert response.status_code == 302
    assert visits()[0].visit_at is None


def test_a_recurring_survey_window_takes_each_occurrence(tree, commune_staff):
    plan = campaign(tree.commune, "03-KH/ĐU", registration_due=D(2026, 3, 5), target_levels=["unit"])
    survey(plan, D(2026, 5, 1), D(2026, 5, 10), recurrence="monthly", recurs_until=D(2026, 7, 31))
    board, [head] = make_board(plan, [(commune_staff, "head")])
    reg = complete_registration(plan, tree.unit, status="accepted")
    with scope(org=tree.commune):
        assert visit_services.survey_windows(plan) == [
            (D(2026, 5, 1), D(2026, 5, 10)),
            (D(2026, 6, 1), D(2026, 6, 10)),
            (D(2026, 7, 1), D(2026, 7, 10)),
        ]
        visit_services.visit_schedule(board, reg, D(2026, 6, 5), None, "Xóm 1", [head], commune_staff)
        with pytest.raises(Exception, match="từ 01/05/2026 đến 10/05/2026; từ 01/06/2026 đến 10/06/2026"):
            visit_services.visit_schedule(board, reg, D(2026, 6, 20), None, "Xóm 1", [head], commune_staff)


# --- bad input: a clear answer, nothing written, nothing sent -----------------------------------


def refused(client, board, data, message, callbacks, code="COMM"):
    before = table_counts()
    with callbacks(execute=True):
        response = client.post(url(board, "visits/new/", code), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert table_counts() == before
    assert mail.outbox == []


def test_a_day_outside_the_survey_window_is_refused_naming_the_window(
    board, registration, as_commune_staff, django_capture_on_commit_callbacks
):
    for day in ("31/10/2026", "01/12/2026"):
        data = form(registration, day=day, members=[board.head])
        refused(as_commune_staff, board, data, WINDOW_TEXT, django_capture_on_commit_callbacks)


def test_without_a_survey_milestone_the_page_says_so_and_where_to_add_it(
    tree, commune_staff, as_commune_staff, django_capture_on_commit_callbacks
):
    plan = campaign(tree.commune, "04-KH/ĐU", registration_due=D(2026, 3, 5), target_levels=["unit"])
    board, [head] = make_board(plan, [(commune_staff, "head")])
    reg = complete_registration(plan, tree.unit, status="accepted")
    assert "chưa có thời gian khảo sát" in as_commune_staff.get(url(board, "visits/new/")).content.decode()
    message = (
        "Kế hoạch 04-KH/ĐU chưa có thời gian khảo sát: hãy thêm mốc “Khảo sát thực tế” (từ ngày, đến ngày) "
        "ở mục Mốc thời gian trên trang kế hoạch, rồi lên lịch khảo sát."
    )
    refused(as_commune_staff, board, form(reg, members=[head]), message, django_capture_on_commit_callbacks)


def test_no_member_going_is_refused(board, registration, as_commune_staff, django_capture_on_commit_callbacks):
    message = "Hãy chọn ít nhất một thành viên đoàn đi khảo sát."
    refused(as_commune_staff, board, form(registration), message, django_capture_on_commit_callbacks)


def test_a_member_of_another_board_is_refused(
    tree, board, registration, commune_staff, as_commune_staff, django_capture_on_commit_callbacks
):
    other_plan = campaign(tree.commune, "05-KH/ĐU", registration_due=D(2026, 3, 5), target_levels=["unit"])
    _other, [stranger] = make_board(other_plan, [(commune_staff, "head")])
    data = form(registration, members=[board.head, stranger])
    refused(
        as_commune_staff,
        board,
        data,
        "Chỉ chọn được thành viên của đoàn thẩm định này.",
        django_capture_on_commit_callbacks,
    )
    with scope(org=tree.commune), pytest.raises(Exception, match="Chỉ chọn được thành viên"):
        visit_services.visit_schedule(board, registration, D(2026, 11, 20), None, "X", [stranger], commune_staff)


def test_a_registration_the_board_may_not_take_is_refused(
    tree, plan, board, commune_staff, as_commune_staff, django_capture_on_commit_callbacks
):
    sibling_plan = campaign(tree.sibling, "09-KH/ĐU", registration_due=D(2026, 3, 5), target_levels=["unit"])
    not_taken = {
        "the board's own level": complete_registration(plan, tree.commune, name="Của xã", status="accepted"),
        "a draft": complete_registration(plan, tree.mttq, name="Bản nháp"),
        "a submitted one": complete_registration(plan, tree.mttq, name="Mới gửi", status="submitted"),
        "another tenant's": complete_registration(sibling_plan, tree.sibling_unit, name="Xã bên", status="accepted"),
    }
    message = "Đoàn thẩm định không thẩm định đăng ký này (hoặc không tìm thấy đăng ký)."
    for _case, reg in not_taken.items():
        data = form(reg, members=[board.head])
        refused(as_commune_staff, board, data, message, django_capture_on_commit_callbacks)
    with scope(org=tree.commune):
        for case in ("the board's own level", "a draft", "a submitted one"):
            with pytest.raises(Exception, match="Đoàn thẩm định không thẩm định đăng ký này"):
                visit_services.visit_schedule(
                    board, not_taken[case], D(2026, 11, 20), None, "X", [board.head], commune_staff
                )
    assert visits() == []


def test_a_derived_levels_registration_belongs_to_that_levels_board(
    tree, province_staff, django_capture_on_commit_callbacks
):
    upper = campaign(tree.province, "12-HD/BCĐ", registration_due=D(2026, 3, 5), target_levels=["commune"])
    survey(upper)
    lower = campaign(tree.commune, "01-KH/ĐU", derived_from=upper)
    board, [head] = make_board(upper, [(province_staff, "head")])
    reg = complete_registration(lower, tree.unit, name="Cấp xã", status="accepted")
    message = "Đoàn thẩm định không thẩm định đăng ký này (hoặc không tìm thấy đăng ký)."
    data = form(reg, members=[head])
    refused(client_for(province_staff), board, data, message, django_capture_on_commit_callbacks, "PROV")
    with scope(org=tree.province), pytest.raises(Exception, match="Đoàn thẩm định không thẩm định đăng ký này"):
        visit_services.visit_schedule(board, reg, D(2026, 11, 20), None, "X", [head], province_staff)


BAD_FIELDS = {
    "a registration that is no id": ({"registration": "abc"}, "Đoàn thẩm định không thẩm định"),
    "a member that is no id": ({"members": ["x"]}, "Chỉ chọn được thành viên"),
    "a day that is no date": ({"visit_on": "20-11"}, "Ngày không hợp lệ"),
    "a time that is no time": ({"visit_at": "8 giờ"}, "Giờ không hợp lệ"),
    "a blank place": ({"place": "  "}, "Hãy nhập địa điểm"),
}


@pytest.mark.parametrize("case", sorted(BAD_FIELDS))
def test_a_bad_field_is_refused(board, registration, as_commune_staff, django_capture_on_commit_callbacks, case):
    change, message = BAD_FIELDS[case]
    data = {**form(registration, members=[board.head]), **change}
    refused(as_commune_staff, board, data, message, django_capture_on_commit_callbacks)


def test_only_staff_of_the_level_schedule(tree, board, registration, front_chairman, secretary, province_staff):
    seated, unit = client_for(front_chairman), client_for(secretary)
    before = table_counts()
    # The deputy head, through his seat: the page does not accept a seat.
    assert seated.get(url(board, "visits/new/")).status_code == 404
    assert seated.post(url(board, "visits/new/"), form(registration, members=[board.head])).status_code == 404
    # The unit's secretary: the board is not in its scope.
    assert unit.get(url(board, "visits/new/", "UNIT")).status_code == 404
    assert table_counts() == before
    # Staff above the level may.
    response = client_for(province_staff).post(
        url(board, "visits/new/", "PROV"), form(registration, members=[board.head])
    )
    assert response.status_code == 302 and len(visits()) == 1


# --- changing and cancelling ------------------------------------------------------------------


def scheduled(board, registration, members, day=WINDOW[0] + datetime.timedelta(days=19), by=None):
    with scope(org=board.organization):
        return visit_services.visit_schedule(
            board, registration, day, datetime.time(8, 0), "Nhà văn hóa xóm 1", members, by, notify=False
        )


def test_a_change_tells_the_unit_and_everyone_going_before_or_after(
    board, registration, secretary, as_commune_staff, django_capture_on_commit_callbacks
):
    visit = scheduled(board, registration, [board.head, board.deputy])
    edit = url(board, f"visits/{visit.pk}/edit/")
    page = as_commune_staff.get(edit).content.decode()
    assert 'value="20/11/2026"' in page and "Tủ sách Xóm Một" in page
    data = form(day="25/11/2026", at="14:00", place="Hội trường thôn", members=[board.head, board.member], version="1")
    with django_capture_on_commit_callbacks(execute=True):
        assert as_commune_staff.post(edit, data).status_code == 302
    [visit] = visits()
    assert (visit.visit_on, visit.visit_at, visit.place, visit.version) == (
        D(2026, 11, 25),
        datetime.time(14, 0),
        "Hội trường thôn",
        2,
    )
    assert going(visit) == {board.head.pk, board.member.pk}
    # The deputy, no longer going, is told too.
    assert {u for u, _url in notified()} == {"bi-thu", "can-bo-xa", "chu-tich-mttq", "thanh-vien"}
    assert Notification.objects.filter(title__startswith="[DVK] Đổi lịch khảo sát").count() == 4
    assert len(mail.outbox) == 4


def test_two_tabs_never_overwrite_a_visit(board, registration, as_commune_staff):
    visit = scheduled(board, registration, [board.head])
    edit = url(board, f"visits/{visit.pk}/edit/")
    assert as_commune_staff.post(edit, form(place="Tab một", members=[board.head], version="1")).status_code == 302
    before = table_counts()
    response = as_commune_staff.post(edit, form(place="Tab hai", members=[board.head], version="1"))
    assert response.status_code == 400 and "vừa được người khác sửa" in response.content.decode()
    assert table_counts() == before and visits()[0].place == "Tab một"


def test_a_change_outside_the_window_changes_nothing(board, registration, as_commune_staff):
    visit = scheduled(board, registration, [board.head])
    before = table_counts()
    data = form(day="02/12/2026", members=[board.member], version="1")
    response = as_commune_staff.post(url(board, f"visits/{visit.pk}/edit/"), data)
    assert response.status_code == 400 and WINDOW_TEXT in response.content.decode()
    assert table_counts() == before and going(visit) == {board.head.pk}


def test_a_cancel_deletes_the_visit_and_tells_those_who_were_going(
    board, registration, secretary, as_commune_staff, django_capture_on_commit_callbacks
):
    visit = scheduled(board, registration, [board.deputy])
    data = {"version": "1", "idempotency_key": uuid.uuid4().hex}
    with django_capture_on_commit_callbacks(execute=True):
        response = as_commune_staff.post(url(board, f"visits/{visit.pk}/cancel/"), data)
    assert response.status_code == 302
    assert visits() == []
    with scopes_disabled():
        assert not VisitMember.objects.exists()
    assert {u for u, _url in notified()} == {"bi-thu", "chu-tich-mttq"}
    assert (
        Notification.objects.filter(title="[DVK] Hủy lịch khảo sát mô hình “Tủ sách Xóm Một” ngày 20/11/2026").count()
        == 2
    )
    assert len(mail.outbox) == 2
    # Cancelling again: not found.
    assert as_commune_staff.post(url(board, f"visits/{visit.pk}/cancel/"), {"version": "1"}).status_code == 404


# --- the schedule -----------------------------------------------------------------------------


def on(board, registration, day, members, place, at=None):
    with scopes_disabled():
        visit = Visit.objects.create(board=board, registration=registration, visit_on=day, visit_at=at, place=place)
        VisitMember.objects.bulk_create([VisitMember(visit=visit, member=m) for m in members])
    return visit


def test_a_seat_holder_sees_his_own_visits_upcoming_first_today_marked(tree, plan, board, registration, front_chairman):
    today = timezone.localdate()
    other = complete_registration(plan, tree.mttq, name="Mặt trận lắng nghe", status="accepted")
    on(board, registration, today - datetime.timedelta(days=3), [board.deputy], "Đã đi BM-PAST")
    on(board, registration, today + datetime.timedelta(days=2), [board.deputy, board.head], "Sắp đi BM-SOON")
    on(board, other, today, [board.deputy], "Hôm nay đi BM-TODAY", at=datetime.time(7, 30))
    on(board, registration, today + datetime.timedelta(days=1), [board.head], "Không đi BM-NOT-MINE")
    client = client_for(front_chairman)
    for query in ("", "?show=all"):
        response = client.get(url(board, "schedule/") + query)
        assert response.status_code == 200
        page = response.content.decode()
        assert "BM-NOT-MINE" not in page
        assert page.index("BM-TODAY") < page.index("BM-SOON") < page.index("BM-PAST")
        assert "Hôm nay" in page and 'class="table-warning"' in page
        assert "07:30" in page and "Mặt trận lắng nghe" in page and "Ủy ban MTTQ xã Diễn Châu" in page
        assert "Lê Thị Trưởng Đoàn" in page  # who else goes
        assert 'id="visit-add"' not in page and 'id="schedule-filter"' not in page


def test_staff_see_all_the_boards_visits_or_their_own(board, registration, commune_staff, province_staff):
    today = timezone.localdate()
    on(board, registration, today, [board.head], "Của trưởng đoàn BM-HEAD")
    on(board, registration, today, [board.deputy], "Của phó đoàn BM-DEPUTY")
    head = client_for(commune_staff)
    mine = head.get(url(board, "schedule/")).content.decode()
    assert "BM-HEAD" in mine and "BM-DEPUTY" not in mine and 'id="visit-add"' in mine
    every = head.get(url(board, "schedule/?show=all")).content.decode()
    assert "BM-HEAD" in every and "BM-DEPUTY" in every
    # Staff above, not on the board: every visit by default.
    above = client_for(province_staff).get(url(board, "schedule/", "PROV")).content.decode()
    assert "BM-HEAD" in above and "BM-DEPUTY" in above


def test_the_schedule_is_closed_to_others(tree, board, registration, secretary, outsider):
    on(board, registration, timezone.localdate(), [board.head], "Bí mật BM-SCHEDULE")
    for client, code in (
        (client_for(secretary), "UNIT"),
        (client_for(secretary), "COMM"),
        (client_for(outsider), "SIBL"),
    ):
        assert client.get(url(board, "schedule/", code)).status_code == 404


def _count(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_schedule_queries_do_not_grow_with_visits(
    tree, plan, board, registration, front_chairman, commune_staff, django_assert_num_queries
):
    today = timezone.localdate()
    on(board, registration, today, [board.deputy, board.head], "Lần 0")
    seat, staff = client_for(front_chairman), client_for(commune_staff)
    n_seat, _ = _count(seat, url(board, "schedule/"))
    n_staff, _ = _count(staff, url(board, "schedule/?show=all"))
    for i in range(1, 12):
        reg = complete_registration(plan, tree.mttq if i % 2 else tree.unit, name=f"Mô hình {i}", status="accepted")
        on(board, reg, today + datetime.timedelta(days=i - 6), [board.deputy, board.head, board.member], f"Lần {i}")
    with django_assert_num_queries(n_seat):
        page = seat.get(url(board, "schedule/")).content.decode()
    assert len(re.findall(r'id="visit-\d', page)) == 12
    with django_assert_num_queries(n_staff):
        page = staff.get(url(board, "schedule/?show=all")).content.decode()
    assert len(re.findall(r'id="visit-\d', page)) == 12


# --- the visited unit -------------------------------------------------------------------------


def test_the_units_secretary_sees_its_visits_on_the_registration_page(
    tree, plan, board, registration, secretary, django_assert_num_queries
):
    client = client_for(secretary)
    page_url = f"/o/UNIT/registrations/{registration.pk}/"
    assert 'id="visit-panel"' not in client.get(page_url).content.decode()
    on(board, registration, D(2026, 11, 20), [board.head, board.deputy], "Nhà văn hóa xóm 1", at=datetime.time(8, 0))
    n, page = _count(client, page_url)
    assert "Lịch khảo sát của đoàn thẩm định" in page
    assert "20/11/2026" in page and "08:00" in page and "Nhà văn hóa xóm 1" in page
    assert "Lê Thị Trưởng Đoàn (Trưởng đoàn)" in page and "Trần Văn Mặt Trận (Phó Trưởng đoàn)" in page
    assert "Phạm Văn Thành Viên" not in page  # the board's other members are not shown
    for i in range(5):
        on(board, registration, D(2026, 11, 21 + i), [board.head, board.deputy, board.member], f"Lần {i}")
    with django_assert_num_queries(n):
        page = client.get(page_url).content.decode()
    assert page.count("Lần ") >= 5


def test_a_sibling_unit_never_sees_the_visit(tree, plan, board, registration):
    sibling = add_child(tree.commune, "UNI2", "Chi bộ Xóm 2")
    own = complete_registration(plan, sibling, name="Đường hoa Xóm 2", status="accepted")
    user = persona("bi-thu-xom-2", sibling, Role.SECRETARY)
    on(board, registration, D(2026, 11, 20), [board.head], "Nhà văn hóa BM-VISIT-SECRET")
    client = client_for(user)
    assert client.get(f"/o/UNI2/registrations/{registration.pk}/").status_code == 404
    page = client.get(f"/o/UNI2/registrations/{own.pk}/").content.decode()
    assert "BM-VISIT-SECRET" not in page and 'id="visit-panel"' not in page
    with scope(org=sibling):
        assert visit_services.visits_of_registration(registration) == []


# --- a double tap, on real PostgreSQL ---------------------------------------------------------

PRESSES = 8


@pytest.mark.django_db(transaction=True)
def test_presses_of_schedule_make_one_visit_and_one_set_of_notices(board, registration, secretary, commune_staff):
    from tests.test_idempotency import in_parallel

    data = form(registration, members=[board.head, board.deputy])
    clients = [client_for(commune_staff) for _ in range(PRESSES)]
    responses = in_parallel(PRESSES, lambda i: clients[i].post(url(board, "visits/new/"), data))
    assert [r.status_code for r in responses] == [302] * PRESSES
    [visit] = visits()
    assert going(visit) == {board.head.pk, board.deputy.pk}
    assert Notification.objects.count() == 3
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_presses_of_change_apply_it_once(board, registration, commune_staff):
    from tests.test_idempotency import in_parallel

    visit = scheduled(board, registration, [board.head])
    data = form(place="Hội trường", members=[board.head, board.member], version="1")
    clients = [client_for(commune_staff) for _ in range(PRESSES)]
    edit = url(board, f"visits/{visit.pk}/edit/")
    responses = in_parallel(PRESSES, lambda i: clients[i].post(edit, data))
    assert [r.status_code for r in responses] == [302] * PRESSES
    [visit] = visits()
    assert (visit.place, visit.version) == ("Hội trường", 2)
    assert going(visit) == {board.head.pk, board.member.pk}


@pytest.mark.django_db(transaction=True)
def test_presses_of_cancel_cancel_once(board, registration, commune_staff):
    from tests.test_idempotency import in_parallel

    visit = scheduled(board, registration, [board.head])
    data = {"version": "1", "idempotency_key": uuid.uuid4().hex}
    clients = [client_for(commune_staff) for _ in range(PRESSES)]
    cancel = url(board, f"visits/{visit.pk}/cancel/")
    responses = in_parallel(PRESSES, lambda i: clients[i].post(cancel, data))
    assert [r.status_code for r in responses] == [302] * PRESSES
    assert visits() == []
    assert Notification.objects.count() == 1  # the head, once


def test_history_names_who_scheduled_changed_and_cancelled(tree, board, registration, commune_staff):
    with scope(org=tree.commune):
        visit = visit_services.visit_schedule(
            board, registration, D(2026, 11, 20), None, "Xóm 1", [board.head], commune_staff, notify=False
        )
        visit = visit_services.visit_change(
            visit_services.visit_of_board(board, visit.pk),
            D(2026, 11, 21),
            None,
            "Xóm 1",
            [board.head],
            commune_staff,
            expected_version=1,
            notify=False,
        )
        visit_services.visit_cancel(visit, commune_staff, expected_version=2, notify=False)
    with scopes_disabled():
        rows = list(
            Visit.history.filter(id=visit.pk).order_by("history_date").values_list("history_type", "history_user")
        )
    assert rows == [("+", commune_staff.pk), ("~", commune_staff.pk), ("-", commune_staff.pk)]
