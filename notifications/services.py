"""Queueing email through the outbox, handing it to the worker, and retrying it."""

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.db import after_commit_batch
from core.queue import BROKER_ERRORS, queue_task
from notifications.delivery import BODY_DROPPED, outbox_deliver_due, undelivered_body
from notifications.languages import offered_or_default, recipient_language
from notifications.models import OutboxMessage, OutboxState
from notifications.policy import retry_period

logger = logging.getLogger(__name__)

DELIVER_TASK = "notifications.tasks.deliver_outbox_messages"


def outbox_enqueue(
    *,
    to: str,
    template: str,
    context: dict,
    dedupe_key: str,
    confidential: bool = False,
    language: str | None = None,
) -> OutboxMessage:
    """Write a message to the outbox in the caller's transaction.

    ``template`` names a family of three templates, such as
    ``"applications/emails/submission_receipt"``: ``<template>_subject.txt``,
    ``<template>.txt`` and ``<template>.html``. The same ``dedupe_key`` twice
    gives the same row, so the same notice is never queued twice. Delivery is
    asked for after commit, one task for all the messages of a transaction.
    ``confidential`` marks mail about a bid: staff screens do not show its
    recipient or subject, since who bid on what is sealed. The message is written
    in the language the recipient chose: ``language`` is that choice when the
    caller has the recipient at hand (a mailing to every bidder passes it, rather
    than a query per message); otherwise it is looked up by address. A choice no
    longer offered, or none, gives the portal's default: never the language the
    sender happens to use.
    """
    context = {
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "ORGANISATION_TIME_ZONE": settings.TIME_ZONE,
        **context,
    }
    language = recipient_language(to) if language is None else offered_or_default(language)
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body_text = render_to_string(f"{template}.txt", context)
        body_html = render_to_string(f"{template}.html", context)
    now = timezone.now()
    message, created = OutboxMessage.objects.get_or_create(
        dedupe_key=dedupe_key[:200],
        defaults={
            "to_email": to,
            "subject": subject[:255],
            "body_text": body_text,
            "body_html": body_html,
            "next_attempt_at": now,
            "give_up_at": now + retry_period(),
            "confidential": confidential,
        },
    )
    if created:
        # One dispatch, one task, for all the messages of a transaction.
        after_commit_batch("outbox", message.pk, lambda ids: outbox_dispatch(message_ids=ids))
    return message


def outbox_dispatch(*, message_ids) -> bool:
    """Hand messages to the broker. A dead broker only delays them: the sweep sends them."""
    if not message_ids:
        return True
    try:
        queue_task(DELIVER_TASK, list(message_ids))
    except BROKER_ERRORS as exc:
        logger.warning(
            "Broker unavailable; %s outbox message(s) wait for the sweep: %s",
            len(message_ids),
            exc,
        )
        return False
    return True


def outbox_sweep(*, now=None) -> int:
    """Beat's sweep: send every message that is due (a failed attempt's turn has
    come, a broker outage or a lost task left it, a worker died holding it)."""
    return outbox_deliver_due(now=now)


def outbox_retry_now(*, message_ids, now=None) -> int:
    """Staff's "retry now": due at once, with a fresh retry period for failed mail."""
    now = now or timezone.now()
    with transaction.atomic():
        count = (
            OutboxMessage.objects.filter(
                pk__in=message_ids, state__in=[OutboxState.PENDING, OutboxState.FAILED]
            )
            .select_for_update()
            .update(
                state=OutboxState.PENDING,
                next_attempt_at=now,
                give_up_at=now + retry_period(),
                failed_at=None,
            )
        )
        transaction.on_commit(lambda: outbox_dispatch(message_ids=list(message_ids)))
    return count


def delivered_confidential_bodies_drop() -> int:
    """Mail about a bid delivered, or given up on, before bodies were dropped: drop them
    now (``notifications.delivery.BODY_DROPPED``, ``undelivered_body``); the number."""
    dropped = (
        OutboxMessage.objects.filter(confidential=True, state=OutboxState.SENT)
        .exclude(body_text=BODY_DROPPED)
        .update(body_text=BODY_DROPPED, body_html="")
    )
    for message in OutboxMessage.objects.filter(confidential=True, state=OutboxState.FAILED):
        body = undelivered_body(message)
        if message.body_text != body["body_text"]:
            OutboxMessage.objects.filter(pk=message.pk).update(**body)
            dropped += 1
    return dropped
