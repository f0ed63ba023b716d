"""Celery tasks for calls."""

import logging

from celery import shared_task

from tenders.services import calls_close_due, pages_publish_scheduled

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


@shared_task(name="tenders.tasks.publish_scheduled_pages", ignore_result=True)
def publish_scheduled_pages() -> tuple[int, int]:
    """Run by beat every minute: editors' go-live and expiry dates take effect."""
    published, unpublished = pages_publish_scheduled()
    if published or unpublished:
        logger.info("Scheduled publishing: %s live, %s expired", published, unpublished)
    return published, unpublished
