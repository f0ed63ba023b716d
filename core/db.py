"""Retrying a transaction that lost a race with another one.

PostgreSQL may abort one of two transactions that wait on each other
(deadlock, 40P01) or that cannot both be serialised (40001); SQLite answers
"database is locked" when its busy timeout runs out. None of these says
anything about the request itself: running the transaction again is the
right answer, a bounded number of times, and a 500 never is.
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection, transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_SQLSTATES = {"40P01", "40001"}
ATTEMPTS = 4
FIRST_PAUSE = 0.05


def is_transient(error: BaseException) -> bool:
    """A deadlock, a serialisation failure, or SQLite's busy database."""
    cause = error.__cause__ or error
    if getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(error) or "database table is locked" in str(error)


def atomic_with_retry(work: Callable[[], T], *, attempts: int = ATTEMPTS) -> T:
    """Run ``work()`` in its own transaction; run it again if it lost a race.

    Only the outermost transaction can be retried: inside another atomic
    block the error is raised as it is, for that block's owner to handle.
    """
    if connection.in_atomic_block:
        with transaction.atomic():
            return work()
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                return work()
        except OperationalError as error:
            if attempt == attempts or not is_transient(error):
                raise
            logger.warning(
                "Transient database error, attempt %s of %s: %s", attempt, attempts, error
            )
            time.sleep(FIRST_PAUSE * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # pragma: no cover


class commits_without_flush:
    """Within this block, this connection's commits do not wait for the disk (PostgreSQL).

    ``SET synchronous_commit TO OFF`` for the session, reset on leaving. A
    commit is visible at once and survives the client dying; only a crash of
    the database server itself in the next fraction of a second
    (``wal_writer_delay``) could lose it. For bookkeeping whose loss is
    harmless and whose flush would cost more than the work, such as the
    outbox's claims and sent marks (a lost mark means one repeat, with the same
    Message-ID). Other databases are left as they are.
    """

    def __enter__(self):
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
        return self

    def __exit__(self, *exc):
        if self.postgres and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def after_commit_batch(key: str, item, flush: Callable[[list], None], *, robust=False) -> None:
    """Add ``item`` to this transaction's batch ``key``; ``flush(batch)`` runs once,
    after commit. Outside a transaction, ``flush([item])`` runs at once.

    The batch hangs on the connection while its on-commit callback is still
    registered; a rollback (of the transaction, or of the savepoint the callback
    was registered in) discards the callback, and the next item starts a new batch.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        flush([item])
        return
    batches = connection.__dict__.setdefault("_zabuni_commit_batches", {})
    batch = batches.get(key)
    if batch is None or not any(entry[1] is batch[0] for entry in connection.run_on_commit):
        items: list = []

        def run():
            flush(items)

        batch = batches[key] = (run, items)
        transaction.on_commit(run, robust=robust)
    batch[1].append(item)
