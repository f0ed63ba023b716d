"""Celery tasks of the portal itself: beat's heartbeat, read by the metrics."""

import time

from celery import shared_task
from django.core.cache import cache

HEARTBEAT_TASK = "portal.tasks.beat_heartbeat"
# In the default cache (Redis in production), with no expiry: a Redis shared with the
# broker evicts only keys that expire (README, "Redis memory"), so the heartbeat is
# never evicted into a false alarm.
HEARTBEAT_KEY = "portal:beat-heartbeat"


@shared_task(name=HEARTBEAT_TASK, ignore_result=True)
def beat_heartbeat() -> float:
    """Run by beat every minute: note when, for ``zabuni_beat_last_run_seconds``.

    It runs on a worker, so a fresh heartbeat says that beat, the broker and a
    worker on the default queue all work. The schedule entry expires the task
    after a minute, so a worker coming back after an outage does not replay a
    backlog of heartbeats from a beat that has since stopped.
    """
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, None)
    return now
