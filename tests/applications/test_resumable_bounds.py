"""Unfinished uploads are bounded (issue 21, item 3): one per bid and document, a
byte budget per account, a rate on starts, and a sweep that works in batches.
Tried as a hostile applicant would, through the script's own endpoints."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import PartialUpload
from applications.services.resumable import partial_uploads_sweep
from tests.applications import resumable_support
from tests.applications.resumable_support import MB, PIECE, make_bid, send, start
from tests.factories import build_site, pdf_bytes

PIECE_OVERHEAD = 12 + 16
UUID = re.compile(r"[0-9a-f]{32}")

# The shared fixtures, used by name.
bid, partial_root = resumable_support.bid, resumable_support.partial_root

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("partial_root")]


def bytes_waiting(root) -> int:
    """The bytes of the pieces waiting, as sent: what is stored, less what encrypting
    them adds (applications.services.resumable_pieces: a 12-byte nonce and a 16-byte
    tag per piece)."""
    if not Path(root).exists():
        return 0
    return sum(
        path.stat().st_size - PIECE_OVERHEAD for path in Path(root).rglob("*") if path.is_file()
    )


def test_a_new_start_replaces_the_unfinished_upload_of_the_same_document(bid, partial_root):
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    content = pdf_bytes(size=4 * MB)
    urls = []
    for _attempt in range(5):
        started = start(client, submission, doc, "proposal.pdf", len(content))
        assert started.status_code == 201
        urls.append(started.json()["url"])
        send(client, urls[-1], 0, content[:PIECE])
    # Only the newest is kept, with its bytes; the others are gone, bytes and all.
    assert PartialUpload.objects.filter(finished_at__isnull=True).count() == 1
    assert bytes_waiting(partial_root) == PIECE
    gone = client.get(urls[0])
    assert gone.status_code == 404 and gone.json()["message"]
    assert client.get(urls[-1]).json()["offset"] == PIECE
    # Another document of the same bid has its own.
    assert start(client, submission, bid["financial"], "offer.pdf", MB).status_code == 201
    assert PartialUpload.objects.filter(finished_at__isnull=True).count() == 2


def test_unfinished_uploads_of_one_account_stay_within_a_byte_budget(partial_root):
    # Each call takes two documents of at most 5 MB: a budget of twice that, 20 MB.
    site = build_site()
    first = make_bid(site=site)
    applicant, client = first["applicant"], first["client"]
    bids = [first] + [make_bid(applicant, site=site) for _n in range(2)]
    for each in bids[:2]:
        for doc in (each["doc"], each["financial"]):
            answer = start(client, each["submission"], doc, "proposal.pdf", 5 * MB)
            assert answer.status_code == 201
    refused = start(client, bids[2]["submission"], bids[2]["doc"], "proposal.pdf", MB)
    assert refused.status_code == 400
    assert "unfinished uploads" in refused.json()["message"]
    assert PartialUpload.objects.count() == 4
    # A start that replaces one of them frees its share: it is accepted.
    again = start(client, bids[0]["submission"], bids[0]["doc"], "proposal.pdf", 4 * MB)
    assert again.status_code == 201
    assert PartialUpload.objects.count() == 4


def test_starts_are_rate_limited_with_a_clear_json_answer(bid, settings):
    settings.UPLOAD_START_RATE = "3/m"
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    for _attempt in range(3):
        assert start(client, submission, doc, "proposal.pdf", MB).status_code == 201
    limited = start(client, submission, doc, "proposal.pdf", MB)
    assert limited.status_code == 429
    assert "Wait" in limited.json()["message"]
    assert PartialUpload.objects.count() == 1


def test_the_sweep_deletes_in_batches_never_loading_every_stale_row(bid, partial_root):
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    for n in range(5):
        row = PartialUpload.objects.create(
            submission=submission, requirement=doc, owner=bid["applicant"], name=f"{n}.pdf", size=9
        )
        (Path(partial_root) / str(row.pk)).mkdir()
        (Path(partial_root) / str(row.pk) / f"{0:016d}").write_bytes(b"sealed piece")
    fresh_url = start(client, submission, bid["financial"], "offer.pdf", MB).json()["url"]
    assert send(client, fresh_url, 0, pdf_bytes(size=MB)[:1000]).status_code == 200
    later = timezone.now() + timedelta(days=1, minutes=1)
    PartialUpload.objects.exclude(name="offer.pdf").update(started_at=later - timedelta(days=2))

    with CaptureQueriesContext(connection) as queries:
        assert partial_uploads_sweep(now=later - timedelta(minutes=2), batch=2) == 5
    reads = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and "applications_partialupload" in q["sql"]
    ]
    # Three batches (2 + 2 + 1), each read with a LIMIT; any other read names the
    # rows of one batch, never more.
    assert len([sql for sql in reads if "LIMIT 2" in sql]) == 3, reads
    assert all("LIMIT 2" in sql or len(UUID.findall(sql)) <= 2 for sql in reads), reads
    assert list(PartialUpload.objects.values_list("name", flat=True)) == ["offer.pdf"]
    assert [p.name for p in Path(partial_root).iterdir()] == [fresh_url.strip("/").split("/")[-1]]


def test_the_sweep_removes_pieces_that_no_upload_owns(bid, partial_root):
    """Pieces are written only under their upload's row, once committed: pieces without
    a row were left by a deletion that failed, and go with the next sweep."""
    client, submission, doc = bid["client"], bid["submission"], bid["doc"]
    url = start(client, submission, doc, "proposal.pdf", MB).json()["url"]
    assert send(client, url, 0, pdf_bytes(size=MB)[:1000]).status_code == 200
    owned = Path(partial_root) / url.strip("/").split("/")[-1]
    orphan = Path(partial_root) / "5ed2f104-a3f7-4c35-92d1-d5a936200000"
    orphan.mkdir()
    (orphan / f"{0:016d}").write_bytes(b"left by a deletion that failed")
    stranger = Path(partial_root) / "not-an-upload"
    stranger.mkdir()
    (stranger / "notes.txt").write_bytes(b"not ours")
    partial_uploads_sweep()  # the upload itself is fresh: it and its pieces stay
    assert sorted(p.name for p in Path(partial_root).iterdir()) == sorted(
        [owned.name, stranger.name]
    )
    assert len(list(owned.iterdir())) == 1
