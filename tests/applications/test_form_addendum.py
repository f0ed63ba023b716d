"""Changing an open call's application form (issue 22, item 3): publishing the change
records an addendum that everyone who has started a bid is mailed, in their own
language, with a link to their bid; answers to questions still on the form are kept,
and the bid page says what happened. Moving questions about is no change."""

import pytest
from django.urls import reverse

from applications.models import Answer
from applications.services.submissions import submission_start
from notifications.models import OutboxMessage
from tenders.models import Addendum, CallPage
from tests.applications.form_support import FORM, full_post, question, with_documents
from tests.factories import UserFactory, make_call

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_outbox_dispatch")]

NEW_QUESTION = question("short_answer", "q-partners", "Who are your partners?")


@pytest.fixture
def bids(site_root, client):
    """A grant call with a form, a submitted bid and a Swahili reader's draft."""
    from decimal import Decimal

    call = make_call(
        site_root["calls"], kind="grant", budget_ceiling=Decimal("100000"), application_form=FORM
    )
    submitter, drafter = UserFactory(), UserFactory(language="sw")
    submitted = submission_start(call=call, applicant=submitter)
    client.force_login(submitter)
    url = reverse("applications:submission", args=[submitted.pk])
    assert client.post(url, with_documents(full_post("submit"), call)).status_code == 302
    draft = submission_start(call=call, applicant=drafter)
    Answer.objects.create(submission=draft, question_id="q-org", value="Sauti ya Haki")
    Answer.objects.create(submission=draft, question_id="q-email", value="sauti@example.org")
    OutboxMessage.objects.all().delete()  # the receipt is not what these tests count
    return call, submitted, draft, client


def publish_form(call, form):
    call = CallPage.objects.get(pk=call.pk)
    call.application_form = form
    call.save_revision().publish()


def test_a_changed_form_is_an_addendum_mailed_to_everyone_who_started_a_bid(bids):
    call, submitted, draft, client = bids
    # A question is added and one is taken away.
    publish_form(call, [block for block in FORM if block["id"] != "q-email"] + [NEW_QUESTION])

    addendum = Addendum.objects.get(call=call)
    assert addendum.form_changed and not addendum.terms_changed and not addendum.deadline_moved
    mail = {m.to_email: m for m in OutboxMessage.objects.filter(dedupe_key__startswith="addendum")}
    assert set(mail) == {submitted.applicant.email, draft.applicant.email}
    english, swahili = mail[submitted.applicant.email], mail[draft.applicant.email]
    assert "The application form has changed." in english.body_text
    assert "stands as it is until you press Resubmit" in english.body_text
    assert reverse("applications:submission", args=[submitted.pk]) in english.body_text
    assert "Fomu ya maombi imebadilika" in swahili.body_text
    assert reverse("applications:submission", args=[draft.pk]) in swahili.body_html

    # Answers to questions still on the form are kept; the bid page says why to look again.
    page = client.get(reverse("applications:submission", args=[submitted.pk])).content.decode()
    assert "The application form changed in addendum 1." in page
    assert 'name="q_q-org" value="Haki Mashinani"' in page
    assert "Who are your partners?" in page and "Contact address" not in page
    kept = Answer.objects.filter(submission=draft).values_list("question_id", flat=True)
    assert set(kept) == {"q-org", "q-email"}  # nothing is deleted; q-email is no longer asked

    # The call page lists it for everyone.
    public = client.get(CallPage.objects.get(pk=call.pk).url).content.decode()
    assert "The application form has changed." in public

    # The submitted bid stands; Resubmit needs the new question answered.
    response = client.post(
        reverse("applications:submission", args=[submitted.pk]), full_post("submit")
    )
    assert response.status_code == 400
    assert "Who are your partners?" in response.content.decode()


def test_moving_questions_about_is_not_an_addendum(bids):
    call = bids[0]
    publish_form(call, list(reversed(FORM)))

    assert not Addendum.objects.filter(call=call).exists()
    assert not OutboxMessage.objects.filter(dedupe_key__startswith="addendum").exists()


def test_a_reworded_question_is_an_addendum_and_its_answer_is_kept(bids):
    call, submitted, _draft, client = bids
    reworded = [
        {**block, "value": {**block["value"], "label": "Your organisation's registered name"}}
        if block["id"] == "q-org"
        else block
        for block in FORM
    ]
    publish_form(call, reworded)

    assert Addendum.objects.get(call=call).form_changed
    page = client.get(reverse("applications:submission", args=[submitted.pk])).content.decode()
    assert "Your organisation&#x27;s registered name" in page
    assert 'name="q_q-org" value="Haki Mashinani"' in page
