"""The call index: filters, search and pagination, as an applicant uses them."""

from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenders.models.index_page import CALLS_PER_PAGE
from tests.factories import make_call

DAY = timedelta(days=1)


def listed(response) -> list[str]:
    """Titles of the calls on the page, in the order shown."""
    assert response.status_code == 200
    return [call.title for call in response.context["calls"]]


def page_text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def calls(site_root):
    """One call in each state, with titles no other title contains."""
    index = site_root["calls"]
    now = timezone.now()
    past = {"opens_at": now - 60 * DAY, "clarifications_close_at": now - 40 * DAY}
    made = {
        "open_consultancy": make_call(
            index,
            title="Gender documentation training",
            reference_code="DC-CFC-2026-201",
            closes_at=now + 18 * DAY,
            clarifications_close_at=now + 10 * DAY,
        ),
        "open_grant": make_call(
            index,
            title="Safety grants for networks",
            kind="grant",
            reference_code="DC-GRT-2026-202",
            closes_at=now + 32 * DAY,
            clarifications_close_at=now + 20 * DAY,
        ),
        "upcoming": make_call(
            index,
            title="Digital security audits",
            reference_code="DC-CFC-2026-203",
            opens_at=now + 9 * DAY,
            closes_at=now + 40 * DAY,
            clarifications_close_at=now + 30 * DAY,
        ),
        "closed": make_call(
            index,
            title="Surveillance baseline survey",
            reference_code="DC-CFC-2026-204",
            closes_at=now - 4 * DAY,
            **past,
        ),
        "awarded": make_call(
            index,
            title="Annual report layout",
            reference_code="DC-CFC-2026-205",
            closes_at=now - 30 * DAY,
            outcome="awarded",
            **past,
        ),
    }
    draft = make_call(
        index,
        title="Unpublished water study",
        reference_code="DC-CFC-2026-206",
        closes_at=now + 5 * DAY,
        clarifications_close_at=now + 2 * DAY,
    )
    draft.unpublish()
    return {key: call.title for key, call in made.items()}


# Listing order: open soonest-first, then upcoming, then past calls latest-first.
ALL = ["open_consultancy", "open_grant", "upcoming", "closed", "awarded"]


def test_the_index_lists_open_calls_first_soonest_deadline_first(client, site_root, calls):
    response = client.get(site_root["calls"].url)

    assert listed(response) == [calls[key] for key in ALL]
    text = page_text(response)
    for key in ALL:
        assert calls[key] in text
    assert "Unpublished water study" not in text
    assert "5 calls" in text


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"kind": "grant"}, ["open_grant"]),
        ({"kind": "consultancy"}, ["open_consultancy", "upcoming", "closed", "awarded"]),
        ({"state": "open"}, ["open_consultancy", "open_grant"]),
        ({"state": "upcoming"}, ["upcoming"]),
        ({"state": "closed"}, ["closed"]),
        ({"state": "awarded"}, ["awarded"]),
        ({"kind": "consultancy", "state": "open"}, ["open_consultancy"]),
        ({"kind": "grant", "state": "closed"}, []),
    ],
)
def test_filters(client, site_root, calls, query, expected):
    response = client.get(site_root["calls"].url, query)

    assert listed(response) == [calls[key] for key in expected]
    text = page_text(response)
    for key in ALL:
        assert (calls[key] in text) == (key in expected), key
    if not expected:
        assert "No calls match these filters." in text


@pytest.mark.parametrize(
    "q, expected",
    [
        ("audits", ["upcoming"]),
        ("gender DOCUMENTATION", ["open_consultancy"]),
        ("DC-GRT-2026-202", ["open_grant"]),
        ("cfc-2026-204", ["closed"]),
        ("  Annual report  ", ["awarded"]),
        ("no such call anywhere", []),
    ],
)
def test_search_by_title_and_reference_code(client, site_root, calls, q, expected):
    response = client.get(site_root["calls"].url, {"q": q})

    assert listed(response) == [calls[key] for key in expected]


def test_search_combines_with_the_filters(client, site_root, calls):
    response = client.get(site_root["calls"].url, {"q": "DC-CFC", "state": "open"})
    assert listed(response) == [calls["open_consultancy"]]


def test_an_unknown_filter_value_does_not_hide_calls(client, site_root, calls):
    response = client.get(site_root["calls"].url, {"state": "sealed"})
    assert listed(response) == [calls[key] for key in ALL]


# --- Pagination --------------------------------------------------------------------


@pytest.fixture
def twelve_calls(site_root):
    now = timezone.now()
    made = [
        make_call(
            site_root["calls"],
            title=f"Paged call {n:02d}",
            kind="grant" if n % 3 == 0 else "consultancy",
            closes_at=now + (n + 5) * DAY,
            clarifications_close_at=now + 2 * DAY,
        )
        for n in range(1, 13)
    ]
    return [call.title for call in made]  # all open: soonest deadline first


def test_pagination(client, site_root, twelve_calls):
    url = site_root["calls"].url

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert CALLS_PER_PAGE == 10
    assert listed(first) == twelve_calls[:10]
    assert listed(second) == twelve_calls[10:]
    assert "Page 1 of 2" in page_text(first)
    assert "page=2" in page_text(first)
    assert "Page 2 of 2" in page_text(second)
    assert "12 calls" in page_text(second)


def test_a_page_past_the_end_shows_the_last_page(client, site_root, twelve_calls):
    response = client.get(site_root["calls"].url, {"page": 99})
    assert listed(response) == twelve_calls[10:]


def test_pagination_keeps_the_filters(client, site_root, twelve_calls):
    url = site_root["calls"].url
    consultancies = [title for title in twelve_calls if int(title[-2:]) % 3 != 0]

    first = client.get(url, {"kind": "consultancy"})
    second = client.get(url, {"kind": "consultancy", "page": 2})

    assert len(consultancies) == 8
    assert listed(first) == consultancies
    assert "Page 1 of" not in page_text(first)

    assert listed(second) == consultancies  # 8 fit on one page
    grants = client.get(url, {"kind": "grant", "q": "Paged"})
    assert listed(grants) == [title for title in twelve_calls if int(title[-2:]) % 3 == 0]


def test_the_next_link_carries_the_filters(client, site_root, twelve_calls):
    response = client.get(site_root["calls"].url, {"q": "Paged call"})
    assert listed(response) == twelve_calls[:10]
    assert "q=Paged+call&page=2" in page_text(response)

    second = client.get(site_root["calls"].url, {"q": "Paged call", "page": 2})
    assert listed(second) == twelve_calls[10:]


# --- Query count does not grow with the number of calls ---------------------------


def _queries(client, url, **params) -> int:
    client.get(url, params)  # warm per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.long_running
def test_the_index_costs_the_same_queries_for_5_and_100_calls(client, site_root):
    index = site_root["calls"]
    now = timezone.now()

    def add(count, start):
        for n in range(start, start + count):
            make_call(
                index,
                kind="grant" if n % 2 else "consultancy",
                closes_at=now + (n + 3) * DAY,
                clarifications_close_at=now + 3 * DAY,
                opens_at=now + 2 * DAY if n % 7 == 0 else now - DAY,
            )

    add(5, 0)
    with_5 = _queries(client, index.url)

    add(95, 5)
    with_100 = _queries(client, index.url)
    page_2 = _queries(client, index.url, page=2)
    filtered = _queries(client, index.url, kind="grant", state="open", q="Call number")

    assert with_100 == with_5, f"5 calls: {with_5} queries; 100 calls: {with_100}"
    assert page_2 == with_100, f"page 1: {with_100} queries; page 2: {page_2}"
    assert filtered == with_100, f"unfiltered: {with_100} queries; filtered: {filtered}"
