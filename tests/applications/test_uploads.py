"""Uploading documents to a bid: judged by content, names made safe, nothing half-saved.

Every upload goes through the bid form view as a browser sends it. The file
names go out in a hand-built multipart body, because Django's test client
would keep only their basename and hide what the portal does with the rest.
"""

import hashlib
import html
import re
import unicodedata
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import SubmissionFile
from tests.applications.deadline_support import close_at
from tests.applications.upload_support import (
    assert_nothing_saved,
    field_for,
    nfd,
    post_files,
    refusal_for,
    stored_objects,
)
from tests.factories import (
    StaffFactory,
    UserFactory,
    make_call,
    multipart_body,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    start_submission,
    zip_bytes,
)
from tests.sealing_support import open_call, stored_plaintext

TECHNICAL = "Technical proposal"
FINANCIAL = "Financial proposal"
UUID_OBJECT = r"submissions/{call}/[0-9a-f]{{32}}"


@pytest.fixture
def call(site_root):
    return make_call(
        site_root["calls"],
        documents=[
            (TECHNICAL, "technical", True, "pdf,docx", 5),
            (FINANCIAL, "financial", True, "pdf,xlsx", 5),
        ],
    )


@pytest.fixture
def applicant(db):
    return UserFactory()


@pytest.fixture
def submission(call, applicant):
    return start_submission(call, applicant)


@pytest.fixture
def bidder(client, applicant):
    client.force_login(applicant)
    return client


# --- Files refused for what they are -------------------------------------

BAD_FILES = {
    "png-named-pdf": (TECHNICAL, "proposal.pdf", png_bytes(), "not a PDF"),
    "text-named-pdf": (
        TECHNICAL,
        "proposal.pdf",
        b"Our methodology, in plain text, not a PDF at all.\n" * 20,
        "not a PDF",
    ),
    "zip-named-docx": (
        TECHNICAL,
        "proposal.docx",
        zip_bytes({"notes.txt": b"just a zip", "docs/readme.md": b"# hi"}),
        "not a DOCX",
    ),
    "pdf-named-xlsx": (FINANCIAL, "prices.xlsx", pdf_bytes(), "not a XLSX"),
    "zero-bytes": (TECHNICAL, "proposal.pdf", b"", "empty"),
    "type-not-accepted": (TECHNICAL, "proposal.odt", odt_bytes(), "not accepted"),
}


@pytest.mark.parametrize("action", ["save", "submit"])
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused_by_name_and_nothing_is_saved(
    bidder, submission, settings, case, action
):
    document, filename, data, problem = BAD_FILES[case]

    response = post_files(bidder, submission, [(document, filename, data)], action=action)

    assert 400 <= response.status_code < 500
    refusal = refusal_for(response, document)
    assert problem in refusal, response.content.decode()
    assert_nothing_saved(submission, settings)


@pytest.mark.parametrize("action", ["save", "submit"])
def test_a_file_over_the_documents_size_limit_is_refused_and_the_good_one_kept(
    site_root, applicant, bidder, settings, action
):
    call = make_call(
        site_root["calls"],
        documents=[
            (TECHNICAL, "technical", True, "pdf", 1),
            (FINANCIAL, "financial", True, "pdf", 5),
        ],
    )
    submission = start_submission(call, applicant)
    just_over = pdf_bytes(size=int(1.1 * 1024 * 1024))

    response = post_files(
        bidder,
        submission,
        [(TECHNICAL, "proposal.pdf", just_over), (FINANCIAL, "prices.pdf", pdf_bytes())],
        action=action,
    )

    assert 400 <= response.status_code < 500
    assert "the limit is 1 MB" in refusal_for(response, TECHNICAL)
    submission.refresh_from_db()
    assert submission.is_draft  # never submitted with a file missing
    assert [f.document_name for f in SubmissionFile.objects.filter(submission=submission)] == [
        FINANCIAL
    ]
    assert len(stored_objects(settings)) == 1


@pytest.mark.parametrize("bad_first", [True, False], ids=["bad-first", "bad-last"])
@pytest.mark.parametrize(
    "data, problem", [(png_bytes(), "not a PDF"), (b"", "the file is empty")], ids=["png", "empty"]
)
def test_one_bad_file_in_a_multi_file_post_costs_only_itself(
    bidder, submission, settings, bad_first, data, problem
):
    good = (TECHNICAL, "proposal.pdf", pdf_bytes())
    bad = (FINANCIAL, "prices.pdf", data)

    response = post_files(bidder, submission, [bad, good] if bad_first else [good, bad])

    assert 400 <= response.status_code < 500
    assert problem in refusal_for(response, FINANCIAL)
    page = html.unescape(response.content.decode())
    assert f"Not kept: {FINANCIAL} (see below). Kept: {TECHNICAL}." in page
    kept = SubmissionFile.objects.get(submission=submission)
    assert (kept.document_name, kept.original_name, kept.pending) == (
        TECHNICAL,
        "proposal.pdf",
        False,
    )
    assert "proposal.pdf" in page  # shown in its row, to its owner
    assert len(stored_objects(settings)) == 1
    submission.refresh_from_db()
    assert submission.is_draft


def test_every_bad_file_is_named_at_once_next_to_its_own_field(bidder, submission, settings):
    response = post_files(
        bidder,
        submission,
        [(TECHNICAL, "proposal.pdf", png_bytes()), (FINANCIAL, "prices.png", png_bytes())],
        action="submit",
    )

    assert response.status_code == 400
    assert "not a PDF" in refusal_for(response, TECHNICAL)
    assert "a .png file is not accepted" in refusal_for(response, FINANCIAL)
    page = response.content.decode()
    assert page.count('class="errorlist') == 2  # one beside each field
    assert_nothing_saved(submission, settings)


def test_an_empty_file_is_named_together_with_the_other_refusals(bidder, submission, settings):
    response = post_files(
        bidder,
        submission,
        [(TECHNICAL, "proposal.pdf", b""), (FINANCIAL, "prices.pdf", png_bytes())],
        action="submit",
    )

    assert response.status_code == 400
    assert "the file is empty" in refusal_for(response, TECHNICAL)
    assert "not a PDF" in refusal_for(response, FINANCIAL)
    assert_nothing_saved(submission, settings)


def test_a_good_replacement_beside_a_bad_one_waits_for_resubmit(bidder, submission, settings):
    """On a submitted bid the kept file is a replacement, the owner's alone, and
    the submitted set stands until they press Resubmit."""
    first = post_files(
        bidder,
        submission,
        [(TECHNICAL, "proposal.pdf", pdf_bytes()), (FINANCIAL, "prices.pdf", pdf_bytes())],
        action="submit",
    )
    assert first.status_code == 302
    submitted = sorted(SubmissionFile.objects.values_list("object_name", flat=True))

    response = post_files(
        bidder,
        submission,
        [
            (TECHNICAL, "proposal-v2.pdf", pdf_bytes(text="Version two")),
            (FINANCIAL, "prices.pdf", png_bytes()),
        ],
        action="submit",
    )

    assert response.status_code == 400
    submission.refresh_from_db()
    assert submission.is_submitted
    pending = SubmissionFile.objects.get(submission=submission, pending=True)
    assert pending.original_name == "proposal-v2.pdf"
    assert (
        sorted(SubmissionFile.objects.filter(pending=False).values_list("object_name", flat=True))
        == submitted
    )


def test_a_bad_replacement_leaves_a_submitted_bid_as_it_was(bidder, submission, settings):
    first = post_files(
        bidder,
        submission,
        [(TECHNICAL, "proposal.pdf", pdf_bytes()), (FINANCIAL, "prices.pdf", pdf_bytes())],
        action="submit",
    )
    assert first.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "submitted"
    files_before = sorted(SubmissionFile.objects.values_list("object_name", "sha256", "pending"))
    objects_before = stored_objects(settings)

    response = post_files(
        bidder, submission, [(TECHNICAL, "proposal.pdf", png_bytes())], action="submit"
    )

    assert 400 <= response.status_code < 500
    assert "not a PDF" in refusal_for(response, TECHNICAL)
    submission.refresh_from_db()
    assert submission.status == "submitted"
    assert (
        sorted(SubmissionFile.objects.values_list("object_name", "sha256", "pending"))
        == files_before
    )
    assert stored_objects(settings) == objects_before


# --- File names ------------------------------------------------------------


GOOD_NAMES = {
    "unix-traversal": ("../../etc/passwd.pdf", False, "passwd.pdf"),
    "windows-traversal": ("..\\..\\win.pdf", False, "win.pdf"),
    "swahili-unicode": (
        "Pendekezo – ripoti ya Nairobi ✓.pdf",
        False,
        "Pendekezo – ripoti ya Nairobi ✓.pdf",
    ),
    "decomposed-unicode": (
        nfd("Ripoti ya Mombasa – muhtasari wa café.pdf"),
        False,
        "Ripoti ya Mombasa – muhtasari wa café.pdf",
    ),
    "control-characters": ("bad\x00name\x1f.pdf", True, "badname.pdf"),
    "newline": ("bad\nname.pdf", True, "badname.pdf"),
    "newline-as-html-entity": ("bad&#10;name.pdf", False, "badname.pdf"),
    "right-to-left-override": ("ripoti\u202efdp.pdf", True, "ripotifdp.pdf"),
    "traversal-in-rfc5987-name": ("../../etc/shadow.pdf", True, "shadow.pdf"),
}


@pytest.mark.parametrize("case", list(GOOD_NAMES))
def test_file_names_are_made_safe_and_never_reach_storage(bidder, submission, settings, case):
    sent_name, filename_star, shown_name = GOOD_NAMES[case]
    data = pdf_bytes(text=case)

    response = post_files(
        bidder, submission, [(TECHNICAL, sent_name, data)], filename_star=filename_star
    )

    assert response.status_code == 302, response.content.decode()
    stored = SubmissionFile.objects.get(submission=submission)
    assert stored.original_name == shown_name
    assert unicodedata.is_normalized("NFC", stored.original_name)
    assert not re.search(r"[/\\]", stored.original_name)
    assert not any(unicodedata.category(ch).startswith("C") for ch in stored.original_name)
    # The object is a UUID under the call's folder; the applicant's name is nowhere.
    assert re.fullmatch(UUID_OBJECT.format(call=submission.call_id), stored.object_name)
    stem = Path(shown_name).stem
    assert stem not in stored.object_name
    objects = stored_objects(settings)
    assert objects == [Path(settings.PRIVATE_ROOT) / stored.object_name]
    assert data[:64] not in objects[0].read_bytes()  # encrypted to the call's key
    assert stored_plaintext(stored) == data
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    # The applicant sees the safe name on their bid.
    page = html.unescape(
        bidder.get(reverse("applications:submission", args=[submission.pk])).content.decode()
    )
    assert shown_name in page


def test_a_downloaded_file_keeps_its_unicode_name(bidder, submission):
    name = "Pendekezo – ripoti ya Nairobi ✓.pdf"
    data = pdf_bytes()
    post_files(bidder, submission, [(TECHNICAL, name, data)])
    stored = SubmissionFile.objects.get(submission=submission)

    sealed = bidder.get(reverse("applications:download", args=[stored.pk]))
    assert sealed.status_code == 409  # encrypted to the committee until the opening
    assert "This file is sealed" in sealed.content.decode()
    call = close_at(submission.call, timezone.now() - timedelta(minutes=5))
    open_call(call, StaffFactory())

    response = bidder.get(reverse("applications:download", args=[stored.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Pendekezo%20%E2%80%93%20ripoti%20ya%20Nairobi%20%E2%9C%93.pdf" in (
        disposition
    )


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


@pytest.mark.parametrize("action", ["save", "submit"])
def test_a_mistyped_amount_never_costs_the_files_sent_with_it(
    submission, bidder, settings, action
):
    from applications.services.amounts import Amounts, apply_amounts

    apply_amounts(submission, Amounts(offer_amount=Decimal("1000"), offer_currency="KES"))
    submission.save()
    sealed = bytes(submission.sealed_amounts)  # encrypted to the call's key

    response = post_files(
        bidder,
        submission,
        [(TECHNICAL, "proposal.pdf", pdf_bytes()), (FINANCIAL, "prices.pdf", pdf_bytes())],
        action=action,
        extra={"offer_amount": "twelve thousand"},
    )

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Kept: Technical proposal, Financial proposal" in page
    assert "Enter a number." in page  # the amount's own error, next to it
    submission.refresh_from_db()
    assert submission.is_draft  # nothing submitted with a bad field
    assert bytes(submission.sealed_amounts) == sealed  # the amounts stay as they were
    assert sorted(f.document_name for f in submission.files.all()) == [FINANCIAL, TECHNICAL]
    assert len(stored_objects(settings)) == 2
