"""In a real browser, the bid page's upload never freezes and never retries for ever
(issue 21, items 3 and 4): the answer to the last piece is lost and the page still
shows the kept file; a 4xx that is not even JSON stops the upload with a message."""

import hashlib

import pytest

from tests.browser_support import sign_in
from tests.factories import UserFactory, build_site, make_call, pdf_bytes, start_submission

pytestmark = [pytest.mark.services, pytest.mark.browser]

MB = 1024 * 1024
SIZE = 2 * MB + 512 * 1024  # three pieces of 1 MB at most
LAST = 2 * MB  # where the last piece starts


@pytest.fixture
def draft(transactional_db, django_db_serialized_rollback, settings, tmp_path):
    settings.UPLOAD_PIECE_BYTES = MB
    call = make_call(
        build_site()["calls"],
        documents=[("Technical proposal", "technical", True, "pdf", 25)],
    )
    applicant = UserFactory()
    return start_submission(call, applicant), applicant


def bid_page(browser, live_server, draft):
    submission, applicant = draft
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(60_000)
    page = context.new_page()
    sign_in(page, live_server.url, applicant.email)
    page.goto(f"{live_server.url}/bids/{submission.pk}/")
    return context, page


def is_piece(request, offset=None) -> bool:
    sent = request.headers.get("upload-offset")
    return (
        request.method == "POST" and sent is not None and (offset is None or int(sent) == offset)
    )


@pytest.mark.parametrize("server", ["finished the file", "died inside the finish"])
def test_when_the_answer_to_the_last_piece_is_lost_the_page_shows_the_kept_file(
    live_server, browser, draft, tmp_path, settings, server
):
    from playwright.sync_api import expect

    from applications.models import PartialUpload, SubmissionFile

    submission, _applicant = draft
    content = pdf_bytes(size=SIZE)
    path = tmp_path / "proposal.pdf"
    path.write_bytes(content)
    context, page = bid_page(browser, live_server, draft)
    lost = []

    def line(route, request):
        if not is_piece(request, LAST) or lost:
            route.continue_()
            return
        lost.append(request.url)
        if server == "finished the file":
            # The piece reaches the server, which checks and keeps the file; the
            # answer is lost on the way back (a proxy's time-out).
            route.fetch()
        else:
            # The last piece was written, then the worker died before the file was
            # checked: the upload stays at ``received == size``, unfinished.
            # The pieces are kept encrypted under the key the page sends with each.
            import base64

            from applications.services.resumable_pieces import piece_write

            upload = PartialUpload.objects.get()
            key = base64.urlsafe_b64decode(request.headers["upload-key"])
            piece_write(upload.pk, LAST, request.post_data_buffer, key)
            PartialUpload.objects.filter(pk=upload.pk).update(received=SIZE)
        route.abort("connectionreset")

    page.route("**/bids/uploads/**", line)
    page.get_by_label("Upload Technical proposal").set_input_files(str(path))
    status = page.locator(".doc-row .upload-status")
    expect(status).to_contain_text("Kept on your draft.")
    assert len(lost) == 1
    row = page.locator(".doc-row").first
    expect(row.locator(".doc-row__file")).to_contain_text("proposal.pdf")
    expect(row.locator(".doc-row__file")).to_contain_text(hashlib.sha256(content).hexdigest())
    expect(page.get_by_role("button", name="Save draft")).to_be_enabled()
    expect(page.locator(".doc-row input[type=file]").first).to_be_enabled()
    kept = SubmissionFile.objects.get(submission=submission)
    assert kept.sha256 == hashlib.sha256(content).hexdigest()
    context.close()


def test_a_4xx_that_is_not_json_stops_the_upload_with_a_message(
    live_server, browser, draft, tmp_path
):
    """A proxy in front refuses the second piece with its own HTML page: the script
    says what to do and stops, instead of sending the piece again for ever."""
    from playwright.sync_api import expect

    from applications.models import SubmissionFile

    content = pdf_bytes(size=SIZE)
    path = tmp_path / "proposal.pdf"
    path.write_bytes(content)
    context, page = bid_page(browser, live_server, draft)
    refused = []

    def proxy(route, request):
        if is_piece(request, MB):
            refused.append(request.url)
            route.fulfill(
                status=403, content_type="text/html", body="<html><h1>Forbidden</h1></html>"
            )
            return
        route.continue_()

    page.route("**/bids/uploads/**", proxy)
    page.get_by_label("Upload Technical proposal").set_input_files(str(path))
    status = page.locator(".doc-row .upload-status")
    expect(status).to_contain_text("Choose the file again")
    expect(status).to_have_class("upload-status upload-status--error")
    expect(page.get_by_role("button", name="Save draft")).to_be_enabled()
    expect(page.locator(".doc-row input[type=file]").first).to_be_enabled()
    # Asking where the upload stands does not send it again.
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 3000))")
    assert len(refused) == 1
    assert not SubmissionFile.objects.exists()
    context.close()
