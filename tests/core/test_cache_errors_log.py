"""A cache outage is one log line per kind of failure a minute (issue 21, item 11).

The cache here is django-redis pointed at a port nobody listens on: the shared
Redis is never stopped. Its ignored errors go to the ``portal.cache`` logger,
whose filter (core/cache_log.py) is set in the settings' LOGGING.
"""

import logging
import socket

import pytest
from django_redis.cache import RedisCache

from core.cache_log import OncePerMinute

LOGGER = "portal.cache"


def closed_port() -> int:
    """A port that was free a moment ago and has no listener."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_cache(settings):
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.DJANGO_REDIS_LOGGER = LOGGER
    return RedisCache(
        f"redis://127.0.0.1:{closed_port()}/0",
        {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "IGNORE_EXCEPTIONS": True}},
    )


@pytest.fixture
def clock(monkeypatch):
    """The settings' filter on the cache logger, with a clock the test moves."""
    filters = [f for f in logging.getLogger(LOGGER).filters if isinstance(f, OncePerMinute)]
    assert filters, "LOGGING sets no OncePerMinute filter on portal.cache"
    now = [1000.0]
    # Every copy of it: a test that sets Django up again (Celery's import of the task
    # modules does) has dictConfig add the filter once more, and each must follow.
    for one in filters:
        monkeypatch.setattr(one, "clock", lambda: now[0])
        monkeypatch.setattr(one, "_kinds", {})
    return now


def records(caplog):
    return [r for r in caplog.records if r.name == LOGGER]


def test_a_hundred_failed_calls_in_a_minute_log_one_line(unreachable_cache, clock, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    for n in range(50):
        assert unreachable_cache.get(f"key-{n}") is None  # a miss, never an error page
        unreachable_cache.set(f"key-{n}", "value")
    clock[0] += 59
    unreachable_cache.get("one more")
    logged = records(caplog)
    assert len(logged) == 1
    text = caplog.text
    assert "Traceback" not in text and "Connection refused" in text
    assert len([line for line in text.splitlines() if line.strip()]) == 1


def test_the_next_minute_logs_one_line_with_how_many_were_left_out(
    unreachable_cache, clock, caplog
):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    for n in range(30):
        unreachable_cache.get(f"key-{n}")
    clock[0] += 61
    unreachable_cache.get("a minute later")
    logged = records(caplog)
    assert len(logged) == 2
    assert logged[1].exc_info is None
    assert "29 more of this kind" in logged[1].getMessage()


def test_each_kind_of_failure_has_its_own_line(clock, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    logger = logging.getLogger(LOGGER)
    for error in (ConnectionError("refused"), TimeoutError("timed out")) * 10:
        try:
            raise error
        except OSError:
            logger.exception("Exception ignored")
    kinds = [r.getMessage() for r in records(caplog)]
    assert kinds == [
        "Exception ignored: ConnectionError: refused",
        "Exception ignored: TimeoutError: timed out",
    ]
