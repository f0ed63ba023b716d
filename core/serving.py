"""Handing a private object to the browser: the last step of every download view."""

from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from core.storage import STORAGE_ERRORS, PrivateS3Storage, private_storage


def serve_private_object(object_name: str, *, filename: str, content_type: str):
    """Hand a private object to the browser, after the caller has checked and audited.

    On S3 a redirect to a URL signed for at most 60 seconds, served as an
    attachment; from the local folder the file is streamed. A dead store is a
    clear 424, never a 500.
    """
    storage = private_storage()
    try:
        if isinstance(storage, PrivateS3Storage):
            response = HttpResponseRedirect(storage.signed_url(object_name, filename=filename))
        else:
            response = FileResponse(
                storage.open(object_name, "rb"),
                as_attachment=True,
                filename=filename,
                content_type=content_type,
            )
    except STORAGE_ERRORS:
        return store_unavailable()
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def store_unavailable():
    return HttpResponse(
        _("The file store is unavailable just now. Please try again in a few minutes."),
        status=424,
        content_type="text/plain; charset=utf-8",
    )


def serve_private_stream(chunks, *, filename: str, content_type: str, size: int | None = None):
    """Hand over bytes the portal decrypted itself (a sealed bid's file, once opened),
    streamed as an attachment, after the caller has checked, audited and verified."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    if size is not None:
        response["Content-Length"] = str(size)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
