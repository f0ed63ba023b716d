"""Hostile uploads get a clear 4xx on the portal's own pages, and nothing is stored:
archive bombs, archives inside archives, huge entries, names too long or blank,
forged requests and malformed bodies."""

import functools
import io
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from applications.models import SubmissionFile
from applications.uploads import check_upload
from core.errors import Refused
from tests.applications import upload_support
from tests.applications.upload_support import (
    TECHNICAL,
    assert_nothing_saved,
    post_files,
    refusal_for,
)
from tests.factories import docx_bytes, make_call, xlsx_bytes

# The shared fixtures, used by name (``submission`` takes this module's ``call``).
applicant, submission, bidder = (
    upload_support.applicant,
    upload_support.submission,
    upload_support.bidder,
)

MB = 1024 * 1024


def zeros_entry(archive, name: str, size: int) -> None:
    """Write an entry of ``size`` zero bytes, compressed as it streams (never whole in memory)."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as entry:
        chunk = bytes(MB)
        for _ in range(size // MB):
            entry.write(chunk)


def bomb(size: int, *, name="payload.bin", extra=None, ordinary=True) -> bytes:
    """A zip of ``size`` zero bytes (plus ``extra`` entries), made once per run: deflating
    a gibibyte of zeros takes seconds, and the same bombs serve many tests."""
    return _bomb(size, name, tuple(sorted((extra or {}).items())), ordinary)


@functools.cache
def _bomb(size: int, name: str, extra: tuple, ordinary: bool) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry_name, content in extra:
            archive.writestr(entry_name, content)
        if ordinary:
            archive.writestr("word/document.xml", b'<?xml version="1.0"?><w:document/>')
        zeros_entry(archive, name, size)
    return buffer.getvalue()


def docx_with(extra: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", b'<?xml version="1.0"?><w:document/>')
        for name, content in extra.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def call(site_root):
    return make_call(
        site_root["calls"],
        documents=[
            (TECHNICAL, "technical", True, "pdf,docx,odt,zip", 20),
            ("Financial proposal", "financial", True, "pdf,xlsx", 5),
        ],
    )


def check(name: str, data: bytes, accepted=("pdf", "docx", "odt", "zip")):
    upload = SimpleUploadedFile(name, data)
    return check_upload(upload, accepted=list(accepted), max_bytes=20 * MB, label=TECHNICAL)


# --- Archives ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, says",
    [
        ("bomb.zip", lambda: bomb(1024 * MB, ordinary=False), "would expand to more than 250 MB"),
        ("big-entry.docx", lambda: bomb(300 * MB), "would expand to more than 250 MB"),
        ("tight.docx", lambda: bomb(200 * MB), "expands more than 100 times"),
        (
            "nested.zip",
            lambda: docx_with({"inner.zip": docx_bytes()}),
            "contains another archive (inner.zip)",
        ),
        (
            "nested.docx",
            lambda: docx_with({"word/media/smuggled.docx": docx_bytes()}),
            "contains another archive",
        ),
        (
            "bomb-in-chart.docx",
            lambda: docx_with({"word/embeddings/chart.xlsx": bomb(200 * MB, name="xl/huge.xml")}),
            "expands more than 100 times",
        ),
        (
            "two-deep.docx",
            lambda: docx_with(
                {"word/embeddings/chart.xlsx": docx_with({"inner.zip": docx_bytes()})}
            ),
            "contains another archive",
        ),
    ],
    ids=[
        "1-gib-class-zip-bomb",
        "docx-huge-entry",
        "ratio",
        "zip-in-zip",
        "docx-in-docx",
        "bomb-in-embedding",
        "archive-in-embedding",
    ],
)
def test_archive_bombs_and_nested_archives_are_refused_with_a_reason(name, data, says):
    with pytest.raises(Refused) as refusal:
        check(name, data())
    assert refusal.value.status_code == 400
    assert refusal.value.message.startswith(f"{TECHNICAL}: ")
    assert says in refusal.value.message


def test_an_office_document_with_an_embedded_chart_is_accepted():
    assert check("chart.docx", docx_with({"word/embeddings/chart.xlsx": xlsx_bytes()})) == (
        "chart.docx"
    )


def test_a_huge_mimetype_entry_is_never_inflated_whole():
    """An ODT-like file whose mimetype entry inflates to 200 MB: refused, in little memory."""
    data = bomb(200 * MB, name="mimetype", ordinary=False)
    tracemalloc.start()
    try:
        with pytest.raises(Refused):
            check("sly.odt", data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB"


def test_a_zip_bomb_through_the_bid_form_is_refused_and_nothing_is_stored(
    bidder, submission, settings
):
    response = post_files(bidder, submission, [(TECHNICAL, "bomb.zip", bomb(300 * MB))])

    assert response.status_code == 400
    assert "decompression bombs" in refusal_for(response, TECHNICAL)
    assert_nothing_saved(submission, settings)


def test_a_corrupt_archive_is_refused_as_not_what_it_claims():
    data = bytearray(docx_bytes())
    data[40:60] = b"\x00" * 20  # damage the first entry's compressed data
    with pytest.raises(Refused) as refusal:
        check("broken.docx", bytes(data))
    assert "is not a DOCX file" in refusal.value.message
    assert zlib  # the damage is in the deflate stream, read by zlib


# --- Names --------------------------------------------------------------------------


def test_a_name_with_a_300_character_extension_gets_a_clear_4xx(bidder, submission, settings):
    long_name = "proposal." + "x" * 300
    response = post_files(bidder, submission, [(TECHNICAL, long_name, b"%PDF-1.4 tiny")])

    assert response.status_code == 400
    refusal = refusal_for(response, TECHNICAL)
    assert "is not accepted" in refusal
    assert_nothing_saved(submission, settings)


def test_a_name_of_any_length_is_shortened_and_kept(bidder, submission, settings, call):
    from applications.demo import tiny_pdf

    long_name = "Proposal " + "very " * 120 + "long.pdf"  # 617 characters
    response = post_files(bidder, submission, [(TECHNICAL, long_name, tiny_pdf("long"))])

    assert response.status_code == 302
    stored = SubmissionFile.objects.get(submission=submission)
    assert len(stored.original_name) == 150
    assert stored.original_name.startswith("Proposal very")
    assert stored.original_name.endswith(".pdf")


def test_a_name_too_long_to_parse_gets_a_page_that_says_so(bidder, submission, settings):
    """Django's parser stops at 1 KB of part headers; the page says why, not just 400."""
    from applications.demo import tiny_pdf

    long_name = "Proposal " + "very " * 400 + "long.pdf"
    response = post_files(bidder, submission, [(TECHNICAL, long_name, tiny_pdf("long"))])

    assert response.status_code == 400
    assert "A file name was too long for us to read" in response.content.decode()
    assert_nothing_saved(submission, settings)


def test_a_name_that_shows_as_blank_gets_a_readable_fallback(bidder, submission):
    from applications.demo import tiny_pdf

    response = post_files(bidder, submission, [(TECHNICAL, "\uffa0\u3164.pdf", tiny_pdf("x"))])

    assert response.status_code == 302
    assert SubmissionFile.objects.get(submission=submission).original_name == "file.pdf"


def test_the_size_refusal_shows_sizes_that_differ(call):
    upload = SimpleUploadedFile("proposal.pdf", b"%PDF-" + bytes(10 * MB - 4))
    with pytest.raises(Refused) as refusal:
        check_upload(upload, accepted=["pdf"], max_bytes=10 * MB, label=TECHNICAL)
    assert refusal.value.message == (
        f"{TECHNICAL}: the file is 10,485,761 bytes; the limit is 10,485,760 bytes (10 MB)."
    )
    upload = SimpleUploadedFile("proposal.pdf", b"%PDF-" + bytes(int(10.04 * MB)))
    with pytest.raises(Refused) as refusal:
        check_upload(upload, accepted=["pdf"], max_bytes=10 * MB, label=TECHNICAL)
    assert "the file is 10.04 MB; the limit is 10 MB." in refusal.value.message


# --- Error pages ----------------------------------------------------------------------


def test_a_forged_or_expired_form_gets_the_portals_own_page(applicant, submission):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)

    response = client.post(
        reverse("applications:submission", args=[submission.pk]), {"action": "save"}
    )

    assert response.status_code == 403
    page = response.content.decode()
    assert "Your form had expired" in page
    assert "Nothing was saved." in page
    assert "<nav" in page  # the portal's own layout, not Django's bare page


def test_a_malformed_upload_body_gets_the_portals_own_400(bidder, submission, settings):
    response = bidder.post(
        reverse("applications:submission", args=[submission.pk]),
        data=b'--broken\r\nContent-Disposition: form-data; name="action"\r\n\r\nsave',
        content_type="multipart/form-data",  # no boundary: the body cannot be parsed
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "We could not read that request" in page
    assert "Nothing was saved." in page
    assert_nothing_saved(submission, settings)
