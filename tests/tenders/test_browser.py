"""A visitor in a real browser finds a call from the home page and reads its deadline."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories import build_site, make_call

NAIROBI = ZoneInfo("Africa/Nairobi")

pytestmark = [pytest.mark.services, pytest.mark.browser]


@pytest.fixture
def site(transactional_db, django_db_serialized_rollback):
    """The live server is another thread: its data must be committed.

    Serialized rollback restores Wagtail's migrated rows (root page, locale)
    that the flush after an earlier transactional test removed.
    """
    pages = build_site()
    now = timezone.now()
    closes_at = (
        (now + timedelta(days=5))
        .astimezone(NAIROBI)
        .replace(hour=23, minute=59, second=0, microsecond=0)
    )
    call = make_call(
        pages["calls"],
        title="Training on monitoring and documentation from a gender perspective",
        reference_code="DC-CFC-2026-404",
        closes_at=closes_at,
        clarifications_close_at=now + timedelta(days=2),
    )
    make_call(
        pages["calls"],
        title="Upcoming digital security audits",
        reference_code="DC-CFC-2026-405",
        opens_at=now + timedelta(days=3),
        closes_at=now + timedelta(days=30),
        clarifications_close_at=now + timedelta(days=20),
    )
    return {**pages, "call": call}


def test_visitor_opens_a_call_from_the_home_page(live_server, browser, site, artifacts_dir):
    from playwright.sync_api import expect

    call = site["call"]
    local_deadline = call.closes_at.astimezone(NAIROBI)
    deadline_text = f"{local_deadline.day} {local_deadline:%B %Y}, 23:59 EAT"
    days_left = (call.closes_at - timezone.now()).days  # 5, or 4 just before midnight

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        response = page.goto(live_server.url + "/")
        assert response.status == 200
        # Only open calls are on the home page.
        expect(page.get_by_text("Upcoming digital security audits")).to_have_count(0)

        page.get_by_role("link", name=call.title).first.click()

        expect(page).to_have_url(live_server.url + call.url)
        expect(page.get_by_role("heading", level=1)).to_have_text(call.title)
        expect(page.get_by_text(call.reference_code).first).to_be_visible()
        expect(page.get_by_text(deadline_text).first).to_be_visible()
        expect(page.get_by_text(re.compile(rf"closes in {days_left}\sdays")).first).to_be_visible()

        page.screenshot(path=str(artifacts_dir / "browser-call-page.png"), full_page=True)
    finally:
        context.close()
    assert (artifacts_dir / "browser-call-page.png").stat().st_size > 10_000
