"""Handing a private object to the browser: the last step of every download view."""

from django.http import FileResponse, HttpResponse, HttpResponseRedirect
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
        return HttpResponse(
            _("The file store is unavailable just now. Please try again in a few minutes."),
            status=424,
            content_type="text/plain; charset=utf-8",
        )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
