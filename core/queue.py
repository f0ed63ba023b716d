"""Queueing background work by task name.

Tasks are entry points, like views: a ``tasks.py`` imports services, and a
service never imports a ``tasks.py``. A service that must start background
work after commit queues it here, by the task's registered name, which the
service module defines as a constant and the task uses for its ``name=``.
Routing (``CELERY_TASK_ROUTES``) applies as for ``apply_async``.
"""

from celery import current_app
from kombu.exceptions import OperationalError

# What a dead or unreachable broker raises when a task is sent.
BROKER_ERRORS: tuple[type[BaseException], ...] = (OperationalError, OSError)


def queue_task(name: str, *args) -> str:
    """Send task ``name`` with ``args`` to the broker, once, without retrying.

    Returns the task's id. Raises one of ``BROKER_ERRORS`` if the broker
    cannot be reached: a dead broker must not hang a web request, and the
    caller decides what waits.
    """
    return current_app.send_task(name, args=args, retry=False).id
