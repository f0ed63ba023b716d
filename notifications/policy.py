"""When an outbox message is tried again, and for how long.

One budget, in time, for every path that sends: the task right after commit,
beat's sweep and a staff member's "retry now" all claim the message the same
way, and a failed attempt only moves its ``next_attempt_at``.
"""

import random
from datetime import timedelta

from django.conf import settings

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
# A claim outlives the SMTP timeout: only a dead or hung worker lets one expire.
LEASE_MARGIN = timedelta(seconds=60)


def retry_period() -> timedelta:
    """How long a message is retried before it is marked failed (default 3 days)."""
    return timedelta(hours=settings.OUTBOX_RETRY_HOURS)


def lease() -> timedelta:
    return timedelta(seconds=settings.EMAIL_TIMEOUT or 30) + LEASE_MARGIN


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 30 s, 1 min, 2 min, ... capped at an
    hour, with up to 10 % jitter so a recovered server is not hit all at once."""
    wait = min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 12), LONGEST_WAIT)
    return wait + wait * random.uniform(0, 0.1)
