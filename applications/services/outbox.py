"""Queueing and delivering email through the outbox."""

import logging
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from applications.models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
SWEEP_AFTER = timedelta(minutes=1)
DELIVERY_ERRORS = (SMTPException, OSError)


def outbox_enqueue(*, to: str, template: str, context: dict, dedupe_key: str) -> OutboxMessage:
    """Write a message to the outbox in the caller's transaction.

    Renders ``emails/<template>_subject.txt``, ``.txt`` and ``.html``. The same
    ``dedupe_key`` twice gives the same row, so the same notice is never
    queued twice. Delivery is asked for after commit.
    """
    context = {
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "ORGANISATION_TIME_ZONE": settings.TIME_ZONE,
        **context,
    }
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    message, created = OutboxMessage.objects.get_or_create(
        dedupe_key=dedupe_key[:200],
        defaults={
            "to_email": to,
            "subject": subject[:255],
            "body_text": render_to_string(f"emails/{template}.txt", context),
            "body_html": render_to_string(f"emails/{template}.html", context),
        },
    )
    if created:
        transaction.on_commit(lambda: outbox_dispatch(message_id=message.pk))
    return message


def outbox_dispatch(*, message_id: int) -> bool:
    """Hand a message to the broker. A dead broker only delays it: the sweep retries."""
    from applications.tasks import deliver_outbox_message

    try:
        deliver_outbox_message.apply_async((message_id,), retry=False)
    except (BrokerError, OSError) as exc:
        logger.warning(
            "Broker unavailable; outbox message %s waits for the sweep: %s", message_id, exc
        )
        return False
    return True


def outbox_deliver(*, message_id: int) -> bool:
    """Send one message, once. Returns True if this call sent it.

    The row is locked while sending, and a sent row is never sent again, so
    a task delivered twice by the broker mails once. An SMTP failure is
    recorded and re-raised for the task to retry with backoff.
    """
    error = None
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.sent_at is not None or message.failed_at is not None:
            return False
        message.attempts += 1
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            to=[message.to_email],
            headers={"Message-ID": f"<outbox-{message.pk}@zabuni>"},
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        try:
            email.send()
        except DELIVERY_ERRORS as exc:
            error = exc
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.failed_at = timezone.now()
                logger.error("Giving up on outbox message %s: %s", message.pk, exc)
        else:
            message.sent_at = timezone.now()
            message.last_error = ""
        message.save(update_fields=["attempts", "last_error", "sent_at", "failed_at"])
    if error is not None and message.failed_at is None:
        raise error
    return error is None


def outbox_sweep(*, now=None) -> int:
    """Re-dispatch messages left undelivered (a broker outage, a lost task)."""
    now = now or timezone.now()
    stuck = OutboxMessage.objects.undelivered().filter(created_at__lte=now - SWEEP_AFTER)
    count = 0
    for message_id in stuck.values_list("pk", flat=True)[:500]:
        if outbox_dispatch(message_id=message_id):
            count += 1
    return count
