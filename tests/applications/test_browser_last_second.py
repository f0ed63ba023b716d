"""Two applicants, in two real browsers, press Submit at the same moment in the last
seconds before the deadline: both bids are received, both get a receipt page, and
both receipt emails are delivered by a real Celery worker."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.applications.deadline_support import close_at
from tests.browser_support import sign_in
from tests.factories import UserFactory, build_site, make_call, submit_bid

pytestmark = [pytest.mark.services, pytest.mark.browser]

# Both clicks leave this long before the deadline; the server finishes after it.
MARGIN = 1.5


@pytest.fixture
def call(transactional_db, django_db_serialized_rollback):
    pages = build_site()
    return make_call(pages["calls"], reference_code="DC-CFC-2026-031")


@pytest.mark.long_running
def test_two_last_second_submits_at_the_same_moment_both_get_receipts(
    live_server, browser, celery_worker, artifacts_dir, call
):
    from playwright.sync_api import expect

    from applications.models import Submission
    from notifications.models import OutboxMessage

    people = [UserFactory(email=f"rush{n}@example.org") for n in (1, 2)]
    drafts = [submit_bid(call, person, submit=False) for person in people]
    assert all(d.status == "draft" for d in drafts)

    contexts, pages = [], []
    try:
        for person, draft in zip(people, drafts, strict=True):
            context = browser.new_context(viewport={"width": 390, "height": 844})
            context.set_default_timeout(30_000)
            page = context.new_page()
            sign_in(page, live_server.url, person.email)
            page.goto(f"{live_server.url}/bids/{draft.pk}/")
            expect(page.get_by_role("button", name="Submit", exact=True)).to_be_visible()
            contexts.append(context)
            pages.append(page)

        # The deadline is a few seconds away; both tabs press Submit just before it.
        closes_at = timezone.now() + timedelta(seconds=6)
        close_at(call, closes_at)
        time.sleep(max(0.0, (closes_at - timezone.now()).total_seconds() - MARGIN))
        for page in pages:
            page.get_by_role("button", name="Submit", exact=True).click(no_wait_after=True)
        clicked_at = timezone.now()
        assert clicked_at < closes_at, "the clicks left after the deadline: the machine stalled"

        for page, draft in zip(pages, drafts, strict=True):
            page.wait_for_url(re.compile(rf"/bids/{draft.pk}/receipt/$"))
            expect(page.get_by_role("heading", level=1)).to_have_text("Receipt")
            expect(page.locator(".message--success")).to_have_text("Your submission was received.")
        pages[0].screenshot(path=str(artifacts_dir / "last-second-receipt.png"), full_page=True)
    finally:
        for context in contexts:
            context.close()

    received = Submission.objects.filter(pk__in=[d.pk for d in drafts]).order_by("reference")
    assert [s.status for s in received] == ["submitted", "submitted"]
    assert [s.reference for s in received] == [
        f"{call.reference_code}-0001",
        f"{call.reference_code}-0002",
    ]
    assert all(s.submitted_at < closes_at for s in received)

    # Both receipts go out through the outbox and the worker.
    def delivered():
        mails = OutboxMessage.objects.filter(dedupe_key__startswith="receipt:")
        return mails.count() == 2 and not mails.filter(sent_at__isnull=True).exists()

    from tests.conftest import wait_for

    wait_for(delivered, timeout=60)
    for person, submission in zip(people, received.order_by("applicant__email"), strict=True):
        mail = OutboxMessage.objects.get(to_email=person.email, dedupe_key__startswith="receipt:")
        assert submission.reference in mail.subject
