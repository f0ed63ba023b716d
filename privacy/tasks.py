"""Celery tasks for privacy: building a person's data copy."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from privacy.data_copy.services import BUILD_TASK, TOO_LONG, data_copy_build, data_copy_fail


@shared_task(name=BUILD_TASK, ignore_result=True)
def build_data_copy(copy_id: int) -> bool:
    """Build one data copy and mail its link. A copy already built is not rebuilt."""
    try:
        return data_copy_build(copy_id=copy_id)
    except SoftTimeLimitExceeded:
        data_copy_fail(copy_id=copy_id, error=str(TOO_LONG))
        return False


@shared_task(name="privacy.tasks.apply_retention", ignore_result=True)
def apply_retention() -> int:
    """Beat, daily: apply the retention policy (privacy.retention); how many rows went."""
    from privacy.retention import retention_apply

    return sum(outcome.removed for outcome in retention_apply())
