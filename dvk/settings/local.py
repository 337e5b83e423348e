"""`make run`: zero set-up. SQLite, Celery inline, console mail, demo data on."""

from .base import *  # noqa: F403
from .base import BASE_DIR
from .env import env, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
DVK_DEMO = env_bool("DVK_DEMO", True)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env("DVK_SQLITE_PATH", BASE_DIR / "var" / "db.sqlite3"),
        # WAL and IMMEDIATE transactions: a few concurrent users never meet "database is locked".
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# WhiteNoise warns on every request when STATIC_ROOT is missing; outside production
# (where collectstatic fills it) static files come from the finders, so an empty one does.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
