"""Unfinished uploads wait in the shared private storage (issue 25, item 3): on S3, one
encrypted object per piece, so any web host can take the next piece; a store that
fails mid-upload costs that piece only, with a clear 424, and the upload goes on."""

import hashlib

import pytest
from botocore.config import Config
from django.core.files.storage import storages

from applications.models import PartialUpload, SubmissionFile
from tests import s3_support
from tests.applications import resumable_support
from tests.applications.resumable_support import PIECE, make_bid, send, start
from tests.factories import pdf_bytes
from tests.sealing_support import stored_plaintext

s3_endpoint, s3, bucket, private_on_s3 = (
    s3_support.s3_endpoint,
    s3_support.s3,
    s3_support.bucket,
    s3_support.private_on_s3,
)
partial_root = resumable_support.partial_root

pytestmark = [pytest.mark.services, pytest.mark.django_db, pytest.mark.usefixtures("partial_root")]


def keys(s3, bucket, prefix="") -> list[str]:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return sorted(item["Key"] for item in listed)


def test_pieces_wait_in_the_bucket_encrypted_and_go_when_the_file_is_kept(private_on_s3, s3):
    bid = make_bid()
    marker = "Mpango wa kazi wa Amani 5521"
    content = pdf_bytes(size=600 * 1024, text=marker)
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, "proposal.pdf", len(content)).json()["url"]
    upload_id = url.strip("/").split("/")[-1]
    for offset in (0, PIECE):
        assert send(client, url, offset, content[offset : offset + PIECE]).status_code == 200

    waiting = keys(s3, private_on_s3, "partial-uploads/")
    assert waiting == [
        f"partial-uploads/{upload_id}/{0:016d}",
        f"partial-uploads/{upload_id}/{PIECE:016d}",
    ]
    for key in waiting:
        body = s3.get_object(Bucket=private_on_s3, Key=key)["Body"].read()
        assert marker.encode() not in body and b"%PDF" not in body
        assert len(body) == PIECE + 12 + 16

    last = send(client, url, 2 * PIECE, content[2 * PIECE :])
    assert last.status_code == 200 and last.json()["done"], last.content
    stored = SubmissionFile.objects.get(submission=submission)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored_plaintext(stored) == content
    assert keys(s3, private_on_s3, "partial-uploads/") == []
    assert keys(s3, private_on_s3) == [stored.object_name]


def test_a_store_down_for_one_piece_refuses_it_plainly_and_the_upload_goes_on(
    settings, private_on_s3, s3
):
    bid = make_bid()
    content = pdf_bytes(size=600 * 1024)
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    client.raise_request_exception = False
    url = start(client, submission, doc, "proposal.pdf", len(content)).json()["url"]
    assert send(client, url, 0, content[:PIECE]).status_code == 200

    working = settings.STORAGES
    options = {
        **working["private"]["OPTIONS"],
        "endpoint_url": "http://127.0.0.1:9",  # nothing listens on the discard port
        "client_config": Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 0}),
    }
    settings.STORAGES = {**working, "private": {**working["private"], "OPTIONS": options}}
    assert storages["private"].endpoint_url == "http://127.0.0.1:9"
    refused = send(client, url, PIECE, content[PIECE : 2 * PIECE])
    assert refused.status_code == 424
    assert "not counted" in refused.json()["message"]
    assert PartialUpload.objects.get().received == PIECE

    settings.STORAGES = working
    assert client.get(url).json()["offset"] == PIECE
    offset = PIECE
    while offset < len(content):
        answer = send(client, url, offset, content[offset : offset + PIECE])
        assert answer.status_code == 200, answer.content
        offset = answer.json()["offset"]
    assert answer.json()["done"] and answer.json()["kept"]
    assert stored_plaintext(SubmissionFile.objects.get(submission=submission)) == content
    assert keys(s3, private_on_s3, "partial-uploads/") == []
