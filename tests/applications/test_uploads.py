"""Uploading documents to a bid: judged by content, nothing half-saved.

Every upload goes through the bid form view as a browser sends it, in a hand-built
multipart body (upload_support.py). A bad file is refused by name and costs only
itself; a mistyped amount costs none of the files sent with it. File names are in
test_upload_names.py; a request over the size limit in test_upload_request_limit.py.
"""

import html
from decimal import Decimal

import pytest

from applications.models import SubmissionFile
from tests.applications import upload_support
from tests.applications.upload_support import (
    FINANCIAL,
    TECHNICAL,
    assert_nothing_saved,
    post_files,
    refusal_for,
    stored_objects,
)
from tests.factories import make_call, odt_bytes, pdf_bytes, png_bytes, start_submission, zip_bytes

# The shared fixtures, used by name.
call, applicant = upload_support.call, upload_support.applicant
submission, bidder = upload_support.submission, upload_support.bidder


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
    assert "Write the amount in figures" in page  # the amount's own error, next to it
    submission.refresh_from_db()
    assert submission.is_draft  # nothing submitted with a bad field
    assert bytes(submission.sealed_amounts) == sealed  # the amounts stay as they were
    assert sorted(f.document_name for f in submission.files.all()) == [FINANCIAL, TECHNICAL]
    assert len(stored_objects(settings)) == 2
