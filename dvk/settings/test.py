"""`make test`: the suite runs against real PostgreSQL and Redis, never SQLite."""

import os

from .base import *  # noqa: F403
from .base import postgres_database
from .env import env

DEBUG = False
DVK_DEMO = True
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

DATABASES = {"default": postgres_database()}
DATABASES["default"]["CONN_MAX_AGE"] = 0

REDIS_URL = env("DVK_REDIS_URL", "redis://127.0.0.1:6379/0")
# One Redis database per pytest-xdist worker (gw0 → 1, gw1 → 2...): a test that clears the
# cache (tests/test_api.py) must not empty another worker's sessions mid-test.
# DVK_TEST_REDIS_BASE moves the block when two checkouts run their suites side by side.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_BASE = int(env("DVK_TEST_REDIS_BASE", "1"))
CACHES = {
    "default": {
        "BACKEND": "dvk.cache.ResilientRedisCache",
        "LOCATION": env("DVK_TEST_CACHE_URL", f"redis://127.0.0.1:6379/{1 + (_BASE - 1 + _WORKER) % 15}"),
        "KEY_PREFIX": "dvk-test",
    }
}
CELERY_BROKER_URL = REDIS_URL
# Results only for the real-worker test (tests/campaigns/test_reminders_celery.py), which waits on them.
CELERY_RESULT_BACKEND = REDIS_URL
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Argon2 stays the production hasher; the suite hashes many passwords, so it uses a fast one.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# WhiteNoise warns on every request when STATIC_ROOT is missing; outside production
# (where collectstatic fills it) static files come from the finders, so an empty one does.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
