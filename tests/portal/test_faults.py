"""Faults injected for real: an SMTP server stopped for hours, Redis stopped under
registration and submit, a worker killed with SIGKILL mid-delivery and mid-sheet.

Each test starts its own Redis, SMTP server (aiosmtpd) and Celery worker on free
ports, and counts what arrived at the SMTP server, not rows in the outbox.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboxMessage, OutboxState
from notifications.policy import lease
from notifications.services import outbox_enqueue, outbox_sweep
from tests import services
from tests.factories import UserFactory, make_call, submit_bid
from tests.portal.fault_support import (
    RedisServer,
    SMTPSink,
    Worker,
    celery_broker,
    wait_until,
    worker_env,
)

pytestmark = pytest.mark.services

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def smtp(settings):
    """A real SMTP server this process's mail goes to; started by the test."""
    sink = SMTPSink()
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 5
    yield sink
    sink.stop()


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def notice(user, key="fault") -> OutboxMessage:
    return outbox_enqueue(
        to=user.email,
        template="accounts/emails/verify_email",
        context={"user": user, "verify_url": "http://x/"},
        dedupe_key=f"verify:{user.pk}:{key}",
    )


def database_url(connection) -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


# --- SMTP ----------------------------------------------------------------------------


def test_six_hours_without_smtp_then_every_message_arrives_once(db, smtp):
    """The old policy gave up after ten attempts, under three minutes of outage."""
    messages = [notice(UserFactory()) for _ in range(5)]
    start = timezone.now()

    # The server is down: beat's sweep runs every minute for six hours.
    for minute in range(0, 6 * 60):
        outbox_sweep(now=start + timedelta(minutes=minute))

    states = OutboxMessage.objects.values_list("state", "attempts")
    assert {state for state, _ in states} == {OutboxState.PENDING}
    assert min(attempts for _, attempts in states) > 10
    assert smtp.received == []

    smtp.start()
    outbox_sweep(now=start + timedelta(hours=7))

    assert smtp.by_message_id() == {m.message_id: 1 for m in messages}
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.SENT}
    # Later sweeps send nothing more.
    outbox_sweep(now=start + timedelta(hours=8))
    assert len(smtp.received) == 5


# --- Redis -----------------------------------------------------------------------------


def test_with_redis_down_pages_registration_and_submit_all_work(
    client, db, settings, smtp, redis_server, site_root, no_outbox_dispatch
):
    """Redis is the cache and the broker, as in compose. Stopped, nothing answers 500."""
    cache = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": redis_server.url,
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "IGNORE_EXCEPTIONS": True,
        },
    }
    # The rate limits' counters too: with Redis down they are not counted (fail open).
    settings.CACHES = {"default": cache, "ratelimit": {**cache, "KEY_PREFIX": "ratelimit"}}
    client.raise_request_exception = False
    call = make_call(site_root["calls"])
    applicant = UserFactory()
    draft = submit_bid(call, applicant, submit=False)
    assert client.get("/").status_code == 200  # the cache is warm

    redis_server.stop()
    with celery_broker(redis_server.url):
        for path in ("/", call.url, site_root["calls"].url, reverse("accounts:register")):
            assert client.get(path).status_code == 200, path
        registered = client.post(
            reverse("accounts:register"),
            {
                "email": "amani@example.org",
                "first_name": "Amani",
                "last_name": "Otieno",
                "password1": "Haki-na-usalama-2026",
                "password2": "Haki-na-usalama-2026",
            },
        )
        assert registered.status_code == 200
        assert "Check your email" in registered.content.decode()

        client.force_login(applicant)
        submitted = client.post(
            f"/bids/{draft.pk}/",
            {"action": "submit", "offer_amount": "1250000", "offer_currency": "KES"},
        )
        assert submitted.status_code == 302, submitted.content.decode()[:500]
        receipt = client.get(submitted.url)
        assert receipt.status_code == 200
        assert "Receipt" in receipt.content.decode()

    draft.refresh_from_db()
    assert draft.status == "submitted"
    # The mail waits in the outbox; once SMTP is reachable the sweep sends it.
    smtp.start()
    outbox_sweep()
    assert {to for _, to in smtp.received} == {"amani@example.org", applicant.email}


# --- Killed workers ---------------------------------------------------------------------


@pytest.fixture
def broker(transactional_db, django_db_serialized_rollback, redis_server):
    from django.db import connection

    services.require_postgres(connection)
    return redis_server


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_the_one_in_flight(
    broker, settings
):
    from django.db import connection

    sink = SMTPSink(delay=0.3)
    sink.start()
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 5
    env = worker_env(
        database_url=database_url(connection), broker_url=broker.url, smtp_port=sink.port
    )
    worker = Worker(env, log_name="fault-worker-mail.log")
    try:
        with celery_broker(broker.url), transaction.atomic():
            messages = [notice(UserFactory(), key=str(n)) for n in range(8)]
        wait_until(lambda: len(sink.received) >= 3, 60, what="three messages at the server")
        worker.kill()
    finally:
        worker.stop()

    arrived_before = len(sink.received)
    assert arrived_before < 8, "the worker finished before it was killed"
    # The dead worker's claim runs out; beat's sweep sends the rest.
    outbox_sweep(now=timezone.now() + lease() + timedelta(seconds=1))
    sink.stop()

    counts = sink.by_message_id()
    assert set(counts) == {m.message_id for m in messages}
    repeated = [mid for mid, n in counts.items() if n > 1]
    assert len(repeated) <= 1, counts
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.SENT}


@pytest.fixture
def sheet_evaluation(broker, site_root):
    from tests.reviews.sheet_support import evaluation_builder

    return evaluation_builder(site_root)(n=3, open_financial=True)


@pytest.mark.long_running
@pytest.mark.parametrize("kill", ["pool-process", "whole-worker"])
def test_a_sheet_whose_worker_is_killed_is_built_once_after_all(
    sheet_evaluation, broker, settings, kill
):
    from django.db import connection

    from reviews.models import ScoringSheet, SheetStatus
    from reviews.services.sheets import scoring_sheet_request

    sink = SMTPSink()
    sink.start()
    env = worker_env(
        database_url=database_url(connection),
        broker_url=broker.url,
        smtp_port=sink.port,
        # A short time limit makes the broker's visibility timeout (twice it) short.
        extra={
            "CELERY_TASK_TIME_LIMIT": "10",
            "CELERY_TASK_SOFT_TIME_LIMIT": "9",
            "CELERY_UNACKED_RESTORE_SECONDS": "2",
        },
    )
    worker = Worker(env, app="tests.portal.fault_worker", log_name="fault-worker-sheet.log")
    try:
        with celery_broker(broker.url):
            sheet = scoring_sheet_request(
                call=sheet_evaluation["call"], user=sheet_evaluation["staff"]
            )

        def running():
            return ScoringSheet.objects.get(pk=sheet.pk).status == SheetStatus.RUNNING

        wait_until(running, 60, what="the sheet being assembled")
        if kill == "pool-process":
            worker.kill_child()  # the main process gives the task back and starts a new child
        else:
            worker.kill()
            worker.stop()
            worker = Worker(
                env, app="tests.portal.fault_worker", log_name="fault-worker-sheet.log"
            )

        def finished():
            return ScoringSheet.objects.get(pk=sheet.pk).status in (
                SheetStatus.DONE,
                SheetStatus.FAILED,
            )

        wait_until(finished, 90, interval=0.5, what="the sheet to finish")
        notice = OutboxMessage.objects.get(dedupe_key=f"sheet_ready:{sheet.pk}")
        wait_until(lambda: sink.by_message_id(), 30, what="the sheet-ready mail")
    finally:
        worker.stop()
        sink.stop()

    sheet.refresh_from_db()
    assert (sheet.status, sheet.progress, sheet.error) == (SheetStatus.DONE, 100, "")
    # The requester is told once, at the SMTP server.
    assert sink.by_message_id() == {notice.message_id: 1}
    assert [to for _, to in sink.received] == [sheet_evaluation["staff"].email]
