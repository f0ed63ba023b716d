"""Every opened price is in a register. Under QBS, when negotiation with the firm whose
price is open fails, the next firm's price opens: that opening is recorded as an
addendum to the financial opening register (append-only, with its own SHA-256),
mailed to that firm, and shown with the register on its page and in its CSV."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from applications.models import Submission
from applications.models.audit import AppendOnlyError
from notifications.models import OutboxMessage
from reviews.models import FinancialOpeningRegister, Panel
from reviews.ranking import call_ranking
from reviews.services.outcomes import financial_open, negotiation_fail
from reviews.services.panels import panel_lock
from tenders.models import CallPage
from tests.reviews.compliance_support import examined
from tests.reviews.sheet_support import evaluation_builder

REASON = "The firm would not lower its day rate to the market level."


@pytest.fixture
def qbs(site_root, no_outbox_dispatch):
    """A QBS call with four ranked bids, scoring locked and the top firm's price open."""
    ev = evaluation_builder(site_root)(n=4)
    CallPage.objects.filter(pk=ev["call"].pk).update(
        selection_method="qbs",
        technical_weight=Decimal(1),
        financial_weight=Decimal(0),
        minimum_technical_score=Decimal(50),
    )
    call = CallPage.objects.get(pk=ev["call"].pk)
    panel = panel_lock(panel=examined(Panel.objects.get(pk=ev["panel"].pk)), user=ev["staff"])
    financial_open(panel=Panel.objects.get(pk=panel.pk), user=ev["staff"])
    ranked = [r for r in call_ranking(call) if r.rank is not None]
    bids = [Submission.objects.select_related("applicant").get(pk=r.entry.id) for r in ranked]
    return {**ev, "call": call, "ranked": ranked, "in_order": bids}


def fail(ev, bid):
    return negotiation_fail(
        panel=Panel.objects.get(call=ev["call"]), user=ev["chair"], submission=bid, reason=REASON
    )


def test_the_next_firms_price_is_mailed_to_it_with_the_register(qbs):
    first, second = qbs["in_order"][:2]
    before = set(OutboxMessage.objects.values_list("pk", flat=True))

    assert fail(qbs, first).pk == second.pk

    [mail] = OutboxMessage.objects.exclude(pk__in=before)
    second.refresh_from_db()
    register = FinancialOpeningRegister.objects.get(call=qbs["call"])
    assert mail.to_email == second.applicant.email
    assert mail.confidential
    body = mail.body_text
    assert second.reference in body and f"KES {second.offer_amount:,.0f}" in body
    assert register.digest in body  # the register it adds to
    assert REASON not in body  # why negotiation failed stays with the panel


def test_each_later_opening_is_an_addendum_with_its_own_digest(qbs):
    from reviews.models import FinancialRegisterAddendum

    first, second, third = qbs["in_order"][:3]
    fail(qbs, first)
    fail(qbs, second)

    register = FinancialOpeningRegister.objects.get(call=qbs["call"])
    assert [line["reference"] for line in register.lines] == [first.reference]  # unchanged
    one, two = FinancialRegisterAddendum.objects.filter(register=register).order_by("number")
    assert (one.number, two.number) == (1, 2)
    for addendum, bid, failed in ((one, second, first), (two, third, second)):
        bid.refresh_from_db()
        [line] = addendum.lines
        assert line["reference"] == bid.reference
        assert Decimal(line["price"]) == bid.offer_amount
        assert line["files"] and line["files"][0]["sha256"] in _file_hashes(bid)
        assert addendum.negotiation_failed_with == failed.reference
        assert addendum.opened_by[0]["name"] == qbs["chair"].get_full_name()
        assert re.fullmatch(r"[0-9a-f]{64}", addendum.digest)
        assert addendum.digest == addendum.content_digest()  # SHA-256 of what it holds
    assert len({register.digest, one.digest, two.digest}) == 3
    # Its content is bound into its digest: the register's too.
    one.lines[0]["price"] = "1"
    assert one.content_digest() != one.digest

    third_mail = OutboxMessage.objects.get(
        to_email=third.applicant.email, body_text__contains=two.digest
    )
    assert one.digest in third_mail.body_text  # the whole register as it now stands


def test_an_addendum_is_never_changed_or_deleted(qbs):
    from reviews.models import FinancialRegisterAddendum

    fail(qbs, qbs["in_order"][0])
    addendum = FinancialRegisterAddendum.objects.get()

    addendum.lines = []
    with pytest.raises(AppendOnlyError):
        addendum.save()
    with pytest.raises(AppendOnlyError):
        addendum.delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        FinancialRegisterAddendum.objects.update(lines=[])
    with pytest.raises(AppendOnlyError), transaction.atomic():
        FinancialRegisterAddendum.objects.all().delete()
    assert FinancialRegisterAddendum.objects.get().lines[0]["reference"]


def test_when_no_firm_is_left_no_addendum_is_written(qbs):
    from reviews.models import FinancialRegisterAddendum

    bids = qbs["in_order"]
    for bid in bids[:-1]:
        fail(qbs, bid)
    assert FinancialRegisterAddendum.objects.count() == len(bids) - 1

    assert fail(qbs, bids[-1]) is None
    assert FinancialRegisterAddendum.objects.count() == len(bids) - 1


def test_the_register_page_and_csv_show_the_addenda(client, qbs):
    first, second = qbs["in_order"][:2]
    fail(qbs, first)
    second.refresh_from_db()
    url = reverse("reviews:financial_register", args=[qbs["call"].pk])
    client.force_login(qbs["chair"])

    page = client.get(url).content.decode()
    assert first.reference in page
    assert second.reference in page
    assert f"{second.offer_amount:,.0f}" in page
    assert second.applicant.profile.legal_name in page
    assert "Addendum 1" in page

    rows = list(csv.DictReader(io.StringIO(client.get(url + "?format=csv").content.decode())))
    by_reference = {row["reference"]: row for row in rows}
    assert by_reference[first.reference]["opened_in"] == "register"
    assert by_reference[second.reference]["opened_in"] == "addendum 1"
    assert Decimal(by_reference[second.reference]["price"]) == second.offer_amount
    assert (
        by_reference[second.reference]["record_sha256"]
        != (by_reference[first.reference]["record_sha256"])
    )


def test_under_blind_review_the_addenda_show_references_only(
    site_root, client, no_outbox_dispatch
):
    ev = evaluation_builder(site_root)(n=2, blind=True)
    CallPage.objects.filter(pk=ev["call"].pk).update(
        selection_method="qbs",
        technical_weight=Decimal(1),
        financial_weight=Decimal(0),
        minimum_technical_score=Decimal(0),
    )
    panel = panel_lock(panel=examined(Panel.objects.get(pk=ev["panel"].pk)), user=ev["staff"])
    financial_open(panel=Panel.objects.get(pk=panel.pk), user=ev["staff"])
    call = CallPage.objects.get(pk=ev["call"].pk)
    ranked = [r for r in call_ranking(call) if r.rank is not None]
    first, second = (Submission.objects.get(pk=r.entry.id) for r in ranked)
    fail({**ev, "call": call}, first)

    client.force_login(ev["chair"])
    url = reverse("reviews:financial_register", args=[call.pk])
    page = client.get(url).content.decode()
    assert second.reference in page
    assert second.applicant.profile.legal_name not in page
    assert (
        second.applicant.profile.legal_name not in client.get(url + "?format=csv").content.decode()
    )


def _file_hashes(bid) -> set[str]:
    return set(bid.files.filter(envelope="financial").values_list("sha256", flat=True))


def test_the_register_pages_actions_come_after_the_addenda(client, qbs):
    """The CSV and the printout hold the addenda too, so their buttons close the page
    instead of sitting between the register and its addenda."""
    fail(qbs, qbs["in_order"][0])
    client.force_login(qbs["chair"])

    page = client.get(
        reverse("reviews:financial_register", args=[qbs["call"].pk])
    ).content.decode()
    assert page.count('href="?format=csv"') == 1
    assert page.index('href="?format=csv"') > page.index("Addendum 1")
