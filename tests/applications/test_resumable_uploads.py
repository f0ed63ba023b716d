"""Uploads a piece at a time, resumed after a dropped connection (issue 13, item 2;
applications.services.resumable), through the same JSON endpoints the bid page's
script uses."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import PartialUpload, SubmissionFile
from tenders.models import CallPage
from tests.applications import resumable_support
from tests.applications.resumable_support import MB, send, start
from tests.applications.test_hostile_uploads import bomb
from tests.factories import UserFactory, pdf_bytes, private_objects

# The shared fixtures, used by name.
bid, partial_root = resumable_support.bid, resumable_support.partial_root

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("partial_root")]


def test_a_file_sent_in_pieces_is_kept_on_the_draft(bid, partial_root):
    content = pdf_bytes(size=700 * 1024)
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    started = start(client, submission, doc, "proposal.pdf", len(content))
    assert started.status_code == 201
    url, piece = started.json()["url"], started.json()["piece"]
    offset = 0
    while offset < len(content):
        answer = send(client, url, offset, content[offset : offset + piece])
        assert answer.status_code == 200, answer.json()
        offset = answer.json()["offset"]
    final = answer.json()
    assert final["done"] and final["kept"] and "message" not in final
    assert final["file"]["sha256"] == hashlib.sha256(content).hexdigest()
    kept = SubmissionFile.objects.get(submission=submission, requirement=doc)
    assert (kept.size, kept.original_name) == (len(content), "proposal.pdf")
    assert list(Path(partial_root).iterdir()) == []  # the partial bytes are gone
    page = client.get(reverse("applications:submission", args=[submission.pk])).content.decode()
    assert "proposal.pdf" in page
    submission.refresh_from_db()
    assert submission.is_draft  # kept, not submitted


def test_after_a_dropped_connection_it_goes_on_from_where_the_server_stands(bid):
    content = pdf_bytes(size=600 * 1024)
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, "proposal.pdf", len(content)).json()["url"]
    piece = 256 * 1024
    assert send(client, url, 0, content[:piece]).json()["offset"] == piece
    # The second piece is lost on the way; the script asks where things stand.
    assert client.get(url).json() == {"offset": piece, "size": len(content), "done": False}
    # A piece sent again, or from the wrong place, is refused with the right offset.
    again = send(client, url, 0, content[:piece])
    assert again.status_code == 409 and again.json()["offset"] == piece
    ahead = send(client, url, 2 * piece, content[2 * piece :])
    assert ahead.status_code == 409 and ahead.json()["offset"] == piece
    send(client, url, piece, content[piece : 2 * piece])
    final = send(client, url, 2 * piece, content[2 * piece :]).json()
    assert final["done"] and final["file"]["sha256"] == hashlib.sha256(content).hexdigest()


def test_nobody_else_can_see_or_touch_an_upload(bid):
    content = pdf_bytes(size=300 * 1024)
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, "proposal.pdf", len(content)).json()["url"]
    other = Client()
    other.force_login(UserFactory())
    assert other.get(url).status_code == 404
    assert send(other, url, 0, content[:1000]).status_code == 404
    assert start(other, submission, doc, "x.pdf", 1000).status_code == 404
    assert PartialUpload.objects.get().received == 0


@pytest.mark.parametrize(
    "name, size, says",
    [
        ("tool.exe", 1000, "a .exe file is not accepted; send PDF, DOCX"),
        ("proposal.pdf", 0, "the file is empty"),
        ("proposal.pdf", 6 * MB, "the file is 6.0 MB; the limit is 5 MB"),
    ],
)
def test_a_file_that_cannot_be_accepted_is_refused_before_any_byte(bid, name, size, says):
    answer = start(bid["client"], bid["submission"], bid["doc"], name, size)
    assert answer.status_code == 400
    assert says in answer.json()["message"]
    assert not PartialUpload.objects.exists()


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("proposal.pdf", b"not a pdf at all" * 100, "its content is not a PDF file"),
        ("big-entry.docx", None, "would expand to more than 250 MB"),
    ],
)
def test_a_whole_file_passes_the_forms_own_checks_or_nothing_is_kept(
    bid, partial_root, name, content, says
):
    content = content if content is not None else bomb(300 * MB)
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, name, len(content)).json()["url"]
    offset, piece = 0, 256 * 1024
    while offset < len(content):
        answer = send(client, url, offset, content[offset : offset + piece])
        if answer.json()["done"]:
            break
        assert answer.status_code == 200
        offset = answer.json()["offset"]
    assert answer.status_code == 400  # the file is refused: a 4xx, not a success
    final = answer.json()
    assert final["done"] and says in final["message"] and "file" not in final
    assert not SubmissionFile.objects.filter(submission=submission).exists()
    assert private_objects() == []
    assert list(Path(partial_root).iterdir()) == []


def test_a_piece_after_the_deadline_is_refused_with_both_times(bid):
    content = pdf_bytes(size=300 * 1024)
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, "proposal.pdf", len(content)).json()["url"]
    CallPage.objects.filter(pk=bid["call"].pk).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    answer = send(client, url, 0, content[: 256 * 1024])
    assert answer.status_code in (403, 424)
    assert "The deadline passed at" in answer.json()["message"]
    assert PartialUpload.objects.get().received == 0


def test_a_piece_larger_than_a_piece_may_be_is_refused(bid):
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, "proposal.pdf", 2 * MB).json()["url"]
    answer = send(client, url, 0, b"x" * (300 * 1024))
    assert answer.status_code == 413 and "at most" in answer.json()["message"]


def test_an_upload_left_unfinished_for_a_day_is_swept_with_its_bytes(bid, partial_root):
    from applications.services.resumable import partial_uploads_sweep

    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, "proposal.pdf", 400 * 1024).json()["url"]
    send(client, url, 0, pdf_bytes(size=400 * 1024)[: 256 * 1024])
    assert partial_uploads_sweep() == 0  # fresh: kept
    assert len(list(Path(partial_root).iterdir())) == 1
    assert partial_uploads_sweep(now=timezone.now() + timedelta(days=1, minutes=1)) == 1
    assert not PartialUpload.objects.exists()
    assert list(Path(partial_root).iterdir()) == []
    assert client.get(url).status_code == 404


def test_a_signed_out_script_gets_a_clear_json_refusal_not_a_sign_in_page(bid):
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, "proposal.pdf", 300 * 1024).json()["url"]
    client.logout()
    for answer in (
        start(client, submission, doc, "proposal.pdf", 1000),
        client.get(url),
        send(client, url, 0, b"%PDF-1.4"),
    ):
        assert answer.status_code == 403
        assert "Sign in again" in answer.json()["message"]
    assert PartialUpload.objects.get().received == 0


def test_pieces_wait_in_storage_encrypted_under_a_key_only_the_page_holds(bid, partial_root):
    """A copy of the store half-way through an upload: the pieces are there, encrypted;
    the key is neither in storage nor in the database; a page without it cannot go on."""
    marker = "Nyaraka za siri za Baraka 9034"
    content = pdf_bytes(size=700 * 1024, text=marker)
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    started = start(client, submission, doc, "proposal.pdf", len(content)).json()
    url, key = started["url"], started["key"]
    half = 256 * 1024 - 1000
    assert send(client, url, 0, content[:half]).status_code == 200

    (folder,) = Path(partial_root).iterdir()
    (piece,) = folder.iterdir()
    on_disk = piece.read_bytes()
    assert len(on_disk) > half
    for needle in (marker.encode(), b"%PDF", content[2000:2064], marker.encode("utf-16-le")):
        assert needle not in on_disk
    import base64

    raw_key = base64.urlsafe_b64decode(key)
    (row,) = PartialUpload.objects.filter(pk=folder.name).values_list()
    for column in row:
        value = bytes(column) if isinstance(column, bytes | memoryview) else str(column).encode()
        assert raw_key not in value and key.encode() not in value
    assert raw_key not in on_disk

    import os

    stranger = base64.urlsafe_b64encode(os.urandom(32)).decode()
    refused = send(client, url, half, content[half : half + 1000], key=stranger)
    assert refused.status_code == 409
    assert "only the page that started it" in refused.json()["message"]
    for not_a_key in ("", "AAAA", "!!"):  # missing, too short, not base64: never a 500
        answer = send(client, url, half, content[half : half + 1000], key=not_a_key)
        assert answer.status_code in (400, 409), answer.content

    offset = half
    while offset < len(content):
        answer = send(client, url, offset, content[offset : offset + 256 * 1024])
        assert answer.status_code == 200, answer.json()
        offset = answer.json()["offset"]
    assert answer.json()["kept"]
    kept = SubmissionFile.objects.get(submission=submission, requirement=doc)
    assert kept.sha256 == hashlib.sha256(content).hexdigest() and kept.call_key_id
    from tests.sealing_support import stored_plaintext

    assert stored_plaintext(kept) == content
