"""The time of receipt: when the server had the whole request, by the database clock.

A deadline is judged against this moment, not against the moment processing
ends: a bid whose last byte arrived before ``closes_at`` is on time even if
storing its files or waiting for a row lock takes it past the deadline.

The upload handler notes, on this process's monotonic clock, the instant the
multipart body was fully read. The stamp is then the database's clock, read
once before any file is stored or any lock awaited, minus the time that has
passed since that instant: the database stays the one authority for what time
it is, and a busy server's own delays (a session lookup, a wait for a database
connection) are not counted against the applicant.
"""

import time
from datetime import datetime, timedelta
from functools import wraps

from core.clock import db_now


def time_of_receipt(request) -> datetime:
    """The moment the whole of ``request`` had arrived, read once from the database."""
    received_at = getattr(request, "_zabuni_received_at", None)
    if received_at is None:
        # Reading POST and FILES consumes the whole body first (CsrfViewMiddleware
        # has usually done so already; then this costs nothing).
        request.POST  # noqa: B018
        request.FILES  # noqa: B018
        now = db_now()
        body_read_at = getattr(request, "_zabuni_body_read_at", None)
        if body_read_at is not None:
            now -= timedelta(seconds=max(0.0, time.monotonic() - body_read_at))
        received_at = request._zabuni_received_at = now
    return received_at


def stamps_receipt(view):
    """Stamp the time of receipt of every POST before the view does anything else."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            time_of_receipt(request)
        return view(request, *args, **kwargs)

    return wrapped
