"""Celery tasks for calls."""

import logging

from celery import shared_task

from tenders.services import calls_close_due

logger = logging.getLogger(__name__)


@shared_task(name="tenders.tasks.close_due_calls", ignore_result=True)
def close_due_calls() -> list[int]:
    """Run by beat every minute: record the closing of calls past their deadline, and
    hand every closed call that has a panel to that panel (once)."""
    from applications.services.panels import panels_hand_over_due

    closed = calls_close_due()
    if closed:
        logger.info("Closed calls %s", closed)
    handed = panels_hand_over_due()
    if handed:
        logger.info("Handed calls %s to their panels", handed)
    return closed
