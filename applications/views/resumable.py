"""The bid page's uploads a piece at a time (applications.services.resumable), as JSON.

Every answer is JSON with a clear ``message`` on refusal and a 4xx status,
never a 500 nor an HTML page: 400 for a bad request or a refused file, 403
signed out or past the deadline (or a failed CSRF check, portal.views), 404
for anyone else's bid or upload, 405 for another method, 409 with the
``offset`` to go on from, 413 for a piece larger than a piece may be, 424
when private storage is out of reach, 429 for too many starts.
"""

import base64
import json
import tempfile
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from applications.forms import UploadStartForm
from applications.models import Submission
from applications.permissions import is_owner
from applications.services.resumable import (
    KEY_LOST,
    KeyLost,
    OffsetMismatch,
    kept_file,
    upload_append,
    upload_for,
    upload_start,
)
from core.errors import Refused
from core.json_views import answers_json, json_methods
from core.receipt import time_of_receipt

# A start is a few fields: a body past this is not one.
START_BODY_LIMIT = 4096


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
    if upload.finished_at is not None:
        state["kept"] = not upload.refusal
    if upload.refusal:
        state["message"] = upload.refusal
    kept = kept_file(upload)
    if kept is not None:
        state["file"] = {
            "name": kept.original_name,
            "size": kept.size,
            "sha256": kept.sha256,
            "pending": kept.pending,
            "sealed": kept.is_sealed_now,
        }
    return state


def _refused(refusal: Refused) -> JsonResponse:
    body = {"message": refusal.message}
    if isinstance(refusal, OffsetMismatch):
        body["offset"] = refusal.offset
    return JsonResponse(body, status=refusal.status_code)


def _unreadable() -> JsonResponse:
    return JsonResponse(
        {"message": _("We could not read that request. Reload the page, then try again.")},
        status=400,
    )


def _start_body(request):
    """The decoded JSON body, or None if it cannot be one."""
    raw = request.read(START_BODY_LIMIT + 1)
    if len(raw) > START_BODY_LIMIT:
        return None
    try:
        return json.loads(raw or b"{}")
    except (ValueError, RecursionError):
        return None


@answers_json
@signed_in
@json_methods("POST")
def start(request, pk):
    if is_ratelimited(
        request,
        group="applications.upload_start",
        key="user",
        rate=lambda group, request: settings.UPLOAD_START_RATE,
        method="POST",
        increment=True,
    ):
        message = _(
            "You have started many uploads in a short time. Wait a few minutes, "
            "then choose the file again."
        )
        return JsonResponse({"message": message}, status=429)
    submission = Submission.objects.select_related("call").filter(pk=pk).first()
    if submission is None or not is_owner(request.user, submission):
        return JsonResponse({"message": _("That bid is not found.")}, status=404)
    form = UploadStartForm(_start_body(request))
    if not form.is_valid():
        return _unreadable()
    try:
        upload = upload_start(
            user=request.user,
            submission=submission,
            requirement_id=form.cleaned_data["requirement"],
            name=form.cleaned_data["name"],
            size=form.cleaned_data["size"],
            received_at=time_of_receipt(request),
        )
    except Refused as refusal:
        return _refused(refusal)
    url = reverse("applications:upload", args=[upload.pk])
    # The key of the upload's encrypted pieces: the page keeps it and sends it with each
    # piece (``Upload-Key``); the server does not keep it (issue 23).
    key = base64.urlsafe_b64encode(upload.key).decode()
    return JsonResponse(
        {"url": url, "piece": settings.UPLOAD_PIECE_BYTES, "key": key, **_state(upload)},
        status=201,
    )


@answers_json
@signed_in
@json_methods("GET", "POST")
def piece(request, upload_id):
    """GET: where the upload stands. POST: the next piece, at ``Upload-Offset``; no
    bytes at the end of the file: how the upload ended (finishing it if need be).
    A finished upload whose file was refused answers 400, with its message."""
    try:
        if request.method == "GET":
            return JsonResponse(_state(upload_for(request.user, upload_id)))
        try:
            offset = int(request.headers.get("Upload-Offset", ""))
            key = base64.urlsafe_b64decode(request.headers.get("Upload-Key", ""))
        except ValueError:
            return _unreadable()
        if len(key) != 32:  # missing or not a key: the page that started it sends it
            return _refused(KeyLost(KEY_LOST))
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
                key=key,
                request=request,
            )
    except Refused as refusal:
        return _refused(refusal)
    return JsonResponse(_state(upload), status=400 if upload.refusal else 200)
