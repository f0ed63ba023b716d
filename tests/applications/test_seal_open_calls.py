"""Calls published before calls were keyed are encrypted in place (issue 23, item 6):
``manage.py seal_open_calls`` keys each once its committee can hold the key, encrypts
every file and amount stored in the clear, is audited, and changes nothing the second
time; a call whose committee is not ready is named with what is missing."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import OpeningKey
from applications.choices import AuditAction
from applications.models import (
    Answer,
    AuditEvent,
    CallKey,
    OpeningCommittee,
    Submission,
    SubmissionFile,
)
from core.storage import private_storage
from notifications.delivery import BODY_DROPPED, outbox_deliver
from notifications.models import OutboxMessage
from tests.applications.deadline_support import close_at
from tests.factories import StaffFactory, UserFactory, make_call, submit_bid
from tests.sealing_support import open_call, stored_plaintext

pytestmark = pytest.mark.django_db


def published_before_keys(index, **fields):
    """A call as one published before this change: no key, its bids in the clear."""
    call = make_call(index, **fields)
    CallKey.objects.filter(call=call).delete()  # its shares go with it
    return call


def storage_bytes() -> bytes:
    root = Path(private_storage().path(""))
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def run(*args) -> str:
    out = StringIO()
    call_command("seal_open_calls", *args, stdout=out)
    return out.getvalue()


def test_a_call_published_before_keys_is_encrypted_in_place_once(
    site_root, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call = published_before_keys(site_root["calls"])
    bid = submit_bid(call, UserFactory())
    files = list(SubmissionFile.objects.filter(submission=bid))
    assert all(f.call_key_id is None for f in files) and b"%PDF" in storage_bytes()
    assert Submission.objects.get(pk=bid.pk).offer_amount is not None  # in the clear
    answer = Answer.objects.create(submission=bid, question_id="q-org", value="Haki Mashinani")
    receipt = OutboxMessage.objects.get(dedupe_key__startswith=f"receipt:{bid.pk}:")
    OutboxMessage.objects.filter(pk=receipt.pk).update(confidential=True)
    outbox_deliver(message_id=receipt.pk)
    OutboxMessage.objects.filter(pk=receipt.pk).update(body_text="Financial offer: KES 1")

    assert "would seal 2 files, 1 bids' amounts and 1 answers" in run("--dry-run")
    assert b"%PDF" in storage_bytes() and not CallKey.objects.filter(call=call).exists()

    with django_capture_on_commit_callbacks(execute=True):  # the plain objects go after
        output = run()

    assert f"{call.reference_code}: sealed 2 files, 1 bids' amounts and 1 answers" in output
    assert "1 bodies dropped" in output
    sealed = Submission.objects.get(pk=bid.pk)
    assert sealed.amounts_sealed and sealed.offer_amount is None
    assert b"%PDF" not in storage_bytes()
    sealed_answer = Answer.objects.get(pk=answer.pk)
    assert sealed_answer.value is None and sealed_answer.is_sealed
    assert b"Haki" not in bytes(sealed_answer.sealed)
    for before in files:
        after = SubmissionFile.objects.get(pk=before.pk)
        assert after.call_key_id and after.object_name != before.object_name
        assert not private_storage().exists(before.object_name)
        assert after.sha256 == before.sha256
    assert OutboxMessage.objects.get(pk=receipt.pk).body_text == BODY_DROPPED
    event = AuditEvent.objects.get(call=call, detail__startswith="Encrypted in place")
    assert (
        event.action == AuditAction.CALL_KEYED
        and "2 files, 1 bids' amounts, 1 answers" in event.detail
    )

    again = run()
    assert call.reference_code not in again  # nothing left to do
    assert AuditEvent.objects.filter(detail__startswith="Encrypted in place").count() == 1

    opened = open_call(close_at(call, timezone.now() - timedelta(minutes=5)), StaffFactory())
    assert opened is not None
    assert Submission.objects.get(pk=bid.pk).offer_amount == bid.offer_amount
    assert Answer.objects.get(pk=answer.pk).value == "Haki Mashinani"
    technical = SubmissionFile.objects.get(submission=bid, envelope="technical")
    assert stored_plaintext(technical).startswith(b"%PDF")


def test_a_call_whose_committee_is_not_ready_is_named_and_left_as_it_is(site_root):
    call = published_before_keys(site_root["calls"])
    submit_bid(call, UserFactory())
    committee = OpeningCommittee.objects.get(call=call)
    member = committee.members.first()
    OpeningKey.objects.filter(user=member).update(replaced_at=timezone.now())

    output = run()

    assert f"{call.reference_code}: not keyed yet" in output
    assert "have not made their opening key" in output
    assert not CallKey.objects.filter(call=call).exists()
    assert b"%PDF" in storage_bytes()  # nothing half done


def test_a_run_that_dies_after_its_commit_leaves_no_plain_file_once_run_again(
    site_root, django_capture_on_commit_callbacks
):
    call = published_before_keys(site_root["calls"])
    bid = submit_bid(call, UserFactory())
    plain_names = list(
        SubmissionFile.objects.filter(submission=bid).values_list("object_name", flat=True)
    )

    # The run commits each file's new object, then dies before deleting the plain one.
    with django_capture_on_commit_callbacks(execute=False) as never_run:
        run()
    assert never_run  # the deletions it would have made after each commit
    assert all(private_storage().exists(name) for name in plain_names)
    assert b"%PDF" in storage_bytes()

    output = run()

    assert "Plain files left by an interrupted run: 2 deleted." in output
    assert not any(private_storage().exists(name) for name in plain_names)
    assert b"%PDF" not in storage_bytes()
    assert "interrupted" not in run()
