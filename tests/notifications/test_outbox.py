"""The outbox: mail is written with its event, delivered once, and never lost.

A broker outage delays mail but loses none; an SMTP failure is recorded and
retried with backoff for days, not minutes; a task delivered twice mails once;
a rolled-back event mails nothing. The tests marked ``services`` run a real
Celery worker on Redis. Real SMTP outages are in ``test_faults.py``.
"""

import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications.delivery import outbox_claim, outbox_deliver
from notifications.models import OutboxMessage, OutboxState
from notifications.policy import LONGEST_WAIT, backoff
from notifications.services import outbox_enqueue, outbox_retry_now, outbox_sweep
from notifications.tasks import deliver_outbox_messages
from tests.conftest import wait_for
from tests.factories import UserFactory

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
# Where a task leaves for the broker: patched to inject a dead or an in-process broker.
SEND_TASK = "portal.celery.app.send_task"
AFTER_SWEEP_DELAY = timedelta(minutes=2)


class FailingSMTPBackend(BaseEmailBackend):
    """An SMTP server that drops the connection on every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


class InProcessBroker:
    """Stands in for a working broker: each dispatch runs the real task here, at once."""

    def __init__(self):
        self.dispatched = []

    def __call__(self, name, args=(), **options):
        assert name == deliver_outbox_messages.name
        self.dispatched.extend(args[0])
        return deliver_outbox_messages.apply(args=args)


def enqueue_verify(user, *, key="test") -> OutboxMessage:
    return outbox_enqueue(
        to=user.email,
        template="accounts/emails/verify_email",
        context={"user": user, "verify_url": "http://x/"},
        dedupe_key=f"verify:{user.pk}:{key}",
    )


def undelivered(message) -> bool:
    message.refresh_from_db()
    return message.sent_at is None


# --- In this process -------------------------------------------------------


def test_delivering_the_same_message_twice_sends_one_email(db, settings):
    settings.EMAIL_BACKEND = LOCMEM
    user = UserFactory(first_name="Wambui")
    message = enqueue_verify(user)

    assert outbox_deliver(message_id=message.pk) is True
    assert outbox_deliver(message_id=message.pk) is False

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [user.email]
    assert sent.subject == "Confirm your email address"
    assert "Hello Wambui" in sent.body
    assert "http://x/" in sent.body
    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.state == OutboxState.SENT
    assert message.attempts == 1
    assert sent.extra_headers["Message-ID"] == message.message_id


def test_the_same_notice_queued_twice_is_one_message(db, django_capture_on_commit_callbacks):
    user = UserFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        first = enqueue_verify(user)
        second = enqueue_verify(user)

    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert len(callbacks) == 1


def test_an_smtp_failure_keeps_the_message_until_a_later_delivery(db, settings):
    user = UserFactory()
    message = enqueue_verify(user)
    settings.EMAIL_BACKEND = f"{__name__}.FailingSMTPBackend"

    assert outbox_deliver(message_id=message.pk) is False

    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert message.attempts == 1
    assert "SMTPServerDisconnected" in message.last_error
    assert message.next_attempt_at > timezone.now()  # backed off, not given up
    assert mail.outbox == []
    # Not due yet: the sweep leaves it alone, and so does a repeated task.
    assert outbox_sweep() == 0
    assert outbox_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.attempts == 1

    settings.EMAIL_BACKEND = LOCMEM
    assert outbox_sweep(now=timezone.now() + AFTER_SWEEP_DELAY) == 1

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.state == OutboxState.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    # Once sent, the next sweep leaves it alone.
    assert outbox_sweep(now=timezone.now() + AFTER_SWEEP_DELAY) == 0
    assert len(mail.outbox) == 1


def test_backoff_doubles_and_stops_growing_at_an_hour():
    waits = [backoff(n) for n in range(1, 12)]
    assert timedelta(seconds=30) <= waits[0] <= timedelta(seconds=33)
    assert timedelta(seconds=60) <= waits[1] <= timedelta(seconds=66)
    assert all(LONGEST_WAIT <= w <= LONGEST_WAIT * 1.1 for w in waits[8:])
    assert backoff(10_000) <= LONGEST_WAIT * 1.1  # no overflow after days of retries


def test_mail_is_retried_for_the_whole_period_then_marked_failed(db, settings):
    """An outage of hours costs no mail; only one longer than the period (3 days) does."""
    settings.EMAIL_BACKEND = f"{__name__}.FailingSMTPBackend"
    message = enqueue_verify(UserFactory())
    now = timezone.now()
    attempts = 0
    while True:
        message.refresh_from_db()
        if message.state != OutboxState.PENDING:
            break
        now = max(now, message.next_attempt_at)
        assert outbox_sweep(now=now) == 0
        attempts += 1
        assert attempts < 200

    assert message.state == OutboxState.FAILED
    assert message.failed_at is not None
    # Retried for the whole period, about once an hour at the end.
    assert now - message.created_at > timedelta(hours=71)
    assert 70 < message.attempts < 90

    # Staff press "retry now" once the server is back: it goes, once.
    settings.EMAIL_BACKEND = LOCMEM
    with transaction.atomic():
        assert outbox_retry_now(message_ids=[message.pk]) == 1
    assert outbox_sweep() == 1
    message.refresh_from_db()
    assert message.state == OutboxState.SENT
    assert len(mail.outbox) == 1


def test_a_claimed_message_is_not_sent_twice_until_its_lease_runs_out(db, settings):
    """A worker that died mid-delivery leaves a claim; it expires and the sweep sends
    the message again, with the same Message-ID."""
    settings.EMAIL_BACKEND = LOCMEM
    message = enqueue_verify(UserFactory())
    claimed = outbox_claim(message_id=message.pk)
    assert claimed.state == OutboxState.SENDING
    assert outbox_claim(message_id=message.pk) is None  # a second worker gets nothing
    assert outbox_sweep() == 0

    later = claimed.lease_expires_at + timedelta(seconds=1)
    assert outbox_sweep(now=later) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == message.message_id
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.SENT, 2)


def register(client, email="amani@example.org"):
    return client.post(
        reverse("accounts:register"),
        {
            "email": email,
            "first_name": "Amani",
            "last_name": "Otieno",
            "password1": "Haki-na-usalama-2026",
            "password2": "Haki-na-usalama-2026",
        },
    )


def test_registering_while_the_broker_is_down_confirms_and_mails_later(
    client, db, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = LOCMEM
    client.raise_request_exception = False
    monkeypatch.setattr(SEND_TASK, broker_down)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = register(client)

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert len(callbacks) == 1, "delivery was not asked for after commit"
    message = OutboxMessage.objects.get(to_email="amani@example.org")
    assert message.sent_at is None
    assert message.attempts == 0
    assert mail.outbox == []

    # The broker is back; beat's sweep sends the message.
    assert outbox_sweep() == 1

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["amani@example.org"]
    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.attempts == 1
    # The link in the mail works: its page's button confirms the address.
    link = next(line for line in mail.outbox[0].body.splitlines() if "/account/verify/" in line)
    assert client.get(link.strip()).status_code == 200
    assert client.post(link.strip())["Location"] == reverse("accounts:login")
    assert get_user_model().objects.get(email="amani@example.org").is_active


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_event_leaves_no_message_and_sends_nothing(monkeypatch, settings):
    settings.EMAIL_BACKEND = LOCMEM
    broker = InProcessBroker()
    monkeypatch.setattr(SEND_TASK, broker)
    user = UserFactory()

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            enqueue_verify(user)
            raise RuntimeError("the event failed after queueing its notice")

    assert not OutboxMessage.objects.exists()
    assert broker.dispatched == []
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_committed_event_asks_for_delivery_once_after_commit(monkeypatch, settings):
    settings.EMAIL_BACKEND = LOCMEM
    broker = InProcessBroker()
    monkeypatch.setattr(SEND_TASK, broker)
    user = UserFactory()

    with transaction.atomic():
        message = enqueue_verify(user)
        other = enqueue_verify(UserFactory(), key="other")
        assert broker.dispatched == [], "delivery was asked for before commit"

    # One dispatch for the transaction's two messages, over one connection.
    assert broker.dispatched == [message.pk, other.pk]
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_savepoint_does_not_drop_the_next_messages_dispatch(monkeypatch, settings):
    settings.EMAIL_BACKEND = LOCMEM
    broker = InProcessBroker()
    monkeypatch.setattr(SEND_TASK, broker)

    with transaction.atomic():
        try:
            with transaction.atomic():
                enqueue_verify(UserFactory(), key="rolled-back")
                raise RuntimeError
        except RuntimeError:
            pass
        kept = enqueue_verify(UserFactory(), key="kept")

    assert broker.dispatched == [kept.pk]
    assert len(mail.outbox) == 1


# --- With a real worker on Redis -------------------------------------------


@pytest.mark.services
def test_the_worker_delivers_a_committed_message_once(celery_worker):
    user = UserFactory()
    with transaction.atomic():
        message = enqueue_verify(user)

    wait_for(lambda: not undelivered(message))

    assert message.attempts == 1
    assert message.last_error == ""
    # A task delivered again (a broker redelivery) does not mail twice. The
    # worker runs one task at a time in queue order, so once the later message
    # is sent, the repeat has been handled.
    deliver_outbox_messages.apply_async(([message.pk],))
    later = enqueue_verify(UserFactory(), key="later")
    wait_for(lambda: not undelivered(later))
    message.refresh_from_db()
    assert message.attempts == 1


@pytest.mark.services
def test_a_broker_outage_delays_mail_but_the_worker_delivers_it_after_the_sweep(
    celery_worker, client, monkeypatch
):
    client.raise_request_exception = False
    with monkeypatch.context() as outage:
        outage.setattr(SEND_TASK, broker_down)
        response = register(client, email="outage@example.org")

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    message = OutboxMessage.objects.get(to_email="outage@example.org")
    assert message.sent_at is None

    # The broker is back: beat's sweep, run by the real worker, sends it.
    from notifications.tasks import sweep_outbox

    sweep_outbox.delay()
    wait_for(lambda: not undelivered(message))
    assert message.attempts == 1


class CrashingBackend(BaseEmailBackend):
    """A mail backend that fails in a way no SMTP library would (an HTTP API's client)."""

    def send_messages(self, email_messages):
        raise RuntimeError("the mail API answered 502")


def test_any_backend_failure_backs_off_and_the_batch_goes_on(db, settings):
    from notifications.delivery import outbox_deliver_many

    settings.EMAIL_BACKEND = f"{__name__}.CrashingBackend"
    messages = [enqueue_verify(UserFactory(), key=str(n)) for n in range(2)]

    outbox_deliver_many([m.pk for m in messages])

    for message in messages:
        message.refresh_from_db()
        assert (message.state, message.attempts) == (OutboxState.PENDING, 1)
        assert "RuntimeError: the mail API answered 502" in message.last_error


def test_a_worker_whose_lease_ran_out_cannot_undo_anothers_delivery(db, settings):
    from notifications.delivery import outbox_record_failure

    settings.EMAIL_BACKEND = LOCMEM
    message = enqueue_verify(UserFactory())
    slow = outbox_claim(message_id=message.pk)  # worker A: its SMTP conversation hangs
    assert outbox_sweep(now=slow.lease_expires_at + timedelta(seconds=1)) == 1  # B sends it

    outbox_record_failure(slow, smtplib.SMTPServerDisconnected("timed out at last"))

    message.refresh_from_db()
    assert message.state == OutboxState.SENT
    assert len(mail.outbox) == 1


def test_a_receipt_is_delivered_whole_and_its_body_is_not_kept_after(db, settings, site_root):
    """A receipt repeats what is sealed (the price, each file's fingerprint): the bidder
    gets it whole; once it is delivered, the database keeps only that it was sent."""
    from tests.factories import make_call, submit_bid

    settings.EMAIL_BACKEND = LOCMEM
    applicant = UserFactory()
    submission = submit_bid(make_call(site_root["calls"]), applicant)
    receipt = OutboxMessage.objects.get(dedupe_key__startswith=f"receipt:{submission.pk}:")
    assert "1,250,000" in receipt.body_text  # pending: needed to send it
    other = enqueue_verify(UserFactory())

    assert outbox_deliver(message_id=receipt.pk) is True
    assert outbox_deliver(message_id=other.pk) is True

    assert "1,250,000" in mail.outbox[0].body and submission.reference in mail.outbox[0].body
    receipt.refresh_from_db()
    assert receipt.state == OutboxState.SENT
    assert "1,250,000" not in receipt.body_text + receipt.body_html
    assert submission.reference not in receipt.body_text + receipt.body_html
    assert "not kept" in receipt.body_text
    other.refresh_from_db()
    assert "http://x/" in other.body_text  # not about a bid: kept as it was
