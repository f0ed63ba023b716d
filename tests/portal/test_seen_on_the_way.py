"""Small things seen on the way (issue 13, item 6), each as a person meets it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reviews.services.sheets import scoring_sheet_request
from tests.factories import UserFactory, build_site, make_call, start_submission
from tests.reviews.sheet_support import evaluation_builder

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls():
    return build_site()["calls"]


def test_an_awarded_call_does_not_invite_a_bid(client, calls):
    call = make_call(calls, outcome="awarded")
    html = client.get(call.url).content.decode()
    assert "Submissions closed" in html
    assert "Submit a bid" not in html


def test_weights_show_only_where_they_count(client, calls):
    least_cost = make_call(
        calls,
        selection_method="least_cost",
        technical_weight=Decimal("1"),
        financial_weight=Decimal("0"),
    )
    html = client.get(least_cost.url).content.decode()
    assert "How the winner is chosen" in html and "The lowest price among the bids" in html
    assert "Weights" not in html and "Technical quality only" not in html
    qcbs = make_call(calls)
    html = client.get(qcbs.url).content.decode()
    assert "Weights" in html and "Technical 80%, financial 20%" in html


def test_registration_marks_the_names_required_and_keeps_good_passwords(client):
    passphrase = "a-long-and-unusual-passphrase-42"
    response = client.post(
        reverse("accounts:register"),
        {"email": "amani@example.org", "password1": passphrase, "password2": passphrase},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("This field is required.") == 4  # first and last name, each twice
    summary = html[html.index("error-summary") : html.index("</ul>", html.index("error-summary"))]
    assert 'href="#id_first_name"' in summary and 'href="#id_last_name"' in summary
    assert html.count(f'value="{passphrase}"') == 2  # not typed twice again
    # A password that fails is never sent back.
    response = client.post(
        reverse("accounts:register"),
        {"email": "amani@example.org", "password1": "short", "password2": "short"},
    )
    assert 'value="short"' not in response.content.decode()
    page = client.get(reverse("accounts:register")).content.decode()
    assert page.count("required") >= 4  # email, both names and passwords


def test_the_sheet_page_gives_the_time_with_its_zone(client, site_root):
    ev = evaluation_builder(site_root)(n=1)
    sheet = scoring_sheet_request(call=ev["call"], user=ev["chair"])
    client.force_login(ev["chair"])
    html = client.get(reverse("reviews:sheet", args=[sheet.pk])).content.decode()
    assert "EAT</time>" in html


def test_a_saved_price_shows_grouped_as_people_write_it(client, calls):
    call = make_call(calls)
    applicant = UserFactory()
    submission = start_submission(call, applicant)
    submission.offer_amount = Decimal("1450000.00")
    submission.save(update_fields=["offer_amount"])
    client.force_login(applicant)
    html = client.get(reverse("applications:submission", args=[submission.pk])).content.decode()
    assert 'value="1,450,000"' in html and "1450000.00" not in html
