"""Requesting a scoring sheet and running its build (the heavy-queue task's body)."""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError as BrokerError

from applications.errors import Refused
from applications.models import ScoringSheet
from applications.models.sheets import SheetStatus
from applications.permissions import can_see_applicant_identities, can_view_ranking
from applications.services.outbox import outbox_enqueue
from applications.sheets import delete_objects_quietly, sheet_build
from applications.uploads import STORAGE_ERRORS

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


class SheetRefused(Refused):
    status_code = 403


# --- Requesting and building -------------------------------------------------


def scoring_sheet_request(*, call, user) -> ScoringSheet:
    """Record a request for ``call``'s scoring sheet and queue its build after commit.

    Whether names are hidden is decided now, for this requester. If the
    broker is down the sheet stays queued, with the reason in ``error``.
    """
    if not can_view_ranking(user, call):
        raise SheetRefused(_("Only the chair or staff can assemble the scoring sheet."))
    with transaction.atomic():
        sheet = ScoringSheet.objects.create(
            call=call, requested_by=user, blind=not can_see_applicant_identities(user, call)
        )
        transaction.on_commit(lambda: sheet_dispatch(sheet=sheet))
    return sheet


def sheet_dispatch(*, sheet: ScoringSheet) -> bool:
    """Hand the build to the broker; a dead broker leaves the sheet queued, saying why."""
    from applications.tasks import build_scoring_sheet

    try:
        build_scoring_sheet.apply_async((sheet.pk,), retry=False)
    except (BrokerError, OSError) as exc:
        logger.warning("Broker unavailable; scoring sheet %s not started: %s", sheet.pk, exc)
        sheet.error = str(BROKER_DOWN)
        ScoringSheet.objects.filter(pk=sheet.pk, status=SheetStatus.QUEUED).update(
            error=sheet.error
        )
        return False
    return True


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
        xlsx_name, csv_name = sheet_build(sheet, progress=report)
    except STORAGE_ERRORS as exc:
        logger.warning("Scoring sheet %s: storage failed: %s", sheet_id, exc)
        scoring_sheet_fail(sheet_id=sheet_id, error=str(STORAGE_DOWN))
        return False
    with transaction.atomic():
        finished = ScoringSheet.objects.filter(pk=sheet_id, status=SheetStatus.RUNNING).update(
            status=SheetStatus.DONE,
            progress=100,
            xlsx_object=xlsx_name,
            csv_object=csv_name,
            finished_at=timezone.now(),
            error="",
        )
        if finished:
            _notify_ready(sheet)
    if not finished:
        delete_objects_quietly(xlsx_name, csv_name)
    return bool(finished)


def scoring_sheet_fail(*, sheet_id: int, error: str) -> None:
    """Mark an unfinished sheet failed, with a reason the requester can act on."""
    ScoringSheet.objects.filter(
        pk=sheet_id, status__in=[SheetStatus.QUEUED, SheetStatus.RUNNING]
    ).update(status=SheetStatus.FAILED, error=error, finished_at=timezone.now())


def _notify_ready(sheet: ScoringSheet) -> None:
    path = reverse("applications:sheet", kwargs={"sheet_id": sheet.pk})
    outbox_enqueue(
        to=sheet.requested_by.email,
        template="sheet_ready",
        context={
            "call": sheet.call,
            "sheet": sheet,
            "recipient": sheet.requested_by,
            "sheet_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path,
        },
        dedupe_key=f"sheet_ready:{sheet.pk}",
    )
