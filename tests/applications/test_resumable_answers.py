"""The resumable upload routes always answer like an API (issue 21, items 3 and 4):
JSON with a message for any body, any refusal and any method; a refused file is a
4xx; and a request at the end of the file finishes it, once, whatever was lost."""

import hashlib
import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from applications.models import PartialUpload, Submission, SubmissionFile
from tests.applications import resumable_support
from tests.applications.resumable_support import MB, PIECE, send, send_all, start
from tests.applications.test_hostile_uploads import bomb
from tests.factories import UserFactory, pdf_bytes, private_objects

# The shared fixtures, used by name.
bid, partial_root = resumable_support.bid, resumable_support.partial_root

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("partial_root")]


def start_raw(client, submission, body: bytes | str):
    return client.post(
        reverse("applications:upload_start", args=[submission.pk]),
        body,
        content_type="application/json",
    )


def assert_json_refusal(answer, status: int) -> str:
    assert answer.status_code == status, answer.content[:300]
    assert answer["Content-Type"] == "application/json"
    message = answer.json()["message"]
    assert message
    return message


@pytest.mark.parametrize(
    "body",
    [
        "[1, 2, 3]",
        "null",
        '"upload"',
        "42",
        '{"requirement": %(doc)s, "name": "proposal.pdf", "size": 1e400}',
        '{"requirement": %(doc)s, "name": "proposal.pdf", "size": -1e400}',
        '{"requirement": %(doc)s, "name": "proposal.pdf", "size": "lots"}',
        '{"requirement": %(doc)s, "name": "proposal.pdf", "size": 12.5}',
        '{"requirement": %(doc)s, "name": "proposal.pdf", "size": -5}',
        '{"requirement": %(doc)s, "name": ["proposal.pdf"], "size": 1000}',
        '{"requirement": [%(doc)s], "name": "proposal.pdf", "size": 1000}',
        '{"requirement": 1e400, "name": "proposal.pdf", "size": 1000}',
        '{"name": "proposal.pdf", "size": 1000}',
        "[" * 3000 + "]" * 3000,
        "not json",
        b"\xff\xfe\x00",
    ],
)
def test_a_start_body_that_is_not_a_sane_object_gets_a_json_400(bid, body):
    if isinstance(body, str):
        body = body % {"doc": bid["doc"].pk} if "%(doc)s" in body else body
    answer = start_raw(bid["client"], bid["submission"], body)
    assert_json_refusal(answer, 400)
    assert not PartialUpload.objects.exists()


def test_an_absurd_size_is_refused_in_plain_words(bid):
    answer = start(bid["client"], bid["submission"], bid["doc"], "proposal.pdf", 10**30)
    message = assert_json_refusal(answer, 400)
    assert "5 MB" in message
    assert "953674316406250018963456" not in message
    assert not PartialUpload.objects.exists()


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("tool.pdf", b"MZ\x90\x00" + b"\x00" * 5000, "its content is not a PDF file"),
        ("page.pdf", b"<!DOCTYPE html><html><body>hi</body></html>" * 50, "not a PDF file"),
        ("big-entry.docx", None, "would expand to more than 250 MB"),
    ],
)
def test_a_finished_upload_whose_file_is_refused_answers_4xx(
    bid, partial_root, name, content, says
):
    content = content if content is not None else bomb(300 * MB)
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, name, len(content)).json()["url"]
    final = send_all(client, url, content)
    message = assert_json_refusal(final, 400)
    assert says in message
    assert final.json()["done"] is True and "file" not in final.json()
    assert not SubmissionFile.objects.filter(submission=submission).exists()
    assert private_objects() == []
    assert list(Path(partial_root).iterdir()) == []
    # Asking where it stands says the same: done, and not kept.
    state = client.get(url).json()
    assert state["done"] and state["kept"] is False and says in state["message"]


def test_a_piece_whose_csrf_check_fails_gets_json(bid):
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, "proposal.pdf", MB).json()["url"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bid["applicant"])
    message = assert_json_refusal(send(strict, url, 0, b"%PDF-1.4"), 403)
    assert "Reload the page" in message
    message = assert_json_refusal(start(strict, submission, doc, "proposal.pdf", MB), 403)
    assert "Reload the page" in message
    assert PartialUpload.objects.get().received == 0


def test_someone_elses_bid_or_a_missing_one_gets_a_json_404(bid):
    other = Client()
    other.force_login(UserFactory())
    assert_json_refusal(start(other, bid["submission"], bid["doc"], "x.pdf", 1000), 404)
    missing = Submission(pk=bid["submission"].pk + 1000)
    assert_json_refusal(start(bid["client"], missing, bid["doc"], "x.pdf", 1000), 404)
    assert not PartialUpload.objects.exists()


def test_a_method_the_routes_do_not_take_gets_a_json_405(bid):
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, "proposal.pdf", MB).json()["url"]
    assert_json_refusal(
        client.get(reverse("applications:upload_start", args=[submission.pk])), 405
    )
    answer = client.put(url, b"x", content_type="application/octet-stream")
    assert_json_refusal(answer, 405)
    assert "POST" in answer["Allow"]


def test_a_worker_that_died_inside_the_finish_leaves_an_upload_a_retry_finishes(bid, partial_root):
    """The whole file arrived, but the worker died while checking and storing it: the
    row says ``received == size``, unfinished. A request at that offset finishes it."""
    content = pdf_bytes(size=600 * 1024)
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, "proposal.pdf", len(content)).json()["url"]
    send_all(client, url, content, upto=2 * PIECE)
    upload = PartialUpload.objects.get()
    # The last piece written (encrypted, under the page's key), then the worker died.
    resumable_support.write_piece(url, 2 * PIECE, content[2 * PIECE :])
    PartialUpload.objects.filter(pk=upload.pk).update(received=len(content))

    state = client.get(url).json()
    assert (state["offset"], state["done"]) == (len(content), False)
    finished = send(client, url, len(content), b"")
    assert finished.status_code == 200, finished.content
    sha = hashlib.sha256(content).hexdigest()
    assert finished.json()["done"] and finished.json()["file"]["sha256"] == sha
    assert SubmissionFile.objects.get(submission=submission).sha256 == sha
    assert list(Path(partial_root).iterdir()) == []


def test_a_lost_last_answer_is_answered_again_without_a_second_file(bid):
    content = pdf_bytes(size=600 * 1024)
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, "proposal.pdf", len(content)).json()["url"]
    first = send_all(client, url, content).json()
    assert first["done"] and first["file"]
    # The answer was lost: the script sends the last piece again, or asks at the end.
    again = send(client, url, 2 * PIECE, content[2 * PIECE :])
    assert again.status_code == 409 and again.json()["offset"] == len(content)
    for _attempt in range(2):
        repeat = send(client, url, len(content), b"")
        assert repeat.status_code == 200
        assert repeat.json() == first
    assert SubmissionFile.objects.filter(submission=submission).count() == 1


def test_a_refused_file_is_refused_again_at_the_end_and_never_kept(bid):
    content = b"not a pdf at all" * 100
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, "proposal.pdf", len(content)).json()["url"]
    first = send_all(client, url, content)
    repeat = send(client, url, len(content), b"")
    assert repeat.status_code == first.status_code == 400
    assert json.loads(repeat.content) == json.loads(first.content)
    assert not SubmissionFile.objects.exists()
