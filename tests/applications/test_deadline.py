"""The hard deadline, decided on the database clock.

Deadlines are set relative to ``core.clock.db_now()`` at the moment of the
test. The exact edges (one second either side) are tested by stubbing the
clock the submission service reads, because the real one keeps moving; the
real clock is tested with a margin it cannot cross during the test.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications.choices import SubmissionStatus
from applications.demo import tiny_pdf
from applications.models import AuditEvent, Submission, SubmissionFile
from applications.services.submissions import (
    submission_save,
    submission_start,
)
from applications.services.withdrawal import submission_withdraw
from core.clock import db_now
from core.errors import DeadlinePassed
from notifications.models import OutboxMessage
from tenders.models import CallClosing
from tenders.services import calls_close_due
from tests.applications.deadline_support import OFFER, close_at, form_data, uploads
from tests.factories import private_objects, submit_bid

TECHNICAL = "Technical proposal"  # the documents of the consultancy_call fixture
FINANCIAL = "Financial proposal"

pytestmark = pytest.mark.usefixtures("no_outbox_dispatch")


@pytest.fixture
def draft(consultancy_call, applicant):
    return submission_start(call=consultancy_call, applicant=applicant)


@pytest.fixture
def bidder(client, applicant):
    client.force_login(applicant)
    return client


def assert_nothing_left_behind(submission, status=SubmissionStatus.DRAFT):
    submission = Submission.objects.get(pk=submission.pk)
    assert submission.status == status
    assert submission.number is None
    assert submission.reference is None
    assert submission.submitted_at is None
    assert not SubmissionFile.objects.filter(submission=submission).exists()
    assert private_objects() == [], "files were left in private storage"
    assert not OutboxMessage.objects.exists()
    assert not AuditEvent.objects.filter(submission=submission).exists()


# --- Before and after, on the real database clock -------------------------------


def test_a_submit_before_the_deadline_on_the_database_clock_is_accepted(
    consultancy_call, draft, bidder
):
    close_at(consultancy_call, db_now() + timedelta(seconds=30))
    response = bidder.post(
        reverse("applications:submission", args=[draft.pk]), form_data(consultancy_call, "submit")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:receipt", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.SUBMITTED
    assert draft.reference == f"{consultancy_call.reference_code}-0001"
    assert draft.files.count() == 2
    assert len(private_objects()) == 2


@pytest.mark.parametrize("action", ["submit", "save"])
def test_a_post_one_second_after_the_deadline_is_refused_and_leaves_nothing(
    consultancy_call, draft, bidder, action
):
    close_at(consultancy_call, db_now() - timedelta(seconds=1))
    response = bidder.post(
        reverse("applications:submission", args=[draft.pk]), form_data(consultancy_call, action)
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "The deadline passed at" in page
    assert "your submission reached us at" in page
    assert "Nothing was saved." in page
    assert_nothing_left_behind(draft)


def test_when_the_web_servers_clock_runs_slow_the_database_clock_still_refuses(
    consultancy_call, draft, bidder, monkeypatch
):
    """The web worker believes the call is open for another minute; the database knows better.

    The files are checked and stored before the deadline is decided, so this
    is the path where something could be left half-saved.
    """
    close_at(consultancy_call, db_now() - timedelta(seconds=1))
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() - timedelta(seconds=60))
    response = bidder.post(
        reverse("applications:submission", args=[draft.pk]), form_data(consultancy_call, "submit")
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "The deadline passed at" in page
    assert "your submission reached us at" in page
    assert "Nothing was saved." in page
    assert_nothing_left_behind(draft)


def test_the_service_re_reads_the_deadline_inside_its_transaction(consultancy_call, draft):
    """A request that loaded the call while it was open, and saves after it closed."""
    stale = Submission.objects.select_related("call").get(pk=draft.pk)
    close_at(consultancy_call, db_now() - timedelta(seconds=1))
    with pytest.raises(DeadlinePassed) as refusal:
        submission_save(
            submission=stale,
            user=draft.applicant,
            uploads=uploads(consultancy_call),
            amounts=OFFER,
            submit=True,
        )
    assert "deadline" in refusal.value.message
    assert "Nothing was saved" in refusal.value.message
    assert_nothing_left_behind(draft)


# --- The exact edge, on a stubbed database clock --------------------------------


@pytest.mark.parametrize(
    "offset, accepted",
    [(-timedelta(seconds=1), True), (timedelta(0), False), (timedelta(seconds=1), False)],
    ids=["one second before", "at the deadline", "one second after"],
)
def test_the_edge_of_the_deadline_on_the_database_clock(
    consultancy_call, draft, monkeypatch, offset, accepted
):
    # The app clock says open (the deadline is days away); only the DB clock is at the edge.
    closes_at = consultancy_call.closes_at
    monkeypatch.setattr("applications.services.submissions.db_now", lambda: closes_at + offset)
    kwargs = dict(
        submission=draft, user=draft.applicant, uploads=uploads(consultancy_call), amounts=OFFER
    )
    if accepted:
        submission, changed = submission_save(submit=True, **kwargs)
        assert changed
        assert submission.status == SubmissionStatus.SUBMITTED
        assert submission.submitted_at == closes_at + offset
        assert submission.reference == f"{consultancy_call.reference_code}-0001"
    else:
        with pytest.raises(DeadlinePassed):
            submission_save(submit=True, **kwargs)
        assert_nothing_left_behind(draft)


# --- Withdrawing, and what closing does not do ------------------------------------


def test_withdrawing_after_the_deadline_is_refused(consultancy_call, applicant, bidder):
    submission = submit_bid(consultancy_call, applicant)
    stale = Submission.objects.select_related("call").get(pk=submission.pk)
    mail_before = OutboxMessage.objects.count()
    close_at(consultancy_call, db_now() - timedelta(seconds=1))

    with pytest.raises(DeadlinePassed) as refusal:
        submission_withdraw(submission=stale, user=applicant)
    assert "deadline has passed" in refusal.value.message

    response = bidder.post(
        reverse("applications:submission", args=[submission.pk]), {"action": "withdraw"}
    )
    assert response.status_code == 403
    assert "The deadline passed at" in response.content.decode()

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.withdrawn_at is None
    assert OutboxMessage.objects.count() == mail_before


def test_a_complete_draft_is_never_submitted_when_the_call_closes(consultancy_call, applicant):
    draft = submit_bid(consultancy_call, applicant, amounts=OFFER, submit=False)
    assert draft.files.count() == 2  # everything a submit would need is there
    call = close_at(consultancy_call, db_now() - timedelta(seconds=1))

    assert calls_close_due() == [call.pk]
    assert CallClosing.objects.filter(call=call).exists()

    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.DRAFT
    assert draft.number is None
    assert draft.reference is None
    assert draft.submitted_at is None
    assert not OutboxMessage.objects.exists()


def test_a_replacement_waiting_for_resubmit_is_not_promoted_when_the_call_closes(
    consultancy_call, applicant, bidder
):
    submission = submit_bid(consultancy_call, applicant)
    technical = consultancy_call.required_documents.get(name=TECHNICAL)
    submitted = submission.files.get(requirement=technical)
    submission_save(
        submission=submission,
        user=applicant,
        uploads={
            technical.pk: SimpleUploadedFile(
                "v2.pdf", tiny_pdf("second version"), "application/pdf"
            )
        },
    )
    close_at(consultancy_call, db_now() - timedelta(seconds=1))
    calls_close_due()

    receipt = bidder.get(reverse("applications:receipt", args=[submission.pk])).content.decode()
    assert submitted.sha256 in receipt
    current = submission.files.get(requirement=technical, pending=False)
    assert current.pk == submitted.pk
    assert submission.files.get(requirement=technical, pending=True).original_name == "v2.pdf"
