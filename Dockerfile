# Zabuni: one image for web (gunicorn), the Celery worker and Celery beat.
# docker-compose.yml runs it the way production would; see README.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    ZABUNI_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

RUN groupadd --system --gid 10001 zabuni \
 && useradd --system --uid 10001 --gid zabuni --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin zabuni

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not
# reinstall them. README.md is the project's declared readme.
COPY pyproject.toml README.md ./
RUN pip install . && rm -rf build ./*.egg-info

# Then the code, and the project itself. The code stays owned by root and is
# read-only to the app user; only /app/var (ZABUNI_VAR_DIR) is writable.
COPY . .
RUN pip install --no-deps . && rm -rf build ./*.egg-info \
 && mkdir -p /app/var && chown zabuni:zabuni /app/var

# Static files are collected into the image; whitenoise serves them.
# Production uses whitenoise's manifest storage, which needs the
# staticfiles.json manifest that only that storage writes, so collectstatic
# runs in production mode. The values below exist for this one command, are
# not secrets and do not persist into the image: collectstatic opens no
# database, sends no mail and stores no private file.
RUN DJANGO_ENV=production \
    SECRET_KEY=collectstatic-at-build-time-only \
    BID_STORAGE_KEY=Y29sbGVjdHN0YXRpYy1hdC1idWlsZC10aW1lLW9ubHkh \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/unused.sqlite3 \
    PRIVATE_ROOT=/tmp/unused-private \
    python manage.py collectstatic --noinput --verbosity 1

USER zabuni
EXPOSE 8000

# --timeout 120: a large upload on slow storage, as long as nginx waits for it.
# The worker class answers the requests already queued for it when the container is
# stopped, instead of dropping them (portal/gunicorn_worker.py).
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--timeout", "120", "--worker-class", "portal.gunicorn_worker.PortalWorker"]
