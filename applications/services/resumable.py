"""Uploads a piece at a time, for slow and unreliable connections (issue 13).

The bid page's script sends each chosen document on its own, as soon as it is
chosen, in pieces of ``UPLOAD_PIECE_BYTES``. If the connection drops, it asks
where the upload stands (``PartialUpload.received``) and goes on from there:
only the piece in flight is sent again. Without the script, the plain form
works as before.

- ``upload_start`` checks what can be checked before any byte arrives: the
  owner, the deadline, the document, the name's type and the declared size.
  Unfinished uploads are bounded (issue 21): one per bid and document (a new
  start replaces the old one, bytes and all), and an account's unfinished
  uploads together may declare at most ``BUDGET_FACTOR`` times the call's
  document limits added up. Starts of one account take turns on its row, so
  two at once cannot both slip under the budget. (The view limits how often
  an account may start one at all.)
- ``upload_append`` takes one piece at the offset the server holds (another
  offset gets ``OffsetMismatch``, with the right one), under the upload's row
  lock, so a piece sent twice is written once.
- When the last piece is in, in the same transaction and under the same lock,
  the whole file goes through ``submission_save``, exactly as a file sent with
  the form: the same type, size and archive checks, the same private storage,
  visible to its owner only, and nothing is submitted. The row records how it
  ended; once committed, the partial bytes are deleted, whatever the outcome.
  A request at ``offset == size`` with no bytes asks for that ending again: it
  finishes an upload whose whole file is in but unfinished (a worker that died
  mid-way, before this was one transaction), or answers with the recorded
  ending. A lost answer costs nothing but that request.

The time of receipt of each piece is judged against the deadline like any
request: a piece that arrives after it is refused, with both times.
"""

import logging
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import PartialUpload, SubmissionFile
from applications.services.resumable_pieces import (
    PiecesLost,
    key_check,
    key_matches,
    piece_write,
    pieces_delete,
    pieces_join,
    uploads_with_pieces,
)
from applications.services.submissions import FilesRefused, require_editable, submission_save
from applications.uploads import extension_of, sanitise_filename, sizes_to_compare
from core.db import atomic_with_retry
from core.errors import Refused, StorageUnavailable
from core.page_text import rows_with_text
from core.sealed_temp import ScratchBroken, new_key
from core.storage import STORAGE_ERRORS

logger = logging.getLogger(__name__)

# An account's unfinished uploads may declare this many times the limits of the
# documents of the call it starts one for, added up: a whole bid in flight, and
# a second one.
BUDGET_FACTOR = 2
# Past this, a declared size is not a file's and is not repeated back.
LARGEST_SIZE_SHOWN = 1024**4
# The sweep forgets this many rows per transaction.
SWEEP_BATCH = 500


class OffsetMismatch(Refused):
    """The piece does not start where the upload stands: send from ``offset``."""

    status_code = 409

    def __init__(self, offset: int):
        self.offset = offset
        super().__init__(_("Continue from byte %(offset)s.") % {"offset": offset})


class UploadGone(Refused):
    status_code = 404


class KeyLost(Refused):
    """The pieces do not open with the key the page sent (another page, or none)."""

    status_code = 409


KEY_LOST = gettext_lazy(
    "This upload cannot go on from this page: its pieces are encrypted under a key that "
    "only the page that started it held. Choose the file again."
)


def _forget_pieces(upload_ids) -> None:
    """After the commit: the pieces of uploads no row needs any more. A store that
    fails is logged; the sweep deletes what is left."""
    for upload_id in upload_ids:
        try:
            pieces_delete(upload_id)
        except STORAGE_ERRORS as exc:
            logger.warning("Could not delete the pieces of upload %s: %s", upload_id, exc)


def _megabytes(size: int) -> str:
    return f"{size / 1048576:.1f} MB"


def upload_for(user, upload_id, *, lock: bool = False) -> PartialUpload:
    """The owner's upload; anyone else's is not found. ``lock``: its row (only its
    own, not the bid's or the call's) is locked until the transaction ends."""
    uploads = PartialUpload.objects.filter(pk=upload_id, owner=user).select_related(
        "requirement", "submission__call"
    )
    if lock:
        uploads = uploads.select_for_update(of=("self",))
    upload = uploads.first()
    if upload is None:
        raise UploadGone(_("That upload is not found. Choose the file again."))
    return upload


def upload_start(*, user, submission, requirement_id: int, name: str, size: int, received_at):
    """A new upload of ``name`` (``size`` bytes) for one of the call's documents; it
    replaces the bid's unfinished upload of that document, if any."""
    require_editable(user, submission, received_at)
    requirements = rows_with_text(submission.call, "required_documents")
    requirement = next((r for r in requirements if r.pk == requirement_id), None)
    if requirement is None:
        raise Refused(_("That document is not part of this call."))
    label = requirement.text.name
    display = sanitise_filename(name or "")
    ext = extension_of(display)
    if ext not in requirement.accepted_type_list:
        raise Refused(
            _("%(doc)s: a .%(ext)s file is not accepted; send %(types)s.")
            % {
                "doc": label,
                "ext": ext or "?",
                "types": ", ".join(t.upper() for t in requirement.accepted_type_list),
            }
        )
    if size <= 0:
        raise Refused(_("%(doc)s: the file is empty.") % {"doc": label})
    if size > requirement.max_size_bytes:
        shown, limit = sizes_to_compare(size, requirement.max_size_bytes)
        if size > LARGEST_SIZE_SHOWN:
            raise Refused(
                _("%(doc)s: the file is far larger than the limit of %(limit)s.")
                % {"doc": label, "limit": limit}
            )
        raise Refused(
            _("%(doc)s: the file is %(size)s; the limit is %(limit)s.")
            % {"doc": label, "size": shown, "limit": limit}
        )
    budget = BUDGET_FACTOR * sum(r.max_size_bytes for r in requirements)
    upload, replaced = atomic_with_retry(
        lambda: _start_locked(
            user=user,
            submission=submission,
            requirement=requirement,
            name=display,
            size=size,
            budget=budget,
        )
    )
    _forget_pieces(replaced)  # committed: their bytes go
    return upload


def _start_locked(*, user, submission, requirement, name: str, size: int, budget: int):
    # Lock 0: the account's row, against its other starts only (FOR NO KEY UPDATE
    # leaves rows that refer to it free to be written). Then the unfinished upload
    # this one replaces: an append or a finish in flight on it ends first.
    list(
        get_user_model()
        .objects.select_for_update(no_key=True)
        .filter(pk=user.pk)
        .values_list("pk", flat=True)
    )
    replaced = list(
        PartialUpload.objects.select_for_update()
        .filter(submission=submission, requirement=requirement, finished_at__isnull=True)
        .values_list("pk", flat=True)
    )
    held = (
        PartialUpload.objects.filter(owner=user, finished_at__isnull=True)
        .exclude(pk__in=replaced)
        .aggregate(total=Sum("size"))["total"]
        or 0
    )
    if held + size > budget:
        raise Refused(
            _(
                "%(doc)s: your unfinished uploads already hold %(held)s of the %(budget)s "
                "allowed at once. Let them finish, then choose this file again (uploads "
                "left unfinished are cleared after a day)."
            )
            % {
                "doc": requirement.text.name,
                "held": _megabytes(held),
                "budget": _megabytes(budget),
            }
        )
    PartialUpload.objects.filter(pk__in=replaced).delete()
    # The pieces are kept encrypted under a key made here and handed to the uploader's
    # page only (``upload.key``): the server keeps only a check of it.
    key = new_key()
    upload = PartialUpload.objects.create(
        submission=submission,
        requirement=requirement,
        owner=user,
        name=name,
        size=size,
        key_check=key_check(key),
    )
    upload.key = key
    return upload, replaced


def upload_append(
    *, user, upload_id, offset: int, piece, length: int, received_at, key: bytes, request=None
):
    """Write one piece (a file object of ``length`` bytes) at ``offset``. Returns the
    upload; once it is whole, it has been saved on the bid or refused (``refusal``).

    No bytes at ``offset == size``: finish the upload if its whole file is in, or
    return it as it ended (asked again after a lost answer)."""

    def append():
        upload = upload_for(user, upload_id, lock=True)
        asks_for_the_end = offset == upload.size and length == 0
        if upload.finished_at is not None:
            if asks_for_the_end:
                return upload
            raise OffsetMismatch(upload.received)
        require_editable(user, upload.submission, received_at)
        if offset != upload.received:
            raise OffsetMismatch(upload.received)
        if not key_matches(upload.key_check, key):
            raise KeyLost(KEY_LOST)
        if not asks_for_the_end:
            if length <= 0 or upload.received + length > upload.size:
                raise Refused(
                    _("%(doc)s: more bytes arrived than the file has.") % {"doc": upload.name}
                )
            piece.seek(0)
            piece_write(upload.pk, offset, piece.read(length), key)
            upload.received = offset + length
            upload.save(update_fields=["received"])
        if upload.received == upload.size:
            _finish_locked(upload, user=user, request=request, received_at=received_at, key=key)
        return upload

    upload = atomic_with_retry(append)
    if upload.finished_at is not None:  # committed: the bytes are no longer needed
        _forget_pieces([upload.pk])
    return upload


def _finish_locked(upload: PartialUpload, *, user, request, received_at, key: bytes) -> None:
    """The whole file, through the bid form's own path, under the upload's row lock.

    A refused file is recorded as the ending; storage out of reach is not an
    ending: it is raised, the transaction rolls back, and the bytes stay for a
    request at the end to finish later."""
    scratch = None
    try:
        scratch = pieces_join(upload.pk, upload.size, key)
        whole = File(scratch, name=upload.name)
        whole.size = upload.size
        submission_save(
            submission=upload.submission,
            user=user,
            uploads={upload.requirement_id: whole},
            request=request,
            received_at=received_at,
        )
    except ScratchBroken:
        upload.refusal = KEY_LOST
    except (FileNotFoundError, PiecesLost):
        upload.refusal = _("%(doc)s: the file was lost on the way. Choose it again.") % {
            "doc": upload.name
        }
    except STORAGE_ERRORS as exc:
        raise StorageUnavailable(
            _(
                "We could not read your file back just now. Nothing was lost: send the "
                "last piece again in a few minutes."
            )
        ) from exc
    except FilesRefused as refusal:
        upload.refusal = next(iter(refusal.refusals.values()), refusal.message)
    except StorageUnavailable:
        raise
    except Refused as refusal:
        upload.refusal = refusal.message
    finally:
        if scratch is not None:
            scratch.remove()
    upload.finished_at = timezone.now()
    upload.save(update_fields=["refusal", "finished_at"])


def kept_file(upload: PartialUpload) -> SubmissionFile | None:
    """The file a finished upload left on the bid (the newest for its document)."""
    if upload.finished_at is None or upload.refusal:
        return None
    return (
        SubmissionFile.objects.filter(
            submission_id=upload.submission_id, requirement_id=upload.requirement_id
        )
        .order_by("-pk")
        .first()
    )


def partial_uploads_sweep(*, now=None, batch: int = SWEEP_BATCH) -> int:
    """Forget uploads left unfinished for a day (a closed tab, a lost phone) and their
    bytes, and the records of finished ones, ``batch`` rows per transaction; an
    upload busy right now is left for the next sweep. Then pieces that no row owns
    (their deletion failed after a commit) go too. Returns how many rows went."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(
                PartialUpload.objects.filter(started_at__lt=cutoff)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch]
            )
            PartialUpload.objects.filter(pk__in=ids).delete()
        _forget_pieces(ids)  # committed: their bytes go
        removed += len(ids)
        if len(ids) < batch:
            break
    _sweep_orphan_pieces(batch=batch)
    return removed


def _sweep_orphan_pieces(*, batch: int) -> None:
    """Pieces are written only under their row's lock, after the row was committed:
    pieces without a row are left over from a deletion that failed."""
    try:
        names = uploads_with_pieces()
    except STORAGE_ERRORS as exc:
        logger.warning("Could not list the pieces of unfinished uploads: %s", exc)
        return
    for start in range(0, len(names), batch):
        ids = {}
        for name in names[start : start + batch]:
            try:
                ids[uuid.UUID(name)] = name
            except ValueError:
                continue  # not ours
        owned = set(PartialUpload.objects.filter(pk__in=ids).values_list("pk", flat=True))
        _forget_pieces([name for upload_id, name in ids.items() if upload_id not in owned])
