"""Queueing a task by name reaches the queue its route names, on the real broker."""

import json

import pytest
import redis

from core.queue import queue_task
from notifications.services import DELIVER_TASK
from portal.celery import app
from reviews.services.sheets import BUILD_TASK
from tests import services


def _queued(client, queue: str, task_id: str) -> list[bytes]:
    return [
        raw
        for raw in client.lrange(queue, 0, -1)
        if json.loads(raw).get("headers", {}).get("id") == task_id
    ]


@pytest.mark.services
@pytest.mark.parametrize(
    "name, queue, other",
    [(BUILD_TASK, "heavy", "celery"), (DELIVER_TASK, "celery", "heavy")],
)
def test_a_task_queued_by_name_lands_on_its_routed_queue(name, queue, other):
    """No worker listens: the message is read straight off Redis, then removed."""
    services.redis_url()
    if not app.conf.broker_url.startswith("redis"):
        services.missing("the Celery broker is not Redis (set REDIS_URL)")
    client = redis.Redis.from_url(app.conf.broker_url)

    task_id = queue_task(name, 0)
    try:
        mine = _queued(client, queue, task_id)
        assert len(mine) == 1, f"{name} did not reach the {queue} queue"
        assert json.loads(mine[0])["headers"]["task"] == name
        assert _queued(client, other, task_id) == []
    finally:
        for raw in _queued(client, queue, task_id) + _queued(client, other, task_id):
            client.lrem(queue, 0, raw)
            client.lrem(other, 0, raw)
