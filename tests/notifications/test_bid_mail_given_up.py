"""Mail about a bid that cannot be delivered (issue 23): when the outbox gives up on it,
its body goes, as a delivered one's does, so a copy of the database never reads the
price a receipt repeats; what staff can send again says only that a message could not
be delivered, in the recipient's language, and where to read the bid."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.delivery import outbox_deliver
from notifications.models import OutboxMessage, OutboxState
from notifications.services import delivered_confidential_bodies_drop, outbox_enqueue
from tests.factories import UserFactory
from tests.portal.fault_support import free_port

pytestmark = pytest.mark.django_db

PRICE = "KES 1,270,732.59"


def bid_mail(user, *, confidential=True) -> OutboxMessage:
    return outbox_enqueue(
        to=user.email,
        template="accounts/emails/verify_email",  # any message; its link stands for the price
        context={"user": user, "verify_url": f"http://x/{PRICE}/"},
        dedupe_key=f"bid-mail:{user.pk}:{confidential}",
        confidential=confidential,
    )


def give_up_on(message, settings) -> None:
    """Deliver to an SMTP port where nothing listens, after the retry period ended."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    past = timezone.now() - timedelta(days=3)
    OutboxMessage.objects.filter(pk=message.pk).update(give_up_at=past, next_attempt_at=past)
    assert not outbox_deliver(message_id=message.pk)


def test_a_bid_mail_given_up_on_loses_its_body_and_says_where_to_read_the_bid(settings):
    user = UserFactory(language="sw")
    message = bid_mail(user)
    other = bid_mail(UserFactory(), confidential=False)
    assert PRICE in message.body_text

    give_up_on(message, settings)
    give_up_on(other, settings)

    failed = OutboxMessage.objects.get(pk=message.pk)
    assert failed.state == OutboxState.FAILED and failed.last_error
    assert PRICE not in failed.body_text + failed.body_html
    assert "haukuweza kuwasilishwa" in failed.body_text  # in the recipient's language
    assert settings.WAGTAILADMIN_BASE_URL in failed.body_text
    assert PRICE in OutboxMessage.objects.get(pk=other.pk).body_text  # not about a bid
    # Staff send it again: the notice goes, with nothing sealed in it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxState.PENDING, next_attempt_at=timezone.now()
    )
    assert outbox_deliver(message_id=message.pk)
    assert PRICE not in mail.outbox[-1].body and "haukuweza" in mail.outbox[-1].body


def test_bid_mail_given_up_on_before_the_upgrade_loses_its_body_at_the_upgrade():
    message = bid_mail(UserFactory())
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.FAILED)

    assert delivered_confidential_bodies_drop() == 1
    assert PRICE not in OutboxMessage.objects.get(pk=message.pk).body_text
    assert delivered_confidential_bodies_drop() == 0
