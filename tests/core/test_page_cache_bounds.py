"""Made-up URLs cannot fill the page cache (issue 21, item 2; core/page_cache.py).

A query is kept only with the values the page itself writes in its links; at
most PAGE_CACHE_MAX_ENTRIES pages are kept per content version; and the cache's
keys live under their own prefix, each with a time to live, apart from the
Celery broker's. The counts are of the keys actually in Redis.
"""

import pytest
from django.core.cache import caches
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from core.page_cache import (
    CACHE_ALIAS,
    AnonymousPageCacheMiddleware,
    page_cache_canonical_query,
    page_cache_invalidate,
)
from tests import services
from tests.factories import build_site, make_call

pytestmark = pytest.mark.django_db

KINDS = ("consultancy", "grant")


@pytest.fixture(autouse=True)
def cached(settings):
    settings.PAGE_CACHE = True
    page_cache_invalidate()


def kept(client, url) -> bool:
    """Visited twice: was the second answer from the cache?"""
    first = client.get(url)
    assert first.status_code == 200, url
    return client.get(url).get("X-Page-Cache") == "hit"


def test_made_up_values_on_the_real_pages_are_answered_but_never_kept(client):
    site = build_site()
    make_call(site["calls"])
    made_up = [
        "/?q=1",
        "/?q=2",
        "/?utm_source=mail",
        "/calls/?page=0001",
        "/calls/?page=01",
        "/calls/?page=99999",
        "/calls/?page=abc",
        "/calls/?kind=nonsense",
        "/calls/?state=whatever",
        "/calls/?kind=grant&kind=consultancy",
        "/calls/?q=training",  # a search: one reader's question
        "/news/?category=nonsense",
        "/news/?q=1",
        "/news/?page=0001",
    ]
    assert [url for url in made_up if kept(client, url)] == []


def test_the_lists_own_links_are_kept(client):
    site = build_site()
    make_call(site["calls"])
    for url in ("/", "/calls/", "/calls/?page=1", "/calls/?kind=grant", "/news/?page=1"):
        assert kept(client, url), url
    # The filter form sends its empty fields too: the same list, the same entry.
    response = client.get("/calls/?q=&kind=grant&state=")
    assert response["X-Page-Cache"] == "hit"


# --- Measured in Redis -------------------------------------------------------
# 10,000 requests through the real pages would take most of an hour on this
# machine (each renders a page); they go through the real middleware and the
# real Redis cache in front of a list view that answers as the portal's lists
# do (tenders.models.CallIndexPage): it reads `page` and `kind` and says which
# values it answered.


def list_view(request):
    if request.path != "/calls/":
        raise Http404
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    page = Paginator(range(25), 10).get_page(request.GET.get("page"))
    page_cache_canonical_query(
        request, kind=kind, page=page.number if "page" in request.GET else None
    )
    return HttpResponse(f"<p>{kind} page {page.number}</p>", content_type="text/html")


def careless_view(request):
    """A page that answers every query as its own: only the budget bounds it."""
    page_cache_canonical_query(request, **request.GET.dict())
    return HttpResponse("<p>whatever was asked</p>", content_type="text/html")


def crafted_urls(count: int) -> list[str]:
    shapes = (
        "/calls/?page={n:05d}",
        "/calls/?page={n}",
        "/calls/?q={n}",
        "/calls/?kind=k{n}",
        "/calls/?kind=grant&page={n}",
        "/calls/?utm_source={n}",
        "/calls/{n}/",
        "/calls/?page=1&nonce={n}",
    )
    return [shapes[n % len(shapes)].format(n=n) for n in range(count)]


def redis_of_the_page_cache():
    services.redis_url()
    cache = caches[CACHE_ALIAS]
    if not hasattr(cache, "client"):
        services.missing("the page cache is not on Redis (REDIS_URL)")
    return cache.client.get_client(write=True)


def visit(view, urls) -> None:
    middleware = AnonymousPageCacheMiddleware(view)
    factory = RequestFactory()
    for url in urls:
        request = factory.get(url)
        request.LANGUAGE_CODE = "en"
        try:
            middleware(request)
        except Http404:
            pass


@pytest.mark.services
def test_ten_thousand_crafted_urls_add_only_the_lists_own_pages_to_redis():
    redis = redis_of_the_page_cache()
    visit(list_view, ["/calls/"])  # the content version and the first entry
    before = set(redis.scan_iter(count=1000))
    visit(list_view, crafted_urls(10_000))
    added = set(redis.scan_iter(count=1000)) - before
    # At most: /calls/?kind=grant&page=1..3, plus the budget's counter.
    assert len(added) <= 4, sorted(added)
    assert all(key.startswith(b"pages:") for key in added)
    assert all(redis.ttl(key) > 0 for key in added)


@pytest.mark.services
def test_a_page_that_keeps_whatever_it_is_asked_is_bounded_by_the_budget(settings):
    settings.PAGE_CACHE_MAX_ENTRIES = 50
    redis = redis_of_the_page_cache()
    visit(careless_view, ["/"])
    before = set(redis.scan_iter(count=1000))
    visit(careless_view, [f"/?q={n}" for n in range(500)])
    added = set(redis.scan_iter(count=1000)) - before
    assert len(added) <= 50, len(added)
    assert all(key.startswith(b"pages:") and redis.ttl(key) > 0 for key in added)
