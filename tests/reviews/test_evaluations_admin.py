"""Staff follow evaluations in the Wagtail admin: the list of panels and their
progress, and each call's ranking (setting panels up is in test_panel_admin.py).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.templatetags.format_tags import score as shown_score
from reviews.models import Assignment, Panel
from reviews.ranking import call_ranking
from reviews.services.outcomes import financial_open
from reviews.services.panels import conflict_declare, panel_lock, review_progress
from tenders.models import CallPage
from tests.reviews.admin_support import (
    LIST,
    admin_client,
    closed_call,
    panel_for,
    reviewer,
    score,
    scored_evaluation,
    table_rows,
)
from tests.reviews.compliance_support import examined


@pytest.fixture
def evaluation(site_root, panelists, staff_user, no_outbox_dispatch):
    """An opened call with three bids and a panel of three (the first is chair), some
    reviews in: the chair has scored every bid, the second reviewer bid 1 only."""
    return scored_evaluation(site_root, panelists, staff_user)


# --- The list of evaluations -------------------------------------------------------


def test_the_list_shows_each_panel_and_its_progress(evaluation, staff_user, panelists):
    panel = evaluation["panel"]
    # A recusal takes the assignment out of what is expected.
    recused = Assignment.objects.get(panel=panel, reviewer=panelists[2], submission__number=3)
    conflict_declare(
        assignment=recused, user=panelists[2], has_conflict=True, explanation="Former employer"
    )
    done, expected = review_progress(panel)
    assert (done, expected) == (4, 8)

    response = admin_client(staff_user).get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    assert "4 of 8 reviews in" in page
    assert "1 recusal" in page
    [row] = table_rows(response)
    assert evaluation["call"].title in row[0]
    assert panelists[0].get_full_name() in row[1] and "chair" in row[1]
    assert all(p.get_full_name() in row[1] for p in panelists[1:])
    assert "Call opened" in row[4]


def test_the_list_queries_do_not_grow_with_the_number_of_calls(
    site_root, staff_user, no_outbox_dispatch
):
    client = admin_client(staff_user)

    def build(n):
        for _ in range(n):
            members = [reviewer(f"m{i}-{Panel.objects.count()}@example.org") for i in range(3)]
            call = closed_call(site_root, bids=2, staff=staff_user)
            panel = panel_for(call, members)
            score(Assignment.objects.filter(panel=panel).first(), ("40", "30"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    build(1)
    client.get(LIST)  # warm per-session caches
    one = queries()
    build(4)
    five = queries()

    assert five == one
    assert len(table_rows(client.get(LIST))) == 5


# --- The ranking page --------------------------------------------------------------


def test_the_ranking_page_shows_call_ranking_to_staff(evaluation, staff_user):
    call = evaluation["call"]
    expected = call_ranking(call)

    response = admin_client(staff_user).get(reverse("zabuni_evaluation_ranking", args=[call.pk]))

    assert response.status_code == 200
    rows = table_rows(response)
    assert len(rows) == len(expected) == 3
    criteria = list(call.criteria.all())
    for cells, row in zip(rows, expected, strict=True):
        text = " | ".join(cells)
        assert cells[0].startswith(str(row.rank)), text
        assert row.entry.label in cells[1] and row.entry.name in cells[1], text
        for n, criterion in enumerate(criteria):
            assert cells[2 + n] == shown_score(row.criterion_means[criterion.pk]), text
        assert cells[2 + len(criteria)].startswith(shown_score(row.technical)), text
        assert row.entry.outcome == "submitted" and cells[-1] == "Submitted"
    # Bid 2: 40 + 30 from the chair only (the other review is not in yet).
    assert "70.00" in " ".join(rows[[r.entry.label for r in expected].index("Bid 02")])
    assert "/bids/reviews/calls/" in response.content.decode()


def test_the_ranking_page_shows_offers_once_financial_envelopes_are_open(
    evaluation, staff_user, panelists
):
    call, panel = evaluation["call"], evaluation["panel"]
    panel_lock(panel=examined(panel), user=staff_user)
    financial_open(panel=Panel.objects.get(pk=panel.pk), user=staff_user)
    call = CallPage.objects.get(pk=call.pk)  # not the one holding the panel as created
    expected = {row.entry.label: row for row in call_ranking(call)}
    assert any(row.combined for row in expected.values())

    response = admin_client(staff_user).get(reverse("zabuni_evaluation_ranking", args=[call.pk]))

    for cells in table_rows(response):
        row = expected[cells[1].split()[0] + " " + cells[1].split()[1]]
        if row.combined is not None:
            assert f"KES {row.entry.offer:,.0f}" in cells, cells
            assert (
                shown_score(row.financial_score) in cells and shown_score(row.combined) in cells
            ), cells
        else:
            assert "Not opened" in " ".join(cells), cells


def test_a_sealed_call_shows_nothing_about_its_bids(
    site_root, staff_user, panelists, monkeypatch, no_outbox_dispatch
):
    call = closed_call(site_root, opened=False)
    panel_for(call, panelists)
    monkeypatch.setattr(
        "reviews.views.admin.call_ranking",
        lambda call: pytest.fail("the ranking was computed for a sealed call"),
    )

    response = admin_client(staff_user).get(reverse("zabuni_evaluation_ranking", args=[call.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Sealed" in page
    for secret in ("Bid 01", "Ouma Research", "Mshauri Ltd", "Haki Data", "Ranking"):
        assert secret not in page
    assert table_rows(response) == []


def test_the_ranking_page_queries_do_not_grow_with_the_number_of_bids(
    site_root, staff_user, panelists, no_outbox_dispatch
):
    client = admin_client(staff_user)

    def queries(bids) -> int:
        call = closed_call(site_root, bids=bids, staff=staff_user)
        panel = panel_for(call, panelists)
        for assignment in Assignment.objects.filter(panel=panel):
            score(assignment, ("40", "30"))
        url = reverse("zabuni_evaluation_ranking", args=[call.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries(1) == queries(5)
