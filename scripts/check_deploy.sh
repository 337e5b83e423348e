#!/usr/bin/env bash
# Django's deployment checks (`manage.py check --deploy`) with the production settings and
# exactly the environment docker-compose.yml gives the web service: read from that file,
# with ${VAR...} substituted the way docker-compose does (shell environment first, then the
# `.env` file next to docker-compose.yml, then the defaults written in the file). Nothing is
# silenced, and any warning fails.
#
# If DJANGO_SECRET_KEY is set neither in the shell nor in .env, a strong random key stands
# in for it (a deployment must bring its own; check --deploy only judges its strength).
# Likewise an unset DVK_SITE_URL is stood in by https://<first host of DVK_DOMAIN>, since the
# production settings refuse to start without one; the compose file must still pass it on.
#
# Usage: scripts/check_deploy.sh        (or: make check-deploy)
# Env:   PY=path/to/python (default .venv/bin/python), DVK_COMPOSE_FILE (default docker-compose.yml)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY="${PY:-.venv/bin/python}"
COMPOSE_FILE_PATH="${DVK_COMPOSE_FILE:-docker-compose.yml}"

exec "$PY" - "$COMPOSE_FILE_PATH" "$PY" <<'PYTHON'
import os
import re
import secrets
import sys
from pathlib import Path

import yaml

compose_path = Path(sys.argv[1])
python = sys.argv[2]
SERVICE = "web"
EXPECTED_SETTINGS = "dvk.settings.production"


def fail(message):
    print(f"check_deploy: {message}", file=sys.stderr)
    sys.exit(2)


def read_env_file(path):
    """KEY=VALUE lines as docker-compose reads `.env`: comments, blank lines, `export`, quotes."""
    values = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        if "=" not in line:
            fail(f"{path}:{number}: not KEY=VALUE: {raw!r}")
        key, value = line.split("=", 1)
        key, value = key.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].rstrip()
        values[key] = value
    return values


# The variables docker-compose substitutes from: the shell wins over .env.
variables = {**read_env_file(compose_path.parent / ".env"), **os.environ}

generated_key = False
if not variables.get("DJANGO_SECRET_KEY"):
    variables["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(64)
    generated_key = True

PATTERN = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<named>[_A-Za-z][_A-Za-z0-9]*)|\{(?P<braced>[^}]*)\}|(?P<invalid>))"
)
BRACED = re.compile(r"^(?P<name>[_A-Za-z][_A-Za-z0-9]*)(?:(?P<op>:-|-|:\?|\?)(?P<arg>.*))?$", re.S)


def interpolate(value, where):
    """${VAR}, $VAR, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$."""

    def replace(match):
        if match.group("escaped"):
            return "$"
        if match.group("named"):
            return variables.get(match.group("named"), "")
        if match.group("braced") is None:
            fail(f"{where}: invalid interpolation in {value!r}")
        braced = BRACED.match(match.group("braced"))
        if not braced:
            fail(f"{where}: invalid interpolation in {value!r}")
        name, op, arg = braced.group("name", "op", "arg")
        current = variables.get(name)
        if op == ":-":
            return current if current else arg
        if op == "-":
            return arg if current is None else current
        if op in (":?", "?") and (current is None or (op == ":?" and not current)):
            fail(f"{where}: {name}: {arg or 'is required'}")
        return current or ""

    return PATTERN.sub(replace, value)


compose = yaml.safe_load(compose_path.read_text(encoding="utf-8"))  # resolves anchors and <<
try:
    declared = compose["services"][SERVICE].get("environment") or {}
except (KeyError, TypeError, AttributeError):
    fail(f"{compose_path}: no services.{SERVICE}")

if isinstance(declared, list):  # ["KEY=value", "KEY"] form
    declared = dict(item.split("=", 1) if "=" in item else (item, None) for item in declared)

environment = {}
for key, value in declared.items():
    where = f"{compose_path}: services.{SERVICE}.environment.{key}"
    if value is None:  # `KEY:` alone passes the host's value through, if it has one
        if key in variables:
            environment[key] = variables[key]
        continue
    if isinstance(value, bool):
        value = "true" if value else "false"
    environment[key] = interpolate(str(value), where)

if environment.get("DJANGO_SETTINGS_MODULE") != EXPECTED_SETTINGS:
    fail(f"services.{SERVICE} must set DJANGO_SETTINGS_MODULE={EXPECTED_SETTINGS}, "
         f"not {environment.get('DJANGO_SETTINGS_MODULE')!r}")
if not environment.get("DJANGO_SECRET_KEY"):
    # The compose file does not take the key from ${DJANGO_SECRET_KEY}: a deployment would
    # have none. Stand in a random one so that the remaining checks still run.
    environment["DJANGO_SECRET_KEY"] = variables["DJANGO_SECRET_KEY"]
    generated_key = True

if "DVK_SITE_URL" not in environment:
    fail(f"services.{SERVICE} must pass DVK_SITE_URL on: links in mail start with it")
if not environment["DVK_SITE_URL"]:
    first_host = environment.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".")
    environment["DVK_SITE_URL"] = f"https://{first_host or 'localhost'}"
    print(f"check_deploy: DVK_SITE_URL not set: using {environment['DVK_SITE_URL']} for this check.",
          file=sys.stderr)

if generated_key:
    print("check_deploy: DJANGO_SECRET_KEY not set: using a random key for this check.", file=sys.stderr)
print(f"check_deploy: {len(environment)} variables from services.{SERVICE} of {compose_path}: "
      + ", ".join(sorted(environment)), file=sys.stderr)

# Nothing else leaks in from the calling shell (a stray DVK_DEMO, another settings module).
run_env = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": os.environ.get("HOME", "/tmp"),
    "LANG": "C.UTF-8",
    **environment,
}
argv = [python, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
sys.stdout.flush()
sys.stderr.flush()
os.execve(python, argv, run_env)
PYTHON
