"""The one way a private file leaves storage."""

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from applications.choices import AuditAction
from applications.models import SubmissionFile
from applications.permissions import can_download_file, can_see_applicant_identity
from applications.services.audit import audit_record
from applications.uploads import STORAGE_ERRORS
from portal.storage import PrivateS3Storage, private_storage


@never_cache
@require_GET
def file_download(request, file_id):
    """Check permission, write the audit event, then hand over the file.

    A refused request gets a 404, not a 403: before opening, even the
    existence of another applicant's file is not confirmed. On S3 the
    browser is redirected to a URL signed for 60 seconds at most; from the
    local folder the file is streamed. Either way the download is audited
    first, so no copy leaves without a record.
    """
    item = get_object_or_404(SubmissionFile.objects.select_related("submission__call"), pk=file_id)
    if not can_download_file(request.user, item):
        raise Http404
    audit_record(
        actor=request.user,
        action=AuditAction.FILE_DOWNLOADED,
        request=request,
        submission=item.submission,
        file=item,
        detail=item.document_name,
    )
    filename = item.original_name
    if not can_see_applicant_identity(request.user, item.submission):
        # Blind review: the applicant's own file name could name them.
        extension = item.original_name.rsplit(".", 1)[-1] if "." in item.original_name else ""
        filename = f"{item.submission.label} - {item.document_name}.{extension}".rstrip(".")
    return serve_private_object(
        item.object_name, filename=filename, content_type=item.content_type
    )


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
