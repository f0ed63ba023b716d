"""Handing a person their data copy: within the request when it is small, otherwise
built by the worker into private storage and mailed as a link that works for a day.

A link's token is made by the worker when the copy is ready and goes only into the
mail: the row keeps its SHA-256, and nothing secret passes through the broker (the
worker gets a row id). The keys to sealed answers never leave the request either:
the worker builds without them, and says so in the copy.
"""

import hashlib
import hmac
import logging
import secrets
import tempfile
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from applications.choices import AuditAction
from applications.sealed_files import EncryptingReader
from applications.sealing import CHUNK, SealBroken, decrypt_chunks
from applications.services.audit import audit_record
from core.queue import BROKER_ERRORS, queue_task
from core.storage import STORAGE_ERRORS, private_object_chunks, private_storage
from notifications.languages import offered_or_default
from notifications.services import outbox_enqueue
from privacy.data_copy.archive import CopyReport, data_copy_write
from privacy.models import DataCopy, DataCopyState

logger = logging.getLogger(__name__)

BUILD_TASK = "privacy.tasks.build_data_copy"

BROKER_DOWN = gettext_lazy(
    "The background worker could not be reached, so your copy was not started. "
    "Please ask again in a few minutes."
)
STORAGE_DOWN = gettext_lazy(
    "The file store was unavailable, so your copy could not be made. "
    "Please ask again in a few minutes."
)
FILE_BROKEN = gettext_lazy(
    "One of your files failed its integrity check while your copy was being made, so "
    "it was not finished. Please tell the administrators."
)
TOO_LONG = gettext_lazy("Making your copy took too long and was stopped. Please ask again.")
WORKER_LOST = gettext_lazy(
    "The background worker stopped before your copy was finished. Please ask again."
)


def _stuck_after() -> timedelta:
    # A build still unfinished this long after it was asked for has no task left: the
    # broker gives a dead worker's task back within the visibility timeout (two time
    # limits), and a redelivered build ends within one more.
    return timedelta(seconds=3 * settings.CELERY_TASK_TIME_LIMIT)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def data_copy_inline(target, *, user, own_keys: dict[int, bytes]) -> CopyReport:
    """Write ``user``'s copy into ``target`` within the request, and record the files
    that left, in one transaction: a store that fails midway records nothing."""
    with transaction.atomic():
        report = data_copy_write(target, user=user, own_keys=own_keys)
        data_copy_audit(user=user, report=report)
    return report


def data_copy_audit(*, user, report: CopyReport) -> None:
    """Every file that left in a copy is on the record, as every download is; and every
    file that failed its check."""
    for item in report.copied:
        audit_record(
            actor=user,
            action=AuditAction.FILE_DOWNLOADED,
            submission=item.submission,
            file=item,
            detail=f"{item.document_name} (in a copy of the applicant's data)",
        )
    for item, problem in report.broken:
        audit_record(
            actor=user,
            action=AuditAction.SEAL_BROKEN,
            submission=item.submission,
            file=item,
            detail=problem,
        )


def data_copy_request(*, user, language: str, now=None) -> DataCopy:
    """Ask the worker for ``user``'s copy, or find the one it is already building.

    A second click, or a second tab, gets the copy being built: the database allows
    one per person (``one_data_copy_being_built``). One left over by a dead worker is
    failed first, so that it does not block the person for ever.
    """
    now = now or timezone.now()
    with transaction.atomic():
        DataCopy.objects.filter(
            user=user,
            state__in=[DataCopyState.QUEUED, DataCopyState.BUILDING],
            created_at__lt=now - _stuck_after(),
        ).update(state=DataCopyState.FAILED, error=str(WORKER_LOST))
        pending = _pending(user)
        if pending is not None:
            return pending
        try:
            with transaction.atomic():
                copy = DataCopy.objects.create(user=user, language=language)
        except IntegrityError:  # the other click won
            return _pending(user)
        transaction.on_commit(lambda: data_copy_dispatch(copy=copy))
    return copy


def _pending(user) -> DataCopy | None:
    return DataCopy.objects.filter(
        user=user, state__in=[DataCopyState.QUEUED, DataCopyState.BUILDING]
    ).first()


def data_copy_dispatch(*, copy: DataCopy) -> bool:
    """Hand the build to the broker; a dead broker fails the copy, saying why, so that
    the person may ask again."""
    try:
        queue_task(BUILD_TASK, copy.pk)
    except BROKER_ERRORS as exc:
        logger.warning("Broker unavailable; data copy %s not started: %s", copy.pk, exc)
        data_copy_fail(copy_id=copy.pk, error=str(BROKER_DOWN))
        return False
    return True


def data_copy_fail(*, copy_id: int, error: str) -> None:
    DataCopy.objects.filter(
        pk=copy_id, state__in=[DataCopyState.QUEUED, DataCopyState.BUILDING]
    ).update(state=DataCopyState.FAILED, error=error)


def _claim(copy_id: int) -> DataCopy | None:
    """Take the copy for this run: the attempt number fences every later write."""
    with transaction.atomic():
        copy = DataCopy.objects.select_for_update().select_related("user").filter(pk=copy_id)
        copy = copy.first()
        if copy is None or not copy.can_move_to(DataCopyState.BUILDING):
            return None
        copy.state, copy.attempt = DataCopyState.BUILDING, copy.attempt + 1
        copy.save(update_fields=["state", "attempt"])
    return copy


def data_copy_build(*, copy_id: int) -> bool:
    """The worker's build: write the copy into private storage, mark it ready and mail
    its link. True if this run finished it.

    Safe to run twice. A ready, failed or expired copy is left alone. A copy being
    built is built again (the broker redelivers a dead worker's task); if two runs
    overlap, the later claim wins, and the earlier run, fenced out by the attempt
    number, deletes its own object and mails nothing. The one window: a run that dies
    after storing its object and before marking the copy ready leaves that object
    unnamed by any row (``delete_quietly``'s kind of orphan).
    """
    copy = _claim(copy_id)
    if copy is None:
        return False
    user = copy.user
    name = f"data-copies/{uuid.uuid4().hex}.zip"
    language = offered_or_default(copy.language or user.language)
    # The link's token is also the copy's key: stored, the copy is ciphertext that only
    # the mailed link opens (the server keeps the token's SHA-256, not the token).
    token = secrets.token_urlsafe(32)
    try:
        with tempfile.TemporaryFile() as target, translation.override(language):
            report = data_copy_write(target, user=user, own_keys={})
            size = target.tell()
            sealed = EncryptingReader(target, copy_key(token), _bound_to(copy_id))
            stored = private_storage().save(name, File(sealed, name=name))
    except STORAGE_ERRORS as exc:
        logger.warning("Data copy %s: storage failed: %s", copy_id, exc)
        data_copy_fail(copy_id=copy_id, error=str(STORAGE_DOWN))
        return False
    except SealBroken as exc:  # changed in storage after it was checked, while being copied
        logger.error("Data copy %s: a file failed its integrity check: %s", copy_id, exc)
        data_copy_fail(copy_id=copy_id, error=str(FILE_BROKEN))
        return False
    now = timezone.now()
    expires_at = now + settings.DATA_COPY_LINK_LIFETIME
    with transaction.atomic():
        finished = DataCopy.objects.filter(
            pk=copy_id, state=DataCopyState.BUILDING, attempt=copy.attempt
        ).update(
            state=DataCopyState.READY,
            token_sha256=token_digest(token),
            object_name=stored,
            size=size,
            built_at=now,
            expires_at=expires_at,
            error="",
        )
        if finished:
            data_copy_audit(user=user, report=report)
            _mail_link(copy, token=token, expires_at=expires_at, language=language)
    if not finished:
        _delete(stored)
    return bool(finished)


def copy_key(token: str) -> bytes:
    """The key a copy is encrypted under: derived from its link's token (BLAKE2b, its
    own personalisation, so it is not the stored SHA-256 of the token)."""
    return hashlib.blake2b(token.encode(), digest_size=32, person=b"zabuni-datacopy").digest()


def _bound_to(copy_id: int) -> bytes:
    return f"data-copy:{copy_id}".encode()


def data_copy_chunks(copy: DataCopy, *, token: str):
    """The copy's ZIP, decrypted with its link's token as it is read from storage;
    ``SealBroken`` if what is stored was changed."""
    stored = private_object_chunks(copy.object_name, CHUNK + 17)
    return decrypt_chunks(copy_key(token), stored, _bound_to(copy.pk))


def _mail_link(copy: DataCopy, *, token: str, expires_at, language: str) -> None:
    path = reverse("privacy:data_copy_download", args=[token])
    outbox_enqueue(
        to=copy.user.email,
        language=language,
        template="privacy/emails/data_copy_ready",
        context={
            "recipient": copy.user,
            "link": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path,
            "expires_at": expires_at,
        },
        dedupe_key=f"data-copy:{copy.pk}",
        # It is about the person's bids, and its link is worth something until it
        # expires: staff screens hide it, and its body goes once it is delivered.
        confidential=True,
    )


def data_copy_find(*, user, token: str) -> DataCopy | None:
    """``user``'s copy that ``token`` opens, whatever its state; None for anyone else's.
    The digests are compared in constant time."""
    digest = token_digest(token)
    found = None
    for copy in DataCopy.objects.filter(user=user, token_sha256__isnull=False):
        if hmac.compare_digest(copy.token_sha256, digest):
            found = copy
    return found


def data_copy_is_live(copy: DataCopy, *, now=None) -> bool:
    return copy.is_ready and copy.expires_at > (now or timezone.now())


def _delete(name: str) -> bool:
    try:
        private_storage().delete(name)
    except STORAGE_ERRORS as exc:
        logger.warning("Could not delete data copy object %s: %s", name, exc)
        return False
    return True


def data_copies_expire(*, now) -> int:
    """For the retention engine: delete every copy whose link has run out; the count.

    A copy is marked expired only once its object is gone: one the store would not
    delete stays ready (and refused, being past its time) until the next run. Builds
    no worker can still be doing are failed, so their owners may ask again.
    """
    DataCopy.objects.filter(
        state__in=[DataCopyState.QUEUED, DataCopyState.BUILDING],
        created_at__lt=now - _stuck_after(),
    ).update(state=DataCopyState.FAILED, error=str(WORKER_LOST))
    expired = 0
    due = DataCopy.objects.filter(state=DataCopyState.READY, expires_at__lte=now)
    for pk, name in due.values_list("pk", "object_name"):
        if name and not _delete(name):
            continue
        expired += DataCopy.objects.filter(pk=pk, state=DataCopyState.READY).update(
            state=DataCopyState.EXPIRED, object_name=""
        )
    return expired
