"""The production configuration: deploy checks pass, and the demo switch is refused."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_passes_with_the_compose_web_environment():
    result = subprocess.run(["bash", "scripts/check_deploy.sh"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout + result.stderr


def test_production_settings_refuse_the_demo_switch():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="dvk.settings.production", DJANGO_SECRET_KEY="x" * 60, DVK_DEMO="1")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DVK_DEMO is on" in result.stderr


def test_production_settings_require_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "dvk.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def production_check(**values):
    """`manage.py check` under the production settings with a key and these variables only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DVK_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="dvk.settings.production", DJANGO_SECRET_KEY="x" * 60, **values)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_require_the_site_url():
    result = production_check()
    assert result.returncode != 0
    assert "ImproperlyConfigured: DVK_SITE_URL is required" in result.stderr


@pytest.mark.parametrize("value", ["dvk.tinh.gov.vn", "ftp://dvk.tinh.gov.vn", "https://", "https://dvk.tinh.gov.vn:x"])
def test_production_settings_refuse_a_site_url_that_is_not_an_absolute_http_address(value):
    result = production_check(DVK_SITE_URL=value, DJANGO_ALLOWED_HOSTS="dvk.tinh.gov.vn")
    assert result.returncode != 0
    assert "DVK_SITE_URL must be an absolute http(s) address" in result.stderr


def test_production_settings_refuse_a_site_url_on_a_host_they_do_not_serve():
    result = production_check(DVK_SITE_URL="https://dvk.tinh.gov.vn", DJANGO_ALLOWED_HOSTS="localhost")
    assert result.returncode != 0
    assert "host 'dvk.tinh.gov.vn' is not in DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_settings_take_a_site_url_they_serve():
    result = production_check(DVK_SITE_URL="https://dvk.tinh.gov.vn:8443/", DJANGO_ALLOWED_HOSTS=".tinh.gov.vn")
    assert result.returncode == 0, result.stderr


def test_compose_file_passes_the_site_url_to_every_django_process():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    for service in ("migrate", "web", "worker", "beat"):
        assert compose["services"][service]["environment"]["DVK_SITE_URL"] == "${DVK_SITE_URL:-}"
    assert "\nDVK_SITE_URL=https://" in (ROOT / ".env.example").read_text(encoding="utf-8")


def test_make_run_links_mail_to_the_port_it_serves_on():
    env = {k: v for k, v in os.environ.items() if k != "DVK_SITE_URL"}
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert dry_run.returncode == 0, dry_run.stderr
    commands = [line for line in dry_run.stdout.splitlines() if "manage.py seed_demo" in line or "runserver" in line]
    assert len(commands) == 2
    assert all("DVK_SITE_URL=http://127.0.0.1:8123 " in line for line in commands)
    assert "runserver 127.0.0.1:8123" in commands[1]


def test_make_run_keeps_a_site_url_the_user_set():
    env = dict(os.environ, DVK_SITE_URL="http://dvk.lan:9000")
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert "DVK_SITE_URL=http://dvk.lan:9000 " in dry_run.stdout
    assert "DVK_SITE_URL=http://127.0.0.1" not in dry_run.stdout


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="Debian's docker-compose is not installed")
def test_compose_file_is_valid():
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_make_test_explains_how_to_start_a_missing_database():
    env = dict(os.environ, DVK_DB_PORT="1")
    result = subprocess.run(
        [sys.executable, "scripts/check_services.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "PostgreSQL is not reachable" in lines[0] and "docker compose up -d db redis" in lines[0]
