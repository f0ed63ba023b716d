"""Queueing email through the outbox, and handing it to the worker."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.queue import BROKER_ERRORS, queue_task
from notifications.models import OutboxMessage

logger = logging.getLogger(__name__)

DELIVER_TASK = "notifications.tasks.deliver_outbox_message"
SWEEP_AFTER = timedelta(minutes=1)


def outbox_enqueue(*, to: str, template: str, context: dict, dedupe_key: str) -> OutboxMessage:
    """Write a message to the outbox in the caller's transaction.

    ``template`` names a family of three templates, such as
    ``"applications/emails/submission_receipt"``: ``<template>_subject.txt``,
    ``<template>.txt`` and ``<template>.html``. The same ``dedupe_key`` twice
    gives the same row, so the same notice is never queued twice. Delivery is
    asked for after commit.
    """
    context = {
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "ORGANISATION_TIME_ZONE": settings.TIME_ZONE,
        **context,
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message, created = OutboxMessage.objects.get_or_create(
        dedupe_key=dedupe_key[:200],
        defaults={
            "to_email": to,
            "subject": subject[:255],
            "body_text": render_to_string(f"{template}.txt", context),
            "body_html": render_to_string(f"{template}.html", context),
        },
    )
    if created:
        transaction.on_commit(lambda: outbox_dispatch(message_id=message.pk))
    return message


def outbox_dispatch(*, message_id: int) -> bool:
    """Hand a message to the broker. A dead broker only delays it: the sweep retries."""
    try:
        queue_task(DELIVER_TASK, message_id)
    except BROKER_ERRORS as exc:
        logger.warning(
            "Broker unavailable; outbox message %s waits for the sweep: %s", message_id, exc
        )
        return False
    return True


def outbox_sweep(*, now=None) -> int:
    """Re-dispatch messages left undelivered (a broker outage, a lost task)."""
    now = now or timezone.now()
    stuck = OutboxMessage.objects.undelivered().filter(created_at__lte=now - SWEEP_AFTER)
    count = 0
    for message_id in stuck.values_list("pk", flat=True)[:500]:
        if outbox_dispatch(message_id=message_id):
            count += 1
    return count
