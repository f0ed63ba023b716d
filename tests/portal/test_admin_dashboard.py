"""The admin, for editors (issue 13, item 5): the call editor opens on the dates and
key facts, the dashboard lists the work in hand, and the admin carries the
organisation's name."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.wagtail_hooks import WorkInHandPanel
from tenders.models import Clarification
from tests.factories import SuperuserFactory, UserFactory, build_site, make_call, submit_bid

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(SuperuserFactory())
    return client


def test_the_call_editor_opens_on_the_dates_and_key_facts(admin_client):
    call = make_call(build_site()["calls"])
    html = admin_client.get(reverse("wagtailadmin_pages:edit", args=[call.pk])).content.decode()
    tabs = ["Dates and key facts", "Terms of reference", "Criteria and documents"]
    positions = [html.index(tab) for tab in tabs]
    assert positions == sorted(positions)
    # The dates come before the long terms of reference in the page.
    assert html.index('name="closes_at"') < html.index('id="tab-terms_of_reference"')
    assert html.index('name="opens_at"') < html.index('name="criteria-TOTAL_FORMS"')


def test_the_dashboard_lists_open_calls_questions_and_evaluations(admin_client):
    site = build_site()
    open_call = make_call(site["calls"], title="Open call on documentation")
    for _ in range(2):
        submit_bid(open_call, UserFactory())
    Clarification.objects.create(
        call=open_call, asked_by=UserFactory(), question="May a team of two apply together?"
    )
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Work in hand" in html
    row = html[html.index("Open call on documentation") :]
    assert "2 bids received" in row[:900]  # two bids, counted, not shown
    assert "May a team of two apply together?" in html
    assert settings.ORGANISATION_NAME in html

    # More calls and questions: the panel makes the same number of queries.
    request = RequestFactory().get("/admin/")
    request.user = SuperuserFactory()
    with CaptureQueriesContext(connection) as few:
        WorkInHandPanel(request).get_context_data()
    for n in range(3):
        call = make_call(site["calls"])
        submit_bid(call, UserFactory())
        Clarification.objects.create(call=call, asked_by=UserFactory(), question=f"Q{n}?")
    with CaptureQueriesContext(connection) as more:
        context = WorkInHandPanel(request).get_context_data()
    assert len(more) == len(few) <= 6
    assert len(context["open_calls"]) == 4 and context["waiting_count"] == 4


def test_an_answered_question_and_a_closed_call_leave_the_lists(admin_client):
    site = build_site()
    call = make_call(site["calls"], title="Closed call on safety")
    past = timezone.now() - timedelta(days=1)
    type(call).objects.filter(pk=call.pk).update(
        opens_at=past - timedelta(days=20), clarifications_close_at=past, closes_at=past
    )
    Clarification.objects.create(call=call, question="Answered?", answer="Yes.")
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "No call is open." in html
    assert "No question is waiting." in html


def test_an_applicant_never_sees_the_panel(client):
    client.force_login(UserFactory())
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code in (302, 403)


def test_the_admin_stays_in_one_language_for_a_swahili_reader(client):
    """Wagtail has no Swahili: the admin is all English, not half and half."""
    build_site()
    client.force_login(SuperuserFactory(language="sw"))
    html = client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert '<html lang="en"' in html
    assert "Work in hand" in html and "Kazi zinazoendelea" not in html
    assert '<html lang="sw">' in client.get("/").content.decode()  # the portal is Swahili
