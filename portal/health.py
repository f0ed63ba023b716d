"""Probes for load balancers and orchestrators.

``/healthz`` says this process answers: no database, no cache, nothing else, so a
restart is never triggered by a dependency's outage. ``/readyz`` says it can serve:
the database, Redis and private storage each answer, checked side by side, and the
answer comes within ``CHECK_SECONDS`` whatever hangs. Each check also passes its own
connect and read timeouts, so a thread left waiting on a dead server ends soon after.

Both answer anyone, signed in or not, are never cached, and name only which part
failed ("unreachable"), never why: an exception's text can carry a host, a user
name or a bucket. The log gets the exception's class.
"""

import copy
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from functools import lru_cache

from botocore.config import Config as BotoConfig
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from core.storage import PrivateS3Storage, private_storage

logger = logging.getLogger(__name__)

# The whole answer, and each server's connect and read timeout. PostgreSQL's client
# waits at least 2 s to connect whatever is asked; the answer does not wait for it.
CHECK_SECONDS = 1.0
# An object nobody writes: asking whether it exists is a read the store must answer.
STORAGE_PROBE_NAME = "readyz-probe"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


@never_cache
@require_safe
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def readyz(request):
    results = readiness()
    ready = all(result == "ok" for result in results.values())
    return JsonResponse(results, status=200 if ready else 503)


# Anyone may ask, as often as they like: one check at a time per process, and its
# verdict reused for FRESH_SECONDS, so a flood of probes opens no flood of connections
# to the database, Redis and the store.
FRESH_SECONDS = 1.0
_verdict_lock = threading.Lock()
_verdict: dict = {"at": float("-inf"), "results": None}


def readiness() -> dict:
    with _verdict_lock:
        if time.monotonic() - _verdict["at"] >= FRESH_SECONDS:
            _verdict["results"] = run_checks(_checks(), seconds=CHECK_SECONDS)
            _verdict["at"] = time.monotonic()
        return dict(_verdict["results"])


def readiness_forget() -> None:
    """The next ``/readyz`` checks again (tests change what it would find)."""
    with _verdict_lock:
        _verdict["at"] = float("-inf")


def _checks() -> dict[str, Callable[[], None]]:
    # Read here, in the request's thread: the settings as the request sees them.
    database = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    checks = {"database": lambda: database_answers(database)}
    if urls := redis_urls():
        checks["redis"] = lambda: redis_answers(urls)
    storage = private_storage()
    checks["storage"] = lambda: storage_answers(storage)
    return checks


def run_checks(checks: dict[str, Callable[[], None]], *, seconds: float) -> dict:
    """Each check in its own thread; "ok" for those that returned within ``seconds``."""
    executor = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    futures = {name: executor.submit(check) for name, check in checks.items()}
    done, _ = wait(futures.values(), timeout=seconds)
    # Not waiting for a hung check: its own timeouts end its thread.
    executor.shutdown(wait=False, cancel_futures=True)
    results = {}
    for name, future in futures.items():
        error = future.exception() if future in done else TimeoutError()
        if error is not None:
            logger.warning("Readiness: %s unreachable (%s)", name, type(error).__name__)
        results[name] = "ok" if error is None else "unreachable"
    return results


def database_answers(settings_dict: dict) -> None:
    """``SELECT 1`` on a connection of its own, opened with a connect timeout, then closed.

    Not the request's connection: that one has no connect timeout, and a thread
    must not share it."""
    options = settings_dict.setdefault("OPTIONS", {})
    options.pop("pool", None)
    engine = settings_dict["ENGINE"]
    if "postgresql" in engine:
        options["connect_timeout"] = int(CHECK_SECONDS)
    elif "sqlite" in engine:
        options["timeout"] = CHECK_SECONDS
    wrapper = load_backend(engine).DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        wrapper.close()


def redis_urls() -> list[str]:
    """Every Redis the portal uses: the cache, the page cache, the broker."""
    urls = {settings.REDIS_URL, settings.PAGE_CACHE_URL, settings.CELERY_BROKER_URL}
    for cache in settings.CACHES.values():
        if "redis" in cache.get("BACKEND", "").lower():
            location = cache.get("LOCATION", "")
            urls.update([location] if isinstance(location, str) else location)
    return sorted(url for url in urls if url and url.startswith(REDIS_SCHEMES))


def redis_answers(urls: list[str]) -> None:
    for url in urls:
        client = Redis.from_url(url, **redis_probe_options())
        try:
            client.ping()
        finally:
            client.close()


def redis_probe_options() -> dict:
    # redis-py retries a failed connect three times with backoff by default.
    return {
        "socket_connect_timeout": CHECK_SECONDS,
        "socket_timeout": CHECK_SECONDS,
        "retry": Retry(NoBackoff(), 0),
    }


def storage_answers(storage) -> None:
    if isinstance(storage, PrivateS3Storage):
        storage = _s3_probe(storage)
    storage.exists(STORAGE_PROBE_NAME)


# The store's own client waits 5 s to connect and retries three times; the probe asks
# once, with short timeouts. Made once per configured store (boto3's set-up is slow).
S3_PROBE_CONFIG = BotoConfig(
    connect_timeout=CHECK_SECONDS, read_timeout=CHECK_SECONDS, retries={"max_attempts": 1}
)


@lru_cache(maxsize=1)
def _s3_probe(storage: PrivateS3Storage) -> PrivateS3Storage:
    options = {**settings.STORAGES["private"].get("OPTIONS", {}), "client_config": S3_PROBE_CONFIG}
    return type(storage)(**options)
