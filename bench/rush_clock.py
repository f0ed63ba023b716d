"""The client's clock against the database's, for ``bench_rush.py``.

The portal judges a deadline by the database's clock; the benchmark knows when a
body's last byte left by its own (``time.time()``). To say whether a bid left
before ``closes_at`` the two must be compared: the database is asked for
``clock_timestamp()`` a number of times, each question timed by the client, and the
answer with the shortest round trip is kept. The database read its clock somewhere
inside that round trip, so the offset (database minus client) is known to within
half of it: the uncertainty.
"""

import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime

SAMPLES = 25
# SQLite's 'now' has millisecond resolution (as core.clock reads it).
SQLITE_RESOLUTION = 0.001


@dataclass(frozen=True)
class ClockOffset:
    offset: float  # seconds: the database's clock minus the client's
    uncertainty: float  # seconds either side of ``offset``
    round_trip: float  # the best sample's round trip, in seconds

    def to_db(self, client_time: float) -> float:
        return client_time + self.offset

    def to_client(self, db_time: float) -> float:
        return db_time - self.offset

    def describe(self) -> str:
        return (
            f"database - client {self.offset * 1e3:+.3f} ms "
            f"+/- {self.uncertainty * 1e3:.3f} ms (best round trip {self.round_trip * 1e3:.3f} ms)"
        )


def _best_sample(ask) -> tuple[float, float, float]:
    """(sent, answered, database time) of the question with the shortest round trip."""
    ask()  # the first question pays for warming up
    best = None
    for _ in range(SAMPLES):
        sent = time.time()
        answer = ask()
        answered = time.time()
        if best is None or answered - sent < best[1] - best[0]:
            best = (sent, answered, answer)
    return best


def measure(database_url: str) -> ClockOffset:
    """The offset of the database at ``database_url`` (postgres:// or sqlite:///)."""
    if database_url.startswith("sqlite:///"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            sent, answered, db_time = _best_sample(
                lambda: datetime.fromisoformat(
                    conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')").fetchone()[0]
                ).timestamp()
            )
        finally:
            conn.close()
        resolution = SQLITE_RESOLUTION
    else:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            sent, answered, db_time = _best_sample(
                lambda: conn.execute("SELECT clock_timestamp()").fetchone()[0].timestamp()
            )
        resolution = 1e-6
    half = (answered - sent) / 2
    return ClockOffset(db_time - (sent + half), half + resolution, answered - sent)


def combine(before: ClockOffset, after: ClockOffset) -> ClockOffset:
    """One offset for a rush measured before and after it: their mean, uncertain by
    the larger uncertainty plus half of how far the two moved apart (drift)."""
    drift = abs(after.offset - before.offset)
    return ClockOffset(
        (before.offset + after.offset) / 2,
        max(before.uncertainty, after.uncertainty) + drift / 2,
        min(before.round_trip, after.round_trip),
    )
