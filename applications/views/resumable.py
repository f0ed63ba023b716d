"""The bid page's uploads a piece at a time (applications.services.resumable), as JSON.

Every answer is JSON with a clear ``message`` on refusal and a 4xx status,
never a 500: 400 for a bad file, 403/424 past the deadline, 404 for anyone
else's bid or upload, 409 with the ``offset`` to go on from, 413 for a piece
larger than a piece may be.
"""

import json
import tempfile
from functools import wraps

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.models import Submission
from applications.permissions import is_owner
from applications.services.resumable import (
    OffsetMismatch,
    kept_file,
    upload_append,
    upload_for,
    upload_start,
)
from core.errors import Refused
from core.receipt import time_of_receipt


def signed_in(view):
    """A script's request from someone no longer signed in gets a JSON 403 with a
    message, not a redirect to the sign-in page it cannot follow."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            message = _("You are signed out. Sign in again, then choose the file again.")
            return JsonResponse({"message": message}, status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _state(upload) -> dict:
    state = {
        "offset": upload.received,
        "size": upload.size,
        "done": upload.finished_at is not None,
    }
    if upload.refusal:
        state["message"] = upload.refusal
    kept = kept_file(upload)
    if kept is not None:
        state["file"] = {
            "name": kept.original_name,
            "size": kept.size,
            "sha256": kept.sha256,
            "pending": kept.pending,
        }
    return state


def _refused(refusal: Refused) -> JsonResponse:
    body = {"message": refusal.message}
    if isinstance(refusal, OffsetMismatch):
        body["offset"] = refusal.offset
    return JsonResponse(body, status=refusal.status_code)


@signed_in
@require_POST
def start(request, pk):
    submission = get_object_or_404(Submission.objects.select_related("call"), pk=pk)
    if not is_owner(request.user, submission):
        raise Http404
    try:
        data = json.loads(request.body or b"{}")
        size = int(data.get("size"))
        requirement_id = int(data.get("requirement"))
    except (ValueError, TypeError):
        return JsonResponse({"message": _("We could not read that request.")}, status=400)
    try:
        upload = upload_start(
            user=request.user,
            submission=submission,
            requirement_id=requirement_id,
            name=str(data.get("name") or ""),
            size=size,
            received_at=time_of_receipt(request),
        )
    except Refused as refusal:
        return _refused(refusal)
    url = reverse("applications:upload", args=[upload.pk])
    return JsonResponse(
        {"url": url, "piece": settings.UPLOAD_PIECE_BYTES, **_state(upload)}, status=201
    )


@signed_in
@require_http_methods(["GET", "POST"])
def piece(request, upload_id):
    """GET: where the upload stands. POST: the next piece, at ``Upload-Offset``."""
    try:
        if request.method == "GET":
            return JsonResponse(_state(upload_for(request.user, upload_id)))
        try:
            offset = int(request.headers.get("Upload-Offset", ""))
        except ValueError:
            return JsonResponse({"message": _("We could not read that request.")}, status=400)
        limit = settings.UPLOAD_PIECE_BYTES
        # The whole piece is read before its time of receipt is taken.
        with tempfile.SpooledTemporaryFile(max_size=limit) as body:
            length = 0
            while chunk := request.read(64 * 1024):
                length += len(chunk)
                if length > limit:
                    return JsonResponse(
                        {"message": _("A piece may be at most %(n)s bytes.") % {"n": limit}},
                        status=413,
                    )
                body.write(chunk)
            upload = upload_append(
                user=request.user,
                upload_id=upload_id,
                offset=offset,
                piece=body,
                length=length,
                received_at=time_of_receipt(request),
                request=request,
            )
    except Refused as refusal:
        return _refused(refusal)
    return JsonResponse(_state(upload))
