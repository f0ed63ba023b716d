"""Writes about calls that span models or have side effects."""

from django.db import transaction
from django.utils import timezone

from tenders.models import CallClosing, CallPage


def calls_close_due(*, now=None) -> list[int]:
    """Record the closing of every call whose deadline has passed.

    Idempotent: a call's closing is written once (a unique row per call), so
    running this twice, or on two workers at once, records each call once.
    Returns the primary keys of the calls closed by this run.
    """
    now = now or timezone.now()
    closed = []
    for call in CallPage.objects.due_to_close(now).only("pk", "closes_at"):
        with transaction.atomic():
            _closing, created = CallClosing.objects.get_or_create(
                call_id=call.pk, defaults={"deadline": call.closes_at, "recorded_at": now}
            )
        if created:
            closed.append(call.pk)
    return closed
