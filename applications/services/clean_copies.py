"""Copies of a bid's files that name nobody, for readers under blind review (issue 24,
item 5).

A bid's files carry their author's name in their own metadata (a PDF's Author, a Word
document's creator, a photograph's EXIF). Under blind review a reader who may not see
the applicant's identity downloads a copy with that metadata removed
(``core.metadata``); the original stays the record, with its SHA-256, and staff who
may see identities get it.

The copies of a blind-review call are made by the worker once the call is opened
(``CLEAN_TASK``, queued after the opening commits); a download that finds none makes
it there and then (``clean_copy_for``), so a dead broker or a call opened before this
existed costs a reader a wait, never the original. Calls without blind review get no
copies: nobody would be served one, and it would double what their bids keep in
storage.

A copy is stored as an opened file is (``applications.sealed_files``): its bytes
encrypted in chunks under a data key of its own, bound to its bid and its own SHA-256,
the data key sealed under the server's storage key. Its plaintext is never on disk:
the original is decrypted into an encrypted scratch file (``core.sealed_temp``) and
the copy made in memory, since a ZIP-based copy must be written to a seekable file.
"""

import hashlib
import io
import logging
from collections.abc import Iterator
from typing import NamedTuple

from django.conf import settings
from django.core.files import File
from django.db import transaction

from applications.models import CleanCopy, Submission, SubmissionFile
from applications.models.submissions import new_object_name
from applications.sealed_files import (
    STREAM,
    EncryptingReader,
    binding,
    decrypted_chunks,
    is_readable,
    plaintext_chunks,
    server_box,
)
from applications.sealing import SealBroken, data_key_new, storage_open
from core.clock import db_now
from core.metadata import MetadataUnreadable, metadata_strip
from core.queue import BROKER_ERRORS, queue_task
from core.sealed_temp import SealedScratch
from core.storage import delete_quietly, private_storage
from tenders.choices import ACCEPTED_FILE_TYPES

logger = logging.getLogger(__name__)

CLEAN_TASK = "applications.tasks.make_clean_copies"
EXTENSION_OF = {content_type: extension for extension, content_type in ACCEPTED_FILE_TYPES.items()}


def clean_copies_queue(*, call_id: int) -> bool:
    """Hand a call's copies to the worker (after the opening commits). A dead broker only
    delays them: the first download of each file makes its copy."""
    try:
        queue_task(CLEAN_TASK, call_id)
    except BROKER_ERRORS as exc:
        logger.warning("Broker unavailable; call %s's clean copies wait: %s", call_id, exc)
        return False
    return True


def clean_copies_make(*, call) -> int:
    """Make the clean copy of every readable file of ``call``'s received bids that has
    none; returns how many were made. Safe to run twice, or in two workers at once:
    each file is made under its row's lock, and one that has its copy is skipped.

    A file that cannot be cleaned is logged and left without a copy (its download
    answers why); one that cannot be read stops nothing but itself.
    """
    if not call.blind_review:
        return 0
    pending = (
        SubmissionFile.objects.filter(
            submission__in=Submission.objects.filter(call=call).received(),
            pending=False,
            clean_copy__isnull=True,
            purged_at__isnull=True,
        )
        .order_by("pk")
        .only("pk", "call_key_id", "server_key")
    )
    made = 0
    for item in pending:
        if not is_readable(item):
            continue  # sealed to a key the opening did not rebuild: nobody reads it
        try:
            _copy, created = _clean_copy_make(file_id=item.pk)
        except MetadataUnreadable as exc:
            logger.warning("File %s has no clean copy: %s", item.pk, exc)
            continue
        made += created
    return made


def clean_copy_for(*, item: SubmissionFile) -> CleanCopy:
    """``item``'s clean copy, made now if the worker has not made it yet.

    Raises ``MetadataUnreadable`` for a file that cannot be cleaned, ``SealBroken`` if
    the stored original is not the file recorded, and one of ``STORAGE_ERRORS`` if the
    store cannot be reached; in none of these is anything kept.
    """
    existing = CleanCopy.objects.filter(file=item).first()
    if existing is not None:
        return existing
    copy, _created = _clean_copy_make(file_id=item.pk)
    return copy


def _clean_copy_make(*, file_id: int) -> tuple[CleanCopy, bool]:
    """Make one file's copy under its row's lock: the worker and a reader's download, or
    two readers, never make it twice; the second waits, then finds it."""
    with transaction.atomic():
        item = SubmissionFile.objects.select_for_update().get(pk=file_id)
        existing = CleanCopy.objects.filter(file=item).first()
        if existing is not None:
            return existing, False
        if item.purged_at is not None:  # deleted by the retention policy while we waited
            raise MetadataUnreadable("the file was deleted under the retention policy")
        plain, removed = _cleaned(item)
        sha256 = hashlib.sha256(plain.getbuffer()).hexdigest()
        data_key = data_key_new()
        object_name = private_storage().save(
            new_object_name(item.submission.call_id),
            File(EncryptingReader(plain, data_key, binding(item.submission_id, sha256))),
        )
        try:
            copy = CleanCopy.objects.create(
                file=item,
                object_name=object_name,
                size=plain.getbuffer().nbytes,
                sha256=sha256,
                server_key=server_box().encrypt(data_key),
                removed=removed,
                made_at=db_now(),
            )
        except BaseException:
            delete_quietly([object_name], what="clean copy")
            raise
    return copy, True


def _cleaned(item: SubmissionFile) -> tuple[io.BytesIO, list[str]]:
    """The original, decrypted into an encrypted scratch file and checked against its
    SHA-256 as it is read, then cleaned in memory."""
    extension = EXTENSION_OF.get(item.content_type)
    if extension is None:
        raise MetadataUnreadable(f"no cleaner for {item.content_type}")
    scratch = SealedScratch()
    digest = hashlib.sha256()
    try:
        for chunk in plaintext_chunks(item):  # a sealed file's is checked as it is read
            digest.update(chunk)
            scratch.write(chunk)
        scratch.finish()
        if digest.hexdigest() != item.sha256:  # and one stored before keys, here
            raise SealBroken("the stored file is not the one recorded")
        plain = io.BytesIO()
        removed = metadata_strip(
            source=io.BufferedReader(scratch, buffer_size=1024 * 1024),
            target=plain,
            extension=extension,
            max_expanded_bytes=settings.ARCHIVE_MAX_UNCOMPRESSED_MB * 1024 * 1024,
        )
    finally:
        scratch.remove()
    plain.seek(0)
    return plain, removed


class _Stored(NamedTuple):
    """What ``decrypted_chunks`` reads of a stored item, for a copy."""

    object_name: str
    submission_id: int
    sha256: str
    size: int
    sealed_format: str = STREAM


def clean_copy_chunks(copy: CleanCopy, *, submission_id: int) -> Iterator[bytes]:
    """The copy's bytes, decrypted, every chunk checked, and at the end its SHA-256;
    ``SealBroken`` if the stored object was changed or is not this bid's copy."""
    stored = _Stored(copy.object_name, submission_id, copy.sha256, copy.size)
    return decrypted_chunks(stored, storage_open(server_box(), copy.server_key))
