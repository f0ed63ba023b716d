"""The RSS feed of open calls and the sitemap, as a feed reader or crawler sees them."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories import make_call

NAIROBI = ZoneInfo("Africa/Nairobi")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def at_2359_nairobi(days_from_now: int) -> datetime:
    day = (timezone.now() + timedelta(days=days_from_now)).astimezone(NAIROBI)
    return day.replace(hour=23, minute=59, second=0, microsecond=0)


@pytest.fixture
def calls(site_root):
    index = site_root["calls"]
    now = timezone.now()
    return {
        "later": make_call(
            index,
            title="Later grant call",
            kind="grant",
            reference_code="DC-GRT-2026-301",
            closes_at=at_2359_nairobi(20),
            clarifications_close_at=now + timedelta(days=2),
        ),
        "sooner": make_call(
            index,
            title="Sooner consultancy",
            reference_code="DC-CFC-2026-302",
            closes_at=at_2359_nairobi(3),
            clarifications_close_at=now + timedelta(days=1),
        ),
        "upcoming": make_call(
            index,
            title="Upcoming audit",
            reference_code="DC-CFC-2026-303",
            opens_at=now + timedelta(days=2),
            closes_at=at_2359_nairobi(10),
            clarifications_close_at=now + timedelta(days=5),
        ),
        "closed": make_call(
            index,
            title="Closed survey",
            reference_code="DC-CFC-2026-304",
            opens_at=now - timedelta(days=30),
            closes_at=now - timedelta(days=1),
            clarifications_close_at=now - timedelta(days=9),
        ),
        "awarded": make_call(
            index,
            title="Awarded design work",
            reference_code="DC-CFC-2026-305",
            closes_at=at_2359_nairobi(6),
            clarifications_close_at=now + timedelta(days=1),
            outcome="awarded",
        ),
    }


def feed_items(client):
    response = client.get("/feeds/open-calls/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # raises if not XML
    assert channel is not None
    return channel, channel.findall("item")


def test_the_feed_is_rss_with_a_title(client, calls):
    channel, _items = feed_items(client)
    assert channel.findtext("title") == "Defenders Coalition: open calls"
    assert channel.findtext("link").startswith("http://")


def test_the_feed_lists_only_open_calls_soonest_deadline_first(client, calls):
    _channel, items = feed_items(client)

    assert [item.findtext("title") for item in items] == [
        "Sooner consultancy (DC-CFC-2026-302)",
        "Later grant call (DC-GRT-2026-301)",
    ]


def test_each_item_links_to_its_call_and_says_its_kind(client, calls):
    _channel, items = feed_items(client)

    links = [item.findtext("link") for item in items]
    assert links[0].endswith("/calls/" + calls["sooner"].slug + "/")
    assert links[1].endswith("/calls/" + calls["later"].slug + "/")
    assert [item.findtext("category") for item in items] == [
        "Call for consultancy",
        "Grant call",
    ]


def test_each_item_gives_the_deadline_in_nairobi_time(client, calls):
    _channel, items = feed_items(client)

    for item, key in zip(items, ["sooner", "later"], strict=True):
        local = calls[key].closes_at.astimezone(NAIROBI)
        expected = f"Deadline: {local.day} {local:%B %Y}, 23:59 EAT."
        description = item.findtext("description")
        assert expected in description, description
        assert description.startswith(calls[key].summary)


def test_the_feed_is_empty_when_nothing_is_open(client, site_root):
    _channel, items = feed_items(client)
    assert items == []


def test_the_sitemap_lists_every_published_call(client, calls):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    locations = [loc.text for loc in ET.fromstring(response.content).iter(SITEMAP + "loc")]
    for call in calls.values():
        assert any(url.endswith(f"/calls/{call.slug}/") for url in locations), call.slug
    assert any(url.endswith("/calls/") for url in locations)


def test_the_sitemap_leaves_out_unpublished_calls(client, calls):
    calls["sooner"].unpublish()

    response = client.get("/sitemap.xml")

    assert f"/calls/{calls['sooner'].slug}/" not in response.content.decode()
    assert f"/calls/{calls['later'].slug}/" in response.content.decode()
