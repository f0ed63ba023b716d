"""A call's state at the edges of its dates, and how its deadline reads."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from tenders.choices import CallState
from tenders.models import CallPage
from tests.factories import make_call
from tests.tenders.page_forms import assert_created, call_form_data, post_new_page

NAIROBI = ZoneInfo("Africa/Nairobi")
OPENS = datetime(2026, 11, 2, 9, 0, tzinfo=NAIROBI)
CLOSES = datetime(2026, 11, 26, 23, 59, tzinfo=NAIROBI)
MICROSECOND = timedelta(microseconds=1)
SECOND = timedelta(seconds=1)


def render(source, **context):
    """Render with the call tags; Django's non-breaking spaces read as spaces."""
    html = Template("{% load format_tags call_tags %}" + source).render(Context(context))
    return html.replace("\xa0", " ")


@pytest.fixture
def call(site_root):
    return make_call(
        site_root["calls"],
        opens_at=OPENS,
        closes_at=CLOSES,
        clarifications_close_at=CLOSES - timedelta(days=5),
    )


EDGES = [
    ("a microsecond before it opens", OPENS - MICROSECOND, CallState.UPCOMING),
    ("the moment it opens", OPENS, CallState.OPEN),
    ("a second before the deadline", CLOSES - SECOND, CallState.OPEN),
    ("a microsecond before the deadline", CLOSES - MICROSECOND, CallState.OPEN),
    ("the moment of the deadline", CLOSES, CallState.CLOSED),
    ("a day after the deadline", CLOSES + timedelta(days=1), CallState.CLOSED),
]


@pytest.mark.parametrize("moment, now, expected", EDGES, ids=[edge[0] for edge in EDGES])
def test_state_at_the_edges(call, moment, now, expected):
    assert call.state_at(now) == expected


@pytest.mark.parametrize("moment, now, expected", EDGES, ids=[edge[0] for edge in EDGES])
def test_the_listing_filters_agree_with_the_state(call, moment, now, expected):
    """The index's state filter and the call's own state never disagree."""
    for state in (CallState.UPCOMING, CallState.OPEN, CallState.CLOSED):
        listed = CallPage.objects.in_state(state, now=now).filter(pk=call.pk).exists()
        assert listed == (state == expected), f"{state} at {moment}"


@pytest.mark.parametrize(
    "outcome, expected",
    [("awarded", CallState.AWARDED), ("cancelled", CallState.CANCELLED)],
)
@pytest.mark.parametrize("now", [OPENS - SECOND, OPENS, CLOSES + SECOND])
def test_an_editors_outcome_overrides_the_dates(call, outcome, expected, now):
    call.outcome = outcome
    call.cancellation_reason = "The funding fell through." if outcome == "cancelled" else ""
    call.save()

    assert call.state_at(now) == expected
    assert not CallPage.objects.open_now(now=now).filter(pk=call.pk).exists()
    assert CallPage.objects.in_state(expected, now=now).filter(pk=call.pk).exists()


def test_state_follows_the_clock(site_root):
    now = timezone.now()
    calls = site_root["calls"]
    upcoming = make_call(
        calls,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=9),
        clarifications_close_at=now + timedelta(days=2),
    )
    open_ = make_call(calls)
    closed = make_call(
        calls,
        opens_at=now - timedelta(days=9),
        closes_at=now - timedelta(minutes=1),
        clarifications_close_at=now - timedelta(days=2),
    )

    assert (upcoming.state, open_.state, closed.state) == (
        CallState.UPCOMING,
        CallState.OPEN,
        CallState.CLOSED,
    )
    assert open_.is_open and not upcoming.is_open and not closed.is_open


# --- 23:59 in Nairobi is 20:59 UTC ------------------------------------------------


def test_a_2359_nairobi_deadline_is_2059_utc(call):
    stored = CallPage.objects.get(pk=call.pk).closes_at

    assert stored.astimezone(UTC).replace(tzinfo=None) == datetime(2026, 11, 26, 20, 59)
    assert call.state_at(datetime(2026, 11, 26, 20, 58, 59, tzinfo=UTC)) == CallState.OPEN
    assert call.state_at(datetime(2026, 11, 26, 20, 59, 0, tzinfo=UTC)) == CallState.CLOSED


def test_a_deadline_typed_as_2359_in_the_admin_is_stored_as_2059_utc(editor_client, site_root):
    """Editors type organisation time; nobody converts by hand."""
    calls = site_root["calls"]
    data = call_form_data(
        opens_at="2026-11-02 09:00",
        closes_at="2026-11-26 23:59",
        clarifications_close_at="2026-11-20 17:00",
    )
    assert_created(post_new_page(editor_client, CallPage, calls, data), calls)

    call = CallPage.objects.get(reference_code="DC-CFC-2026-101")
    assert call.closes_at == datetime(2026, 11, 26, 20, 59, tzinfo=UTC)


def test_the_deadline_tag_shows_nairobi_time_named_once(call):
    call = CallPage.objects.get(pk=call.pk)

    html = render("{% deadline call.closes_at %}", call=call)

    assert html == '<time datetime="2026-11-26T20:59:00+00:00">26 November 2026, 23:59 EAT</time>'


def test_a_time_of_receipt_is_a_record_with_its_offset_from_utc(call):
    html = render(
        "{% deadline value seconds=True %}",
        value=datetime(2026, 11, 26, 20, 58, 57, 412000, tzinfo=UTC),
    )
    assert "26 November 2026, 23:58:57.4 EAT (UTC+03:00)" in html


def test_the_deadline_tag_shows_the_organisation_zone_whatever_the_input_zone():
    """A datetime built in UTC still reads as Nairobi time on the page."""
    html = render("{% deadline value %}", value=datetime(2026, 11, 26, 20, 59, tzinfo=UTC))
    assert "26 November 2026, 23:59 EAT</time>" in html


def test_the_deadline_tag_is_empty_without_a_date():
    assert render("{% deadline value %}", value=None) == ""


# --- Relative deadlines ----------------------------------------------------------


def test_a_call_three_days_away_closes_in_3_days(site_root):
    now = timezone.now()
    call = make_call(
        site_root["calls"],
        closes_at=now + timedelta(days=3),
        clarifications_close_at=now + timedelta(days=1),
    )

    assert render("{% relative_deadline call now %}", call=call, now=now) == "closes in 3 days"


def test_relative_deadline_without_a_given_now_uses_the_clock(site_root):
    # A few minutes' margin so the clock moving during the test changes nothing.
    now = timezone.now()
    call = make_call(
        site_root["calls"],
        closes_at=now + timedelta(days=3, minutes=5),
        clarifications_close_at=now + timedelta(days=1),
    )
    assert render("{% relative_deadline call %}", call=call) == "closes in 3 days"


def test_relative_deadline_before_opening_and_after_closing(call):
    assert render(
        "{% relative_deadline call now %}", call=call, now=OPENS - timedelta(hours=2)
    ) == ("opens in 2 hours")
    assert render(
        "{% relative_deadline call now %}", call=call, now=CLOSES + timedelta(days=5)
    ) == ("closed 5 days ago")
