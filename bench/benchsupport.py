"""What the benchmarks share: a throwaway site's environment and database, manage.py,
a free port, how long to wait for a server to start, and an S3 API server.

Imported by the scripts beside it (``python bench/<script>.py`` puts this
folder on the path).
"""

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# How long a server (gunicorn, Redis, the S3 or SMTP stand-in) may take to start
# answering. Generous: on a shared 2-core machine under load, gunicorn's first
# answer has taken over 60 s. A server that starts sooner is not waited for.
STARTUP_WAIT = 180.0

# A folder where the first benchmark of a run leaves its freshly migrated SQLite
# database (and its demo site) for the next ones to copy: tests/bench sets it so
# that every benchmark does not migrate again. Meant for one run of one checkout:
# the copies are not checked against later changes to the migrations or the demo.
SITE_CACHE = "BENCH_SITE_CACHE"

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
        # Hashed static names need collectstatic's manifest, or every page is a 500.
        # Only bench_pages serves static files as production does; it collects
        # them and turns the manifest back on.
        STATIC_MANIFEST="false",
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


def wait_until(ready: Callable[[], bool], what: str, timeout: float = STARTUP_WAIT) -> bool:
    """Poll ``ready()`` until it is true or ``timeout`` seconds have passed; say so
    on stdout when the wait is long, so a slow machine is visible in the output."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if ready():
            waited = time.monotonic() - began
            if waited > 30:
                print(f"  ({what} took {waited:.0f} s to start: a busy machine)", flush=True)
            return True
        time.sleep(0.2)
    return False


def _sqlite_path(env: dict[str, str]) -> Path | None:
    url = env["DATABASE_URL"]
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database in WAL mode (the file alone may lag)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _put_in_bucket(env: dict[str, str], folder: Path) -> None:
    """Store a private folder's files in the site's S3 bucket, under the same names."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        region_name=env.get("AWS_S3_REGION_NAME"),
        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"),
    )
    for path in folder.rglob("*"):
        if path.is_file():
            key = path.relative_to(folder).as_posix()
            client.upload_file(str(path), env["AWS_STORAGE_BUCKET_NAME"], key)


def site_database(env: dict[str, str], tmp: Path, *, demo: bool = False) -> None:
    """Migrate the site's database, and with ``demo`` load the demo content.

    With ``BENCH_SITE_CACHE`` set and a SQLite database, a migrated database (and a
    demo site with its private and media files) left there by an earlier benchmark
    of the same run is copied instead, and what this one builds is left there for
    the next. A demo site is left only from a site whose private storage is a
    local folder; copied into a site on S3, its private files go to the bucket.
    """
    cache = os.environ.get(SITE_CACHE)
    database = _sqlite_path(env)
    if not cache or database is None:
        manage(env, "migrate", "--noinput")
        if demo:
            manage(env, "load_demo_content")
        return
    cache_dir = Path(cache)
    on_s3 = "AWS_STORAGE_BUCKET_NAME" in env
    demo_copy = cache_dir / "demo"
    if demo and (demo_copy / "db.sqlite3").exists():
        _copy_sqlite(demo_copy / "db.sqlite3", database)
        shutil.copytree(demo_copy / "media", tmp / "media", dirs_exist_ok=True)
        if on_s3:
            _put_in_bucket(env, demo_copy / "private")
        else:
            shutil.copytree(demo_copy / "private", tmp / "private", dirs_exist_ok=True)
        return
    migrated = cache_dir / "migrated" / "db.sqlite3"
    if migrated.exists():
        _copy_sqlite(migrated, database)
    else:
        manage(env, "migrate", "--noinput")
        migrated.parent.mkdir(parents=True, exist_ok=True)
        _copy_sqlite(database, migrated)
    if demo:
        manage(env, "load_demo_content")
        if not on_s3:
            demo_copy.mkdir(parents=True, exist_ok=True)
            _copy_sqlite(database, demo_copy / "db.sqlite3")
            for folder in ("private", "media"):
                shutil.copytree(tmp / folder, demo_copy / folder, dirs_exist_ok=True)


def start_s3(env: dict[str, str], tmp: Path) -> subprocess.Popen:
    """moto's S3 server in its own process on a free loopback port, with a private
    bucket; ``env`` is pointed at it."""
    import urllib.request

    port = free_port()
    log = open(tmp / "moto.log", "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=5)
            return True
        except OSError:
            return False

    if not wait_until(answering, "moto's S3 server"):
        process.kill()
        sys.exit(f"moto's S3 server did not start; see {tmp / 'moto.log'}")
    env.update(
        AWS_STORAGE_BUCKET_NAME="zabuni-bench-private",
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
    )
    import boto3

    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="bench", aws_secret_access_key="bench",
    ).create_bucket(Bucket="zabuni-bench-private", ACL="private")  # fmt: skip
    return process


def clean_up(tmp: Path, *, s3: subprocess.Popen | None, keep: bool) -> None:
    """At a benchmark's end: stop its S3 server and remove (or keep) its folder."""
    if s3 is not None:
        s3.terminate()
        s3.wait(timeout=10)
    if keep:
        print(f"Kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
