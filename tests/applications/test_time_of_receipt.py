"""The time of receipt: a bid is judged by when its last byte arrived, not by
when its files were stored or its row lock was granted; a refusal says both
times; and a call cannot be opened while on-time bids may still be recorded."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import CallOpening, Submission
from applications.services.amounts import Amounts
from applications.services.deadline import late_message
from applications.services.submissions import submission_save, submission_start
from applications.uploads import store_upload
from core.clock import db_now
from core.errors import DeadlinePassed, NotAllowed
from tests.applications.deadline_support import OFFER, close_at, form_data
from tests.factories import StaffFactory, submit_bid
from tests.sealing_support import open_call

pytestmark = pytest.mark.usefixtures("no_outbox_dispatch")


def test_a_refusal_says_both_times_in_the_organisations_zone():
    closes_at = datetime(2026, 12, 18, 11, 0, 0, tzinfo=UTC)  # 14:00 in Nairobi

    message = late_message(closes_at, closes_at + timedelta(seconds=2))

    assert message == (
        "The deadline passed at 14:00:00 EAT on 18 December; your submission reached us "
        "at 14:00:02 EAT. Nothing was saved."
    )


def test_a_refusal_names_the_day_when_the_bid_came_on_another_one():
    closes_at = datetime(2026, 12, 18, 20, 59, 0, tzinfo=UTC)  # 23:59 in Nairobi

    message = late_message(closes_at, closes_at + timedelta(minutes=2))

    assert "at 23:59:00 EAT on 18 December" in message
    assert "reached us at 00:01:00 EAT on 19 December." in message


def test_a_bid_received_before_the_deadline_is_accepted_though_stored_after_it(
    client, consultancy_call, applicant, monkeypatch
):
    """The deadline passes, for real, while the files are being stored."""
    draft = submission_start(call=consultancy_call, applicant=applicant)
    call = close_at(consultancy_call, db_now() + timedelta(seconds=2))

    def slow_store(uploaded, **kwargs):
        while db_now() <= call.closes_at:  # a slow store: the deadline passes meanwhile
            time.sleep(0.1)
        return store_upload(uploaded, **kwargs)

    monkeypatch.setattr("applications.services.staging.store_upload", slow_store)
    client.force_login(applicant)
    response = client.post(
        reverse("applications:submission", args=[draft.pk]), form_data(call, "submit")
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    submission = Submission.objects.get(pk=draft.pk)
    assert submission.is_submitted
    assert submission.submitted_at < call.closes_at < db_now()
    receipt = client.get(reverse("applications:receipt", args=[draft.pk])).content.decode()
    assert submission.reference in receipt


def test_a_bid_received_after_the_deadline_is_refused_with_both_times(consultancy_call, applicant):
    draft = submission_start(call=consultancy_call, applicant=applicant)
    call = close_at(consultancy_call, db_now() - timedelta(seconds=1))

    with pytest.raises(DeadlinePassed) as refusal:
        submission_save(
            submission=Submission.objects.get(pk=draft.pk),
            user=applicant,
            amounts=OFFER,
            submit=True,
            received_at=call.closes_at + timedelta(seconds=2),
        )

    assert "your submission reached us at" in refusal.value.message
    assert not Submission.objects.get(pk=draft.pk).is_submitted


def test_the_call_cannot_be_opened_while_on_time_bids_may_still_be_recorded(
    consultancy_call, applicant, settings
):
    settings.OPENING_GRACE_SECONDS = 120
    submit_bid(consultancy_call, applicant)
    call = close_at(consultancy_call, db_now() - timedelta(seconds=5))
    staff = StaffFactory()

    with pytest.raises(NotAllowed) as refusal:
        open_call(call, staff)
    assert "may still be being recorded" in refusal.value.message
    assert not CallOpening.objects.filter(call=call).exists()

    call = close_at(call, db_now() - timedelta(seconds=121))
    opening = open_call(call, staff)
    assert opening.submissions_received == 1


def test_a_bid_cannot_change_once_its_call_is_opened(consultancy_call, applicant):
    """Even with a time of receipt before the deadline: the register is final."""
    submission = submit_bid(consultancy_call, applicant)
    call = close_at(consultancy_call, db_now() - timedelta(minutes=5))
    open_call(call, StaffFactory())

    with pytest.raises(NotAllowed):
        submission_save(
            submission=Submission.objects.get(pk=submission.pk),
            user=applicant,
            amounts=Amounts(offer_amount=Decimal("1"), offer_currency="KES"),
            submit=True,
            received_at=call.closes_at - timedelta(seconds=1),
        )
    submission.refresh_from_db()
    assert submission.offer_amount == Decimal("1250000")


def test_the_stamp_is_the_moment_the_body_was_read_on_the_database_clock(rf, db):
    """A busy server reads the database clock later than the body arrived; the stamp
    counts back, on this process's monotonic clock, to when the upload completed."""
    import time as clock

    from core.receipt import time_of_receipt

    request = rf.post("/bids/1/", {"action": "save"})
    request.POST  # noqa: B018 - parsed now, as CsrfViewMiddleware would
    request._zabuni_body_read_at = clock.monotonic() - 2.0  # ...but say it was two seconds ago
    before = db_now()

    stamp = time_of_receipt(request)

    assert before - timedelta(seconds=2.5) < stamp < before - timedelta(seconds=1.5)
    assert time_of_receipt(request) == stamp  # read once per request


def test_the_upload_handler_notes_when_the_multipart_body_was_read(
    client, consultancy_call, applicant, monkeypatch
):
    from core import receipt

    draft = submission_start(call=consultancy_call, applicant=applicant)
    seen = {}

    def spy(request):
        seen["body_read_at"] = getattr(request, "_zabuni_body_read_at", None)
        return receipt.time_of_receipt(request)

    monkeypatch.setattr("applications.views.submissions.time_of_receipt", spy)
    client.force_login(applicant)
    client.post(
        reverse("applications:submission", args=[draft.pk]), form_data(consultancy_call, "save")
    )

    assert isinstance(seen["body_read_at"], float)
