"""One count of reviews submitted out of reviews expected, wherever staff read it: the
admin dashboard's "Work in hand", the list of evaluations, the call's ranking screen
and the chair's ranking page. An assignment not yet declared is still owed a review;
only a declared conflict takes one out."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.wagtail_hooks import WorkInHandPanel
from reviews.models import Assignment, Panel
from reviews.services.panels import conflict_declare, review_progress
from tests.reviews.admin_support import (
    LIST,
    admin_client,
    closed_call,
    panel_for,
    reviewer,
    scored_evaluation,
)


@pytest.fixture
def evaluation(site_root, panelists, staff_user, no_outbox_dispatch):
    """Three bids, three reviewers: 9 assignments, 4 reviews submitted, 5 not yet
    declared."""
    return scored_evaluation(site_root, panelists, staff_user)


def _dashboard(staff_user) -> str:
    return admin_client(staff_user).get(reverse("wagtailadmin_home")).content.decode()


def test_every_screen_counts_undeclared_assignments_as_expected(evaluation, staff_user):
    panel = evaluation["panel"]
    assert Assignment.objects.filter(panel=panel, declared_at__isnull=True).count() == 5

    assert review_progress(panel) == (4, 9)
    assert "4 of 9 reviews submitted" in _dashboard(staff_user)
    assert "4 of 9 reviews in" in admin_client(staff_user).get(LIST).content.decode()
    ranking = reverse("zabuni_evaluation_ranking", args=[evaluation["call"].pk])
    assert "4 of 9" in admin_client(staff_user).get(ranking).content.decode()


def test_a_declared_conflict_leaves_the_count_on_every_screen(evaluation, staff_user, panelists):
    recused = Assignment.objects.get(
        panel=evaluation["panel"], reviewer=panelists[2], submission__number=3
    )
    conflict_declare(
        assignment=recused, user=panelists[2], has_conflict=True, explanation="Former employer"
    )

    assert review_progress(evaluation["panel"]) == (4, 8)
    assert "4 of 8 reviews submitted" in _dashboard(staff_user)
    assert "4 of 8 reviews in" in admin_client(staff_user).get(LIST).content.decode()


def test_the_panels_progress_costs_the_same_queries_for_one_call_or_four(
    site_root, staff_user, no_outbox_dispatch
):
    request = RequestFactory().get("/admin/")
    request.user = staff_user

    def build():
        members = [reviewer(f"r{i}-{Panel.objects.count()}@example.org") for i in range(2)]
        panel_for(closed_call(site_root, bids=2, staff=staff_user), members)

    build()
    WorkInHandPanel(request).get_context_data()  # warm per-process caches
    with CaptureQueriesContext(connection) as one:
        WorkInHandPanel(request).get_context_data()
    for _ in range(3):
        build()
    with CaptureQueriesContext(connection) as four:
        context = WorkInHandPanel(request).get_context_data()

    assert len(four) == len(one)
    assert [(e["reviewed"], e["assigned"]) for e in context["evaluations"]] == [(0, 4)] * 4
