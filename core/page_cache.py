"""Public pages for anonymous visitors, from the cache, never stale.

``AnonymousPageCacheMiddleware`` keeps the whole response of a public page
(a GET by someone without a session cookie) in Django's default cache, so the
next visitor gets it without Wagtail's routing, templates or queries.
(wagtail-cache does not support Wagtail 8; this is Django's cache framework.)

Never stale:

- **Changes.** Every key carries a site-wide *content version*. Publishing,
  unpublishing, moving or deleting a page, and answering a clarification or
  recording an addendum (``tenders.receivers``), set a new version
  (``page_cache_invalidate``): every page is rendered afresh on its next visit.
- **Time.** A call changes state at ``opens_at``, ``clarifications_close_at``
  and ``closes_at`` without anyone publishing anything. Each entry keeps the
  moment it stops being valid: the earliest next change of state of any live
  call (from the function registered with ``register_next_change``), or
  ``PAGE_CACHE_SECONDS`` from now if sooner. It is checked against the clock
  on every hit, so no entry outlives a change of state, even by a second.

Never personal: a response is kept only when it is a 200 HTML page that sets
no cookie, wrote nothing into the (empty) session and is not marked private;
so a page with a form's CSRF token or a flash message is never kept, and a
signed-in person always gets their own page (with their apply panel).

The cache must be shared by every process that serves pages (Redis), or the
portal must run in one process (``make run``): ``PAGE_CACHE`` turns it off. If
the cache is down, every visit is a miss and pages render as usual; a change
made while it is down is seen at the latest ``PAGE_CACHE_SECONDS`` later.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone

logger = logging.getLogger(__name__)

VERSION_KEY = "page-cache:version"
# Paths that are never public pages, whatever their answer.
NOT_PUBLIC = ("/admin/", "/account/", "/bids/", "/static/", "/media/", "/documents/")
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "X-Frame-Options")
# The query parameters public pages read (the call and news lists' filters and pages).
# A URL with any other is served fresh and never kept: made-up query strings
# cannot fill the cache.
QUERY_PARAMETERS = frozenset({"q", "kind", "state", "page", "category"})

_next_change: list[Callable[[datetime], datetime | None]] = []


def register_next_change(function: Callable[[datetime], datetime | None]) -> None:
    """``function(now)`` gives the next moment a public page may change by itself."""
    _next_change.append(function)


def page_cache_invalidate() -> None:
    """Every cached page is stale from now: the next visit of each renders it afresh."""
    cache.set(VERSION_KEY, time.time_ns(), None)


def content_version() -> int | None:
    """The site's content version now; None when the cache is down."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)  # None: the cache is down, nothing is kept
    return version


def _key(request, version) -> str:
    where = f"{request.get_host()}{request.get_full_path()}|{request.LANGUAGE_CODE}"
    return f"page-cache:{version}:{hashlib.sha256(where.encode()).hexdigest()}"


def _valid_until(now: datetime) -> datetime:
    until = now + timedelta(seconds=settings.PAGE_CACHE_SECONDS)
    for function in _next_change:
        moment = function(now)
        if moment is not None and moment < until:
            until = moment
    return until


def _eligible(request) -> bool:
    return (
        settings.PAGE_CACHE
        and request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(NOT_PUBLIC)
        and QUERY_PARAMETERS.issuperset(request.GET)
    )


def _storable(request, response) -> bool:
    control = response.get("Cache-Control", "")
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and not (session is not None and session.modified)
        and not any(word in control for word in ("private", "no-store", "no-cache"))
    )


class AnonymousPageCacheMiddleware:
    """After LocaleMiddleware (the language is part of the key), before CSRF, messages
    and authentication (whose cookies it must see)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _eligible(request):
            return self.get_response(request)
        version = content_version()
        if version is None:
            return self.get_response(request)
        key = _key(request, version)
        entry = cache.get(key)
        now = timezone.now()
        if entry is not None and entry["until"] > now.timestamp():
            response = HttpResponse(entry["content"])
            for header, value in entry["headers"].items():
                response[header] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _storable(request, response):
            until = _valid_until(now)
            seconds = int((until - now).total_seconds())
            if seconds > 0:
                headers = {h: response[h] for h in KEPT_HEADERS if h in response}
                cache.set(
                    key,
                    {"content": response.content, "headers": headers, "until": until.timestamp()},
                    seconds,
                )
                response["X-Page-Cache"] = "miss"
        return response


def _on_page_changed(sender=None, instance=None, **kwargs):
    from wagtail.models import Page

    if instance is None or isinstance(instance, Page):
        page_cache_invalidate()


def connect() -> None:
    """Any change to what is live on the site makes every cached page stale."""
    from django.db.models.signals import post_delete
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_on_page_changed, dispatch_uid="zabuni-page-cache-published")
    page_unpublished.connect(_on_page_changed, dispatch_uid="zabuni-page-cache-unpublished")
    post_page_move.connect(_on_page_changed, dispatch_uid="zabuni-page-cache-moved")
    post_delete.connect(_on_page_changed, dispatch_uid="zabuni-page-cache-deleted")
