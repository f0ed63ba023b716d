"""The applicant's own key to their sealed answers (issue 23): a cookie per bid.

On a call with a key, answers are sealed to the committee, which the server cannot open
before the opening; so that the applicant can still see and change what they wrote, a
copy is kept under a key of their own. That key lives only in their browser: an
HttpOnly cookie, scoped to the bid's pages (``/bids/<id>/``), never stored or logged by
the server. A copy of the database or the disks therefore holds nothing the applicant
wrote in a readable form. Another browser has no key: the bid page says the answers are
saved and sealed, not shown there, and an empty field keeps the sealed answer.
"""

import base64
import binascii
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from applications.sealed_answers import OWN_KEY_BYTES, own_key_new
from applications.services.call_keys import call_key_in_use

_NEW = "_zabuni_own_key_new"
# Kept a while after the deadline (the bid page shows the answers until the opening).
_AFTER_DEADLINE = timedelta(days=30)


def _cookie_name(submission) -> str:
    return f"zabuni_answers_{submission.pk}"


def own_key_of(request, submission) -> bytes | None:
    """The key this browser holds for ``submission``'s answers, if any."""
    text = request.COOKIES.get(_cookie_name(submission), "")
    try:
        key = base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return key if len(key) == OWN_KEY_BYTES else None


def own_key_for_saving(request, submission) -> bytes | None:
    """The key to write ``submission``'s answers under: this browser's, or a new one
    (set on the response by ``own_key_remember``); None on a call without a key."""
    key = own_key_of(request, submission)
    if key is not None or call_key_in_use(submission.call_id) is None:
        return key
    key = own_key_new()
    setattr(request, _NEW, (submission, key))
    return key


def own_key_remember(request, response):
    """Give the browser the key made for this request, if one was."""
    made = getattr(request, _NEW, None)
    if made is None:
        return response
    submission, key = made
    closes = submission.call.closes_at
    expires = max(closes + _AFTER_DEADLINE, timezone.now() + timedelta(days=1))
    response.set_cookie(
        _cookie_name(submission),
        base64.urlsafe_b64encode(key).decode().rstrip("="),
        expires=expires,
        path=reverse("applications:submission", args=[submission.pk]),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
