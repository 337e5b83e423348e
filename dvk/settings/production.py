"""Production: every secret from the environment, HTTPS behind the proxy, no demo data."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.http import is_same_domain

from .base import *  # noqa: F403
from .base import postgres_database
from .env import env, env_bool, env_int, env_list

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", required=True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

DVK_DEMO = env_bool("DVK_DEMO", False)
if DVK_DEMO:
    raise ImproperlyConfigured(
        "DVK_DEMO is on: the demo accounts share a published password, so production refuses to start."
    )

# Links in mail (reminders, password reset) start with this address; the base default
# (http://127.0.0.1:8000) would send every recipient to their own machine.
DVK_SITE_URL = env("DVK_SITE_URL")
if not DVK_SITE_URL:
    raise ImproperlyConfigured(
        "DVK_SITE_URL is required: the address users open DVK at, e.g. https://dvk.tinh.gov.vn "
        "(links in reminder and password-reset mail start with it)."
    )
_site = urlsplit(DVK_SITE_URL)
try:
    _site.port  # noqa: B018 (raises ValueError on a port that is not a number)
    _site_ok = _site.scheme in ("http", "https") and _site.hostname and not (_site.query or _site.fragment)
except ValueError:
    _site_ok = False
if not _site_ok:
    raise ImproperlyConfigured(
        f"DVK_SITE_URL must be an absolute http(s) address such as https://dvk.tinh.gov.vn, not {DVK_SITE_URL!r}."
    )
# A link to a host Django does not serve would answer every reader 400 Bad Request.
if not any(pattern == "*" or is_same_domain(_site.hostname, pattern) for pattern in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        f"DVK_SITE_URL's host {_site.hostname!r} is not in DJANGO_ALLOWED_HOSTS ({', '.join(ALLOWED_HOSTS)}): "
        "links in mail would be refused."
    )

DATABASES = {"default": postgres_database()}
REDIS_URL = env("DVK_REDIS_URL", "redis://redis:6379/0")
CELERY_BROKER_URL = REDIS_URL
CACHES = {
    "default": {
        "BACKEND": "dvk.cache.ResilientRedisCache",
        "LOCATION": env("DVK_CACHE_URL", "redis://redis:6379/1"),
    }
}

# TLS ends at the proxy (Caddy), which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DVK_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env_int("DVK_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
AXES_IPWARE_PROXY_COUNT = env_int("DVK_PROXY_COUNT", 1)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded evidence on S3-compatible object storage (MinIO, a government cloud's S3) when a
# bucket is named; otherwise the media volume. Files are never public: the permission-checked
# views stream them (no presigned or public URLs), so the bucket stays private.
if env("DVK_S3_BUCKET", ""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("DVK_S3_BUCKET"),
            "endpoint_url": env("DVK_S3_ENDPOINT_URL", "") or None,
            "region_name": env("DVK_S3_REGION", "") or None,
            "access_key": env("DVK_S3_ACCESS_KEY", ""),
            "secret_key": env("DVK_S3_SECRET_KEY", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
