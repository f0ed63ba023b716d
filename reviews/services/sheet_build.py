"""Running a scoring sheet's build: the body of the heavy-queue task.

It marks the sheet running, writes the files through ``reviews.workbook``,
and marks it done (telling the requester) or failed (saying why).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.storage import STORAGE_ERRORS
from notifications.services import outbox_enqueue
from reviews.models import ScoringSheet, SheetStatus
from reviews.workbook import delete_objects_quietly, sheet_build

logger = logging.getLogger(__name__)

BROKER_DOWN = gettext_lazy(
    "The task queue is unavailable just now, so the sheet has not started. "
    "Ask for a new sheet in a few minutes."
)
STORAGE_DOWN = gettext_lazy(
    "The file store was unavailable, so the sheet could not be saved. "
    "Ask for a new sheet in a few minutes."
)
TOO_LONG = gettext_lazy("Assembling the sheet took too long and was stopped. Ask for a new sheet.")
WORKER_LOST = gettext_lazy(
    "The background worker stopped before the sheet was finished. Ask for a new sheet."
)


def scoring_sheet_build(*, sheet_id: int) -> bool:
    """Build a sheet once and tell its requester. Returns True if this call built it.

    A done or failed sheet is left alone. A running one is built again: the
    broker redelivers a task whose worker died. If two deliveries race, the
    first to finish wins and the other deletes its own files.
    """
    with transaction.atomic():
        sheet = ScoringSheet.objects.select_for_update().filter(pk=sheet_id).first()
        if sheet is None or not sheet.can_move_to(SheetStatus.RUNNING):
            return False
        sheet.status, sheet.progress, sheet.error = SheetStatus.RUNNING, 0, ""
        sheet.save(update_fields=["status", "progress", "error"])

    def report(percent: int) -> None:
        ScoringSheet.objects.filter(pk=sheet_id, status=SheetStatus.RUNNING).update(
            progress=percent
        )

    try:
        stored = sheet_build(sheet, progress=report)
    except STORAGE_ERRORS as exc:
        logger.warning("Scoring sheet %s: storage failed: %s", sheet_id, exc)
        scoring_sheet_fail(sheet_id=sheet_id, error=str(STORAGE_DOWN))
        return False
    with transaction.atomic():
        finished = ScoringSheet.objects.filter(pk=sheet_id, status=SheetStatus.RUNNING).update(
            status=SheetStatus.DONE,
            progress=100,
            xlsx_object=stored["xlsx"],
            csv_object=stored["csv"],
            answers_csv_object=stored.get("answers-csv", ""),
            finished_at=timezone.now(),
            error="",
        )
        if finished:
            _notify_ready(sheet)
    if not finished:
        delete_objects_quietly(*stored.values())
    return bool(finished)


def scoring_sheet_fail(*, sheet_id: int, error: str) -> None:
    """Mark an unfinished sheet failed, with a reason the requester can act on."""
    ScoringSheet.objects.filter(
        pk=sheet_id, status__in=[SheetStatus.QUEUED, SheetStatus.RUNNING]
    ).update(status=SheetStatus.FAILED, error=error, finished_at=timezone.now())


def scoring_sheets_fail_stuck(*, now=None) -> list[int]:
    """Beat's sweep: fail sheets that no worker can still be building.

    A killed pool process gives its task back at once (``reject_on_worker_lost``);
    a killed worker's task comes back after the broker's visibility timeout. A
    sheet still unfinished after that and a whole time limit more has no task
    left: it is marked failed, and its page offers a new sheet.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.SHEET_STUCK_AFTER_SECONDS)
    stuck = list(
        ScoringSheet.objects.filter(
            status__in=[SheetStatus.QUEUED, SheetStatus.RUNNING], created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for sheet_id in stuck:
        logger.warning("Scoring sheet %s was stuck; marking it failed", sheet_id)
        scoring_sheet_fail(sheet_id=sheet_id, error=str(WORKER_LOST))
    return stuck


def _notify_ready(sheet: ScoringSheet) -> None:
    path = reverse("reviews:sheet", kwargs={"sheet_id": sheet.pk})
    outbox_enqueue(
        to=sheet.requested_by.email,
        template="reviews/emails/sheet_ready",
        context={
            "call": sheet.call,
            "sheet": sheet,
            "recipient": sheet.requested_by,
            "sheet_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path,
        },
        dedupe_key=f"sheet_ready:{sheet.pk}",
    )
