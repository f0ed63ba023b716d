"""Prometheus metrics at ``/metrics``, for the addresses in ``METRICS_ALLOWED_IPS`` only.

- ``zabuni_http_requests_total{view,method,status}``, counted by
  ``RequestCountMiddleware``. ``view`` is the URL pattern's name (``accounts:login``,
  ``wagtail_serve``), never the path: paths carry ids and tokens, and every
  distinct label value is a series Prometheus keeps.
- The backlog, read from the database at each scrape (``PortalCollector``; no
  thread, no state in the process): mail not yet delivered and the age of the
  oldest, mail given up on, scoring sheets being built, audit events not yet
  chained, and the seconds since beat's heartbeat (``portal.tasks``) last ran.

Several gunicorn workers each count their own requests, and a scrape reaches one
of them. With ``PROMETHEUS_MULTIPROC_DIR`` set (an empty folder the workers share,
emptied before each start), prometheus_client keeps each worker's counts in files
there, and a scrape sums them all (its multiprocess mode). Without it, the counts
are this process's alone: right for ``make run``, wrong for several workers.
"""

import ipaddress
import math
import os
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from applications.models.audit import AuditEvent
from core.client_ip import client_ip
from notifications.models import OutboxMessage, OutboxState
from portal.tasks import HEARTBEAT_KEY
from reviews.models.sheets import ScoringSheet, SheetStatus

# Not in prometheus_client's global registry: each scrape builds its own (below). In
# multiprocess mode prometheus_client writes it to PROMETHEUS_MULTIPROC_DIR, chosen
# when prometheus_client is first imported.
REQUESTS = Counter(
    "zabuni_http_requests",
    "Requests answered, by URL name, method and status.",
    ["view", "method", "status"],
    registry=None,
)
# Anything else a client sends as a method is one label, not a new series each.
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
# Headers a proxy adds. Arriving from an address not in TRUSTED_PROXIES, they mean
# REMOTE_ADDR is a proxy we were not told about (nginx on 127.0.0.1, say), and the
# real client is unknown: refused, or the default list would let the world in.
FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
UNRESOLVED = "<unresolved>"


class RequestCountMiddleware:
    """First in MIDDLEWARE, so it counts every answer: the page cache's, redirects,
    refusals by the middleware below it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(view_name(request), method, str(response.status_code)).inc()
        return response


def view_name(request) -> str:
    """The URL pattern's name, as ``reverse`` takes it; resolved here when the
    answer came before the URL was (a cached page, a redirect)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return UNRESOLVED
    return match.view_name


class PortalCollector(Collector):
    """The backlog, read at each scrape: five small queries and one cache read."""

    def collect(self):
        now = timezone.now()
        undelivered = OutboxMessage.objects.undelivered()
        oldest = undelivered.order_by("created_at").values_list("created_at", flat=True).first()
        yield _gauge("outbox_pending", "Mail not yet delivered.", undelivered.count())
        yield _gauge(
            "outbox_oldest_pending_seconds",
            "Age of the oldest mail not yet delivered (0 when none).",
            (now - oldest).total_seconds() if oldest else 0,
        )
        yield _gauge(
            "outbox_failed",
            "Mail given up on, waiting for staff to retry it.",
            OutboxMessage.objects.filter(state=OutboxState.FAILED).count(),
        )
        building = ScoringSheet.objects.filter(
            status__in=[SheetStatus.QUEUED, SheetStatus.RUNNING]
        )
        yield _gauge("sheets_building", "Scoring sheets queued or being built.", building.count())
        yield _gauge(
            "audit_unchained",
            "Audit events not yet linked into the hash chain.",
            AuditEvent.objects.filter(seq__isnull=True).count(),
        )
        yield _gauge(
            "beat_last_run_seconds",
            "Seconds since beat's heartbeat last ran on a worker (+Inf: never seen).",
            _seconds_since_heartbeat(),
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"zabuni_{name}", documentation, value=value)


def _seconds_since_heartbeat() -> float:
    # Written with the worker's clock, read with this one: both kept by NTP, and an
    # alert on beat is about minutes.
    beat = cache.get(HEARTBEAT_KEY)
    return max(0.0, time.time() - beat) if beat is not None else math.inf


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
    registry.register(PortalCollector())
    return registry


@never_cache
@require_safe
def metrics(request):
    # 404, the answer to any unknown path: a refused scraper learns nothing, not
    # even that metrics exist here.
    if not may_scrape(request):
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def may_scrape(request) -> bool:
    remote = request.META.get("REMOTE_ADDR", "")
    relayed = any(header in request.META for header in FORWARDING_HEADERS)
    if relayed and not _within(remote, settings.TRUSTED_PROXIES):
        return False
    return _within(client_ip(request), settings.METRICS_ALLOWED_IPS)


def _within(address: str | None, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(networks)))


@lru_cache(maxsize=8)
def _networks(addresses: tuple[str, ...]):
    return tuple(ipaddress.ip_network(a, strict=False) for a in addresses)
