"""Production: every secret from the environment, HTTPS behind the proxy, no demo data."""

from django.core.exceptions import ImproperlyConfigured

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
