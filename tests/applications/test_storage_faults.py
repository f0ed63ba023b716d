"""When private storage fails, the applicant is told plainly and nothing is half-saved.

The contract: a storage endpoint that is down, or a disk that fills up
mid-upload, gives the applicant a clear message and a 4xx, never a 500, and
leaves no rows and no stray objects behind.
"""

import html
import socket
from pathlib import Path

import pytest
from botocore.config import Config
from django.core.files.storage import storages
from django.urls import reverse

from applications.models import SubmissionFile
from core.storage import PrivateFileSystemStorage, PrivateS3Storage
from tests.factories import UserFactory, make_call, multipart_body, pdf_bytes, start_submission

TECHNICAL = "Technical proposal"
FINANCIAL = "Financial proposal"
OFFER = {"offer_amount": "1250000", "offer_currency": "KES"}
# Any of these says what happened and what to do; the exact words are the app's.
PLAIN_WORDS = ("could not store", "could not be stored", "try again")


@pytest.fixture
def dead_endpoint():
    """A loopback port bound but not listening: every connection is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def private_on_dead_s3(settings, dead_endpoint):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "core.storage.PrivateS3Storage",
            "OPTIONS": {
                "bucket_name": "zabuni-private",
                "endpoint_url": dead_endpoint,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "client_config": Config(
                    connect_timeout=1, read_timeout=1, retries={"max_attempts": 0}
                ),
            },
        },
    }
    assert isinstance(storages["private"], PrivateS3Storage)


@pytest.fixture
def applicant(db):
    return UserFactory()


@pytest.fixture
def submission(site_root, applicant):
    return start_submission(make_call(site_root["calls"]), applicant)


@pytest.fixture
def bidder(client, applicant):
    client.force_login(applicant)
    # The contract is about what the applicant sees: a 500 page, not a traceback.
    client.raise_request_exception = False
    return client


def post_proposals(client, submission, *, action="save", version=""):
    call = submission.call
    files = [
        (
            f"document_{call.required_documents.get(name=doc).pk}",
            f"{doc}.pdf",
            pdf_bytes(text=doc + version),
        )
        for doc in (TECHNICAL, FINANCIAL)
    ]
    body, content_type = multipart_body({"action": action, **OFFER}, files)
    return client.post(
        reverse("applications:submission", args=[submission.pk]),
        data=body,
        content_type=content_type,
    )


def assert_refused_plainly(response):
    assert 400 <= response.status_code < 500, (
        f"{response.status_code}: a storage failure must be a 4xx with a message, not a crash"
    )
    page = html.unescape(response.content.decode()).lower()
    assert any(words in page for words in PLAIN_WORDS), page
    assert "nothing was saved" in page


@pytest.mark.parametrize("action", ["save", "submit"])
def test_a_dead_storage_endpoint_refuses_the_upload_plainly(
    bidder, submission, private_on_dead_s3, action
):
    response = post_proposals(bidder, submission, action=action)

    assert_refused_plainly(response)
    assert not SubmissionFile.objects.filter(submission=submission).exists()
    submission.refresh_from_db()
    assert submission.status == "draft"
    assert submission.offer_amount is None


def test_a_disk_that_fills_up_on_the_second_file_leaves_nothing_behind(
    bidder, submission, settings, monkeypatch
):
    real_save = PrivateFileSystemStorage._save
    calls = []

    def save_then_fill_up(self, name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(PrivateFileSystemStorage, "_save", save_then_fill_up)

    response = post_proposals(bidder, submission, action="submit")

    assert len(calls) == 2, "the fault was not reached"
    assert_refused_plainly(response)
    assert not SubmissionFile.objects.filter(submission=submission).exists()
    root = Path(settings.PRIVATE_ROOT)
    assert not [p for p in root.rglob("*") if p.is_file()], "the first file was left behind"
    submission.refresh_from_db()
    assert submission.status == "draft"


def test_a_store_that_fails_to_delete_a_replaced_file_after_commit_costs_nothing(
    bidder, submission, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """The replaced file is deleted after commit; if the store refuses, the saved bid
    stands, the applicant gets their page, and the orphan is logged."""
    assert post_proposals(bidder, submission).status_code == 302
    replaced = set(SubmissionFile.objects.values_list("object_name", flat=True))

    def refuse(self, name):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(PrivateFileSystemStorage, "delete", refuse)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_proposals(bidder, submission, action="submit", version=" v2")

    assert response.status_code == 302
    assert callbacks, "no deletion was asked for after commit"
    submission.refresh_from_db()
    assert submission.status == "submitted"
    for name in replaced:
        assert f"Could not delete unused replaced file {name}" in caplog.text
