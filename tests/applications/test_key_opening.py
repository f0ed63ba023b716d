"""Opening a sealed call with its committee's keys (issue 23, item 4): a quorum's
passphrases open it and fewer reveal nothing; a wrong passphrase is counted; a tampered,
swapped or moved object is reported, never served."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import OpeningKey
from applications.choices import AuditAction
from applications.models import (
    AuditEvent,
    CallOpening,
    OpeningConfirmation,
    SubmissionFile,
)
from applications.sealing import SealBroken
from core.errors import Refused
from core.storage import private_storage
from tests.applications.deadline_support import close_at
from tests.factories import (
    StaffFactory,
    UserFactory,
    make_call,
    submit_bid,
)
from tests.sealing_support import (
    confirm,
    open_call,
    stored_plaintext,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bid_call(site_root):
    members = [StaffFactory() for _ in range(4)]
    call = make_call(site_root["calls"], committee=members)
    submit_bid(call, UserFactory())
    return close_at(call, timezone.now() - timedelta(minutes=5)), members


def test_fewer_than_the_quorum_reveal_nothing_and_the_quorum_opens(bid_call):
    call, members = bid_call
    files = list(SubmissionFile.objects.filter(submission__call=call))
    assert files and all(f.sealed_key and f.server_key is None for f in files)

    assert confirm(call, members[0]) == (1, None)
    assert confirm(call, members[1]) == (2, None)
    # Two shares, kept sealed under the storage key: the call's key cannot be rebuilt.
    from applications.services.key_opening import call_private_rebuild, shares_given

    assert len(shares_given(call)) == 2
    assert call_private_rebuild(call, shares_given(call)) is None
    assert all(f.server_key is None for f in SubmissionFile.objects.filter(submission__call=call))

    count, opening = confirm(call, members[2])

    assert count == 3 and opening is not None
    assert all(
        f.server_key is not None for f in SubmissionFile.objects.filter(submission__call=call)
    )
    assert not OpeningConfirmation.objects.filter(call=call, share__isnull=False).exists()
    keyed = AuditEvent.objects.filter(call=call, action=AuditAction.CALL_KEYED)
    assert keyed.filter(
        detail__startswith="The call's key was rebuilt from the shares of"
    ).exists()
    # The opening register says whose shares rebuilt the key.
    from applications.models import OpeningRegister

    register = OpeningRegister.objects.get(call=call)
    assert [m.get("key_share") for m in register.members] == [True, True, True]


def test_a_wrong_passphrase_is_refused_and_counted_like_a_wrong_password(bid_call, settings):
    call, members = bid_call
    from axes.models import AccessAttempt

    with pytest.raises(Refused, match="passphrase does not open"):
        confirm(call, members[0], passphrase="not the passphrase at all")
    assert not OpeningConfirmation.objects.filter(call=call).exists()
    attempt = AccessAttempt.objects.get(username=members[0].email)
    assert attempt.failures_since_start == 1


def test_a_member_whose_key_was_replaced_confirms_without_a_share(bid_call):
    """Their share was sealed to the key they had at publication: the new one cannot open
    it. They still confirm (the quorum counts them), and the recovery key stands in."""
    call, members = bid_call
    OpeningKey.objects.filter(user=members[0]).update(replaced_at=timezone.now())
    from accounts.opening_keys import opening_key_create
    from applications.services.opening import recovery_share_give
    from tests.sealing_support import RECOVERY_PRIVATE

    opening_key_create(user=members[0], passphrase="a brand new passphrase here")

    assert confirm(call, members[0], passphrase="a brand new passphrase here") == (1, None)
    assert OpeningConfirmation.objects.get(call=call, member=members[0]).share is None
    assert confirm(call, members[1]) == (2, None)
    assert confirm(call, members[2]) == (3, None)  # three confirmed, two shares: still sealed
    assert not CallOpening.objects.filter(call=call).exists()
    assert recovery_share_give(call=call, private=RECOVERY_PRIVATE) is not None


def test_tampering_with_a_stored_file_is_reported_and_never_served(bid_call, client):
    call, members = bid_call
    for member in members[:3]:
        confirm(call, member)
    assert CallOpening.objects.filter(call=call).exists()
    item = SubmissionFile.objects.filter(submission__call=call, envelope="technical").first()
    path = private_storage().path(item.object_name)
    with open(path, "r+b") as stored:
        stored.seek(200)
        byte = stored.read(1)
        stored.seek(200)
        stored.write(bytes([byte[0] ^ 1]))
    with pytest.raises(SealBroken):
        stored_plaintext(item)

    client.force_login(item.submission.applicant)
    response = client.get(reverse("applications:download", args=[item.pk]))

    assert response.status_code == 409
    assert "failed its integrity check" in response.content.decode()
    assert b"%PDF" not in response.content
    assert AuditEvent.objects.filter(action=AuditAction.SEAL_BROKEN, file_id=item.pk).exists()


def test_a_file_swapped_for_another_sealed_file_is_refused(bid_call, client):
    call, members = bid_call
    for member in members[:3]:
        confirm(call, member)
    technical, financial = (
        SubmissionFile.objects.filter(submission__call=call).order_by("envelope").reverse()
    )
    storage = private_storage()
    swapped = storage.path(financial.object_name)
    with open(storage.path(technical.object_name), "rb") as source:
        data = source.read()
    with open(swapped, "wb") as target:
        target.write(data)

    with pytest.raises(SealBroken):
        stored_plaintext(financial)


def test_a_file_moved_to_another_bids_row_does_not_open(site_root):
    """Each stored file is bound to its bid and its SHA-256: a row given another bid's
    object, data key and fingerprint (a database edited by hand) fails the check."""
    call = make_call(site_root["calls"])
    first, second = submit_bid(call, UserFactory()), submit_bid(call, UserFactory())
    open_call(close_at(call, timezone.now() - timedelta(minutes=5)), StaffFactory())
    theirs = SubmissionFile.objects.get(submission=first, envelope="technical")
    mine = SubmissionFile.objects.get(submission=second, envelope="technical")
    assert stored_plaintext(mine).startswith(b"%PDF")
    SubmissionFile.objects.filter(pk=theirs.pk).update(object_name="moved-away")
    SubmissionFile.objects.filter(pk=mine.pk).update(
        object_name=theirs.object_name,
        sealed_key=theirs.sealed_key,
        server_key=theirs.server_key,
        sha256=theirs.sha256,
    )
    with pytest.raises(SealBroken):
        stored_plaintext(mine)


def test_shares_given_towards_an_opening_go_when_the_call_is_cancelled(bid_call):
    from applications.services.key_opening import shares_given
    from tenders.choices import CallOutcome
    from tenders.models import CallPage

    call, members = bid_call
    confirm(call, members[0])
    confirm(call, members[1])
    assert len(shares_given(call)) == 2

    call = CallPage.objects.get(pk=call.pk)
    call.outcome, call.cancellation_reason = CallOutcome.CANCELLED, "The budget was withdrawn."
    call.clarifications_close_at = min(call.clarifications_close_at, call.closes_at)
    call.save_revision().publish()

    assert AuditEvent.objects.filter(call=call, action=AuditAction.CALL_CANCELLED).exists()
    assert shares_given(call) == []
    assert not OpeningConfirmation.objects.filter(call=call, share__isnull=False).exists()
    assert OpeningConfirmation.objects.filter(call=call).count() == 2  # who confirmed stays
