"""The product's own error pages, with DEBUG off as in `make run` and production: Vietnamese,
the product's header, no traceback; JSON under /api/. And `make run`'s settings themselves:
DEBUG off unless asked for, static files served without collectstatic."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import client_for

ROOT = Path(__file__).resolve().parent.parent
HEADER = '<nav class="navbar navbar-expand-lg navbar-dvk">'


def assert_product_page(response, status, *texts):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert HEADER in body and 'href="/static/vendor/bootstrap.min.css"' in body
    for text in texts:
        assert text in body
    for debug_only in ("Traceback", "DEBUG = True", "Django", "8f3a", "Page not found", "Forbidden"):
        assert debug_only not in body
    return body


def test_the_test_settings_run_with_debug_off(settings):
    assert settings.DEBUG is False


def test_unknown_address_is_the_products_404(db, client):
    assert_product_page(client.get("/khong-co-trang-nay/"), 404, "Không tìm thấy trang", "Về trang chủ")


def test_missing_object_inside_an_organisation_is_the_products_404(as_commune_staff):
    body = assert_product_page(as_commune_staff.get("/o/COMM/campaigns/987654/"), 404, "Không tìm thấy trang")
    # The signed-in header: the menu of the organisation the user acts for.
    assert 'id="nav-campaigns"' in body and 'href="/o/COMM/campaigns/"' in body


@pytest.mark.parametrize("code", ["NOPE", "SIBL"])
def test_unknown_or_foreign_organisation_is_the_same_404(as_commune_staff, code):
    assert_product_page(as_commune_staff.get(f"/o/{code}/"), 404, "Không tìm thấy trang")


def test_permission_refusal_is_the_products_403(secretary):
    assert_product_page(client_for(secretary).get("/o/UNIT/edit/"), 403, "Bạn không có quyền thực hiện thao tác này")


def test_a_get_to_a_post_only_address_is_the_products_405(as_commune_staff):
    """What a person meets reloading a refused form from the address bar: not the browser's
    blank English error page."""
    response = as_commune_staff.get("/notifications/read-all/")
    assert_product_page(response, 405, "Địa chỉ này chỉ nhận dữ liệu gửi từ biểu mẫu", "Về trang chủ")
    assert response["Allow"] == "POST"


def test_csrf_failure_is_explained_in_vietnamese_and_changes_nothing(tree, commune_staff):
    from dvk.models import Organization

    client = client_for(commune_staff)
    client.handler.enforce_csrf_checks = True
    before = Organization.objects.count()
    response = client.post("/o/COMM/add/", {"name": "Chi bộ Xóm 12", "level": "unit", "kind": "party_cell"})
    body = assert_product_page(response, 403, "Biểu mẫu đã hết hạn", "Chưa có gì được lưu")
    assert "CSRF" not in body and 'id="nav-campaigns"' in body
    assert Organization.objects.count() == before
    # A fresh token comes with the page: reloading the form and sending it again works.
    assert client.cookies["csrftoken"].value


def test_bad_host_is_the_products_400(db):
    response = Client(HTTP_HOST="dvk.example.invalid").get("/accounts/login/")
    assert_product_page(response, 400, "Yêu cầu không hợp lệ")


@pytest.mark.urls("tests.urls_errors")
def test_a_crash_is_the_products_500_without_the_traceback(as_commune_staff):
    as_commune_staff.raise_request_exception = False
    body = assert_product_page(as_commune_staff.get("/o/COMM/boom/"), 500, "Đã có lỗi xảy ra", "không bị mất")
    assert "RuntimeError" not in body


@pytest.mark.urls("tests.urls_errors")
def test_the_500_page_needs_no_request_context(db, client):
    """Rendered without context processors (they query the database, which may be what failed)."""
    from django.template import loader

    body = loader.get_template("500.html").render()
    assert HEADER in body and "Đã có lỗi xảy ra" in body and 'href="/"' in body


@pytest.mark.urls("tests.urls_errors")
def test_api_errors_stay_json(as_commune_staff):
    as_commune_staff.raise_request_exception = False
    for path, status in [("/api/v1/khong-co/", 404), ("/api/v1/o/NOPE/", 404), ("/api/v1/boom/", 500)]:
        response = as_commune_staff.get(path)
        assert response.status_code == status, path
        assert response["Content-Type"] == "application/json", path
        assert response.json()["detail"] and "8f3a" not in response.content.decode()


def run_local(code, **env_values):
    """Python code run under `make run`'s settings (dvk.settings.local), on a throw-away SQLite."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DVK_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="dvk.settings.local", **env_values)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


DEBUG_OF_LOCAL = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def test_make_run_has_debug_off_unless_a_developer_asks(tmp_path):
    sqlite = str(tmp_path / "db.sqlite3")
    assert run_local(DEBUG_OF_LOCAL, DVK_SQLITE_PATH=sqlite).strip() == "False"
    assert run_local(DEBUG_OF_LOCAL, DVK_SQLITE_PATH=sqlite, DJANGO_DEBUG="1").strip() == "True"


WSGI_GET = """
import json, sys
from io import BytesIO
from wsgiref.util import setup_testing_defaults
from dvk.wsgi import application

answers = {}
for path in sys.argv[1:]:
    environ = {"PATH_INFO": path, "HTTP_HOST": "127.0.0.1:8000", "wsgi.input": BytesIO()}
    setup_testing_defaults(environ)
    started = {}
    body = b"".join(application(environ, lambda status, headers, exc=None: started.update(status=status)))
    answers[path] = [started["status"], body.decode("utf-8", "replace")[:20000]]
print(json.dumps(answers))
"""


def test_make_run_serves_static_files_and_its_own_error_pages(tmp_path):
    paths = ["/static/vendor/bootstrap.min.css", "/static/vendor/htmx.min.js", "/static/css/dvk.css", "/khong-co/"]
    out = run_local(WSGI_GET.replace("sys.argv[1:]", json.dumps(paths)), DVK_SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    answers = json.loads(out.strip().splitlines()[-1])
    for path in paths[:3]:
        assert answers[path][0] == "200 OK", (path, answers[path][0])
    assert "bootstrap" in answers[paths[0]][1].lower()
    status, body = answers["/khong-co/"]
    assert status == "404 Not Found"
    assert "Không tìm thấy trang" in body and HEADER in body and "DEBUG = True" not in body
