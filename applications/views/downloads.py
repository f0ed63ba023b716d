"""The one way a private file leaves storage."""

import logging

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from applications.choices import AuditAction
from applications.models import SubmissionFile
from applications.permissions import can_download_file, can_see_applicant_identity
from applications.sealed_files import is_readable, is_sealed, plaintext_chunks, verify
from applications.sealing import SealBroken
from applications.services.audit import audit_record
from applications.services.clean_copies import clean_copy_chunks, clean_copy_for
from core.metadata import MetadataUnreadable
from core.serving import serve_private_object, serve_private_stream, store_unavailable
from core.storage import STORAGE_ERRORS

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def file_download(request, file_id):
    """Check permission, write the audit event, then hand over the file.

    A refused request gets a 404, not a 403: before opening, even the
    existence of another applicant's file is not confirmed. On S3 the
    browser is redirected to a URL signed for 60 seconds at most; from the
    local folder the file is streamed. Either way the download is audited
    first, so no copy leaves without a record.

    A reader who may not see the applicant's identity (blind review) gets the file's
    clean copy, its author's name removed from its metadata, and never the original
    (``applications.services.clean_copies``).
    """
    item = get_object_or_404(SubmissionFile.objects.select_related("submission__call"), pk=file_id)
    if not can_download_file(request.user, item):
        raise Http404
    if item.purged_at is not None:
        return HttpResponse(
            _(
                "This file was deleted under the retention policy, as its period had "
                "ended. Its size and SHA-256 stay on the record."
            ),
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    if not is_readable(item):
        # The owner's own file, before the opening: encrypted to the committee's keys.
        return HttpResponse(
            _(
                "This file is sealed: it was encrypted to the opening committee's keys as it "
                "arrived, so nobody, you and this server included, can read it until the "
                "committee opens the call. Its name, size and SHA-256 are on your bid page."
            ),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    if not can_see_applicant_identity(request.user, item.submission):
        return clean_copy_download(request, item)
    if is_sealed(item):
        # Read whole once and checked before anything of it is served or recorded.
        try:
            verify(item)
        except SealBroken as exc:
            return seal_broken_answer(request, item, exc)
        except STORAGE_ERRORS:
            return store_unavailable()
    _audit_download(request, item)
    filename = item.original_name
    if not is_sealed(item):  # stored before calls were keyed
        return serve_private_object(
            item.object_name, filename=filename, content_type=item.content_type
        )
    return serve_private_stream(
        plaintext_chunks(item), filename=filename, content_type=item.content_type, size=item.size
    )


def blind_filename(item) -> str:
    """Under blind review: the applicant's own file name could name them."""
    extension = item.original_name.rsplit(".", 1)[-1] if "." in item.original_name else ""
    return f"{item.submission.label} - {item.document_name}.{extension}".rstrip(".")


def clean_copy_download(request, item):
    """The file's clean copy (made now if the worker has not made it), checked whole,
    audited, then streamed. A file that cannot be cleaned is not served at all: the
    original could name the applicant."""
    try:
        copy = clean_copy_for(item=item)
        chunks = clean_copy_chunks(copy, submission_id=item.submission_id)
        for _chunk in chunks:  # read whole once and checked before anything is served
            pass
    except MetadataUnreadable as exc:
        logger.warning("File %s could not be cleaned for a blind reader: %s", item.pk, exc)
        return HttpResponse(
            _(
                "This file cannot be served to you. Under blind review you receive a copy "
                "with its author details removed, and this file could not be read to make "
                "one (%(reason)s). The original is kept unchanged. Tell the administrators: "
                "they can read the original and ask the applicant for a readable file."
            )
            % {"reason": exc},
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    except SealBroken as exc:
        return seal_broken_answer(request, item, exc)
    except STORAGE_ERRORS:
        return store_unavailable()
    _audit_download(request, item)
    return serve_private_stream(
        clean_copy_chunks(copy, submission_id=item.submission_id),
        filename=blind_filename(item),
        content_type=item.content_type,
        size=copy.size,
    )


def seal_broken_answer(request, item, exc):
    """A stored file that fails its check is reported, on the record, and never served."""
    logger.error("Sealed file %s failed its integrity check: %s", item.pk, exc)
    audit_record(
        actor=request.user,
        action=AuditAction.SEAL_BROKEN,
        request=request,
        submission=item.submission,
        file=item,
        detail=str(exc),
    )
    return HttpResponse(
        _(
            "This file failed its integrity check: what is in storage is not what the "
            "applicant sent. It was not served, and the event is in the audit trail. Tell "
            "the administrators."
        ),
        status=409,
        content_type="text/plain; charset=utf-8",
    )


def _audit_download(request, item) -> None:
    """No copy leaves without a record: written before the first byte is served."""
    audit_record(
        actor=request.user,
        action=AuditAction.FILE_DOWNLOADED,
        request=request,
        submission=item.submission,
        file=item,
        detail=item.document_name,
    )
