"""Delivering one outbox message over SMTP: claim it, send it, record the outcome.

At least once, and a repeat only in a small, measured window:

1. **Claim.** One conditional UPDATE moves a due message to ``sending`` with a
   lease, and commits. Two workers (a task and the sweep, or a redelivered
   task) cannot both claim it; no row lock is held during SMTP.
2. **Send.** Every attempt carries the message's stable Message-ID.
3. **Record.** Right after the relay accepts the message, another UPDATE marks
   it ``sent`` and commits. A failure puts it back to ``pending`` with a later
   ``next_attempt_at`` (see ``policy``), or ``failed`` once its retry period
   is over.

A worker killed between the relay's acceptance and step 3 leaves the claim to
expire; the sweep then sends it again, with the same Message-ID. No SMTP
sender can close that window, only make it short (see
``bench/bench_fanout.py``, which measures it).
"""

import logging
import traceback
from smtplib import (
    SMTPDataError,
    SMTPException,
    SMTPRecipientsRefused,
    SMTPSenderRefused,
)

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection
from django.db.models import Case, F, TextField, Value, When
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.db import commits_without_flush
from core.log_redaction import without_addresses
from notifications.languages import recipient_language
from notifications.models import OutboxMessage, OutboxState
from notifications.policy import backoff, lease, retry_period

BODY_DROPPED = "(Delivered. The body of a message about a bid is not kept.)"

logger = logging.getLogger(__name__)

DELIVERY_ERRORS = (SMTPException, OSError)


def outbox_claim(*, message_id: int, now=None) -> OutboxMessage | None:
    """Claim a due message for this worker; None if it is not due or someone has it.

    One statement, ``UPDATE ... RETURNING``: the claim and the row in one trip.
    """
    now = now or timezone.now()
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(f.column) for f in OutboxMessage._meta.concrete_fields
    )
    claimed = OutboxMessage.objects.raw(
        f"UPDATE {table} SET state = %s, lease_expires_at = %s, attempts = attempts + 1 "
        f"WHERE id = %s AND ((state = %s AND next_attempt_at <= %s) "
        f"OR (state = %s AND lease_expires_at <= %s)) RETURNING {columns}",
        [
            OutboxState.SENDING,
            now + lease(),
            message_id,
            OutboxState.PENDING,
            now,
            OutboxState.SENDING,
            now,
        ],
    )
    return next(iter(claimed), None)


def build_email(message: OutboxMessage, connection=None) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.to_email],
        headers={"Message-ID": message.message_id},
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def outbox_record_sent(message: OutboxMessage) -> None:
    # The claim's attempt number fences the update: a worker whose lease ran out
    # (and whose message another worker claimed since) changes nothing.
    # A message about a bid may carry what is sealed (a price, file fingerprints): once
    # it is delivered, its body is dropped, so a copy of the database does not read it.
    OutboxMessage.objects.filter(
        pk=message.pk, state=OutboxState.SENDING, attempts=message.attempts
    ).update(
        state=OutboxState.SENT,
        sent_at=timezone.now(),
        lease_expires_at=None,
        last_error="",
        body_text=Case(
            When(confidential=True, then=Value(BODY_DROPPED)),
            default=F("body_text"),
            output_field=TextField(),
        ),
        body_html=Case(
            When(confidential=True, then=Value("")),
            default=F("body_html"),
            output_field=TextField(),
        ),
    )


def outbox_record_failure(message: OutboxMessage, error: BaseException, now=None) -> bool:
    """Put a failed attempt back in line, or mark the message failed; True if failed."""
    now = now or timezone.now()
    give_up_at = message.give_up_at or message.created_at + retry_period()
    next_attempt_at = now + backoff(message.attempts)
    failed = next_attempt_at > give_up_at
    # A message about a bid that is given up on loses its body as a delivered one does;
    # what staff may send again says only that a message could not be delivered.
    body = undelivered_body(message) if failed and message.confidential else {}
    OutboxMessage.objects.filter(
        pk=message.pk, state=OutboxState.SENDING, attempts=message.attempts
    ).update(
        **body,
        state=OutboxState.FAILED if failed else OutboxState.PENDING,
        next_attempt_at=next_attempt_at,
        lease_expires_at=None,
        failed_at=now if failed else None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    # The relay's answer often quotes the recipient ("550 <a@b.org>: no such user"):
    # the log names the message by id, and keeps the answer without the address.
    if failed:
        logger.error(
            "Outbox message %s failed after %s attempts: %s",
            message.pk,
            message.attempts,
            error_for_log(error),
        )
    else:
        logger.warning(
            "Outbox message %s not sent (attempt %s), next at %s: %s",
            message.pk,
            message.attempts,
            next_attempt_at.isoformat(),
            error_for_log(error),
        )
    return failed


def error_for_log(error: BaseException) -> str:
    return f"{type(error).__name__}: {without_addresses(error)}"


def undelivered_body(message: OutboxMessage) -> dict:
    """In place of a bid's mail given up on: that it could not be delivered, in the
    recipient's language, and where to read the bid."""
    context = {"ORGANISATION_NAME": settings.ORGANISATION_NAME}
    context["PORTAL_URL"] = settings.WAGTAILADMIN_BASE_URL
    template = "notifications/emails/bid_mail_undelivered"
    with translation.override(recipient_language(message.to_email)):
        return {
            "body_text": render_to_string(f"{template}.txt", context),
            "body_html": render_to_string(f"{template}.html", context),
        }


# Failures of the message itself: the next message may still go through.
MESSAGE_ERRORS = (SMTPRecipientsRefused, SMTPSenderRefused, SMTPDataError)


def _attempt(message_id: int, connection, now) -> tuple[bool, BaseException | None]:
    """(sent, error) for one claimed-and-sent attempt; (False, None) if not claimed."""
    message = outbox_claim(message_id=message_id, now=now)
    if message is None:
        return False, None
    try:
        build_email(message, connection).send()
    except DELIVERY_ERRORS as error:
        outbox_record_failure(message, error, now)
        return False, error
    except Exception as error:  # noqa: BLE001 - any backend's failure backs off, never sticks
        # The traceback, for an error nobody foresaw, but without the addresses that
        # another backend's message (an HTTP API's) may carry.
        logger.error(
            "Outbox message %s: unexpected mail error\n%s",
            message.pk,
            without_addresses("".join(traceback.format_exception(error))),
        )
        outbox_record_failure(message, error, now)
        return False, SMTPDataError(554, f"{type(error).__name__}: {error}")
    outbox_record_sent(message)
    return True, None


def outbox_deliver(*, message_id: int) -> bool:
    """Claim and send one message. True if this call sent it; never raises for SMTP."""
    return outbox_deliver_many([message_id]) == 1


def outbox_deliver_many(message_ids, *, now=None) -> int:
    """Claim and send these messages over one SMTP connection; the count sent.

    A failure of one message (a refused address) moves on to the next; a failure
    of the server (refused, dropped or timed-out connection) stops the batch, and
    the rest wait for their next attempt rather than each timing out in turn.
    """
    sent = 0
    smtp = get_connection()
    try:
        # Opened here, the connection serves the whole batch (left closed, each
        # message would open and close its own). If it cannot be opened, the
        # first message's own attempt fails and records why.
        smtp.open()
    except DELIVERY_ERRORS:
        pass
    try:
        with commits_without_flush():
            for message_id in message_ids:
                done, error = _attempt(message_id, smtp, now)
                sent += done
                if error is not None and not isinstance(error, MESSAGE_ERRORS):
                    break
    finally:
        try:
            smtp.close()
        except DELIVERY_ERRORS:
            pass
    return sent


def outbox_deliver_due(*, limit: int = 500, now=None) -> int:
    """Send what is due (beat's sweep), oldest first, over one connection."""
    due = OutboxMessage.objects.due(now or timezone.now()).order_by("next_attempt_at")
    return outbox_deliver_many(list(due.values_list("pk", flat=True)[:limit]), now=now)
