"""What the resumable upload tests share: a draft with two documents, its owner's
client, and the two requests the bid page's script sends (start, and a piece)."""

import base64
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, build_site, make_call, start_submission

MB = 1024 * 1024
PIECE = 256 * 1024


@pytest.fixture
def partial_root(settings):
    """Where unfinished uploads' pieces wait: a folder of this test's private storage
    (one folder per upload, one object per piece)."""
    settings.UPLOAD_PIECE_BYTES = PIECE
    root = Path(settings.PRIVATE_ROOT) / "partial-uploads"
    root.mkdir(parents=True, exist_ok=True)
    return root


def write_piece(url: str, offset: int, data: bytes) -> None:
    """A piece written as the server writes it, under the page's key (a worker that
    died before it counted the piece)."""
    from applications.services.resumable_pieces import piece_write

    key = base64.urlsafe_b64decode(KEYS[url])
    piece_write(url.strip("/").split("/")[-1], offset, data, key)


def make_bid(applicant=None, *, site=None) -> dict:
    """A draft on a new call with two documents of at most 5 MB each, and a client
    signed in as its owner."""
    call = make_call(
        (site or build_site())["calls"],
        documents=[
            ("Technical proposal", "technical", True, "pdf,docx", 5),
            ("Financial proposal", "financial", True, "pdf", 5),
        ],
    )
    applicant = applicant or UserFactory()
    submission = start_submission(call, applicant)
    client = Client()
    client.force_login(applicant)
    return {
        "call": call,
        "submission": submission,
        "client": client,
        "applicant": applicant,
        "doc": call.required_documents.get(name="Technical proposal"),
        "financial": call.required_documents.get(name="Financial proposal"),
    }


@pytest.fixture
def bid(partial_root):
    return make_bid()


# Each upload's key, as the bid page's script keeps it (the server does not): by URL.
KEYS: dict[str, str] = {}


def start(client, submission, doc, name, size):
    response = client.post(
        reverse("applications:upload_start", args=[submission.pk]),
        {"requirement": doc.pk, "name": name, "size": size},
        content_type="application/json",
    )
    if response.status_code == 201:
        KEYS[response.json()["url"]] = response.json()["key"]
    return response


def send(client, url, offset, data, *, key=None):
    return client.post(
        url,
        data,
        content_type="application/octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        HTTP_UPLOAD_KEY=KEYS.get(url, "") if key is None else key,
    )


def send_all(client, url, content, *, upto=None):
    """Send ``content`` piece by piece (up to byte ``upto``); the last answer."""
    offset, answer, end = 0, None, len(content) if upto is None else upto
    while offset < end:
        answer = send(client, url, offset, content[offset : min(offset + PIECE, end)])
        if answer.status_code != 200:
            return answer
        offset = answer.json()["offset"]
    return answer
