"""A call's application form (issue 22): an applicant answers it on the bid page
without JavaScript, mistakes are shown beside each question and cost nothing, the
receipt fingerprints the answers, and the form is frozen with the call's terms."""

import hashlib
import hmac
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Answer, Submission
from applications.sealed_answers import own_copy_open
from applications.services.submissions import submission_start
from tenders.application_form import form_questions
from tenders.freeze import TermsFrozen
from tenders.models import CallPage
from tests.factories import StaffFactory, UserFactory, make_call, pdf_upload
from tests.sealing_support import answer_value, answers_kept, browser_key

pytestmark = pytest.mark.django_db


def question(kind, qid, label, *, required=True, identifies=False, **rules):
    value = {
        "label": label,
        "help_text": "",
        "required": required,
        "identifies_applicant": identifies,
        **rules,
    }
    return {"type": kind, "id": qid, "value": value}


FORM = [
    {"type": "section", "id": "s-about", "value": {"heading": "About you", "guidance": "Who."}},
    question("short_answer", "q-org", "Name of your organisation", identifies=True),
    question("long_answer", "q-work", "Your work with detainees", word_limit=5),
    question("eligibility", "q-reg", "Are you registered in Kenya?", required_answer="yes"),
    question("multiple_choice", "q-areas", "Where you work", choices=["Kisumu", "Mombasa"]),
    {"type": "section", "id": "s-money", "value": {"heading": "Budget", "guidance": ""}},
    question("budget", "q-budget", "Your budget", max_lines=5),
    question("email", "q-email", "Contact address", required=False),
]


@pytest.fixture
def grant_call(site_root):
    return make_call(
        site_root["calls"], kind="grant", budget_ceiling=Decimal("100000"), application_form=FORM
    )


@pytest.fixture
def applicant_bid(grant_call, client):
    applicant = UserFactory()
    submission = submission_start(call=grant_call, applicant=applicant)
    client.force_login(applicant)
    return submission, client


def full_post(action="save", **answers):
    data = {
        "answers_form": "1",
        "action": action,
        "amount_requested": "50000",
        "q_q-org": "Haki Mashinani",
        "q_q-work": "We visit remand prisons.",
        "q_q-reg": "yes",
        "q_q-areas": ["Kisumu"],
        "q_q-budget-item-0": "Prison visits",
        "q_q-budget-quantity-0": "10",
        "q_q-budget-cost-0": "2500",
        "q_q-email": "",
    }
    data.update(answers)
    return data


def with_documents(data, call):
    for doc in call.required_documents.all():
        data[f"document_{doc.pk}"] = pdf_upload(f"{doc.name}.pdf")
    return data


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
