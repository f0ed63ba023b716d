"""Celery tasks for calls."""

import logging

from celery import shared_task

from tenders.services import calls_close_due

logger = logging.getLogger(__name__)


@shared_task(name="tenders.tasks.close_due_calls", ignore_result=True)
def close_due_calls() -> list[int]:
    """Run by beat every minute: record the closing of calls past their deadline.

    Each closing sends ``call_closed``; the reviews app hands the call to its panel.
    """
    closed = calls_close_due()
    if closed:
        logger.info("Closed calls %s", closed)
    return closed
