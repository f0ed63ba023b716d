"""A call's application form (issue 22): an applicant answers it on the bid page
without JavaScript, mistakes are shown beside each question and cost nothing, the
receipt fingerprints the answers, and the form is frozen with the call's terms.
Autosave is in test_form_autosave.py; the check before submitting, and a submit
refused for a missing document or amount, in test_form_submit_checks.py."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Answer, Submission
from applications.sealed_answers import own_copy_open
from tenders.application_form import form_questions
from tenders.freeze import TermsFrozen
from tenders.models import CallPage
from tests.applications import form_support
from tests.applications.form_support import FORM, full_post, question, with_documents
from tests.factories import StaffFactory, UserFactory
from tests.sealing_support import answer_value, answers_kept, browser_key

# The shared fixtures, used by name.
grant_call, applicant_bid = form_support.grant_call, form_support.applicant_bid

pytestmark = pytest.mark.django_db


def test_the_form_reads_as_sections_of_questions_with_stable_ids(grant_call):
    questions = form_questions(grant_call)
    assert [q.id for q in questions] == [
        "q-org", "q-work", "q-reg", "q-areas", "q-budget", "q-email",
    ]  # fmt: skip
    assert questions[0].identifies_applicant and questions[1].word_limit == 5


def test_save_draft_without_javascript_keeps_every_answer(applicant_bid):
    submission, client = applicant_bid
    url = reverse("applications:submission", args=[submission.pk])

    response = client.post(url, full_post("save", **{"q_q-email": "not an address"}))

    assert response.status_code == 302
    kept = answers_kept(submission, client)
    assert kept["q-org"] == "Haki Mashinani"
    assert kept["q-areas"] == ["Kisumu"]
    assert kept["q-budget"] == [["Prison visits", "10", "2500"]]
    assert kept["q-email"] == "not an address"  # a draft keeps what was typed
    page = client.get(url).content.decode()
    assert 'value="Haki Mashinani"' in page and "25,000" in page  # the line's total


def test_submit_shows_every_mistake_at_once_and_loses_nothing(applicant_bid):
    submission, client = applicant_bid
    url = reverse("applications:submission", args=[submission.pk])
    data = with_documents(
        full_post(
            "submit",
            **{
                "q_q-org": "",
                "q_q-work": "one two three four five six",
                "q_q-email": "not an address",
                "q_q-budget-cost-0": "20000",  # 10 x 20,000 is over the ceiling
            },
        ),
        submission.call,
    )

    response = client.post(url, data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Before you can submit, answer or correct:" in page
    assert 'href="#q_q-org"' in page and "Answer this question." in page
    assert "6 words: the limit is 5." in page
    assert "Give an email address" in page
    assert "above this call&#x27;s ceiling" in page
    submission.refresh_from_db()
    assert submission.is_draft and submission.answers_sha256 == ""
    kept = answers_kept(submission, client)
    assert kept["q-work"] == "one two three four five six"
    assert submission.files.count() == submission.call.required_documents.count()  # kept too


def test_the_receipt_fingerprints_the_answers_in_their_canonical_form(applicant_bid):
    """The answers are sealed, so the fingerprint is made of each answer's digest
    (HMAC-SHA256 of its canonical JSON under a random salt sealed with it), in the
    canonical form: anyone holding the answers and salts (the applicant's browser
    now, everyone once opened) can check it."""
    submission, client = applicant_bid
    url = reverse("applications:submission", args=[submission.pk])

    response = client.post(url, with_documents(full_post("submit"), submission.call))

    assert response.status_code == 302, response.content.decode()[:3000]
    submission.refresh_from_db()
    expected = {
        "q-areas": ["Kisumu"],
        "q-budget": [["Prison visits", "10", "2500"]],
        "q-org": "Haki Mashinani",
        "q-reg": "yes",
        "q-work": "We visit remand prisons.",
    }
    key = browser_key(client, submission)
    digests = {}
    for row in submission.answers.all():
        opened = own_copy_open(row, key)
        assert opened.value == expected[row.question_id]
        canonical = json.dumps(opened.value, ensure_ascii=False, separators=(",", ":"))
        digest = hmac.new(opened.salt, canonical.encode(), hashlib.sha256).hexdigest()
        assert row.digest == digest
        digests[row.question_id] = digest
    assert set(digests) == set(expected)
    canonical = json.dumps(
        [[qid, digests[qid]] for qid in sorted(digests)], separators=(",", ":")
    ).encode()
    assert submission.answers_sha256 == hashlib.sha256(canonical).hexdigest()
    receipt = client.get(reverse("applications:receipt", args=[submission.pk])).content.decode()
    assert submission.answers_sha256 in receipt


def test_a_change_after_submitting_waits_for_resubmit(applicant_bid):
    submission, client = applicant_bid
    url = reverse("applications:submission", args=[submission.pk])
    client.post(url, with_documents(full_post("submit"), submission.call))
    submitted = Submission.objects.get(pk=submission.pk).answers_sha256

    client.post(url, full_post("save", **{"q_q-org": "Haki Mashinani Trust"}))

    assert Submission.objects.get(pk=submission.pk).answers_sha256 == submitted
    rows = Answer.objects.filter(submission=submission, question_id="q-org")
    assert {(answer_value(a, client), a.pending) for a in rows} == {
        ("Haki Mashinani", False),
        ("Haki Mashinani Trust", True),
    }
    assert (
        client.post(url, full_post("submit", **{"q_q-org": "Haki Mashinani Trust"})).status_code
        == 302
    )
    resubmitted = Submission.objects.get(pk=submission.pk)
    assert resubmitted.answers_sha256 != submitted
    rows = Answer.objects.filter(submission=submission, question_id="q-org")
    assert [(answer_value(a, client), a.pending) for a in rows] == [
        ("Haki Mashinani Trust", False)
    ]


def test_answers_stay_with_their_questions_when_the_form_is_reordered(applicant_bid):
    submission, client = applicant_bid
    url = reverse("applications:submission", args=[submission.pk])
    client.post(url, full_post("save"))
    call = CallPage.objects.get(pk=submission.call_id)
    call.application_form = list(reversed(FORM))
    call.save_revision().publish()

    page = client.get(url).content.decode()

    assert page.index("Contact address") < page.index("Name of your organisation")
    assert 'name="q_q-org" value="Haki Mashinani"' in page


def test_nobody_else_reads_the_answers_before_the_opening(applicant_bid):
    submission, owner = applicant_bid
    client = Client()
    owner.post(
        reverse("applications:submission", args=[submission.pk]),
        with_documents(full_post("submit"), submission.call),
    )
    url = reverse("applications:submission", args=[submission.pk])
    for other in (UserFactory(), StaffFactory(), UserFactory(is_superuser=True, is_staff=True)):
        client.force_login(other)
        response = client.get(url)
        assert response.status_code == 404
        assert "Haki Mashinani" not in response.content.decode()


def test_the_form_is_frozen_once_the_deadline_has_passed(grant_call):
    CallPage.objects.filter(pk=grant_call.pk).update(
        opens_at=timezone.now() - timedelta(days=20),
        closes_at=timezone.now() - timedelta(minutes=1),
    )
    call = CallPage.objects.get(pk=grant_call.pk)
    call.application_form = FORM[:-1]

    with pytest.raises(TermsFrozen):
        call.save()


def test_a_swahili_reader_sees_the_translations_words_and_answers_the_same_questions(
    applicant_bid,
):
    from wagtail.models import Locale

    from tenders.demo.swahili import translate_page

    submission, client = applicant_bid
    swahili = Locale.objects.get_or_create(language_code="sw")[0]
    call = CallPage.objects.get(pk=submission.call_id)
    words = [dict(block) for block in FORM]
    words[1] = question("short_answer", "q-org", "Jina la shirika lako", identifies=True)
    translation = translate_page(call, swahili, {}, None, copy_parents=True)
    translation.application_form = words
    translation.save_revision().publish()
    client.cookies["django_language"] = "sw"
    url = reverse("applications:submission", args=[submission.pk])

    client.post(url, full_post("save"))
    page = client.get(url).content.decode()

    assert "Jina la shirika lako" in page and "Name of your organisation" not in page
    assert answer_value(
        Answer.objects.get(submission=submission, question_id="q-org"), client
    ) == ("Haki Mashinani")


def test_the_editor_previews_the_form_as_an_applicant_sees_it(grant_call, client):
    from tests.factories import SuperuserFactory

    client.force_login(SuperuserFactory())
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[grant_call.pk])
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[grant_call.pk]))

    assert 'value="application_form"' in edit.content.decode()  # the preview's mode
    assert [mode for mode, _label in grant_call.preview_modes] == ["", "application_form"]
    response = grant_call.make_preview_request(
        original_request=edit.wsgi_request, preview_mode="application_form"
    )
    page = response.content.decode()
    assert "Name of your organisation" in page and 'name="q_q-org"' in page
    assert "budget-table" in page and "Are you registered in Kenya?" in page
    assert client.get(url, {"mode": "application_form"}).status_code < 500
