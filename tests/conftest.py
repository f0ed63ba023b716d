"""Shared fixtures: the people around a bid, calls, quiet mail, the demo-shaped site,
a real Celery worker, a browser."""

import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from tests import services
from tests.factories import StaffFactory, SuperuserFactory, UserFactory, in_group, make_call

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session", autouse=True)
def _audit_trail_can_be_flushed(django_db_setup, django_db_blocker):
    """Flushing between transactional tests empties every table; the audit trail's
    triggers refuse that, so the test database's owner goes round them, and only here.

    - SQLite flushes with DELETE: the pytest database goes without the DELETE trigger
      (the triggers are tested on a freshly migrated SQLite database).
    - PostgreSQL flushes with TRUNCATE, which a statement trigger refuses: the flush's
      own transaction starts with ``SET LOCAL session_replication_role = replica``,
      which switches triggers off until it commits. Only a superuser may take that
      setting (the tests' database owner is one); the application's role cannot
      (tests/applications/test_audit_roles.py). The triggers themselves stay as
      the migrations made them.
    """
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("DROP TRIGGER IF EXISTS zabuni_audit_no_delete")
    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.sql_flush

    def sql_flush_round_the_triggers(self, style, tables, **kwargs):
        statements = flush(self, style, tables, **kwargs)
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else []

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush_round_the_triggers)
        yield


@pytest.fixture(scope="session", autouse=True)
def _test_database_left_alone_at_the_end(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end any session a thread left on it (a live
    server's request thread still held open by the browser when the server stopped):
    otherwise the drop fails with "being accessed by other users" and the database stays.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


# Variables that would point a fresh process away from its embedded default.
SERVICE_VARIABLES = (
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "PAGE_CACHE_URL", "PRIVATE_ROOT",
)  # fmt: skip


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (in WAL mode the file alone may lag)."""
    import sqlite3

    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite database migrated from nothing by ``manage.py migrate``, as `make run`
    makes it: once per run (the first test process to need it migrates it while the
    others wait on a lock), and copied by the tests that need one (the SQLite
    triggers, the SQLite rush, the benchmarks), which each migrated their own."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each process's own
    folder = shared / "sqlite-migrated"
    folder.mkdir(exist_ok=True)
    database, done = folder / "db.sqlite3", folder / "migrated"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
                env.update(
                    DATABASE_URL=f"sqlite:///{database}",
                    ZABUNI_VAR_DIR=str(folder / "var"),
                    DJANGO_ENV="test",
                )
                migrate = subprocess.run(
                    [sys.executable, "manage.py", "migrate", "--noinput"],
                    cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
                )  # fmt: skip
                assert migrate.returncode == 0, migrate.stderr[-3000:]
                done.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return database


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    """A request in Swahili leaves Swahili active in its thread (LocaleMiddleware
    activates a language and nothing deactivates it): each test starts in the
    default language, whichever test its process ran before it."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_opening_grace(settings):
    """Most tests open a call a moment after its deadline; the grace has its own tests."""
    settings.OPENING_GRACE_SECONDS = 0


@pytest.fixture(autouse=True)
def _private_storage_in_tmp(settings, tmp_path):
    """Each test gets its own private folder, so no test sees another's files."""
    storages = dict(settings.STORAGES)
    private = dict(storages["private"])
    if private["BACKEND"].endswith("PrivateFileSystemStorage"):
        private["OPTIONS"] = {"location": str(tmp_path / "private")}
        storages["private"] = private
        settings.STORAGES = storages
        settings.PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def site_root(db):
    """A home page with a call index and a news index, as the demo builds them."""
    from tests.factories import build_site

    return build_site()


class _Worker:
    """One real Celery worker process on Redis for the whole run, sharing the test
    database; it consumes only while a test that asked for it runs."""

    QUEUES = ("celery", "heavy")

    def __init__(self, private_root: Path):
        self.private_root = private_root
        self.process = None
        self.log = None

    def start(self, connection):
        from portal.celery import app

        broker = services.redis_url()
        db = connection.settings_dict
        database_url = (
            f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": broker,
            "CELERY_BROKER_URL": broker,
            "PRIVATE_ROOT": str(self.private_root),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        app.control.purge()
        ARTIFACTS.mkdir(exist_ok=True)
        self.log = open(ARTIFACTS / "celery-worker.log", "ab")
        self.name = f"zabuni-test-{os.getpid()}@%h"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                self.name,
                "-Q",
                ",".join(self.QUEUES),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        # A loaded machine takes a while to import Django and Wagtail.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("The Celery worker exited at start-up; see test-artifacts/")
            if self.ping(app):
                return
        pytest.fail("The Celery worker did not answer a ping within 120 s")

    def ping(self, app, timeout=1.0):
        return app.control.ping(destination=[self.hostname], timeout=timeout)

    @property
    def hostname(self):
        import socket

        return self.name.replace("%h", socket.gethostname())

    def consume(self, app, on: bool):
        """Start or stop consuming its queues; waits for the worker's answer (a running
        task finishes first: the pool is solo)."""
        for queue in self.QUEUES:
            command = app.control.add_consumer if on else app.control.cancel_consumer
            replies = command(queue, destination=[self.hostname], reply=True, timeout=60)
            if not replies:
                pytest.fail(f"The Celery worker did not answer {'add' if on else 'cancel'}")

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        self.process = None


@pytest.fixture(scope="session")
def _shared_celery_worker(django_db_setup, tmp_path_factory):
    # After the test database is set up, so stopped before it is dropped.
    worker = _Worker(tmp_path_factory.mktemp("worker-private"))
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(transactional_db, django_db_serialized_rollback, _shared_celery_worker):
    """A real Celery worker process on Redis, sharing the test database.

    It is a separate process, so it sees only committed rows: tests that use
    it run without the wrapping transaction (``transactional_db``). Serialized
    rollback restores the rows migrations made (Wagtail's root page) after.
    The process is started once for the run (it takes seconds to import the
    portal) and consumes only during the tests that ask for it: tasks other
    tests queue are purged before, as they were when each test had its own.
    Its private storage is one folder, emptied before each test.
    """
    from django.db import connection

    from portal.celery import app

    services.require_postgres(connection)
    worker = _shared_celery_worker
    if not worker.alive():
        worker.start(connection)
        worker.consume(app, on=False)
    root = worker.private_root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    storages = dict(settings.STORAGES)
    private = dict(storages["private"])
    if private["BACKEND"].endswith("PrivateFileSystemStorage"):
        private["OPTIONS"] = {"location": str(root)}
        storages["private"] = private
    _override = override_settings(STORAGES=storages, PRIVATE_ROOT=root)
    _override.enable()
    app.control.purge()
    worker.consume(app, on=True)
    try:
        yield app
    finally:
        if worker.alive():
            worker.consume(app, on=False)
        _override.disable()
        app.control.purge()


def wait_for(predicate, timeout=30.0, interval=0.2):
    """Poll until ``predicate()`` is truthy; return its value or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Condition not met within {timeout} s")


@pytest.fixture
def browser(monkeypatch):
    """Headless Debian Chromium driven by Playwright."""
    path = services.require_chromium()
    # Playwright's sync API runs an event loop in this thread; the live
    # server's ORM calls happen in its own thread, so this is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- The people around a bid, calls, quiet mail ---------------------------------

TECHNICAL = "Technical proposal"
FINANCIAL = "Financial proposal"


@pytest.fixture(autouse=True)
def _force_login_verifies_a_second_factor(request, monkeypatch):
    """``client.force_login`` stands for a finished sign-in: for those who need a
    second factor (accounts.second_factor), a verified one. Tests of the rule
    itself mark themselves ``password_only``."""
    if request.node.get_closest_marker("password_only"):
        return
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts.second_factor import needs_second_factor

        if needs_second_factor(user):
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="default", defaults={"confirmed": True}
            )
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with no request counted against the rate limits (their own
    cache: with Redis, only keys under its prefix are deleted, never the broker's)."""
    from django.core.cache import caches

    limits = caches["ratelimit"]
    if hasattr(limits, "delete_pattern"):
        limits.delete_pattern("*")
    else:
        limits.clear()
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are created by the dozen here; PBKDF2 would make that the slowest part."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def no_outbox_dispatch(monkeypatch):
    """Outbox rows are written as usual; handing them to a broker after commit is a no-op.

    Tests that run on-commit callbacks (to see files deleted from storage) would
    otherwise push tasks to whatever broker the environment points at.
    """
    dispatched = []
    monkeypatch.setattr(
        "notifications.services.outbox_dispatch",
        lambda *, message_ids: dispatched.extend(message_ids) or True,
    )
    return dispatched


@pytest.fixture
def consultancy_call(site_root):
    """An open call for consultancy: a technical proposal and a priced offer, both required."""
    return make_call(
        site_root["calls"],
        documents=[
            (TECHNICAL, "technical", True, "pdf", 5),
            (FINANCIAL, "financial", True, "pdf,xlsx", 5),
        ],
    )


@pytest.fixture
def grant_call(site_root):
    """An open grant call with a ceiling of KES 100,000 and one required document."""
    return make_call(
        site_root["calls"],
        kind="grant",
        documents=[("Grant proposal", "technical", True, "pdf", 5)],
    )


@pytest.fixture
def applicant(db):
    return UserFactory(email="amina.wanjiru@example.org")


@pytest.fixture
def staff_user(db):
    """Programme staff: is_staff, and an Editor in the Wagtail admin so it loads."""
    return in_group(
        StaffFactory(email="staff.officer@example.org"), "Editors", "wagtailadmin.access_admin"
    )


@pytest.fixture
def superuser(db):
    return SuperuserFactory(email="root@example.org")


@pytest.fixture
def reviewer(db):
    """A panel member: in the Reviewers group, not staff."""
    return in_group(UserFactory(email="panel.reviewer@example.org"), "Reviewers")
