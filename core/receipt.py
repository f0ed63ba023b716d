"""The time of receipt: when the whole request had arrived, by the database clock.

A deadline is judged against this moment, not against the moment processing
ends: a bid whose last byte arrived before ``closes_at`` is on time even if
storing its files or waiting for a row lock takes it past the deadline.

Where that moment comes from, best first:

1. **The proxy.** Behind a proxy listed in ``TRUSTED_PROXIES`` that buffers the
   body and stamps ``X-Request-Start: t=<seconds since the epoch>`` once the body
   had fully arrived (deploy/nginx.conf), that is the moment. It is believed only
   from a trusted proxy, and only when it is within ``RECEIPT_HEADER_MAX_AGE``
   before the database's clock and no more than ``RECEIPT_HEADER_MAX_AHEAD`` after
   it; otherwise it is ignored and logged, and the next source is used.
2. **The connection.** When the body's last byte was read from the connection,
   before any parsing (``core.arrival``, wrapping the WSGI input).
3. **The upload handler.** When the multipart body was fully parsed (a request that
   did not come through ``portal.wsgi``: the test client).

Each of 2 and 3 is a moment on this process's monotonic clock; the stamp is the
database's clock, read once before any file is stored or any lock awaited, minus
the time that has passed since that moment. The database stays the one authority
for what time it is, and a busy server's own delays (a session lookup, a wait for
a database connection) are not counted against the applicant.
"""

import logging
import re
import time
from datetime import UTC, datetime, timedelta
from functools import wraps

from django.conf import settings

from core.arrival import ARRIVED
from core.client_ip import is_trusted_proxy
from core.clock import db_now

logger = logging.getLogger(__name__)

REQUEST_START = re.compile(r"\s*t=(\d{9,11}(?:\.\d{1,6})?)\s*")


def _from_proxy(request, now: datetime) -> datetime | None:
    header = request.META.get("HTTP_X_REQUEST_START")
    if not header:
        return None
    if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
        logger.warning("X-Request-Start ignored: the request did not come from a trusted proxy")
        return None
    match = REQUEST_START.fullmatch(header)
    if not match:
        logger.warning("X-Request-Start ignored: not t=<seconds>")
        return None
    stamped = datetime.fromtimestamp(float(match[1]), tz=UTC)
    if not (
        now - settings.RECEIPT_HEADER_MAX_AGE <= stamped <= now + settings.RECEIPT_HEADER_MAX_AHEAD
    ):
        logger.warning(
            "X-Request-Start ignored: %.3f s from the database's clock",
            (stamped - now).total_seconds(),
        )
        return None
    return stamped


def _arrived_at(request) -> float | None:
    arrived = request.META.get(ARRIVED)
    return arrived if arrived is not None else getattr(request, "_zabuni_body_read_at", None)


def time_of_receipt(request) -> datetime:
    """The moment the whole of ``request`` had arrived, read once from the database."""
    received_at = getattr(request, "_zabuni_received_at", None)
    if received_at is None:
        # Reading POST and FILES consumes the whole body first (CsrfViewMiddleware
        # has usually done so already; then this costs nothing).
        request.POST  # noqa: B018
        request.FILES  # noqa: B018
        now = db_now()
        received_at = _from_proxy(request, now)
        if received_at is None:
            received_at = now
            arrived = _arrived_at(request)
            if arrived is not None:
                received_at -= timedelta(seconds=max(0.0, time.monotonic() - arrived))
        request._zabuni_received_at = received_at
    return received_at


def stamps_receipt(view):
    """Stamp the time of receipt of every POST before the view does anything else."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            time_of_receipt(request)
        return view(request, *args, **kwargs)

    return wrapped
