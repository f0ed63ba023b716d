"""Celery tasks for mail: deliver a transaction's messages, and beat's sweep.

No task-level retries: a failed attempt moves the message's ``next_attempt_at``
(notifications.policy) and the sweep sends it when it is due. Redelivery of a
task is harmless: a message is claimed before it is sent.
"""

from celery import shared_task

from notifications.delivery import outbox_deliver_many
from notifications.services import DELIVER_TASK, outbox_sweep


@shared_task(name=DELIVER_TASK, ignore_result=True)
def deliver_outbox_messages(message_ids: list[int]) -> int:
    return outbox_deliver_many(message_ids)


@shared_task(name="notifications.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Run by beat every minute: send what is due."""
    return outbox_sweep()
