"""The financial opening register: written once when the qualified bids' prices are
opened, with their technical scores and prices, mailed to those bidders only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models.audit import AppendOnlyError
from notifications.models import OutboxMessage
from reviews.models import FinancialOpeningRegister, Panel
from reviews.ranking import call_ranking
from reviews.services.outcomes import financial_open
from reviews.services.panels import panel_lock
from tenders.models import CallPage
from tests.factories import UserFactory
from tests.reviews.compliance_support import examined
from tests.reviews.sheet_support import evaluation_builder


@pytest.fixture
def opened(site_root, no_outbox_dispatch):
    """Three scored bids; the minimum is raised so that the weakest does not qualify."""
    evaluation = evaluation_builder(site_root)(n=3)
    call = evaluation["call"]
    rows = {row.entry.id: row for row in call_ranking(call)}
    weakest = min(rows.values(), key=lambda r: r.technical)
    CallPage.objects.filter(pk=call.pk).update(minimum_technical_score=weakest.technical + 1)
    panel = panel_lock(panel=examined(evaluation["panel"]), user=evaluation["staff"])
    financial_open(panel=Panel.objects.get(pk=panel.pk), user=evaluation["staff"])
    return {**evaluation, "weakest": weakest.entry.id, "rows": rows}


def test_it_lists_the_qualified_bids_with_scores_and_prices(opened):
    register = FinancialOpeningRegister.objects.get(call=opened["call"])
    qualified = [b for b in opened["bids"] if b.pk != opened["weakest"]]

    assert [line["reference"] for line in register.lines] == [b.reference for b in qualified]
    for bid, line in zip(qualified, register.lines, strict=True):
        bid.refresh_from_db()
        technical = opened["rows"][bid.pk].technical
        assert Decimal(line["technical"]) == technical.quantize(Decimal("0.01"))
        assert Decimal(line["price"]) == bid.offer_amount
        assert line["currency"] == "KES"
        assert line["bidder"] == bid.applicant.profile.legal_name
        financial = bid.files.get(envelope="financial")
        assert line["files"] == [
            {
                "document": financial.document_name,
                "size": financial.size,
                "sha256": financial.sha256,
            }
        ]
    assert register.opened_by[0]["name"] == (
        opened["staff"].get_full_name() or opened["staff"].email
    )
    assert len(register.digest) == 64


def test_it_is_mailed_to_the_qualified_bidders_only(opened):
    register = FinancialOpeningRegister.objects.get(call=opened["call"])
    mails = OutboxMessage.objects.filter(dedupe_key__startswith="financial-register:")
    weakest = next(b for b in opened["bids"] if b.pk == opened["weakest"])
    qualified = next(b for b in opened["bids"] if b.pk != opened["weakest"])
    qualified.refresh_from_db()

    assert sorted(m.to_email for m in mails) == sorted(
        b.applicant.email for b in opened["bids"] if b.pk != opened["weakest"]
    )
    for mail in mails:
        assert register.digest in mail.body_text
        assert mail.confidential
        assert f"KES {qualified.offer_amount:,.0f}" in mail.body_text
        assert weakest.reference not in mail.body_text


def test_it_is_written_once_and_never_changed(opened):
    register = FinancialOpeningRegister.objects.get(call=opened["call"])
    panel = Panel.objects.get(call=opened["call"])

    assert financial_open(panel=panel, user=opened["staff"]) == 0  # a second press
    assert FinancialOpeningRegister.objects.filter(call=opened["call"]).count() == 1
    register.lines = []
    with pytest.raises(AppendOnlyError):
        register.save()
    with pytest.raises(AppendOnlyError):
        register.delete()


def test_the_chair_and_staff_read_it_and_others_do_not(client, opened):
    call = opened["call"]
    url = reverse("reviews:financial_register", args=[call.pk])
    bid = next(b for b in opened["bids"] if b.pk != opened["weakest"])

    client.force_login(opened["chair"])
    page = client.get(url)
    assert page.status_code == 200
    assert bid.reference in page.content.decode()
    csv = client.get(url + "?format=csv").content.decode()
    assert csv.splitlines()[0].startswith("reference,bidder,technical_score,price")
    assert bid.reference in csv

    client.force_login(opened["staff"])
    assert client.get(url).status_code == 200
    # A reviewer who is not the chair sees prices neither here nor in the envelopes.
    for outsider in (bid.applicant, UserFactory(), opened["members"][1]):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(url + "?format=csv").status_code == 404


def test_under_blind_review_the_panel_sees_references_only(site_root, client, no_outbox_dispatch):
    evaluation = evaluation_builder(site_root)(n=2, blind=True)
    CallPage.objects.filter(pk=evaluation["call"].pk).update(minimum_technical_score=0)
    panel = panel_lock(panel=examined(evaluation["panel"]), user=evaluation["staff"])
    financial_open(panel=Panel.objects.get(pk=panel.pk), user=evaluation["staff"])
    register = FinancialOpeningRegister.objects.get(call=evaluation["call"])
    bid = next(b for b in evaluation["bids"] if b.reference == register.lines[0]["reference"])

    client.force_login(evaluation["chair"])
    page = client.get(reverse("reviews:financial_register", args=[evaluation["call"].pk]))

    assert bid.reference in page.content.decode()
    assert bid.applicant.profile.legal_name not in page.content.decode()
