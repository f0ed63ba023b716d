"""Public pages come from the cache for anonymous visitors, and are never stale
(issue 13, item 4; core/page_cache.py).

Each test turns the cache on (it is off for the rest of the suite, whose tests
change rows directly) and starts from a fresh content version.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.page_cache import page_cache_invalidate
from tenders.models import Addendum, CallPage, Clarification
from tests.factories import UserFactory, build_site, make_call, start_submission

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cached(settings):
    settings.PAGE_CACHE = True
    page_cache_invalidate()


@pytest.fixture
def site():
    return build_site()


@pytest.fixture
def call(site):
    return make_call(site["calls"], title="Documentation training")


@pytest.fixture
def clock(monkeypatch):
    """Moves the portal's clock (django.utils.timezone.now) forward."""
    real_now = timezone.now
    offset = [timedelta(0)]
    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset[0])

    def advance(by: timedelta):
        offset[0] += by

    return advance


def test_the_second_anonymous_visit_is_served_from_the_cache_without_a_query(client, call):
    first = client.get(call.url)
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = client.get(call.url)
    assert second["X-Page-Cache"] == "hit"
    assert len(queries) == 0
    assert second.content == first.content
    assert second["Content-Type"].startswith("text/html")


def test_a_published_change_shows_on_the_next_anonymous_request(
    client, call, django_capture_on_commit_callbacks
):
    client.get(call.url)
    call.title = "Documentation training, second round"
    with django_capture_on_commit_callbacks(execute=True):  # the publish commits
        call.save_revision().publish()
    response = client.get(call.url)
    assert response["X-Page-Cache"] == "miss"
    assert "Documentation training, second round" in response.content.decode()
    index = client.get(call.get_parent().url).content.decode()
    assert "Documentation training, second round" in index


def test_crossing_the_deadline_shows_the_call_closed_at_once(client, site, clock):
    call = make_call(site["calls"])
    # Sooner than PAGE_CACHE_SECONDS: only the deadline itself can end the entry.
    closes_at = timezone.now() + timedelta(minutes=2)
    CallPage.objects.filter(pk=call.pk).update(closes_at=closes_at)
    page_cache_invalidate()  # the dates changed behind the page's back
    call.refresh_from_db()
    open_page = client.get(call.url).content.decode()
    assert "Sign in to apply" in open_page
    assert client.get(call.url)["X-Page-Cache"] == "hit"
    clock(timedelta(minutes=2, seconds=1))
    closed = client.get(call.url)
    assert closed["X-Page-Cache"] == "miss"
    html = closed.content.decode()
    assert "Submissions closed" in html and "Sign in to apply" not in html


def test_no_entry_outlives_the_next_change_of_any_call(client, site, clock):
    """The index lists every call: it turns when the first of them opens."""
    soon = make_call(site["calls"], title="Opens soon")
    opens_at = timezone.now() + timedelta(minutes=2)
    CallPage.objects.filter(pk=soon.pk).update(
        opens_at=opens_at,
        clarifications_close_at=opens_at + timedelta(days=5),
        closes_at=opens_at + timedelta(days=10),
    )
    page_cache_invalidate()
    index = site["calls"].url
    client.get(index)
    clock(timedelta(minutes=1))
    assert client.get(index)["X-Page-Cache"] == "hit"
    clock(timedelta(minutes=1, seconds=1))
    assert client.get(index)["X-Page-Cache"] == "miss"


def test_an_answered_clarification_and_an_addendum_show_at_once(
    client, call, django_capture_on_commit_callbacks
):
    client.get(call.url)
    with django_capture_on_commit_callbacks(execute=True):
        Clarification.objects.create(
            call=call,
            question="May a team apply?",
            answer="Yes, a team of up to three.",
            publish=True,
        )
    assert "Yes, a team of up to three." in client.get(call.url).content.decode()
    client.get(call.url)
    with django_capture_on_commit_callbacks(execute=True):
        Addendum.objects.create(
            call=call, number=1, summary="The terms of reference now ask for X."
        )
    assert "The terms of reference now ask for X." in client.get(call.url).content.decode()


def test_each_language_has_its_own_entry(client, call):
    english = client.get(call.url, HTTP_ACCEPT_LANGUAGE="en")
    swahili = client.get(call.url, HTTP_ACCEPT_LANGUAGE="sw")
    assert swahili["X-Page-Cache"] == "miss"
    assert '<html lang="sw">' in swahili.content.decode()
    again = client.get(call.url, HTTP_ACCEPT_LANGUAGE="en")
    assert again["X-Page-Cache"] == "hit" and again.content == english.content


def test_a_signed_in_applicant_gets_their_own_page_never_the_cached_one(call):
    visitor = Client()
    visitor.get(call.url)
    applicant = UserFactory()
    start_submission(call, applicant)
    signed_in = Client()
    signed_in.force_login(applicant)
    response = signed_in.get(call.url)
    assert "X-Page-Cache" not in response
    html = response.content.decode()
    assert "Continue your draft" in html and "Sign in to apply" not in html
    # The visitors' entry is untouched, and never shows the applicant's draft.
    cached = visitor.get(call.url)
    assert cached["X-Page-Cache"] == "hit"
    assert "Continue your draft" not in cached.content.decode()


def test_a_page_that_sets_a_cookie_is_never_kept(client, site):
    """The sign-in page carries a CSRF token (a cookie): it is outside the cache, and
    so is any page whose answer sets a cookie."""
    for _ in range(2):
        response = client.get("/account/login/")
        assert "X-Page-Cache" not in response
    not_found = client.get("/calls/no-such-call/")
    assert not_found.status_code == 404 and "X-Page-Cache" not in not_found


def test_the_cache_turned_off_serves_every_page_afresh(client, call, settings):
    settings.PAGE_CACHE = False
    client.get(call.url)
    assert "X-Page-Cache" not in client.get(call.url)


def test_a_signed_in_page_reuses_the_shared_parts_and_renders_its_own(call):
    applicant = UserFactory()
    start_submission(call, applicant)
    Clarification.objects.create(
        call=call, question="Budget?", answer="Within the ceiling.", publish=True
    )
    signed_in = Client()
    signed_in.force_login(applicant)
    with CaptureQueriesContext(connection) as first:
        one = signed_in.get(call.url).content.decode()
    with CaptureQueriesContext(connection) as second:
        two = signed_in.get(call.url).content.decode()
    assert len(second) < len(first)
    for html in (one, two):
        assert "Continue your draft" in html and "Within the ceiling." in html
    # Someone else, signed in, shares the parts but not the panel.
    other = Client()
    other.force_login(UserFactory())
    html = other.get(call.url).content.decode()
    assert "Within the ceiling." in html and "Continue your draft" not in html
    assert "Start a bid" in html


def test_only_the_lists_own_query_parameters_are_kept(client, site, call):
    index = site["calls"].url
    client.get(index + "?kind=consultancy&page=1")
    assert client.get(index + "?kind=consultancy&page=1")["X-Page-Cache"] == "hit"
    for _ in range(2):  # made up: served fresh, never kept
        response = client.get(index + "?utm_source=x&nonce=1")
        assert response.status_code == 200 and "X-Page-Cache" not in response
