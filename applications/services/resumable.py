"""Uploads a piece at a time, for slow and unreliable connections (issue 13).

The bid page's script sends each chosen document on its own, as soon as it is
chosen, in pieces of ``UPLOAD_PIECE_BYTES``. If the connection drops, it asks
where the upload stands (``PartialUpload.received``) and goes on from there:
only the piece in flight is sent again. Without the script, the plain form
works as before.

- ``upload_start`` checks what can be checked before any byte arrives: the
  owner, the deadline, the document, the name's type and the declared size.
- ``upload_append`` takes one piece at the offset the server holds (another
  offset gets ``OffsetMismatch``, with the right one), under a row lock, so a
  piece sent twice is written once.
- When the last piece is in, the whole file goes through ``submission_save``,
  exactly as a file sent with the form: the same type, size and archive
  checks, the same private storage, visible to its owner only, and nothing
  is submitted. The partial bytes are then deleted, whatever the outcome.

The time of receipt of each piece is judged against the deadline like any
request: a piece that arrives after it is refused, with both times.
"""

import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import PartialUpload, SubmissionFile
from applications.services.submissions import FilesRefused, require_editable, submission_save
from applications.uploads import extension_of, sanitise_filename, sizes_to_compare
from core.errors import Refused
from core.page_text import rows_with_text


class OffsetMismatch(Refused):
    """The piece does not start where the upload stands: send from ``offset``."""

    status_code = 409

    def __init__(self, offset: int):
        self.offset = offset
        super().__init__(_("Continue from byte %(offset)s.") % {"offset": offset})


class UploadGone(Refused):
    status_code = 404


def _path(upload: PartialUpload) -> Path:
    return Path(settings.PARTIAL_UPLOAD_ROOT) / str(upload.pk)


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
        raise UploadGone(_("That upload is not found."))
    return upload


def upload_start(*, user, submission, requirement_id, name: str, size: int, received_at):
    """A new upload of ``name`` (``size`` bytes) for one of the call's documents."""
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
        raise Refused(
            _("%(doc)s: the file is %(size)s; the limit is %(limit)s.")
            % {"doc": label, "size": shown, "limit": limit}
        )
    upload = PartialUpload.objects.create(
        submission=submission, requirement=requirement, owner=user, name=display, size=size
    )
    path = _path(upload)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    return upload


def upload_append(*, user, upload_id, offset: int, piece, length: int, received_at, request=None):
    """Write one piece (a file object of ``length`` bytes) at ``offset``. Returns the
    upload; once it is whole, it has been saved on the bid or refused (``refusal``)."""
    with transaction.atomic():
        upload = upload_for(user, upload_id, lock=True)
        if upload.finished_at is not None:
            raise OffsetMismatch(upload.received)
        require_editable(user, upload.submission, received_at)
        if offset != upload.received:
            raise OffsetMismatch(upload.received)
        if length <= 0 or upload.received + length > upload.size:
            raise Refused(
                _("%(doc)s: more bytes arrived than the file has.") % {"doc": upload.name}
            )
        with open(_path(upload), "r+b") as partial:
            partial.seek(offset)
            piece.seek(0)
            shutil.copyfileobj(piece, partial, 64 * 1024)
            partial.truncate(offset + length)
        upload.received = offset + length
        upload.save(update_fields=["received"])
    if upload.received == upload.size:
        _finish(upload, user=user, request=request, received_at=received_at)
    return upload


def _finish(upload: PartialUpload, *, user, request, received_at) -> None:
    """The whole file, through the bid form's own path; then the bytes are gone."""
    path = _path(upload)
    try:
        with open(path, "rb") as handle:
            whole = File(handle, name=upload.name)
            submission_save(
                submission=upload.submission,
                user=user,
                uploads={upload.requirement_id: whole},
                request=request,
                received_at=received_at,
            )
    except FilesRefused as refusal:
        upload.refusal = next(iter(refusal.refusals.values()), refusal.message)
    except Refused as refusal:
        upload.refusal = refusal.message
    finally:
        path.unlink(missing_ok=True)
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


def partial_uploads_sweep(*, now=None) -> int:
    """Forget uploads left unfinished for a day (a closed tab, a lost phone) and their
    bytes, and the records of finished ones. Returns how many were removed."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    stale = list(PartialUpload.objects.filter(started_at__lt=cutoff))
    for upload in stale:
        _path(upload).unlink(missing_ok=True)
    PartialUpload.objects.filter(pk__in=[u.pk for u in stale]).delete()
    return len(stale)
