"""`make run`: zero set-up. SQLite, Celery inline, console mail, demo data on."""

from .base import *  # noqa: F403
from .base import BASE_DIR
from .env import env, env_bool

# Off by default: the demo a newcomer meets shows the product's own Vietnamese error pages
# (dvk.errors). Developers who want Django's debug pages: DJANGO_DEBUG=1 make run.
DEBUG = env_bool("DJANGO_DEBUG", False)
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
# runserver serves no static files (whitenoise.runserver_nostatic, and none with DEBUG off):
# WhiteNoise serves them straight from static/ (static/vendor included) and the apps, without
# collectstatic, and picks up an edited file at the next request.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
