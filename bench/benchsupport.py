"""What the benchmarks share: a throwaway site's environment, manage.py, a free port.

Imported by the scripts beside it (``python bench/<script>.py`` puts this
folder on the path).
"""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Settings read from the environment that could point a run at something
# real (a database, a bucket, a broker, a mail server). None is inherited.
INHERITED_SETTINGS = re.compile(
    r"^(DJANGO_|DATABASE_URL|REDIS_URL|CELERY_|AWS_|EMAIL_|SECRET_KEY|ALLOWED_HOSTS|"
    r"CSRF_|DEBUG|STATIC_ROOT|MEDIA_ROOT|PRIVATE_ROOT|ZABUNI_|SECURE_|CONN_MAX_AGE|"
    r"DEFAULT_FROM_EMAIL|WAGTAILADMIN_BASE_URL|MAX_UPLOAD_REQUEST_MB|TMPDIR|STATIC_MANIFEST)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(tmp: Path) -> dict[str, str]:
    """An environment for a site living wholly in ``tmp``: SQLite, var, private, media, static."""
    env = {k: v for k, v in os.environ.items() if not INHERITED_SETTINGS.match(k)}
    for folder in ("var", "private", "media", "static"):
        (tmp / folder).mkdir(exist_ok=True)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        ZABUNI_VAR_DIR=str(tmp / "var"),
        PRIVATE_ROOT=str(tmp / "private"),
        MEDIA_ROOT=str(tmp / "media"),
        STATIC_ROOT=str(tmp / "static"),
        DJANGO_ENV="development",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py`` with ``env``; stop the benchmark if it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def fresh_postgres(env: dict[str, str], url: str) -> None:
    """Drop and create the database at ``url`` and point ``env`` at it."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = url
