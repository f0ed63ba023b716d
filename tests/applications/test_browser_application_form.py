"""An applicant fills in a grant call's application form on a phone-sized browser
(issue 22): each answer saves itself, a dropped connection loses nothing, the draft
goes on in a second browser (which cannot show the answers, sealed to the committee
with the first browser's key to its own copy: issue 23), and the receipt fingerprints
the answers."""

import hashlib
import re
from decimal import Decimal

import pytest

from applications.answers import canonical_answers
from applications.demo import tiny_pdf
from tests.applications.form_support import FORM
from tests.browser_support import sign_in
from tests.factories import UserFactory, build_site, make_call

pytestmark = [pytest.mark.services, pytest.mark.browser]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def grant_call(transactional_db, django_db_serialized_rollback):
    pages = build_site()
    return make_call(
        pages["calls"],
        kind="grant",
        budget_ceiling=Decimal("100000"),
        reference_code="DC-GRT-2026-120",
        application_form=FORM,
    )


def browser_key(context, submission_id) -> bytes | None:
    """The key a browser holds to its copy of the bid's sealed answers (its cookie)."""
    import base64

    for cookie in context.cookies():
        if cookie["name"] == f"zabuni_answers_{submission_id}":
            assert cookie["httpOnly"]
            text = cookie["value"]
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return None


def saved_answers(submission_id, key):
    """The stored answers, read as the browser holding ``key`` reads them."""
    from applications.models import Answer
    from applications.sealed_answers import own_copy_open

    return {
        a.question_id: own_copy_open(a, key).value
        for a in Answer.objects.filter(submission_id=submission_id, pending=False)
    }


def test_a_phone_saves_each_answer_survives_a_dropped_connection_and_a_second_device(
    live_server, browser, grant_call, tmp_path
):
    from playwright.sync_api import expect

    from applications.models import Answer, Submission

    applicant = UserFactory(email="grantee@haki.example")
    first = browser.new_context(viewport=PHONE)
    first.set_default_timeout(15_000)
    page = first.new_page()
    sign_in(page, live_server.url, applicant.email)
    page.goto(live_server.url + grant_call.url)
    page.get_by_role("button", name="Start").first.click()
    page.wait_for_url(re.compile(r"/bids/\d+/$"))
    bid_url = page.url
    submission = Submission.objects.get(applicant=applicant)

    # Typed, then saved a moment later, with the time beside the question.
    page.get_by_label("Name of your organisation").fill("Haki Mashinani")
    org = page.locator("[data-question='q-org'] .autosave")
    expect(org).to_have_text(re.compile(r"^Saved \d\d:\d\d$"))
    assert (
        saved_answers(submission.pk, browser_key(first, submission.pk))["q-org"]
        == "Haki Mashinani"
    )

    # The word count follows the typing.
    page.get_by_label("Your work with detainees").fill("We visit remand prisons weekly and more")
    expect(page.locator("#q_q-work_words")).to_have_text("7 of 5 words")
    expect(page.locator("#q_q-work_words")).to_have_class(re.compile("word-count--over"))
    page.get_by_label("Your work with detainees").fill("We visit remand prisons.")
    expect(page.locator("[data-question='q-work'] .autosave")).to_have_text(re.compile("^Saved"))

    # The budget's totals follow the typing.
    page.fill("#q_q-budget-item-0", "Prison visits")
    page.fill("#q_q-budget-quantity-0", "10")
    page.fill("#q_q-budget-cost-0", "2500")
    expect(page.locator(".budget-table__total")).to_have_text("KES 25,000")

    # The connection drops: the answer waits on this device and is sent once it is back.
    first.set_offline(True)
    page.get_by_label("Yes").first.check()
    registered = page.locator("[data-question='q-reg'] .autosave")
    expect(registered).to_contain_text("Not saved yet")
    assert "q-reg" not in saved_answers(submission.pk, browser_key(first, submission.pk))
    first.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(registered).to_have_text(re.compile("^Saved"))
    assert saved_answers(submission.pk, browser_key(first, submission.pk))["q-reg"] == "yes"

    # Offline again, a change, and the tab is closed: it comes back with the page.
    first.set_offline(True)
    page.get_by_label("Kisumu").check()
    expect(page.locator("[data-question='q-areas'] .autosave")).to_contain_text("Not saved yet")
    page.close()
    first.set_offline(False)
    page = first.new_page()
    page.goto(bid_url)
    expect(page.get_by_label("Kisumu")).to_be_checked()
    expect(page.locator("[data-question='q-areas'] .autosave")).to_have_text(re.compile("^Saved"))
    assert saved_answers(submission.pk, browser_key(first, submission.pk))["q-areas"] == ["Kisumu"]
    key = browser_key(first, submission.pk)
    first.close()

    # A second device goes on from the saved draft and submits. It has no key to the
    # answers: it says they are kept, sealed, and its empty fields keep them.
    second = browser.new_context(viewport=PHONE)
    second.set_default_timeout(15_000)
    page = second.new_page()
    sign_in(page, live_server.url, applicant.email)
    page.goto(bid_url)
    expect(page.locator("#answers-elsewhere")).to_be_visible()
    expect(page.get_by_label("Name of your organisation")).to_have_value("")
    expect(page.locator("#q_q-org_sealed")).to_contain_text("Saved and sealed")
    expect(page.locator("#q_q-budget-cost-0")).to_have_value("")
    for requirement in grant_call.required_documents.filter(is_required=True):
        path = tmp_path / f"document-{requirement.pk}.pdf"
        path.write_bytes(tiny_pdf(requirement.name, "Haki Mashinani", grant_call.reference_code))
        page.set_input_files(f'input[name="document_{requirement.pk}"]', str(path))
        row = page.locator(
            ".doc-row", has=page.locator(f'input[name="document_{requirement.pk}"]')
        )
        expect(row.locator(".upload-status")).to_contain_text("Kept on your draft.")
    page.get_by_label("Amount requested").fill("50000")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(re.compile(r"/receipt/$"))

    answers = saved_answers(submission.pk, key)
    digests = {
        a.question_id: a.digest
        for a in Answer.objects.filter(submission_id=submission.pk, pending=False)
    }
    fingerprint = hashlib.sha256(canonical_answers(digests)).hexdigest()
    expect(page.locator(".receipt__answers")).to_contain_text(fingerprint)
    assert Submission.objects.get(pk=submission.pk).answers_sha256 == fingerprint
    assert answers["q-org"] == "Haki Mashinani" and answers["q-areas"] == ["Kisumu"]
    second.close()
