"""The notification centre at /notifications/: a user's own list, read one, read all."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dvk.models import Notification
from tests.conftest import client_for


def notify(user, n=1, **extra):
    made = [
        Notification.objects.create(
            user=user,
            organization=extra.get("organization"),
            title=f"Nhắc hạn số {i}",
            body="Còn 3 ngày",
            url=extra.get("url", "/o/UNIT/"),
        )
        for i in range(n)
    ]
    return made[0] if n == 1 else made


def test_list_shows_my_notifications_newest_first_with_the_unread_count(secretary, commune_staff, tree):
    older = notify(secretary, organization=tree.unit)
    newer = Notification.objects.create(user=secretary, title="Hạn báo cáo kết quả", organization=tree.unit)
    notify(commune_staff)  # someone else's
    response = client_for(secretary).get("/notifications/")
    page = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["page"]) == [newer, older]
    assert page.index("Hạn báo cáo kết quả") < page.index("Nhắc hạn số 0")
    assert 'id="notifications-unread">2<' in page
    assert "Chi bộ Xóm 1" in page


def test_no_badge_when_everything_is_read(secretary):
    page = client_for(secretary).get("/notifications/").content.decode()
    assert 'class="bi bi-bell"' in page
    assert "notifications-unread" not in page
    assert "Chưa có thông báo nào." in page


def test_mark_one_read_redirects_to_its_page(secretary):
    note = notify(secretary, url="/o/UNIT/")
    response = client_for(secretary).post(f"/notifications/{note.pk}/read/")
    assert (response.status_code, response["Location"]) == (302, "/o/UNIT/")
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_read_never_redirects_off_site(secretary):
    note = notify(secretary, url="https://example.com/phishing")
    response = client_for(secretary).post(f"/notifications/{note.pk}/read/")
    assert response["Location"] == "/notifications/"


def test_mark_read_needs_post(secretary):
    note = notify(secretary)
    assert client_for(secretary).get(f"/notifications/{note.pk}/read/").status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


def test_another_users_notification_is_404_and_stays_unread(secretary, outsider):
    note = notify(secretary)
    response = client_for(outsider).post(f"/notifications/{note.pk}/read/")
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_touches_only_mine(secretary, commune_staff):
    notify(secretary, n=3)
    theirs = notify(commune_staff)
    response = client_for(secretary).post("/notifications/read-all/")
    assert response["Location"] == "/notifications/"
    assert Notification.objects.filter(user=secretary, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_list_needs_a_login(db, client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _count(client):
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/notifications/")
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_list_queries_do_not_grow_with_notifications(secretary, tree, django_assert_num_queries):
    client = client_for(secretary)
    notify(secretary, organization=tree.unit)
    n, response = _count(client)
    assert len(response.context["page"]) == 1
    notify(secretary, n=49, organization=tree.mttq)
    with django_assert_num_queries(n):
        response = client.get("/notifications/")
    assert len(response.context["page"]) == 50
    assert response.content.decode().count('class="list-group-item notification') == 50
