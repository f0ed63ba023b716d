"""Delivering one outbox message over SMTP, once."""

import logging
from smtplib import SMTPException

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from notifications.models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
DELIVERY_ERRORS = (SMTPException, OSError)


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
