"""Staff see outgoing mail by state in the Wagtail admin and retry failed mail."""

import html

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboxMessage, OutboxState
from notifications.services import outbox_enqueue, outbox_sweep
from tests.factories import StaffFactory, SuperuserFactory, UserFactory, in_group

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def failed_message(n: int) -> OutboxMessage:
    user = UserFactory()
    message = outbox_enqueue(
        to=user.email,
        template="accounts/emails/verify_email",
        context={"user": user, "verify_url": f"http://x/secret-link-{n}/"},
        dedupe_key=f"verify:{user.pk}",
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxState.FAILED,
        attempts=80,
        failed_at=timezone.now(),
        last_error="SMTPConnectError: (421, 'Service not available')",
    )
    return message


@pytest.fixture
def mail_manager(db):
    return in_group(
        StaffFactory(),
        "Mail managers",
        "wagtailadmin.access_admin",
        "notifications.retry_outboxmessage",
    )


def test_staff_without_the_permission_see_neither_the_screen_nor_the_menu(client, staff_user):
    client.force_login(staff_user)
    # Wagtail's admin answers a refusal with a redirect to its dashboard.
    for response in (
        client.get(reverse("zabuni_outbox")),
        client.post(reverse("zabuni_outbox_retry"), {"state": "failed", "all": "1"}),
    ):
        assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert (
        reverse("zabuni_outbox") not in client.get(reverse("wagtailadmin_home")).content.decode()
    )


def test_failed_mail_is_listed_with_its_error_but_never_its_body(client, mail_manager):
    message = failed_message(1)
    client.force_login(mail_manager)

    page = html.unescape(client.get(reverse("zabuni_outbox")).content.decode())

    assert message.to_email in page
    assert "Confirm your email address" in page
    assert "Service not available" in page
    assert "secret-link" not in page
    assert "Retry now" in page


def test_retry_now_sends_failed_mail_again_once(client, mail_manager, settings):
    settings.EMAIL_BACKEND = LOCMEM
    message = failed_message(1)
    client.force_login(mail_manager)

    response = client.post(
        reverse("zabuni_outbox_retry"), {"state": "failed", "message": message.pk}
    )

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert message.give_up_at > timezone.now()
    assert outbox_sweep() == 1
    assert outbox_sweep() == 0
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.state == OutboxState.SENT


def test_retry_all_failed(client, db, settings):
    settings.EMAIL_BACKEND = LOCMEM
    for n in range(3):
        failed_message(n)
    client.force_login(SuperuserFactory())

    client.post(reverse("zabuni_outbox_retry"), {"state": "failed", "all": "1"})

    assert outbox_sweep() == 3
    assert not OutboxMessage.objects.filter(state=OutboxState.FAILED).exists()


def test_sent_mail_cannot_be_retried(client, mail_manager, settings):
    message = failed_message(1)
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxState.SENT, sent_at=timezone.now()
    )
    client.force_login(mail_manager)

    response = client.post(
        reverse("zabuni_outbox_retry"), {"state": "sent", "message": message.pk}
    )

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == OutboxState.SENT


def test_the_dashboard_counts_failed_and_waiting_mail(
    client, mail_manager, django_assert_max_num_queries
):
    failed_message(1)
    failed_message(2)
    client.force_login(mail_manager)

    page = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "2 emails failed" in " ".join(page.split())
    assert reverse("zabuni_outbox") in page


def test_mail_about_a_bid_hides_who_bid_on_what(client, db, consultancy_call, settings):
    """Before opening nobody, superusers included, learns who bid: a stuck receipt
    shows neither its recipient nor its subject, nor an address in its error."""
    from tests.factories import submit_bid

    bidder = UserFactory(email="secret.bidder@example.org")
    submit_bid(consultancy_call, bidder)
    receipt = OutboxMessage.objects.get(dedupe_key__startswith="receipt:")
    assert receipt.confidential
    OutboxMessage.objects.filter(pk=receipt.pk).update(
        state=OutboxState.FAILED,
        last_error="SMTPRecipientsRefused: {'secret.bidder@example.org': (550, b'No such user')}",
    )
    client.force_login(SuperuserFactory())

    page = html.unescape(client.get(reverse("zabuni_outbox")).content.decode())

    assert "A notice about a bid" in page
    assert "No such user" in page
    assert "secret.bidder" not in page
    assert consultancy_call.reference_code not in page


def test_retry_with_a_crafted_id_is_not_a_500(client, mail_manager):
    client.force_login(mail_manager)
    for crafted in ("\u00b2", "9" * 40, "-1"):
        response = client.post(reverse("zabuni_outbox_retry"), {"message": crafted})
        assert response.status_code == 302
