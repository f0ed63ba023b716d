"""The applicant's own key to their sealed answers (issue 23): a cookie per bid.

On a call with a key, answers are sealed to the committee, which the server cannot open
before the opening; so that the applicant can still see and change what they wrote, a
copy is kept under a key of their own. That key lives only in their browser: an
HttpOnly cookie, scoped to the bid's pages (``/bids/<id>/``), never stored or logged by
the server; and a copy of it scoped to each page an app above registered as a reader
(``register_key_reader``: the applicant's "Download my data"), so that those pages can
read the answers too, and no other page is ever sent the key. A copy of the database or
the disks therefore holds nothing the applicant wrote in a readable form. Another browser
has no key: the bid page says the answers are saved and sealed, not shown there, and an
empty field keeps the sealed answer.
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


# Paths of the pages, besides the bid's own, that may read the key (registered at
# start-up by the apps above), each sent its own cookie scoped to that path alone.
_READERS: list = []


def register_key_reader(path) -> None:
    """Let the page at ``path`` (a string, or a lazy ``reverse_lazy``, read when a
    cookie is set) read the applicant's answer keys; for the apps above, at start-up."""
    _READERS.append(path)


def _cookie_name(submission, reader: int | None = None) -> str:
    suffix = "" if reader is None else f"_r{reader}"
    return f"zabuni_answers_{submission.pk}{suffix}"


def _decoded(text: str) -> bytes | None:
    try:
        key = base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return key if len(key) == OWN_KEY_BYTES else None


def own_key_of(request, submission) -> bytes | None:
    """The key this browser holds for ``submission``'s answers, if any: the bid page's
    cookie, or on a reader's page the copy sent to it."""
    names = [_cookie_name(submission)] + [
        _cookie_name(submission, i) for i in range(len(_READERS))
    ]
    for name in names:
        key = _decoded(request.COOKIES.get(name, ""))
        if key is not None:
            return key
    return None


def own_key_for_saving(request, submission) -> bytes | None:
    """The key to write ``submission``'s answers under: this browser's, or a new one
    (set on the response by ``own_key_remember``); None on a call without a key."""
    key = own_key_of(request, submission)
    if key is not None or call_key_in_use(submission.call_id) is None:
        return key
    key = own_key_new()
    setattr(request, _NEW, (submission, key))
    return key


def own_key_remember(request, response, submission=None):
    """Give the browser the key made for this request, if one was; and, on the bid page
    of a browser that holds its key (``submission``), the readers' copies of it."""
    made = getattr(request, _NEW, None)
    if made is not None:
        submission, key = made
    elif submission is not None and _READERS:
        key = _decoded(request.COOKIES.get(_cookie_name(submission), ""))
        if key is None:
            return response
    else:
        return response
    closes = submission.call.closes_at
    expires = max(closes + _AFTER_DEADLINE, timezone.now() + timedelta(days=1))
    value = base64.urlsafe_b64encode(key).decode().rstrip("=")
    paths = [(_cookie_name(submission), reverse("applications:submission", args=[submission.pk]))]
    paths += [(_cookie_name(submission, i), str(path)) for i, path in enumerate(_READERS)]
    for name, path in paths:
        response.set_cookie(
            name,
            value,
            expires=expires,
            path=path,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response
