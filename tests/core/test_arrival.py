"""The time of receipt is the moment the bid arrived (issue 25, item 2): the proxy's
``X-Request-Start`` when a trusted proxy stamped it, else the moment the body's last
byte was read from the connection, before any parsing; and a refusal in the same
second as the deadline tells the two apart."""

import io
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from applications.services.deadline import late_message
from core.arrival import ARRIVED, ArrivalStamping
from core.clock import db_now
from core.receipt import time_of_receipt


class SlowBody(io.BytesIO):
    """A phone on a slow line: each read waits a little."""

    def read(self, *args):
        time.sleep(0.01)
        return super().read(*args)


def test_the_wsgi_wrapper_notes_when_the_last_byte_was_read_before_any_work():
    seen = {}

    def app(environ, start_response):
        body = environ["wsgi.input"]
        while body.read(7):
            pass
        seen["read_done"] = time.monotonic()
        time.sleep(0.2)  # parsing, hashing and storing the last piece
        seen["arrived"] = environ[ARRIVED]
        return []

    payload = b"x" * 50
    environ = {"CONTENT_LENGTH": str(len(payload)), "wsgi.input": SlowBody(payload)}

    ArrivalStamping(app)(environ, lambda *a: None)

    assert seen["arrived"] <= seen["read_done"]  # noted as the last byte came, not later


def test_a_request_without_a_body_arrived_with_its_headers():
    environ = {"REQUEST_METHOD": "GET"}
    before = time.monotonic()

    ArrivalStamping(lambda environ, start: [])(environ, lambda *a: None)

    assert before <= environ[ARRIVED] <= time.monotonic()


@pytest.mark.django_db
def test_the_stamp_counts_back_to_the_connections_last_byte(rf):
    request = rf.post("/bids/1/", {"action": "save"})
    request.META[ARRIVED] = time.monotonic() - 2.0  # the last byte came two seconds ago
    request._zabuni_body_read_at = time.monotonic()  # the upload handler finished just now
    before = db_now()

    stamp = time_of_receipt(request)

    assert before - timedelta(seconds=2.5) < stamp < before - timedelta(seconds=1.5)


def post_from(rf, address: str, header: str):
    request = rf.post("/bids/1/", {"action": "save"}, HTTP_X_REQUEST_START=header)
    request.META["REMOTE_ADDR"] = address
    return request


@pytest.mark.django_db
def test_a_trusted_proxys_request_start_is_the_time_of_receipt(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    arrived = db_now() - timedelta(seconds=1.5)

    stamp = time_of_receipt(post_from(rf, "10.0.0.2", f"t={arrived.timestamp():.3f}"))

    assert abs((stamp - arrived).total_seconds()) < 0.001


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "shift", "why"),
    [
        ("192.0.2.9", -1.5, "did not come from a trusted proxy"),
        ("10.0.0.2", -200, "from the database's clock"),  # too old to be this request's
        ("10.0.0.2", +5, "from the database's clock"),  # ahead of the database: a bad clock
    ],
)
def test_a_request_start_not_to_be_believed_is_ignored_and_logged(
    rf, settings, caplog, address, shift, why
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    claimed = db_now() + timedelta(seconds=shift)
    before = db_now()

    with caplog.at_level(logging.WARNING, logger="core.receipt"):
        stamp = time_of_receipt(post_from(rf, address, f"t={claimed.timestamp():.3f}"))

    assert stamp >= before - timedelta(seconds=0.5)  # the portal's own stamp instead
    assert why in caplog.text


@pytest.mark.django_db
def test_a_garbled_request_start_is_ignored(rf, settings, caplog):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    before = db_now()

    with caplog.at_level(logging.WARNING, logger="core.receipt"):
        stamp = time_of_receipt(post_from(rf, "10.0.0.2", "t=yesterday"))

    assert stamp >= before - timedelta(seconds=0.5)
    assert "not t=<seconds>" in caplog.text


def test_a_refusal_in_the_deadlines_second_says_both_times_to_the_tenth():
    closes_at = datetime(2026, 12, 18, 11, 0, 0, tzinfo=UTC)  # 14:00 in Nairobi

    message = late_message(closes_at, closes_at + timedelta(milliseconds=412))

    assert message == (
        "The deadline passed at 14:00:00.0 EAT on 18 December; your submission reached us "
        "at 14:00:00.4 EAT. Nothing was saved."
    )


def test_a_refusal_in_the_deadlines_tenth_says_both_to_the_millisecond():
    closes_at = datetime(2026, 12, 18, 11, 0, 0, tzinfo=UTC)

    message = late_message(closes_at, closes_at + timedelta(milliseconds=41))

    assert "passed at 14:00:00.000 EAT" in message and "reached us at 14:00:00.041 EAT" in message


@pytest.mark.django_db
def test_the_receipt_shows_the_time_of_receipt_to_the_tenth(client, consultancy_call, applicant):
    from django.urls import reverse

    from tests.factories import submit_bid

    submission = submit_bid(consultancy_call, applicant)
    client.force_login(applicant)

    page = client.get(reverse("applications:receipt", args=[submission.pk])).content.decode()

    at = submission.submitted_at
    assert f"{at:%H:%M:%S}.{at.microsecond // 100_000} UTC" in page
