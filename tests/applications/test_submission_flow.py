"""A bid through the browser: start, save, submit, receipt, replace, withdraw, resubmit."""

import hashlib
import secrets
from datetime import UTC
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from applications.choices import SubmissionStatus
from applications.demo import tiny_pdf
from applications.models import Submission
from core.storage import private_storage
from notifications.models import OutboxMessage
from tests.factories import UserFactory, make_call, private_objects, submit_bid

TECHNICAL = "Technical proposal"  # the documents of the consultancy_call fixture
FINANCIAL = "Financial proposal"
NAIROBI = ZoneInfo("Africa/Nairobi")

pytestmark = pytest.mark.usefixtures("no_outbox_dispatch")

PROPOSAL = ("Ouma technical proposal.pdf", tiny_pdf("Methodology for the prison monitoring study"))
PROPOSAL_V2 = ("Ouma technical proposal v2.pdf", tiny_pdf("Methodology, revised after addendum"))
PROPOSAL_V3 = ("Ouma technical proposal v3.pdf", tiny_pdf("Methodology, third version"))
OFFER_FILE = ("Ouma financial offer.pdf", tiny_pdf("Fees and reimbursables"))


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def bidder(client, applicant):
    client.force_login(applicant)
    return client


def post_bid(client, submission, action, files=None, *, form_token=None, **fields):
    """POST the bid form as the browser does. ``files`` maps document names to (name, bytes).
    The form's token is a new page's unless ``form_token`` (a double click) is given."""
    call = submission.call
    data = {"action": action, "form_token": form_token or secrets.token_urlsafe(16)}
    if call.kind == "consultancy":
        data.update(offer_amount="1250000", offer_currency="KES")
    data.update(fields)
    for document, (name, content) in (files or {}).items():
        requirement = call.required_documents.get(name=document)
        data[f"document_{requirement.pk}"] = SimpleUploadedFile(name, content, "application/pdf")
    return client.post(reverse("applications:submission", args=[submission.pk]), data)


def start(client, call) -> Submission:
    response = client.post(reverse("applications:apply", args=[call.pk]))
    submission = Submission.objects.get(call=call)
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:submission", args=[submission.pk])
    return submission


def receipt_of(client, submission) -> str:
    response = client.get(reverse("applications:receipt", args=[submission.pk]))
    assert response.status_code == 200
    return response.content.decode()


def state(submission) -> dict:
    """What an applicant would notice changing: status, numbers, amounts, files, mail."""
    submission = Submission.objects.get(pk=submission.pk)
    return {
        "status": submission.status,
        "reference": submission.reference,
        "submitted_at": submission.submitted_at,
        "offer_amount": submission.offer_amount,
        "files": sorted((f.pk, f.sha256, f.pending) for f in submission.files.all()),
        "stored": private_objects(),
        "mail": OutboxMessage.objects.count(),
    }


def test_a_bid_from_start_to_receipt(consultancy_call, applicant, bidder):
    call = consultancy_call
    submission = start(bidder, call)
    assert submission.status == SubmissionStatus.DRAFT
    detail = reverse("applications:submission", args=[submission.pk])

    # Save a draft with one file.
    response = post_bid(bidder, submission, "save", {TECHNICAL: PROPOSAL})
    assert response.status_code == 302 and response["Location"] == detail
    page = bidder.get(detail).content.decode()
    assert "Saved. Your bid is not submitted until you press Submit." in page
    assert PROPOSAL[0] in page
    assert submission.files.get().sha256 == sha256(PROPOSAL[1])

    # Submit without the financial proposal: refused, and nothing changes.
    before = state(submission)
    response = post_bid(bidder, submission, "submit", offer_amount="999")
    assert response.status_code == 400
    assert (
        "Add the required documents before submitting: Financial proposal."
        in response.content.decode()
    )
    assert state(submission) == before
    assert before["status"] == SubmissionStatus.DRAFT and before["reference"] is None

    # Submit complete: straight to the receipt.
    response = post_bid(bidder, submission, "submit", {FINANCIAL: OFFER_FILE})
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:receipt", args=[submission.pk])
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.reference == f"{call.reference_code}-0001"

    receipt = receipt_of(bidder, submission)
    assert f"{call.reference_code}-0001" in receipt
    nairobi = submission.submitted_at.astimezone(NAIROBI)
    utc = submission.submitted_at.astimezone(UTC)
    tenth = nairobi.microsecond // 100_000
    assert f"{nairobi.day} {nairobi:%B %Y, %H:%M:%S}.{tenth} EAT" in receipt  # to the tenth
    assert f"{utc.day} {utc:%B %Y, %H:%M:%S}.{tenth} UTC" in receipt
    for name, content in (PROPOSAL, OFFER_FILE):
        assert name in receipt
        assert filesizeformat(len(content)) in receipt
        assert sha256(content) in receipt

    mail = OutboxMessage.objects.get()
    assert mail.to_email == applicant.email
    assert submission.reference in mail.body_text
    assert sha256(PROPOSAL[1]) in mail.body_text and sha256(OFFER_FILE[1]) in mail.body_text

    # A double click posts the same form again: no second receipt, nothing changes.
    token = "one-rendering-of-the-form"
    response = post_bid(bidder, submission, "submit", {FINANCIAL: OFFER_FILE}, form_token=token)
    assert response.status_code == 302
    before = state(submission)
    response = post_bid(bidder, submission, "submit", {FINANCIAL: OFFER_FILE}, form_token=token)
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:receipt", args=[submission.pk])
    assert state(submission) == before


def test_save_then_submit_from_the_same_page_submits(consultancy_call, bidder):
    """One rendering of the form, two different posts (Save, then Submit, from the page
    the Back button brought back): the second is not a double click."""
    submission = start(bidder, consultancy_call)
    token = "the-same-page"
    files = {TECHNICAL: PROPOSAL, FINANCIAL: OFFER_FILE}
    assert post_bid(bidder, submission, "save", files, form_token=token).status_code == 302
    response = post_bid(bidder, submission, "submit", form_token=token)
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and submission.reference


def test_a_replacement_waits_for_resubmit_and_then_replaces_the_old_file(
    consultancy_call, applicant, bidder, django_capture_on_commit_callbacks
):
    submission = start(bidder, consultancy_call)
    post_bid(bidder, submission, "submit", {TECHNICAL: PROPOSAL, FINANCIAL: OFFER_FILE})
    submission.refresh_from_db()
    old = submission.files.get(document_name=TECHNICAL)
    submitted_at, mail = submission.submitted_at, OutboxMessage.objects.count()

    # Upload a replacement without resubmitting: it is pending.
    response = post_bid(bidder, submission, "save", {TECHNICAL: PROPOSAL_V2})
    assert response.status_code == 302
    page = bidder.get(reverse("applications:submission", args=[submission.pk])).content.decode()
    assert "Replacement waiting for Resubmit" in page
    assert PROPOSAL_V2[0] in page
    pending = submission.files.get(document_name=TECHNICAL, pending=True)
    assert pending.sha256 == sha256(PROPOSAL_V2[1])

    # The submitted set and the receipt stand.
    receipt = receipt_of(bidder, submission)
    assert sha256(PROPOSAL[1]) in receipt
    assert sha256(PROPOSAL_V2[1]) not in receipt
    submission.refresh_from_db()
    assert submission.submitted_at == submitted_at
    assert OutboxMessage.objects.count() == mail
    assert private_storage().exists(old.object_name)

    # Resubmit: the new file is current, the old one is gone from storage.
    with django_capture_on_commit_callbacks(execute=True):
        response = post_bid(bidder, submission, "submit")
    assert response.status_code == 302
    receipt = receipt_of(bidder, submission)
    assert sha256(PROPOSAL_V2[1]) in receipt and PROPOSAL_V2[0] in receipt
    assert sha256(PROPOSAL[1]) not in receipt
    current = submission.files.get(document_name=TECHNICAL)
    assert current.pk == pending.pk and not current.pending
    assert not private_storage().exists(old.object_name)
    assert private_storage().exists(current.object_name)
    assert len(private_objects()) == 2
    assert OutboxMessage.objects.count() == mail + 1
    new_receipt = OutboxMessage.objects.latest("pk")
    assert sha256(PROPOSAL_V2[1]) in new_receipt.body_text
    assert sha256(PROPOSAL[1]) not in new_receipt.body_text


def test_withdraw_then_submit_again_keeps_the_reference(consultancy_call, applicant, bidder):
    submission = start(bidder, consultancy_call)
    post_bid(bidder, submission, "submit", {TECHNICAL: PROPOSAL, FINANCIAL: OFFER_FILE})
    submission.refresh_from_db()
    reference, mail = submission.reference, OutboxMessage.objects.count()
    detail = reverse("applications:submission", args=[submission.pk])

    response = bidder.post(detail, {"action": "withdraw"})
    assert response.status_code == 302 and response["Location"] == detail
    assert "Your bid is withdrawn." in bidder.get(detail).content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.WITHDRAWN
    assert OutboxMessage.objects.count() == mail + 1

    response = post_bid(bidder, submission, "submit")
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.reference == reference
    assert submission.withdrawn_at is None
    assert OutboxMessage.objects.count() == mail + 2
    assert sha256(PROPOSAL[1]) in receipt_of(bidder, submission)


def test_the_latest_upload_wins_when_a_withdrawn_bid_is_submitted_again(
    consultancy_call, applicant, bidder
):
    """Submitted with v1; v2 uploaded (pending); withdrawn; v3 uploaded; submitted again.
    The applicant's last upload, v3, is what they submit."""
    submission = start(bidder, consultancy_call)
    post_bid(bidder, submission, "submit", {TECHNICAL: PROPOSAL, FINANCIAL: OFFER_FILE})
    post_bid(bidder, submission, "save", {TECHNICAL: PROPOSAL_V2})
    bidder.post(reverse("applications:submission", args=[submission.pk]), {"action": "withdraw"})
    post_bid(bidder, submission, "save", {TECHNICAL: PROPOSAL_V3})
    response = post_bid(bidder, submission, "submit")
    assert response.status_code == 302

    receipt = receipt_of(bidder, submission)
    assert sha256(PROPOSAL_V3[1]) in receipt
    assert sha256(PROPOSAL_V2[1]) not in receipt
    assert submission.files.get(document_name=TECHNICAL).sha256 == sha256(PROPOSAL_V3[1])


def test_a_grant_request_above_the_ceiling_is_refused(grant_call, applicant, bidder):
    submission = start(bidder, grant_call)
    proposal = {"Grant proposal": ("Grant proposal.pdf", tiny_pdf("Community paralegals"))}

    response = post_bid(bidder, submission, "submit", proposal, amount_requested="100001")
    assert response.status_code == 400
    assert "above this call&#x27;s ceiling of 100,000 KES" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT and submission.reference is None
    assert not submission.files.exists() and private_objects() == []

    response = post_bid(bidder, submission, "submit", proposal, amount_requested="100000")
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    # The amount is sealed: the receipt page says so; the receipt mail has it.
    assert "nobody can read it before the opening" in receipt_of(bidder, submission)
    receipt = OutboxMessage.objects.get(dedupe_key__startswith=f"receipt:{submission.pk}:")
    assert "KES 100,000" in receipt.body_text
    assert submission.amount_requested is None and submission.amounts_problem == ""


def test_a_consultancy_bid_without_an_offer_amount_is_refused(consultancy_call, bidder):
    submission = start(bidder, consultancy_call)
    files = {TECHNICAL: PROPOSAL, FINANCIAL: OFFER_FILE}
    response = post_bid(bidder, submission, "submit", files, offer_amount="")
    assert response.status_code == 400
    assert "Enter the amount of your financial offer." in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT and submission.reference is None
    assert not submission.files.exists() and private_objects() == []
    assert not OutboxMessage.objects.exists()


def test_reference_numbers_are_sequential_per_call(site_root, consultancy_call):
    other_call = make_call(site_root["calls"])
    first, second, third = (UserFactory() for _ in range(3))
    code = consultancy_call.reference_code

    assert submit_bid(consultancy_call, first).reference == f"{code}-0001"
    assert submit_bid(other_call, first).reference == f"{other_call.reference_code}-0001"
    second_bid = submit_bid(consultancy_call, second)
    assert second_bid.reference == f"{code}-0002"

    # A withdrawn bid keeps its number; the next bid does not reuse it.
    from applications.services.withdrawal import submission_withdraw

    submission_withdraw(submission=second_bid, user=second)
    assert submit_bid(consultancy_call, third).reference == f"{code}-0003"
    assert submit_bid(consultancy_call, second).reference == f"{code}-0002"


def test_an_offer_in_another_currency_is_refused_with_a_clear_message(consultancy_call, bidder):
    """One currency per call: the form offers only the call's, and a USD offer on a KES
    call (a forged form, or an old tab) is refused; nothing is submitted."""
    submission = start(bidder, consultancy_call)
    page = bidder.get(reverse("applications:submission", args=[submission.pk])).content.decode()
    assert 'value="KES"' in page and 'value="USD"' not in page

    files = {TECHNICAL: PROPOSAL, FINANCIAL: OFFER_FILE}
    response = post_bid(
        bidder, submission, "submit", files, offer_amount="12500", offer_currency="USD"
    )

    assert response.status_code == 400
    assert "This call takes offers in Kenyan shilling (KES) only." in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT and submission.reference is None
    assert submission.offer_currency != "USD"
    assert not OutboxMessage.objects.exists()


def test_the_service_refuses_another_currency_too(consultancy_call, applicant):
    from applications.services.amounts import Amounts
    from core.errors import Refused

    with pytest.raises(Refused, match="takes offers in KES only"):
        submit_bid(
            consultancy_call,
            applicant,
            amounts=Amounts(offer_amount=Decimal("12500"), offer_currency="USD"),
        )
    assert not Submission.objects.filter(status=SubmissionStatus.SUBMITTED).exists()
