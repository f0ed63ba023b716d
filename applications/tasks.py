"""Celery tasks for submissions and mail."""

from celery import shared_task

from applications.services.outbox import DELIVERY_ERRORS, outbox_deliver, outbox_sweep


@shared_task(
    name="applications.tasks.deliver_outbox_message",
    autoretry_for=DELIVERY_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    ignore_result=True,
)
def deliver_outbox_message(message_id: int) -> bool:
    return outbox_deliver(message_id=message_id)


@shared_task(name="applications.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Run by beat: re-send what a broker outage or a lost task left behind."""
    return outbox_sweep()


@shared_task(name="applications.tasks.remind_reviewers", ignore_result=True)
def remind_reviewers() -> int:
    """Run by beat: remind reviewers 48 and 24 hours before the review deadline."""
    from applications.services.reminders import reviewers_remind

    return reviewers_remind()


@shared_task(name="applications.tasks.build_scoring_sheet", ignore_result=True)
def build_scoring_sheet(sheet_id: int) -> bool:
    """On the heavy queue: assemble one scoring sheet. A done sheet is not rebuilt."""
    from celery.exceptions import SoftTimeLimitExceeded

    from applications.services.sheets import TOO_LONG, scoring_sheet_build, scoring_sheet_fail

    try:
        return scoring_sheet_build(sheet_id=sheet_id)
    except SoftTimeLimitExceeded:
        scoring_sheet_fail(sheet_id=sheet_id, error=str(TOO_LONG))
        return False
