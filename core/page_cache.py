"""Public pages for anonymous visitors, from the cache, never stale.

``AnonymousPageCacheMiddleware`` keeps the whole response of a public page
(a GET by someone without a session cookie) in the ``pages`` cache, so the
next visitor gets it without Wagtail's routing, templates or queries.
(wagtail-cache does not support Wagtail 8; this is Django's cache framework.)

Never stale:

- **Changes.** Every key carries a site-wide *content version*. Publishing,
  unpublishing, moving or deleting a page, and answering a clarification or
  recording an addendum (``tenders.receivers``), set a new version when their
  transaction commits (``page_cache_invalidate_on_commit``): every page is
  rendered afresh on its next visit.
- **Time.** A call changes state at ``opens_at``, ``clarifications_close_at``
  and ``closes_at`` without anyone publishing anything. Each entry keeps the
  moment it stops being valid: the earliest next change of state of any live
  call (from the function registered with ``register_next_change``), or
  ``PAGE_CACHE_SECONDS`` from now if sooner. It is checked against the clock
  on every hit, so no entry outlives a change of state, even by a second.

Never personal, never a draft: a response is kept only when it is a 200 HTML
page that sets no cookie, wrote nothing into the (empty) session, is not marked
private and is not one of Wagtail's previews; so a page with a form's CSRF
token or a flash message is never kept, and a signed-in person always gets
their own page (with their apply panel).

Never filled by made-up URLs: a query is kept only with the values the page
itself writes (``page_cache_canonical_query``), and at most
``PAGE_CACHE_MAX_ENTRIES`` pages are kept per content version. The ``pages``
cache has its own key prefix (or Redis, ``PAGE_CACHE_URL``) and every entry
expires, so it never crowds out the Celery broker.

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
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

logger = logging.getLogger(__name__)

# The cache alias that holds pages and fragments, apart from every other use of
# Redis (settings: its own key prefix, every entry with a time to live).
CACHE_ALIAS = "pages"
VERSION_KEY = "page-cache:version"
# Paths that are never public pages, whatever their answer.
NOT_PUBLIC = ("/admin/", "/account/", "/bids/", "/static/", "/media/", "/documents/")
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "X-Frame-Options")

_next_change: list[Callable[[datetime], datetime | None]] = []


def page_cache():
    """The cache that holds public pages and shared fragments."""
    return caches[CACHE_ALIAS]


def register_next_change(function: Callable[[datetime], datetime | None]) -> None:
    """``function(now)`` gives the next moment a public page may change by itself."""
    _next_change.append(function)


def page_cache_invalidate() -> None:
    """Every cached page is stale from now: the next visit of each renders it afresh.

    Changes made inside a transaction call ``page_cache_invalidate_on_commit``."""
    page_cache().set(VERSION_KEY, time.time_ns(), None)


def page_cache_invalidate_on_commit() -> None:
    """Every cached page is stale once the current transaction commits (at once outside
    one). Not before: a visitor served while the change is still uncommitted reads the
    old rows, and would keep them under the new version until the entry expired."""
    transaction.on_commit(page_cache_invalidate, robust=True)


def page_cache_canonical_query(request, **query) -> None:
    """A page that reads query parameters says which ones it answered, each value written
    as its own links write it (``page=2``, ``kind=grant``); empty values are left out.

    A response is kept only when the request asked exactly that, so a made-up value
    (``?page=0001``, ``?page=99999``, ``?kind=x``, ``?q=`` on a page that does not
    search) is answered afresh and never fills the cache. A page that says nothing
    is kept only for its URL without a query."""
    request.page_cache_query = {
        name: str(value) for name, value in query.items() if value not in (None, "")
    }


def content_version() -> int | None:
    """The site's content version now; None when the cache is down."""
    cache = page_cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)  # None: the cache is down, nothing is kept
    return version


def _asked_query(request) -> dict[str, str] | None:
    """The request's query without empty values; None when a parameter comes twice."""
    asked = {}
    for name, values in request.GET.lists():
        if len(values) > 1:
            return None
        if values[0] != "":
            asked[name] = values[0]
    return asked


def _key(request, version, asked: dict[str, str]) -> str:
    query = urlencode(sorted(asked.items()))
    where = f"{request.get_host()}{request.path}?{query}|{request.LANGUAGE_CODE}"
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
        # Wagtail's previews run a made-up request through the middleware.
        and not getattr(request, "is_dummy", False)
    )


def _storable(request, response, asked: dict[str, str]) -> bool:
    control = response.get("Cache-Control", "")
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and not (session is not None and session.modified)
        and not any(word in control for word in ("private", "no-store", "no-cache"))
        and not getattr(request, "is_preview", False)
        and getattr(request, "page_cache_query", {}) == asked
    )


def _within_budget(version) -> bool:
    """Counts the entries kept under this content version in the last
    PAGE_CACHE_SECONDS; False past PAGE_CACHE_MAX_ENTRIES (or with the cache down)."""
    cache = page_cache()
    counter = f"page-cache:{version}:kept"
    cache.add(counter, 0, settings.PAGE_CACHE_SECONDS)
    try:
        kept = cache.incr(counter)
    except ValueError:  # the counter expired between the two calls: a new window
        cache.add(counter, 1, settings.PAGE_CACHE_SECONDS)
        kept = 1
    return kept is not None and kept <= settings.PAGE_CACHE_MAX_ENTRIES


class AnonymousPageCacheMiddleware:
    """After LocaleMiddleware (the language is part of the key), before CSRF, messages
    and authentication (whose cookies it must see)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        asked = _asked_query(request)
        if asked is None or not _eligible(request):
            return self.get_response(request)
        version = content_version()
        if version is None:
            return self.get_response(request)
        cache = page_cache()
        key = _key(request, version, asked)
        entry = cache.get(key)
        now = timezone.now()
        if entry is not None and entry["until"] > now.timestamp():
            response = HttpResponse(entry["content"])
            for header, value in entry["headers"].items():
                response[header] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _storable(request, response, asked) and _within_budget(version):
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
        page_cache_invalidate_on_commit()


def connect() -> None:
    """Any change to what is live on the site makes every cached page stale."""
    from django.db.models.signals import post_delete
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_on_page_changed, dispatch_uid="zabuni-page-cache-published")
    page_unpublished.connect(_on_page_changed, dispatch_uid="zabuni-page-cache-unpublished")
    post_page_move.connect(_on_page_changed, dispatch_uid="zabuni-page-cache-moved")
    post_delete.connect(_on_page_changed, dispatch_uid="zabuni-page-cache-deleted")
