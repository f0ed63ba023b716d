"""The one way a private file leaves storage."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from applications.choices import AuditAction
from applications.models import SubmissionFile
from applications.permissions import can_download_file, can_see_applicant_identity
from applications.services.audit import audit_record
from core.serving import serve_private_object


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
