"""Deleting what the retention policy says has been kept long enough.

The stored object goes first, and its row is marked only once the store has
deleted it: a store that is down leaves the row as it was, for the next run,
rather than a row that says "deleted" over an object that is still there. What
stays is the record: a file's size and SHA-256 (named by registers and
receipts), an answer's digest (the receipt's answers' SHA-256 is over those),
the bid's reference, status, amounts and scores.
"""

from django.db import transaction
from django.db.models.functions import Now

from applications.choices import RECEIVED
from applications.models import (
    Answer,
    AuditEvent,
    CleanCopy,
    PartialUpload,
    Submission,
    SubmissionFile,
)
from applications.services.audit_erasure import audit_details_erase
from core.storage import private_storage


def files_purge(*, files) -> int:
    """Delete the stored objects of ``files`` (SubmissionFile rows not yet purged), then
    mark each; raises the store's error, leaving the rest for the next run."""
    storage = private_storage()
    purged = 0
    for pk in files.filter(purged_at__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            # Locked, so that a reviewer's download cannot make a clean copy meanwhile.
            item = (
                SubmissionFile.objects.select_for_update()
                .filter(pk=pk, purged_at__isnull=True)
                .only("pk", "object_name", "document_name")
                .first()
            )
            if item is None:
                continue
            copy = CleanCopy.objects.filter(file_id=item.pk).first()
            if copy is not None:  # the reviewers' copy goes with it
                storage.delete(copy.object_name)
                copy.delete()
            storage.delete(item.object_name)
            # No longer sealed to anything: an opening has nothing of it to open.
            SubmissionFile.objects.filter(pk=item.pk).update(
                purged_at=Now(),
                original_name=item.document_name,
                call_key=None,
                sealed_key=None,
                server_key=None,
            )
        purged += 1
    return purged


def answers_purge(*, submission) -> int:
    """Empty a bid's answers, keeping each one's digest."""
    return Answer.objects.filter(submission=submission).update(
        value=None, sealed=None, own_copy=None, salt=None, problem=""
    )


def submission_contents_purge(*, submission) -> None:
    """A bid's files, answers and the personal details of its audit events go; it stays
    as the record, marked ``purged_at``."""
    files_purge(files=SubmissionFile.objects.filter(submission=submission))
    with transaction.atomic():
        answers_purge(submission=submission)
        if submission.status not in RECEIVED:  # withdrawn: its amounts are no record
            Submission.objects.filter(pk=submission.pk).update(
                sealed_amounts=None, amounts_key=None, offer_amount=None, amount_requested=None
            )
        PartialUpload.objects.filter(submission=submission).delete()
        audit_details_erase(
            events=AuditEvent.objects.filter(submission=submission), why="retention policy"
        )
        Submission.objects.filter(pk=submission.pk).update(purged_at=Now())


def draft_delete(*, submission) -> bool:
    """A draft never submitted goes whole; True if the row went too. A draft the audit
    trail names (a file was uploaded to it) keeps an empty row for the trail to point
    at."""
    submission_contents_purge(submission=submission)
    with transaction.atomic():
        if AuditEvent.objects.filter(submission=submission).exists():
            Submission.objects.filter(pk=submission.pk).update(
                sealed_amounts=None, offer_amount=None, amount_requested=None
            )
            return False
        SubmissionFile.objects.filter(submission=submission).delete()
        Answer.objects.filter(submission=submission).delete()
        Submission.objects.filter(pk=submission.pk).delete()
    return True
