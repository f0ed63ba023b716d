"""A new opening key is on the record (issue 23, item 2): made on the Security page or
put in the database by a shell, it is an event in the audit chain, and its owner and the
oversight address are mailed at once, so a key made in someone's name is noticed."""

import pytest
from django.urls import reverse

from accounts.models import OpeningKey
from applications.choices import AuditAction
from applications.models import AuditEvent
from notifications.models import OutboxMessage
from tests.factories import StaffFactory
from tests.sealing_support import give_opening_key

pytestmark = pytest.mark.django_db

PASSPHRASE = "mvua ya masika inanyesha leo"


def test_a_key_made_on_the_security_page_is_audited_and_mailed(client, settings):
    settings.OPENING_OVERSIGHT_EMAIL = "oversight@example.org"
    member = StaffFactory()
    client.force_login(member)

    client.post(
        reverse("accounts:opening_key"),
        {"action": "create", "create-passphrase": PASSPHRASE, "create-again": PASSPHRASE},
    )

    key = OpeningKey.objects.get(user=member)
    event = AuditEvent.objects.get(action=AuditAction.OPENING_KEY_MADE)
    assert key.fingerprint in event.detail and member.email in event.detail
    mails = OutboxMessage.objects.filter(dedupe_key__startswith=f"opening-key:{key.pk}")
    assert sorted(mails.values_list("to_email", flat=True)) == sorted(
        [member.email, "oversight@example.org"]
    )
    for message in mails:
        assert key.fingerprint in message.body_text and PASSPHRASE not in message.body_text
    assert "did not make it yourself" in mails.get(to_email=member.email).body_text


def test_a_key_put_in_by_a_shell_is_recorded_all_the_same(settings):
    settings.OPENING_OVERSIGHT_EMAIL = ""
    member = StaffFactory()

    key = give_opening_key(member, notice=True)  # rows written directly, as a shell would

    assert AuditEvent.objects.filter(
        action=AuditAction.OPENING_KEY_MADE, detail__contains=key.fingerprint
    ).exists()
    assert list(
        OutboxMessage.objects.filter(dedupe_key__startswith="opening-key:").values_list(
            "to_email", flat=True
        )
    ) == [member.email]
    key.save()  # a change to the row is not a new key
    assert AuditEvent.objects.filter(action=AuditAction.OPENING_KEY_MADE).count() == 1
