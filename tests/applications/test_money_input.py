"""Money reads as money (issue 26, item 4): the currency before the amount, digits
grouped in every display, "1,450,000" and "1 450 000" taken alike, no number box with
spinner arrows; and in a browser, grouped while typed and read back in words, in
English and in Swahili."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from applications.models import Submission
from applications.money_fields import MoneyField, MoneyInput
from tests.applications.test_submission_flow import post_bid, start

pytestmark = pytest.mark.usefixtures("no_outbox_dispatch")


@pytest.fixture
def bidder(client, applicant):
    client.force_login(applicant)
    return client


@pytest.mark.parametrize("typed", ["1,450,000", "1 450 000", "1\u00a0450\u00a0000", "1450000"])
def test_an_amount_is_taken_with_or_without_its_grouping(consultancy_call, bidder, typed):
    assert MoneyField(currency="KES", required=False).clean(typed) == Decimal("1450000")
    submission = start(bidder, consultancy_call)
    response = post_bid(bidder, submission, "save", offer_amount=typed)
    assert response.status_code == 302  # saved (sealed to the committee's key)
    assert Submission.objects.get(pk=submission.pk).amounts_sealed


@pytest.mark.parametrize("language", ["en", "sw"])
def test_an_amount_is_shown_grouped_in_the_readers_language(language):
    with translation.override(language):
        assert MoneyInput("KES").format_value(Decimal("1450000")) == "1,450,000"
        assert MoneyInput("KES").format_value(Decimal("1450000.50")) == "1,450,000.50"


def test_a_garbled_amount_is_refused_with_an_example_and_nothing_saved(consultancy_call, bidder):
    submission = start(bidder, consultancy_call)
    response = post_bid(bidder, submission, "save", offer_amount="1.450.000")
    assert response.status_code == 400
    assert "Write the amount in figures, for example 1,450,000" in response.content.decode()


def test_the_amount_is_a_text_box_behind_its_currency_not_a_number_box(consultancy_call, bidder):
    submission = start(bidder, consultancy_call)
    page = bidder.get(reverse("applications:submission", args=[submission.pk])).content.decode()
    amount = re.search(r'<input[^>]*name="offer_amount"[^>]*>', page).group(0)
    assert 'type="text"' in amount and 'inputmode="decimal"' in amount
    assert 'class="money__currency" aria-hidden="true">KES<' in page
    # The currency is the call's, sent along, not a select with one choice.
    assert re.search(r'<input type="hidden" name="offer_currency" value="KES"', page)
    assert '<select name="offer_currency"' not in page


@pytest.mark.services
@pytest.mark.browser
@pytest.mark.parametrize(
    "language, words",
    [
        ("en", "one million four hundred and fifty thousand Kenyan shillings"),
        ("sw", "shilingi za Kenya milioni moja, elfu mia nne na hamsini"),
    ],
)
def test_the_amount_is_grouped_as_typed_and_read_back_in_words(
    live_server, browser, transactional_db, django_db_serialized_rollback, language, words
):
    from playwright.sync_api import expect

    from tests.browser_support import sign_in
    from tests.factories import UserFactory, build_site, make_call, start_submission

    call = make_call(build_site()["calls"])
    applicant = UserFactory()
    submission = start_submission(call, applicant)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, applicant.email)
    type(applicant).objects.filter(pk=applicant.pk).update(language=language)
    page.goto(f"{live_server.url}/bids/{submission.pk}/")
    amount = page.locator("input[name=offer_amount]")
    amount.press_sequentially("1450000")
    expect(amount).to_have_value("1,450,000")
    expect(page.locator(".money__words")).to_have_text(words)
    amount.press("End")
    amount.press_sequentially(".5")
    expect(amount).to_have_value("1,450,000.5")
    context.close()
