"""Reviewers read the application form's answers beside the criteria (issue 22);
under blind review, answers that identify the applicant are hidden from them, and
a change waiting for Resubmit is never shown."""

import pytest
from django.urls import reverse

from applications.models import Answer
from reviews.models import Assignment
from tenders.models import CallPage
from tests.applications.form_support import FORM
from tests.reviews.sheet_support import evaluation_builder

pytestmark = pytest.mark.django_db


@pytest.fixture
def build(site_root, no_outbox_dispatch):
    def build(*, blind):
        ev = evaluation_builder(site_root)(n=1, blind=blind)
        # The form as it stood at the deadline (a raw update: the freeze is not the point).
        CallPage.objects.filter(pk=ev["call"].pk).update(application_form=FORM)
        bid = ev["bids"][0]
        Answer.objects.create(submission=bid, question_id="q-org", value="Haki Mashinani")
        Answer.objects.create(submission=bid, question_id="q-work", value="We visit prisons.")
        Answer.objects.create(
            submission=bid, question_id="q-work", value="A change never resubmitted", pending=True
        )
        member = ev["members"][1]
        return Assignment.objects.get(reviewer=member, submission=bid), member

    return build


def reviewer_page(client, assignment, member):
    client.force_login(member)
    return client.get(reverse("reviews:assignment", args=[assignment.pk])).content.decode()


def test_a_blind_reviewer_reads_the_answers_but_not_those_that_identify(build, client):
    assignment, member = build(blind=True)

    page = reviewer_page(client, assignment, member)

    assert "Your work with detainees" in page and "We visit prisons." in page
    assert "Haki Mashinani" not in page and "Name of your organisation" not in page
    assert "A change never resubmitted" not in page


def test_without_blind_review_the_reviewer_reads_every_answer(build, client):
    assignment, member = build(blind=False)

    page = reviewer_page(client, assignment, member)

    assert "Name of your organisation" in page and "Haki Mashinani" in page
    assert "We visit prisons." in page and "A change never resubmitted" not in page
