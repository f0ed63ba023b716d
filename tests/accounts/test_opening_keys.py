"""Opening keys (issue 23, item 1): a committee member makes their own on the Security
page, under a passphrase; the private half is stored only encrypted, and neither it nor
the passphrase ever reaches a browser, a log or a column in the clear. The passphrase
can be tested and changed (the key stays the same). The recovery key's private half is
printed once and never stored."""

import base64
import re
import time
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from nacl.public import PrivateKey
from wagtail.snippets.models import get_snippet_models

from accounts.models import OpeningKey
from accounts.opening_keys import (
    WrongPassphrase,
    opening_key_create,
    opening_key_unlock,
)
from accounts.reauth import AUTHENTICATED_AT
from applications.models import RecoveryKey
from core.errors import NotAllowed, Refused
from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSPHRASE = "mvua ya masika inanyesha leo"
URL = "/account/security/opening-key/"


def every_stored_byte() -> bytes:
    """Every column of every opening key, as the database returns it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_openingkey")
        rows = cursor.fetchall()
    return b"|".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for r in rows for v in r
    )


def test_a_member_makes_their_key_on_the_security_page_and_nothing_leaks(client, caplog):
    member = StaffFactory()
    client.force_login(member)
    assert reverse("accounts:opening_key") == URL
    assert "Make your opening key" in client.get(reverse("accounts:security")).content.decode()

    mismatch = client.post(
        URL,
        {"action": "create", "create-passphrase": PASSPHRASE, "create-again": PASSPHRASE + "x"},
    )
    assert mismatch.status_code == 400 and not OpeningKey.objects.exists()
    short = client.post(
        URL, {"action": "create", "create-passphrase": "short", "create-again": "short"}
    )
    assert short.status_code == 400 and "at least 12 characters" in short.content.decode()
    same = client.post(
        URL, {"action": "create", "create-passphrase": PASSWORD, "create-again": PASSWORD}
    )
    assert same.status_code == 400 and "not your password" in same.content.decode()
    made = client.post(
        URL,
        {"action": "create", "create-passphrase": PASSPHRASE, "create-again": PASSPHRASE},
        follow=True,
    )

    key = OpeningKey.objects.get(user=member)
    page = made.content.decode()
    assert key.fingerprint in page and PASSPHRASE not in page
    private = opening_key_unlock(key, PASSPHRASE)
    stored = every_stored_byte()
    assert bytes(private) not in stored and PASSPHRASE.encode() not in stored
    assert (
        base64.b64encode(bytes(private)) not in stored
        and bytes(private).hex().encode() not in stored
    )
    assert PASSPHRASE not in caplog.text
    assert key.fingerprint in client.get(reverse("accounts:security")).content.decode()
    # A second key is refused: the one in use changes only by its passphrase.
    with pytest.raises(Refused, match="already have an opening key"):
        opening_key_create(user=member, passphrase=PASSPHRASE + " tena")


def test_the_passphrase_is_tested_and_changed_and_the_key_stays_the_same(client):
    member = StaffFactory()
    key = opening_key_create(user=member, passphrase=PASSPHRASE)
    public = bytes(key.public_key)
    client.force_login(member)

    wrong = client.post(URL, {"action": "test", "test-passphrase": "jua kali la mchana"})
    assert wrong.status_code == 400 and "does not open your opening key" in wrong.content.decode()
    right = client.post(URL, {"action": "test", "test-passphrase": PASSPHRASE}, follow=True)
    assert "That passphrase opens your opening key." in right.content.decode()

    new = "upepo wa kusi unavuma kesho"
    changed = client.post(
        URL,
        {
            "action": "change",
            "change-old": PASSPHRASE,
            "change-passphrase": new,
            "change-again": new,
        },
    )
    assert changed.status_code == 302
    key.refresh_from_db()
    assert bytes(key.public_key) == public and key.passphrase_changed_at is not None
    assert bytes(opening_key_unlock(key, new).public_key) == public
    with pytest.raises(WrongPassphrase):
        opening_key_unlock(key, PASSPHRASE)


def test_only_the_member_signed_in_recently_makes_their_own_key(client):
    applicant = UserFactory()
    client.force_login(applicant)
    assert client.get(URL).status_code == 404
    with pytest.raises(NotAllowed):
        opening_key_create(user=applicant, passphrase=PASSPHRASE)

    member = StaffFactory()
    client.force_login(member)
    session = client.session
    session[AUTHENTICATED_AT] = int(time.time()) - 11 * 60
    session.save()
    post = {"action": "create", "create-passphrase": PASSPHRASE, "create-again": PASSPHRASE}
    asked = client.post(URL, post)
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("accounts:confirm_identity"))
    assert not OpeningKey.objects.exists()
    # No admin screen makes, lists or edits opening keys.
    assert OpeningKey not in admin.site._registry and OpeningKey not in get_snippet_models()


def test_the_recovery_key_is_printed_once_and_only_its_public_half_kept():
    out = StringIO()
    call_command("opening_recovery_key", stdout=out)
    text = out.getvalue()

    key = RecoveryKey.in_use()
    assert key.fingerprint in text
    printed = re.search(r"^    ([A-Z2-7 ]+)$", text, re.M).group(1).replace(" ", "")
    private = base64.b32decode(printed + "=" * (-len(printed) % 8))
    assert bytes(PrivateKey(private).public_key) == bytes(key.public_key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM applications_recoverykey")
        stored = b"|".join(
            bytes(v) for r in cursor.fetchall() for v in r if isinstance(v, bytes | memoryview)
        )
    assert private not in stored
    with pytest.raises(CommandError, match="cannot be printed again"):
        call_command("opening_recovery_key", stdout=StringIO())
    call_command("opening_recovery_key", "--replace", stdout=StringIO())
    assert RecoveryKey.objects.count() == 2 and RecoveryKey.in_use().pk != key.pk
