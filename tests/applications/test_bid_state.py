"""A bid's state is unmistakable (issue 26, items 1, 5 and 9): a submitted bid's page
leads with what was sent and when, changing it is a step of its own; the receipt leads
with what the applicant needs and folds the proof under it."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from tests.applications.test_submission_flow import (
    FINANCIAL,
    OFFER_FILE,
    PROPOSAL,
    PROPOSAL_V2,
    TECHNICAL,
    post_bid,
    receipt_of,
    start,
)

pytestmark = pytest.mark.usefixtures("no_outbox_dispatch")
NAIROBI = ZoneInfo("Africa/Nairobi")


@pytest.fixture
def bidder(client, applicant):
    client.force_login(applicant)
    return client


def page_of(client, submission) -> str:
    response = client.get(reverse("applications:submission", args=[submission.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_draft_reads_as_a_draft_with_its_form_open(consultancy_call, bidder):
    submission = start(bidder, consultancy_call)
    page = page_of(bidder, submission)
    assert "This is a draft" in page
    assert 'class="sent"' not in page and "change-bid" not in page


def test_a_submitted_bid_leads_with_when_it_arrived_and_its_receipt(consultancy_call, bidder):
    submission = start(bidder, consultancy_call)
    post_bid(bidder, submission, "submit", {TECHNICAL: PROPOSAL, FINANCIAL: OFFER_FILE})
    submission.refresh_from_db()
    arrived = timezone.localtime(submission.submitted_at, NAIROBI)

    page = page_of(bidder, submission)

    sent = page.index('class="sent"')
    when = f"We received your bid at {arrived:%H:%M:%S} on {arrived.day} {arrived:%B}."
    assert when in page
    receipt_link = page.index(reverse("applications:receipt", args=[submission.pk]))
    form = page.index('id="bid-form"')
    assert sent < receipt_link < form  # what was sent, and its receipt, before any form
    # Changing it is a deliberate step: the form is folded under its own summary.
    change = re.search(r'<details class="change-bid"( open)?>\s*<summary', page)
    assert change and not change.group(1)
    assert "Change your bid before the deadline" in page
    assert "Upload without resubmitting" not in page


def test_a_change_not_yet_sent_opens_the_step_and_says_so(consultancy_call, bidder):
    submission = start(bidder, consultancy_call)
    post_bid(bidder, submission, "submit", {TECHNICAL: PROPOSAL, FINANCIAL: OFFER_FILE})
    post_bid(bidder, submission, "save", {TECHNICAL: PROPOSAL_V2})

    page = page_of(bidder, submission)

    assert '<details class="change-bid" open>' in page
    assert "You have changes that are not sent yet" in page
    assert "Replacement waiting for Resubmit" in page


def test_the_receipt_says_when_first_and_folds_the_proof(consultancy_call, bidder):
    submission = start(bidder, consultancy_call)
    post_bid(bidder, submission, "submit", {TECHNICAL: PROPOSAL, FINANCIAL: OFFER_FILE})
    submission.refresh_from_db()
    arrived = timezone.localtime(submission.submitted_at, NAIROBI)

    receipt = receipt_of(bidder, submission)

    lead = receipt.index(
        f"We received your bid at {arrived:%H:%M:%S} on {arrived.day} {arrived:%B}."
    )
    assert lead < receipt.index("Keep this page.") < receipt.index("Reference number")
    proof = receipt.index('<details class="proof">')
    assert receipt.index("Proof of what you sent") > proof
    for fingerprint in re.findall(r"[0-9a-f]{64}", receipt):
        assert receipt.index(fingerprint) > proof  # every fingerprint under the fold
    for stored in submission.files.all():  # sizes as every other page writes them
        assert filesizeformat(stored.size) in receipt
    # The address may break before its "@" and dots, never inside a word.
    assert "<wbr>@example<wbr>.org" in receipt


def test_a_submitted_grant_application_is_called_an_application(grant_call, bidder):
    submission = start(bidder, grant_call)
    post_bid(bidder, submission, "submit", {"Grant proposal": PROPOSAL}, amount_requested="50000")
    submission.refresh_from_db()
    assert submission.is_submitted
    page = page_of(bidder, submission)
    assert "We received your application at" in page
    assert "Change your application before the deadline" in page
    assert "Withdraw this application" in page and "Withdraw this bid" not in page
