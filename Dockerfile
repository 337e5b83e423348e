# DVK application image: web (gunicorn), Celery worker and beat all run from it.
# Build: docker-compose build  (or: docker build -t dvk:latest .)

# --- Front-end vendor files: npm packages copied into static/vendor by `make vendor`. ---
FROM node:20-bookworm-slim AS vendor
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile package.json package-lock.json ./
# chart.umd.min.js names its source map, and collectstatic's manifest storage refuses a
# missing reference: copy the map if the Makefile did not (a no-op once it does).
RUN make vendor \
    && (test -e static/vendor/chart.umd.min.js.map \
        || cp node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/)

# --- Application. ---
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=dvk.settings.production \
    DVK_STATIC_ROOT=/app/staticfiles \
    DVK_MEDIA_ROOT=/data/media

# WeasyPrint's system libraries (Pango, HarfBuzz subsetting). Documents use the Tinos font
# from static/; Liberation (also metric-compatible with Times New Roman, with Vietnamese)
# is only the fallback fontconfig finds for text outside it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fontconfig \
        fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

# The processes run as an unprivileged user; the code stays owned by root (read-only to it).
RUN useradd --create-home --uid 1000 --user-group dvk

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
COPY --from=vendor /src/static/vendor/ static/vendor/

# Static files are collected (hashed and compressed for WhiteNoise) into the image. The
# production settings need a secret key and a site address to import; these exist only for
# this step and are never in the running containers' environment.
RUN DJANGO_SECRET_KEY=build-only-collectstatic-not-a-secret DVK_SITE_URL=https://localhost \
        python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q dvk \
    && mkdir -p /data/media \
    && chown dvk:dvk /data/media

USER dvk
EXPOSE 8000
# docker-compose.yml gives each service its own command; this default runs the web server.
CMD ["gunicorn", "dvk.wsgi:application", "--bind=0.0.0.0:8000", "--workers=3", \
     "--worker-class=gthread", "--threads=4", "--worker-tmp-dir=/dev/shm", \
     "--access-logfile=-"]
