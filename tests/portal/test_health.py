"""Load balancers' probes and Prometheus' metrics (portal.health, portal.metrics)."""

import math
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from applications.choices import AuditAction
from applications.models.audit import AuditEvent
from notifications.models import OutboxMessage, OutboxState
from portal import health
from portal.tasks import HEARTBEAT_KEY, beat_heartbeat
from reviews.models.sheets import ScoringSheet, SheetStatus
from tests import services
from tests.factories import StaffFactory, make_call

GAUGES = (
    "zabuni_outbox_pending",
    "zabuni_outbox_oldest_pending_seconds",
    "zabuni_outbox_failed",
    "zabuni_sheets_building",
    "zabuni_audit_unchained",
    "zabuni_beat_last_run_seconds",
)
CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _each_readyz_checks_anew():
    """/readyz reuses its verdict for a second; these tests change what it finds."""
    from portal.health import readiness_forget

    readiness_forget()
    yield
    readiness_forget()


@pytest.fixture
def redis_up():
    services.redis_url()


def _samples(response) -> dict:
    """{(name, labels as a sorted tuple): value} of a Prometheus text answer."""
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def _gauge(client, name: str) -> float:
    return _samples(client.get("/metrics"))[name, ()]


# --- /healthz ------------------------------------------------------------------


def test_healthz_answers_anyone_without_asking_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response["Cache-Control"]


def test_healthz_and_readyz_are_never_kept_by_the_page_cache(client, db, settings, redis_up):
    settings.PAGE_CACHE = True

    for path in ("/healthz", "/readyz", "/healthz", "/readyz"):
        response = client.get(path)
        assert "X-Page-Cache" not in response
        assert "no-store" in response["Cache-Control"]


def test_a_probe_over_plain_http_is_answered_not_redirected(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/account/login/").status_code == 301  # the rest still goes to https


# --- /readyz -------------------------------------------------------------------


def test_readyz_answers_200_when_every_part_answers(client, db, redis_up):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "storage": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_names_redis_when_it_is_unreachable_and_nothing_more(
    client, db, settings, redis_up
):
    settings.REDIS_URL = CLOSED_PORT

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "redis": "unreachable", "storage": "ok"}
    assert b"127.0.0.1" not in response.content


def test_readyz_names_the_database_when_it_refuses_connections(client, db, monkeypatch, redis_up):
    # The request's own connection is already open; the probe opens its own.
    monkeypatch.setitem(connection.settings_dict, "PORT", "1")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert response.json()["storage"] == "ok"


def test_readyz_names_storage_when_it_fails_without_telling_why(client, db, monkeypatch, redis_up):
    class DeadStore:
        def exists(self, name):
            raise OSError("/srv/private/secret-bucket is not mounted")

    monkeypatch.setattr(health, "private_storage", lambda: DeadStore())

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "redis": "ok", "storage": "unreachable"}
    assert b"secret" not in response.content


def test_a_check_that_hangs_is_unreachable_at_the_deadline_not_awaited():
    release = threading.Event()
    try:
        results = health.run_checks(
            {"hung": lambda: release.wait(60), "quick": lambda: None}, seconds=0.2
        )
    finally:
        release.set()

    assert results == {"hung": "unreachable", "quick": "ok"}


def test_each_check_passes_timeouts_within_the_deadline(monkeypatch, settings, redis_up):
    assert health.CHECK_SECONDS <= 1
    passed = []

    class RecordingRedis(health.Redis):
        @classmethod
        def from_url(cls, url, **kwargs):
            passed.append(kwargs)
            return super().from_url(url, **kwargs)

    monkeypatch.setattr(health, "Redis", RecordingRedis)
    health.redis_answers([settings.REDIS_URL])

    assert passed[0]["socket_connect_timeout"] <= health.CHECK_SECONDS
    assert passed[0]["socket_timeout"] <= health.CHECK_SECONDS
    assert passed[0]["retry"].get_retries() == 0
    assert health.S3_PROBE_CONFIG.connect_timeout <= health.CHECK_SECONDS
    assert health.S3_PROBE_CONFIG.read_timeout <= health.CHECK_SECONDS
    assert health.S3_PROBE_CONFIG.retries == {"max_attempts": 1}


def test_the_database_check_asks_for_a_connect_timeout(db, monkeypatch):
    seen = {}
    load_backend = health.load_backend

    def recording(engine):
        backend = load_backend(engine)

        class Recorded(backend.DatabaseWrapper):
            def __init__(self, settings_dict, alias):
                seen.update(settings_dict["OPTIONS"])
                super().__init__(settings_dict, alias)

        return type("Backend", (), {"DatabaseWrapper": Recorded})

    monkeypatch.setattr(health, "load_backend", recording)
    results = health.run_checks(health._checks(), seconds=health.CHECK_SECONDS)

    assert results["database"] == "ok"
    if connection.vendor == "postgresql":
        # libpq takes whole seconds (and waits at least 2): the answer does not wait.
        assert seen["connect_timeout"] == 1
    else:
        assert seen["timeout"] == health.CHECK_SECONDS


# --- /metrics ------------------------------------------------------------------


def test_metrics_are_not_found_from_an_address_not_allowed(client, db):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 404
    assert b"zabuni_" not in response.content


def test_metrics_are_not_found_through_a_proxy_nobody_trusted(client, db, settings):
    """nginx on the same host relays the world from 127.0.0.1: the header gives it away."""
    settings.TRUSTED_PROXIES = []

    response = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert response.status_code == 404


def test_metrics_behind_a_trusted_proxy_judge_the_client(client, db, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]

    allowed = client.get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3")
    outsider = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert allowed.status_code == 200
    assert outsider.status_code == 404


def test_metrics_from_an_allowed_address_name_every_gauge(client, db):
    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"]
    names = {name for name, _ in _samples(response)}
    assert set(GAUGES) <= names
    assert "zabuni_http_requests_total" in names


def _message(key: str, state: str, *, age: timedelta) -> OutboxMessage:
    message = OutboxMessage.objects.create(
        dedupe_key=key, to_email="someone@example.org", subject="s", body_text="b", state=state
    )
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - age)
    return message


def test_the_gauges_follow_the_database(client, site_root):
    _message("old", OutboxState.PENDING, age=timedelta(hours=2))
    _message("new", OutboxState.SENDING, age=timedelta(minutes=1))
    _message("gone", OutboxState.SENT, age=timedelta(days=3))
    _message("given-up", OutboxState.FAILED, age=timedelta(days=4))
    call = make_call(site_root["calls"])
    staff = StaffFactory()
    for status in (SheetStatus.QUEUED, SheetStatus.RUNNING, SheetStatus.DONE):
        ScoringSheet.objects.create(call=call, requested_by=staff, blind=False, status=status)
    unchained_before = AuditEvent.objects.filter(seq__isnull=True).count()
    AuditEvent.objects.create(action=AuditAction.SUBMISSION_VIEWED, call=call)

    samples = _samples(client.get("/metrics"))

    assert samples["zabuni_outbox_pending", ()] == 2
    assert 2 * 3600 <= samples["zabuni_outbox_oldest_pending_seconds", ()] < 3 * 3600
    assert samples["zabuni_outbox_failed", ()] == 1
    assert samples["zabuni_sheets_building", ()] == 2
    assert samples["zabuni_audit_unchained", ()] == unchained_before + 1


def test_an_empty_outbox_has_no_oldest_message(client, db):
    assert _gauge(client, "zabuni_outbox_pending") == 0
    assert _gauge(client, "zabuni_outbox_oldest_pending_seconds") == 0


def test_beat_is_unseen_until_its_heartbeat_runs(client, db):
    cache.delete(HEARTBEAT_KEY)
    assert _gauge(client, "zabuni_beat_last_run_seconds") == math.inf

    beat_heartbeat()

    assert 0 <= _gauge(client, "zabuni_beat_last_run_seconds") < 60


def test_requests_are_counted_by_url_name_never_by_path(client, db):
    client.get("/bids/4242/")
    client.get("/bids/4242/")

    samples = _samples(client.get("/metrics"))
    counted = {}  # by view, summed over methods and statuses (other tests count too)
    for (name, labels), value in samples.items():
        if name == "zabuni_http_requests_total":
            view = dict(labels)["view"]
            counted[view] = counted.get(view, 0) + value

    assert counted["applications:submission"] >= 2
    assert not any("4242" in view or "/" in view for view in counted)


def test_an_unknown_method_is_one_label(client, db):
    client.generic("BREW", "/healthz")

    samples = _samples(client.get("/metrics"))
    methods = {
        dict(labels)["method"]
        for (name, labels), _ in samples.items()
        if name.startswith("zabuni_http")
    }

    assert "BREW" not in methods
    assert "other" in methods


def test_a_flood_of_readiness_probes_checks_once_while_fresh(client, db, monkeypatch, redis_up):
    from portal import health

    runs = []
    real = health.run_checks
    monkeypatch.setattr(health, "run_checks", lambda *a, **k: runs.append(1) or real(*a, **k))
    monkeypatch.setattr(health, "FRESH_SECONDS", 3600)  # however slow this machine is

    answers = [client.get("/readyz").status_code for _ in range(20)]

    assert answers == [200] * 20
    assert len(runs) == 1  # every probe while the verdict is fresh got the same one
