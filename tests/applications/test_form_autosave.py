"""Autosave of a call's application form (issue 22): the owner's answers are kept
as they type and the page says when; everyone else is answered in JSON and changes
nothing; after the deadline the save is refused."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Answer
from tenders.models import CallPage
from tests.applications import form_support
from tests.factories import StaffFactory, UserFactory
from tests.sealing_support import answer_value

# The shared fixtures, used by name.
grant_call, applicant_bid = form_support.grant_call, form_support.applicant_bid

pytestmark = pytest.mark.django_db


def test_autosave_keeps_the_answers_and_says_when(applicant_bid):
    submission, client = applicant_bid
    url = reverse("applications:answers_save", args=[submission.pk])

    response = client.post(url, {"answers_form": "1", "q_q-org": "Haki Mashinani"})

    assert response.status_code == 200
    assert response.json()["saved"] is True and response.json()["message"].startswith("Saved ")
    assert (
        answer_value(Answer.objects.get(submission=submission, question_id="q-org"), client)
        == "Haki Mashinani"
    )


def test_autosave_answers_everyone_else_in_json_and_changes_nothing(applicant_bid):
    submission, owner = applicant_bid
    client = Client()
    url = reverse("applications:answers_save", args=[submission.pk])
    post = {"answers_form": "1", "q_q-org": "Written by someone else"}

    anonymous = client.post(url, post)
    client.force_login(UserFactory())
    other = client.post(url, post)
    client.force_login(StaffFactory())
    staff = client.post(url, post)
    owners_get = owner.get(url)

    assert (anonymous.status_code, other.status_code, staff.status_code) == (403, 404, 404)
    assert owners_get.status_code == 405
    for response in (anonymous, other, staff, owners_get):
        assert response["Content-Type"] == "application/json" and response.json()["message"]
    assert not Answer.objects.filter(submission=submission).exists()


def test_autosave_after_the_deadline_is_refused_with_both_times(applicant_bid):
    submission, client = applicant_bid
    client.post(
        reverse("applications:answers_save", args=[submission.pk]),
        {"answers_form": "1", "q_q-org": "Haki Mashinani"},
    )
    CallPage.objects.filter(pk=submission.call_id).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )

    response = client.post(
        reverse("applications:answers_save", args=[submission.pk]),
        {"answers_form": "1", "q_q-org": "Changed after the deadline"},
    )

    assert response.status_code == 403
    assert "deadline" in response.json()["message"]
    assert (
        answer_value(Answer.objects.get(submission=submission, question_id="q-org"), client)
        == "Haki Mashinani"
    )
