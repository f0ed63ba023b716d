"""Answers to the application form are sealed to the call's key as they are saved
(issue 23, item 3): the database holds no answer; the applicant's own browser keeps a
key (an HttpOnly cookie scoped to the bid) that shows them what they wrote; another
device sees "saved and sealed" and can still submit or replace; the quorum's opening
writes every answer back, checked, and a tampered one is reported, never read."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.choices import AuditAction
from applications.models import Answer, AuditEvent, Submission
from applications.services.submissions import submission_start
from tenders.models import CallPage
from tests.applications.deadline_support import close_at
from tests.applications.form_support import FORM, full_post, with_documents
from tests.factories import StaffFactory, UserFactory, make_call
from tests.sealing_support import answer_value, answers_kept, browser_key, open_call

pytestmark = pytest.mark.django_db

SECRET = "Tunatembelea magereza ya Kisumu 4471"


@pytest.fixture
def grant_call(site_root):
    return make_call(
        site_root["calls"], kind="grant", budget_ceiling=Decimal("100000"), application_form=FORM
    )


def start(call, user=None):
    user = user or UserFactory()
    submission = submission_start(call=call, applicant=user)
    client = Client()
    client.force_login(user)
    return submission, client, reverse("applications:submission", args=[submission.pk])


def test_saved_answers_are_sealed_and_the_browser_alone_holds_the_key_to_its_copy(grant_call):
    submission, client, url = start(grant_call)

    response = client.post(url, full_post("save", **{"q_q-work": SECRET}))

    assert response.status_code == 302
    cookie = response.cookies[f"zabuni_answers_{submission.pk}"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == url  # sent to this bid's pages only
    rows = list(Answer.objects.filter(submission=submission))
    assert len(rows) == 5
    for row in rows:
        assert row.value is None and row.is_sealed and row.own_copy and len(row.digest) == 64
        assert SECRET.encode() not in bytes(row.sealed) + bytes(row.own_copy)
        assert row.problem == ""
    key = browser_key(client, submission)
    assert key and key.hex() not in str(Answer.objects.filter(submission=submission).values())
    page = client.get(url).content.decode()
    assert SECRET in page and 'id="sealed-answers"' in page  # shown back in this browser
    assert answers_kept(submission, client)["q-work"] == SECRET


def test_autosave_seals_the_answers_and_gives_the_browser_its_key(grant_call):
    submission, client, _url = start(grant_call)
    autosave = reverse("applications:answers_save", args=[submission.pk])

    response = client.post(autosave, full_post("save", **{"q_q-work": SECRET}))

    assert response.status_code == 200 and response.json()["saved"]
    assert f"zabuni_answers_{submission.pk}" in response.cookies
    assert Answer.objects.get(submission=submission, question_id="q-work").value is None
    assert answers_kept(submission, client)["q-work"] == SECRET


def test_another_device_is_told_the_answers_are_sealed_and_an_empty_field_keeps_them(
    grant_call,
):
    submission, phone, url = start(grant_call)
    phone.post(url, full_post("save", **{"q_q-work": SECRET}))
    laptop = Client()
    laptop.force_login(submission.applicant)

    page = laptop.get(url).content.decode()

    assert SECRET not in page and "Haki Mashinani" not in page
    assert 'id="answers-elsewhere"' in page
    assert page.count("Saved and sealed, not shown in this browser.") == 5
    # The laptop saves its form with every field empty: nothing is lost.
    empty = {k: ("" if k.startswith("q_") else v) for k, v in full_post("save").items()}
    assert laptop.post(url, empty).status_code == 302
    assert answers_kept(submission, phone)["q-work"] == SECRET
    # ... and it can replace one answer; the phone cannot read that one any more.
    laptop.post(url, {**empty, "q_q-org": "Haki Mashinani Trust"})
    fresh = Answer.objects.get(submission=submission, question_id="q-org")
    assert answer_value(fresh, laptop) == "Haki Mashinani Trust"
    assert browser_key(laptop, submission) != browser_key(phone, submission)
    page = laptop.get(url).content.decode()
    assert 'value="Haki Mashinani Trust"' in page
    assert page.count("Saved and sealed, not shown in this browser.") == 4
    on_phone = phone.get(url).content.decode()
    assert SECRET in on_phone and "Haki Mashinani Trust" not in on_phone
    assert on_phone.count("Saved and sealed, not shown in this browser.") == 1


def test_another_device_submits_by_what_the_checks_said_when_each_answer_was_saved(grant_call):
    submission, phone, url = start(grant_call)
    phone.post(url, full_post("save", **{"q_q-work": "one two three four five six"}))
    laptop = Client()
    laptop.force_login(submission.applicant)
    empty = {k: ("" if k.startswith("q_") else v) for k, v in full_post("submit").items()}

    refused = laptop.post(url, with_documents(dict(empty), grant_call))

    assert refused.status_code == 400
    assert "6 words: the limit is 5." in refused.content.decode()  # said when it was saved
    assert Submission.objects.get(pk=submission.pk).is_draft
    done = laptop.post(url, {**empty, "q_q-work": "We visit remand prisons."})
    assert done.status_code == 302
    submitted = Submission.objects.get(pk=submission.pk)
    assert submitted.is_submitted and len(submitted.answers_sha256) == 64


def test_the_quorum_opening_writes_every_answer_back_and_reports_a_tampered_one(grant_call):
    first, phone, url = start(grant_call)
    phone.post(url, with_documents(full_post("submit", **{"q_q-work": SECRET}), grant_call))
    second, other, other_url = start(grant_call)
    other.post(other_url, with_documents(full_post("submit"), grant_call))
    assert Submission.objects.filter(call=grant_call).received().count() == 2
    # An insider with the database copies one bid's sealed answer onto the other.
    theirs = Answer.objects.get(submission=first, question_id="q-work")
    Answer.objects.filter(submission=second, question_id="q-work").update(
        sealed=theirs.sealed, digest=theirs.digest
    )

    open_call(close_at(grant_call, timezone.now() - timedelta(minutes=5)), StaffFactory())

    opened = Answer.objects.get(pk=theirs.pk)
    assert opened.value == SECRET and opened.salt and not opened.is_sealed
    assert opened.own_copy is None
    swapped = Answer.objects.get(submission=second, question_id="q-work")
    assert swapped.value is None and swapped.is_sealed  # not read as theirs
    event = AuditEvent.objects.get(action=AuditAction.SEAL_BROKEN, submission=second)
    assert "q-work" in event.detail
    assert Answer.objects.get(submission=second, question_id="q-org").value == "Haki Mashinani"


def test_once_an_answer_is_sealed_the_committee_is_fixed(grant_call):
    from applications.services.committee import committee_change_refusal

    submission, client, url = start(grant_call)
    assert committee_change_refusal(grant_call.pk) is None

    client.post(url, full_post("save"))

    assert "already sealed" in committee_change_refusal(grant_call.pk)


def lower_the_ceiling(call, ceiling):
    call = CallPage.objects.get(pk=call.pk)
    call.budget_ceiling = Decimal(ceiling)
    call.save_revision().publish()  # an addendum: the call is open


def test_a_sealed_amount_judged_under_an_older_ceiling_must_be_given_again(grant_call):
    submission, client, url = start(grant_call)
    client.post(url, full_post("save"))  # 50,000 requested, under the ceiling of 100,000
    assert Submission.objects.get(pk=submission.pk).amounts_sealed

    lower_the_ceiling(grant_call, "40000")
    blank = {**full_post("submit"), "amount_requested": ""}  # the sealed amount, kept
    blank["q_q-budget-cost-0"] = "1000"  # the budget fits the new ceiling
    refused = client.post(url, with_documents(dict(blank), grant_call))

    assert refused.status_code == 400
    assert "currency or ceiling changed after you gave your amount" in refused.content.decode()
    assert Submission.objects.get(pk=submission.pk).is_draft
    again = client.post(url, {**blank, "amount_requested": "30000"})
    assert again.status_code == 302 and Submission.objects.get(pk=submission.pk).is_submitted


def test_an_answer_judged_under_older_rules_on_another_device_must_be_given_again(grant_call):
    submission, phone, url = start(grant_call)
    phone.post(url, full_post("save"))  # a budget of 25,000: fine under 100,000
    laptop = Client()
    laptop.force_login(submission.applicant)
    lower_the_ceiling(grant_call, "20000")
    empty = {k: ("" if k.startswith("q_") else v) for k, v in full_post("submit").items()}
    empty["amount_requested"] = "15000"

    refused = laptop.post(url, with_documents(empty, grant_call))

    page = refused.content.decode()
    assert refused.status_code == 400 and "rules for this question changed" in page
    assert page.count("rules for this question changed") >= 1
    # On the phone, which reads its answers, they are judged afresh: the budget is over.
    on_phone = phone.post(url, {**full_post("submit"), "amount_requested": "15000"})
    assert on_phone.status_code == 400 and "above this call" in on_phone.content.decode()
