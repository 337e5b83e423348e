"""Settings shared by every environment. Environment-specific modules import * from here."""

from pathlib import Path

from .env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-dev-key-only-for-make-run-and-tests")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# The demo switch: seeds demo accounts with a shared, published password.
DVK_DEMO = env_bool("DVK_DEMO", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "rules.apps.AutodiscoverRulesConfig",
    "guardian",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "import_export",
    "django_celery_beat",
    "dvk",
    "campaigns",
    "models_registry",
    "appraisal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A GET to a POST-only address: the product's 405 page, not the browser's (dvk.errors).
    "dvk.errors.MethodNotAllowedPage",
    # Before CSRF: it parses uploads itself and answers 413 to an oversize one (dvk.uploads).
    "dvk.uploads.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Staff reach nothing but the code pages until they give their second factor (dvk.twofactor).
    "dvk.twofactor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "dvk.tenancy.OrganizationScopeMiddleware",
    # Whose response this is, for the tablet's service worker (dvk.offline).
    "dvk.offline.OfflineUserHeader",
    # Last, as django-axes asks, so that it sees the outcome of every login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dvk.urls"
WSGI_APPLICATION = "dvk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "dvk.context_processors.acting_organization",
                "dvk.offline.offline_context",
            ],
            # {% idempotency_key %} in every form that writes, without a {% load %}.
            "builtins": ["dvk.templatetags.dvk_forms"],
        },
    },
]

AUTH_USER_MODEL = "dvk.User"
AUTHENTICATION_BACKENDS = [
    # Lockout first: it refuses a locked-out username/address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "dvk.auth_backends.CrossAppPermissionGuard",
    "guardian.backends.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: 5 failures lock that username from that address for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dvk.lockout.lockout_response"
AXES_IPWARE_PROXY_COUNT = env_int("DVK_PROXY_COUNT", 0)

# The name authenticator apps show next to the DVK codes.
OTP_TOTP_ISSUER = "DVK"

# How long a write's idempotency key is remembered (a tablet may replay its outbox days later).
DVK_IDEMPOTENCY_DAYS = env_int("DVK_IDEMPOTENCY_DAYS", 30)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["dvk.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DVK_STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DVK_MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions read from the cache (Redis in production and tests), written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SAMESITE = "Lax"
# The product's page, in Vietnamese, instead of Django's English one (dvk.errors).
CSRF_FAILURE_VIEW = "dvk.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # blob: for photo previews the tablet keeps in IndexedDB (the offline scorecard).
        "img-src": ["'self'", "data:", "blob:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # The tablet app's service worker and manifest (appraisal/pwa.py), from this site only.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes a bad token answer 401, not 403.
        "dvk.api_auth.DeviceTokenAuthentication",
        # DRF's, with a CSRF refusal the tablet tells apart (code "csrf": sign in again).
        "dvk.api_auth.SessionAuthentication",
    ],
    # Adds the code of a refused sign-in (401 not_authenticated / authentication_failed).
    "EXCEPTION_HANDLER": "dvk.api_auth.exception_handler",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DVK API",
    "DESCRIPTION": "API của hệ thống quản lý phong trào thi đua “Dân vận khéo”.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The API docs page loads Swagger UI from our own static files (npm swagger-ui-dist, copied
    # by the Makefile), never from a CDN; its start-up script is served separately (split view)
    # so the Content-Security-Policy needs no inline script.
    "SWAGGER_UI_DIST": f"{STATIC_URL}vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": f"{STATIC_URL}vendor/swagger-ui/favicon-32x32.png",
}
# A device token that has not been used for this many days stops working.
DVK_TOKEN_IDLE_DAYS = env_int("DVK_TOKEN_IDLE_DAYS", 30)

# Excel imports: refused before parsing when larger than these.
DVK_IMPORT_MAX_BYTES = env_int("DVK_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
DVK_IMPORT_MAX_ROWS = env_int("DVK_IMPORT_MAX_ROWS", 20000)
DVK_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("DVK_IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)

# Evidence files (models_registry.evidence): the most one file, and all of one registration's
# files together, may weigh. Over either, the upload answers 413 and nothing is stored.
DVK_EVIDENCE_MAX_FILE_BYTES = env_int("DVK_EVIDENCE_MAX_FILE_BYTES", 20 * 1024 * 1024)
DVK_EVIDENCE_MAX_REGISTRATION_BYTES = env_int("DVK_EVIDENCE_MAX_REGISTRATION_BYTES", 200 * 1024 * 1024)
# On-site photos a board member adds to a scorecard (appraisal.scoring_services): images only,
# by content; over this size the upload answers 413 and nothing is stored.
DVK_SCORE_PHOTO_MAX_BYTES = env_int("DVK_SCORE_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
DVK_SCORE_PHOTOS_PER_SCORECARD = env_int("DVK_SCORE_PHOTOS_PER_SCORECARD", 30)

# The board's tablet offline (dvk.offline, static/js/offline.js and outbox.js). A user's local
# data (cached pages and dossiers) is cleared after this many days without the user signing in
# on that tablet; an outbox item not yet sent is kept until it is sent or the user signs out.
DVK_OFFLINE_KEEP_DAYS = env_int("DVK_OFFLINE_KEEP_DAYS", 14)
# Photos taken offline are resized on the tablet to this longest edge (pixels) and JPEG
# quality (percent) before they are stored, so an afternoon's photos fit and upload quickly.
DVK_OFFLINE_PHOTO_MAX_EDGE = env_int("DVK_OFFLINE_PHOTO_MAX_EDGE", 1600)
DVK_OFFLINE_PHOTO_QUALITY = env_int("DVK_OFFLINE_PHOTO_QUALITY", 82)
# An exported outbox file that staff import for a member (appraisal outbox import): refused
# before parsing when larger.
DVK_OUTBOX_IMPORT_MAX_BYTES = env_int("DVK_OUTBOX_IMPORT_MAX_BYTES", 60 * 1024 * 1024)
# The size guard first: it stops a file over the limit before the others spool it to disk.
FILE_UPLOAD_HANDLERS = [
    "dvk.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row

CELERY_BROKER_URL = env("DVK_REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ROUTES = {"dvk.render.*": {"queue": "pdf"}}

EMAIL_BACKEND = env("DVK_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("DVK_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DVK_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("DVK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("DVK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DVK_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DVK_FROM_EMAIL", "DVK <no-reply@dvk.local>")

# Deadline reminders (campaigns.reminders): the days before a deadline on which a unit that is
# behind is reminded, the daily sweep's time (HH:MM, Asia/Ho_Chi_Minh; applied to the beat
# schedule by `migrate` or `run_reminder_sweep --install-schedule`), how long a claim blocks a
# retry, how many tries a reminder gets, how far back a sweep still escalates (so a first run on
# an old database does not escalate years of history), reminders per batch task, and the address
# links in mail start with.
DVK_REMINDER_OFFSETS = [int(days) for days in env_list("DVK_REMINDER_OFFSETS", ["7", "3", "1"])]
DVK_REMINDER_SWEEP_TIME = env("DVK_REMINDER_SWEEP_TIME", "07:00")
DVK_REMINDER_CLAIM_TIMEOUT_MINUTES = env_int("DVK_REMINDER_CLAIM_TIMEOUT_MINUTES", 30)
DVK_REMINDER_MAX_ATTEMPTS = env_int("DVK_REMINDER_MAX_ATTEMPTS", 5)
DVK_REMINDER_ESCALATION_WINDOW_DAYS = env_int("DVK_REMINDER_ESCALATION_WINDOW_DAYS", 30)
DVK_REMINDER_BATCH_SIZE = env_int("DVK_REMINDER_BATCH_SIZE", 500)
DVK_SITE_URL = env("DVK_SITE_URL", "http://127.0.0.1:8000")

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DVK_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}


def postgres_database():
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": env("DVK_DB_NAME", "dvk"),
        "USER": env("DVK_DB_USER", "postgres"),
        "PASSWORD": env("DVK_DB_PASSWORD", ""),
        "HOST": env("DVK_DB_HOST", "127.0.0.1"),
        "PORT": env("DVK_DB_PORT", "5432"),
        "CONN_MAX_AGE": env_int("DVK_DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
    }
