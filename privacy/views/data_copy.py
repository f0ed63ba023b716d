"""'Download my data': the page, the copy made within the request, and the mailed link."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.throttles import limited
from applications.answer_keys import own_key_of
from applications.models import Submission
from applications.sealing import SealBroken
from core.serving import serve_private_stream
from core.storage import STORAGE_ERRORS
from privacy.data_copy.contents import readable_files_size
from privacy.data_copy.services import (
    data_copy_chunks,
    data_copy_find,
    data_copy_inline,
    data_copy_is_live,
    data_copy_request,
)
from privacy.models import DataCopy

TEMPLATE = "privacy/data_copy.html"


def _filename() -> str:
    return f"zabuni-my-data-{timezone.localdate():%Y-%m-%d}.zip"


def _page(request, *, problem: str = "", status: int = 200):
    return render(
        request,
        TEMPLATE,
        {
            "latest": DataCopy.objects.filter(user=request.user).first(),
            "problem": problem,
            "lifetime_hours": int(settings.DATA_COPY_LINK_LIFETIME.total_seconds() // 3600),
        },
        status=status,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@limited("DATA_COPY_RATE", key="user")
def data_copy(request):
    if request.method == "GET":
        return _page(request)
    user = request.user
    if readable_files_size(user) > settings.DATA_COPY_INLINE_LIMIT:
        copy = data_copy_request(user=user, language=get_language() or "")
        copy.refresh_from_db()  # a broker that was down has failed it, after commit
        if copy.is_failed:
            return _page(request, problem=copy.error, status=503)
        messages.success(
            request,
            _(
                "Your copy is large, so it is being made in the background. We will email "
                "you a link to it, which works for a day."
            ),
        )
        return redirect("privacy:data_copy")
    # The keys this browser sent for its sealed answers: read here, and never stored.
    own_keys = {}
    for submission in Submission.objects.for_applicant(user):
        key = own_key_of(request, submission)
        if key is not None:
            own_keys[submission.pk] = key
    target = tempfile.TemporaryFile()
    try:
        data_copy_inline(target, user=user, own_keys=own_keys)
    except STORAGE_ERRORS:
        target.close()
        return _page(
            request,
            problem=_(
                "The file store is unavailable just now, so your copy could not be made. "
                "Please try again in a few minutes."
            ),
            status=424,  # as every download answers a dead store (core.serving)
        )
    except SealBroken:
        target.close()
        return _page(
            request,
            problem=_(
                "One of your files failed its integrity check while your copy was being "
                "made, so it was not finished. Please tell the administrators."
            ),
            status=409,
        )
    target.seek(0)
    response = FileResponse(
        target, as_attachment=True, filename=_filename(), content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@never_cache
@require_http_methods(["GET"])
def data_copy_download(request, token):
    """The mailed link: only for the person whose copy it is, while it is live."""
    copy = data_copy_find(user=request.user, token=token)
    if copy is None:
        # Another person's link, or none: the same answer, confirming nothing.
        return _link_page(request, status=404)
    if not data_copy_is_live(copy):
        return _link_page(request, status=410)
    # Streamed through the portal, decrypted with the link's token: never a redirect to
    # the store, whose object is ciphertext.
    return serve_private_stream(
        data_copy_chunks(copy, token=token),
        filename=_filename(),
        content_type="application/zip",
        size=copy.size,
    )


def _link_page(request, *, status: int):
    if status == 410:
        problem = _(
            "This link has expired, and the copy it led to is deleted. Make a new copy below."
        )
    else:
        problem = _(
            "This link does not lead to a copy of your data. Links work only for the "
            "account that asked for the copy: sign in with that account, or make a new "
            "copy below."
        )
    return _page(request, problem=problem, status=status)
