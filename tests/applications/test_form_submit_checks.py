"""Before an application is submitted (issue 22): a submit without a document or the
amount lists what is missing with the rest and keeps the answers, and the check before
submitting lists every problem, linked, in the reader's language, and submits nothing."""

import pytest
from django.urls import reverse

from applications.models import Answer, Submission
from tests.applications import form_support
from tests.applications.form_support import full_post, with_documents
from tests.sealing_support import answer_value

# The shared fixtures, used by name.
grant_call, applicant_bid = form_support.grant_call, form_support.applicant_bid

pytestmark = pytest.mark.django_db


def test_submit_without_a_document_lists_it_with_the_answers_and_keeps_them(applicant_bid):
    submission, client = applicant_bid
    url = reverse("applications:submission", args=[submission.pk])
    document = submission.call.required_documents.get(is_required=True)

    response = client.post(url, full_post("submit", **{"q_q-org": "Kept although refused"}))

    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_document_{document.pk}"' in page and "Add this document." in page
    assert f'id="id_document_{document.pk}"' in page  # the link lands on the file input
    assert Submission.objects.get(pk=submission.pk).is_draft
    assert answer_value(
        Answer.objects.get(submission=submission, question_id="q-org"), client
    ) == ("Kept although refused")


def test_submit_without_the_amount_says_so_with_the_rest_and_keeps_the_answers(applicant_bid):
    submission, client = applicant_bid
    url = reverse("applications:submission", args=[submission.pk])
    data = with_documents(
        full_post("submit", amount_requested="", **{"q_q-org": "Kept all the same"}),
        submission.call,
    )

    response = client.post(url, data)

    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_amount_requested"' in page and "Enter the amount you request." in page
    assert Submission.objects.get(pk=submission.pk).is_draft
    assert answer_value(
        Answer.objects.get(submission=submission, question_id="q-org"), client
    ) == ("Kept all the same")


def test_check_before_submitting_lists_every_problem_linked_and_submits_nothing(applicant_bid):
    submission, client = applicant_bid
    url = reverse("applications:submission", args=[submission.pk])

    response = client.post(url, full_post("check", **{"q_q-org": "", "q_q-email": "not mail"}))

    assert response.status_code == 302 and response.url == f"{url}?check=1#check"
    page = client.get(response.url).content.decode()
    assert "Check before you submit" in page
    assert 'href="#q_q-org"' in page and 'href="#q_q-email"' in page
    for doc in submission.call.required_documents.filter(is_required=True):
        assert f'href="#id_document_{doc.pk}"' in page
    assert 'href="#q_q-work"' not in page  # answered well: not listed
    assert "Before you can submit, answer or correct" not in page  # one list, not two
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.is_draft and stored.submitted_at is None
    assert answer_value(
        Answer.objects.get(submission=submission, question_id="q-work"), client
    ) == ("We visit remand prisons.")

    # All in place: the check says so and points at Submit; still nothing is submitted.
    client.post(url, with_documents(full_post("check"), submission.call))
    page = client.get(f"{url}?check=1").content.decode()
    assert "Every required question is answered" in page and 'href="#submit"' in page
    assert Submission.objects.get(pk=submission.pk).is_draft
    assert client.post(url, full_post("submit")).status_code == 302
    assert Submission.objects.get(pk=submission.pk).is_submitted


def test_the_check_reads_in_swahili(applicant_bid):
    submission, client = applicant_bid
    submission.applicant.language = "sw"
    submission.applicant.save(update_fields=["language"])
    url = reverse("applications:submission", args=[submission.pk])

    response = client.post(url, full_post("check", **{"q_q-org": ""}))
    page = client.get(response.url).content.decode()

    assert "Kagua kabla ya kuwasilisha" in page and "ya kurekebisha kabla ya kuwasilisha" in page
    assert 'href="#q_q-org"' in page
