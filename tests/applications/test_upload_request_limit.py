"""A bid form request larger than the upload limit: refused with 413 before its body
is read (CSRF checks on, as in production), and nothing is saved.
"""

import html

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client
from django.urls import reverse

from tests.applications import upload_support
from tests.applications.upload_support import (
    TECHNICAL,
    assert_nothing_saved,
    field_for,
    post_files,
)
from tests.factories import multipart_body, pdf_bytes

# The shared fixtures, used by name.
call, applicant = upload_support.call, upload_support.applicant
submission, bidder = upload_support.submission, upload_support.bidder


# --- The whole request is too large --------------------------------------


def test_a_request_over_the_upload_limit_gets_413_and_saves_nothing(bidder, submission, settings):
    settings.MAX_UPLOAD_REQUEST_MB = 1

    response = post_files(
        bidder, submission, [(TECHNICAL, "proposal.pdf", pdf_bytes(size=1536 * 1024))]
    )

    assert response.status_code == 413
    page = html.unescape(response.content.decode())
    assert "larger than 1 MB" in page
    assert "Nothing was saved" in page
    assert_nothing_saved(submission, settings)


UPLOADS_READ = []


class TripwireUploadHandler(TemporaryFileUploadHandler):
    """Stores uploads as usual, and notes that the request body was parsed."""

    def new_file(self, *args, **kwargs):
        UPLOADS_READ.append(args[1])
        return super().new_file(*args, **kwargs)


def test_a_request_over_the_upload_limit_is_refused_before_its_body_is_read(
    applicant, submission, settings
):
    """With CSRF checks on, as in production, the refusal must still come first.

    portal/settings/files.py promises that a request larger than MAX_UPLOAD_REQUEST_MB "is
    refused before it is read": otherwise a client can make the server
    write hundreds of megabytes to its temporary folder just to be told no.
    """
    settings.MAX_UPLOAD_REQUEST_MB = 1
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.TripwireUploadHandler"]
    UPLOADS_READ.clear()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(applicant)
    url = reverse("applications:submission", args=[submission.pk])
    browser.get(url)
    token = browser.cookies["csrftoken"].value
    body, content_type = multipart_body(
        {"csrfmiddlewaretoken": token, "action": "save"},
        [(field_for(submission.call, TECHNICAL), "big.pdf", pdf_bytes(size=1536 * 1024))],
    )

    response = browser.post(url, data=body, content_type=content_type)

    assert response.status_code == 413
    assert "larger than 1 MB" in html.unescape(response.content.decode())
    assert UPLOADS_READ == [], "the body was parsed and stored to disk before the refusal"
    assert_nothing_saved(submission, settings)
