"""Refusals Django's middleware gives before an upload view runs are JSON too:
a session ended by its idle limit, a second factor still owed, a request too big.
The page's script reads an HTML answer as a dropped connection and would resend
the piece for ever (issue 21, item 3: every answer under the upload routes)."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.session_limits import SEEN, STARTED
from tests.applications import resumable_support
from tests.applications.resumable_support import MB, start
from tests.factories import StaffFactory, pdf_bytes

bid, partial_root = resumable_support.bid, resumable_support.partial_root

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("partial_root")]


def assert_json(answer, status):
    assert answer.status_code == status, answer.content[:300]
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["message"]
    return answer.json()["message"]


def test_a_request_too_big_for_an_upload_route_is_refused_in_json(bid, settings):
    url = start(bid["client"], bid["submission"], bid["doc"], "proposal.pdf", MB).json()["url"]
    too_big = str(settings.MAX_UPLOAD_REQUEST_MB * MB + 1)

    answer = bid["client"].post(
        url, b"%PDF", content_type="application/octet-stream", HTTP_UPLOAD_OFFSET="0",
        CONTENT_LENGTH=too_big,
    )  # fmt: skip

    assert "MB" in assert_json(answer, 413)


def test_a_request_too_big_elsewhere_still_gets_the_page(bid, settings):
    too_big = str(settings.MAX_UPLOAD_REQUEST_MB * MB + 1)
    answer = bid["client"].post(
        reverse("applications:submission", args=[bid["submission"].pk]), {},
        CONTENT_LENGTH=too_big,
    )  # fmt: skip
    assert answer.status_code == 413
    assert answer["Content-Type"].startswith("text/html")


def test_a_staff_session_past_its_idle_limit_is_refused_in_json(partial_root, settings):
    made = resumable_support.make_bid(StaffFactory())
    client = made["client"]
    url = start(client, made["submission"], made["doc"], "proposal.pdf", MB).json()["url"]
    session = client.session
    long_ago = int(time.time()) - int(settings.STAFF_SESSION_IDLE.total_seconds()) - 60
    session[STARTED], session[SEEN] = long_ago, long_ago
    session.save()

    answer = client.post(
        url, pdf_bytes(), content_type="application/octet-stream", HTTP_UPLOAD_OFFSET="0"
    )

    assert "Sign in again" in assert_json(answer, 401)


@pytest.mark.password_only
def test_a_second_factor_still_owed_is_refused_in_json(partial_root):
    made = resumable_support.make_bid(StaffFactory())
    client = Client()
    client.force_login(made["applicant"])  # password only: no second factor verified

    answer = client.post(
        reverse("applications:upload_start", args=[made["submission"].pk]),
        {"requirement": made["doc"].pk, "name": "proposal.pdf", "size": MB},
        content_type="application/json",
    )

    assert "second factor" in assert_json(answer, 403)
