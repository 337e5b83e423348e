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
