"""Celery tasks for mail: deliver one message, and the beat sweep."""

from celery import shared_task

from notifications.delivery import DELIVERY_ERRORS, outbox_deliver
from notifications.services import DELIVER_TASK, outbox_sweep


@shared_task(
    name=DELIVER_TASK,
    autoretry_for=DELIVERY_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    ignore_result=True,
)
def deliver_outbox_message(message_id: int) -> bool:
    return outbox_deliver(message_id=message_id)


@shared_task(name="notifications.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Run by beat: re-send what a broker outage or a lost task left behind."""
    return outbox_sweep()
