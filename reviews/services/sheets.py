"""Requesting a scoring sheet: recorded now, built on the heavy queue after commit."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from applications.permissions import can_see_applicant_identities
from core.errors import NotAllowed
from core.queue import BROKER_ERRORS, queue_task
from reviews.models import ScoringSheet, SheetStatus
from reviews.permissions import can_view_ranking
from reviews.services.sheet_build import BROKER_DOWN

logger = logging.getLogger(__name__)

BUILD_TASK = "reviews.tasks.build_scoring_sheet"


def scoring_sheet_request(*, call, user) -> ScoringSheet:
    """Record a request for ``call``'s scoring sheet and queue its build after commit.

    Whether names are hidden is decided now, for this requester. If the
    broker is down the sheet stays queued, with the reason in ``error``.
    """
    if not can_view_ranking(user, call):
        raise NotAllowed(_("Only the chair or staff can assemble the scoring sheet."))
    with transaction.atomic():
        sheet = ScoringSheet.objects.create(
            call=call, requested_by=user, blind=not can_see_applicant_identities(user, call)
        )
        transaction.on_commit(lambda: sheet_dispatch(sheet=sheet))
    return sheet


def sheet_dispatch(*, sheet: ScoringSheet) -> bool:
    """Hand the build to the broker; a dead broker leaves the sheet queued, saying why."""
    try:
        queue_task(BUILD_TASK, sheet.pk)
    except BROKER_ERRORS as exc:
        logger.warning("Broker unavailable; scoring sheet %s not started: %s", sheet.pk, exc)
        sheet.error = str(BROKER_DOWN)
        ScoringSheet.objects.filter(pk=sheet.pk, status=SheetStatus.QUEUED).update(
            error=sheet.error
        )
        return False
    return True
