"""Celery tasks for review panels: hand-over, reminders, scoring sheets."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from reviews.services.panels import panels_hand_over_due
from reviews.services.reminders import reviewers_remind
from reviews.services.sheet_build import (
    TOO_LONG,
    scoring_sheet_build,
    scoring_sheet_fail,
    scoring_sheets_fail_stuck,
)
from reviews.services.sheets import BUILD_TASK

logger = logging.getLogger(__name__)


@shared_task(name="reviews.tasks.hand_over_due_panels", ignore_result=True)
def hand_over_due_panels() -> list[int]:
    """Run by beat every minute: hand every closed call that has a panel to it (once).

    Closing a call hands it over at once (``call_closed``); this catches a
    panel set up after its call closed, outside the admin.
    """
    handed = panels_hand_over_due()
    if handed:
        logger.info("Handed calls %s to their panels", handed)
    return handed


@shared_task(name="reviews.tasks.remind_reviewers", ignore_result=True)
def remind_reviewers() -> int:
    """Run by beat: remind reviewers 48 and 24 hours before the review deadline."""
    return reviewers_remind()


@shared_task(name=BUILD_TASK, ignore_result=True)
def build_scoring_sheet(sheet_id: int) -> bool:
    """On the heavy queue: assemble one scoring sheet. A done sheet is not rebuilt."""
    try:
        return scoring_sheet_build(sheet_id=sheet_id)
    except SoftTimeLimitExceeded:
        scoring_sheet_fail(sheet_id=sheet_id, error=str(TOO_LONG))
        return False


@shared_task(name="reviews.tasks.fail_stuck_sheets", ignore_result=True)
def fail_stuck_sheets() -> list[int]:
    """Run by beat: a sheet whose worker died, and whose task never came back, fails
    visibly instead of showing "Being assembled" forever."""
    return scoring_sheets_fail_stuck()
