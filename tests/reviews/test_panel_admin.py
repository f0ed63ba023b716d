"""Staff set up review panels in the Wagtail admin, and only staff reach the
evaluation screens.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.models import Assignment, Panel
from tests.factories import UserFactory, in_group, make_call
from tests.reviews.admin_support import (
    ADD,
    LIST,
    admin_client,
    closed_call,
    deadline_field,
    panel_for,
    refused,
    scored_evaluation,
)


@pytest.fixture
def evaluation(site_root, panelists, staff_user, no_outbox_dispatch):
    """An opened call with three bids and a panel of three (the first is chair), some
    reviews in: the chair has scored every bid, the second reviewer bid 1 only."""
    return scored_evaluation(site_root, panelists, staff_user)


# --- Setting up a panel ------------------------------------------------------------


def test_staff_set_up_a_panel_from_reviewers_and_the_chair_is_made_a_member(
    site_root, staff_user, panelists
):
    call = make_call(site_root["calls"])
    outsider = UserFactory(email="not.a.reviewer@example.org")
    client = admin_client(staff_user)

    form = client.get(ADD).content.decode()
    member_choices = set(re.findall(r'name="members" value="(\d+)"', form))
    assert member_choices == {str(p.pk) for p in panelists}
    assert outsider.email not in form
    assert f'value="{call.pk}"' in form

    deadline = call.closes_at + timedelta(days=14)
    response = client.post(
        ADD,
        {
            "call": call.pk,
            "chair": panelists[0].pk,
            "members": [panelists[1].pk, panelists[2].pk],  # chair not ticked
            "review_deadline": deadline_field(deadline),
            "minimum_reviews": "2",
            "disagreement_spread": "30",
            "reviewers_per_submission": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    panel = Panel.objects.get(call=call)
    assert panel.chair == panelists[0]
    assert set(panel.members.all()) == set(panelists)
    assert panel.reviewers_per_submission is None
    assert panel.handed_over_at is None  # the call is still open: the beat task waits
    assert not Assignment.objects.exists()
    listing = client.get(reverse("wagtailsnippets_reviews_panel:list"))
    assert call.title in listing.content.decode()


def test_someone_outside_the_reviewers_group_cannot_be_chosen(site_root, staff_user, panelists):
    call = make_call(site_root["calls"])
    outsider = UserFactory(email="not.a.reviewer@example.org")

    response = admin_client(staff_user).post(
        ADD,
        {
            "call": call.pk,
            "chair": outsider.pk,
            "members": [panelists[0].pk, outsider.pk],
            "review_deadline": deadline_field(call.closes_at + timedelta(days=7)),
            "minimum_reviews": "2",
            "disagreement_spread": "30",
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Panel.objects.exists()


def test_more_reviewers_per_submission_than_members_is_refused_with_a_reason(
    site_root, staff_user, panelists
):
    call = make_call(site_root["calls"])

    response = admin_client(staff_user).post(
        ADD,
        {
            "call": call.pk,
            "chair": panelists[0].pk,
            "members": [panelists[1].pk, panelists[2].pk],
            "review_deadline": deadline_field(call.closes_at + timedelta(days=7)),
            "minimum_reviews": "2",
            "disagreement_spread": "30",
            "reviewers_per_submission": "4",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "The panel has 3 members (the chair included)" in page
    assert "cannot give 4 reviewers to each submission" in page
    assert not Panel.objects.exists()


def test_a_review_deadline_before_the_call_closes_is_refused(site_root, staff_user, panelists):
    call = make_call(site_root["calls"])

    response = admin_client(staff_user).post(
        ADD,
        {
            "call": call.pk,
            "chair": panelists[0].pk,
            "members": [panelists[0].pk],
            "review_deadline": deadline_field(call.closes_at - timedelta(days=1)),
            "minimum_reviews": "2",
            "disagreement_spread": "30",
        },
    )

    assert response.status_code == 200
    assert "must be after the call&#x27;s deadline" in response.content.decode()
    assert not Panel.objects.exists()


def test_a_panel_saved_after_the_deadline_gets_its_assignments_at_once(
    site_root, staff_user, panelists, no_outbox_dispatch
):
    call = closed_call(site_root, opened=False)
    client = admin_client(staff_user)

    response = client.post(
        ADD,
        {
            "call": call.pk,
            "chair": panelists[0].pk,
            "members": [p.pk for p in panelists],
            "review_deadline": deadline_field(timezone.now() + timedelta(days=10)),
            "minimum_reviews": "2",
            "disagreement_spread": "30",
            "reviewers_per_submission": "2",
        },
        follow=True,
    )

    assert response.status_code == 200
    panel = Panel.objects.get(call=call)
    assert panel.handed_over_at is not None
    assignments = Assignment.objects.filter(panel=panel)
    assert assignments.count() == 3 * 2  # three bids, two reviewers each
    assert "the panel has its 6 assignments" in response.content.decode()

    # The members are fixed now: only the review deadline can still change.
    edit = reverse("wagtailsnippets_reviews_panel:edit", args=[panel.pk])
    later = timezone.now() + timedelta(days=20)
    response = client.post(
        edit,
        {
            "call": call.pk,
            "chair": panelists[1].pk,
            "members": [panelists[1].pk],
            "review_deadline": deadline_field(later),
            "minimum_reviews": "2",
            "disagreement_spread": "30",
            "reviewers_per_submission": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    panel.refresh_from_db()
    assert panel.chair == panelists[0]
    assert set(panel.members.all()) == set(panelists)
    assert panel.reviewers_per_submission == 2
    assert deadline_field(panel.review_deadline) == deadline_field(later)
    assert Assignment.objects.filter(panel=panel).count() == 6


def test_a_handed_over_panel_cannot_be_deleted(evaluation, staff_user):
    panel = evaluation["panel"]
    client = admin_client(staff_user)
    delete = reverse("wagtailsnippets_reviews_panel:delete", args=[panel.pk])

    assert refused(client.get(delete))
    assert refused(client.post(delete))
    assert Panel.objects.filter(pk=panel.pk).exists()
    assert Assignment.objects.filter(panel=panel).count() == 9


def test_a_panel_not_yet_handed_over_can_be_deleted(site_root, staff_user, panelists):
    panel = panel_for(make_call(site_root["calls"]), panelists, hand_over=False)
    delete = reverse("wagtailsnippets_reviews_panel:delete", args=[panel.pk])

    assert admin_client(staff_user).post(delete).status_code == 302
    assert not Panel.objects.exists()


# --- Who reaches the screens -------------------------------------------------------


def test_non_staff_cannot_reach_the_evaluation_screens(evaluation, panelists, staff_user):
    call, panel = evaluation["call"], evaluation["panel"]
    urls = [
        LIST,
        reverse("zabuni_evaluation_ranking", args=[call.pk]),
        reverse("wagtailsnippets_reviews_panel:list"),
        ADD,
        reverse("wagtailsnippets_reviews_panel:edit", args=[panel.pk]),
    ]
    # A chair is not staff, and an editor without is_staff has the admin but not these.
    editor = in_group(UserFactory(), "Editors", "wagtailadmin.access_admin")
    for user in (panelists[0], editor):
        client = admin_client(user)
        for url in urls:
            response = client.get(url)
            assert refused(response), (user.email, url, response.status_code)
            assert "Ouma Research" not in response.content.decode()
    anonymous = Client()
    for url in urls:
        assert refused(anonymous.get(url)), url

    home = admin_client(editor).get(reverse("wagtailadmin_home")).content.decode()
    assert "Evaluations" not in home
    staff_home = admin_client(staff_user).get(reverse("wagtailadmin_home")).content.decode()
    assert "Evaluations" in staff_home and LIST in staff_home
