"""In a real browser on a slow connection that drops halfway, a document uploads on its
own as soon as it is chosen, shows its progress, resumes where it stopped and
completes (issue 13, item 2). Without JavaScript, the plain form still sends it."""

import hashlib

import pytest

from tests.browser_support import sign_in
from tests.factories import UserFactory, build_site, make_call, pdf_bytes, start_submission

pytestmark = [pytest.mark.services, pytest.mark.browser]

MB = 1024 * 1024
SIZE = 20 * MB


@pytest.fixture
def draft(transactional_db, django_db_serialized_rollback, settings, tmp_path):
    call = make_call(
        build_site()["calls"],
        documents=[("Technical proposal", "technical", True, "pdf", 25)],
    )
    applicant = UserFactory()
    return start_submission(call, applicant), applicant


@pytest.mark.long_running
def test_a_20_mb_upload_that_drops_halfway_resumes_and_completes(
    live_server, browser, draft, tmp_path
):
    from playwright.sync_api import expect

    from applications.models import SubmissionFile

    submission, applicant = draft
    content = pdf_bytes(size=SIZE)
    path = tmp_path / "proposal.pdf"
    path.write_bytes(content)

    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(120_000)
    page = context.new_page()
    sign_in(page, live_server.url, applicant.email)
    page.goto(f"{live_server.url}/bids/{submission.pk}/")

    # A slow line: about 8 Mbit/s up, 100 ms away.
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 100, "downloadThroughput": MB, "uploadThroughput": MB},
    )
    # Halfway, the connection drops: the piece in flight never arrives.
    pieces = {"sent": 0, "dropped": 0}

    def line(route, request):
        if request.method == "POST" and request.headers.get("upload-offset") is not None:
            pieces["sent"] += 1
            if int(request.headers["upload-offset"]) >= SIZE // 2 and not pieces["dropped"]:
                pieces["dropped"] += 1
                route.abort("connectionreset")
                return
        route.continue_()

    page.route("**/bids/uploads/**", line)
    # The page's own file control, in the page's language, stands in for the browser's.
    pick = page.locator(".doc-row .file-pick").first
    expect(pick).to_contain_text("Choose a file")
    expect(pick).to_contain_text("No file chosen")
    page.get_by_label("Upload Technical proposal").set_input_files(str(path))
    status = page.locator(".doc-row .upload-status")
    expect(status).to_contain_text("Sending:")
    expect(pick).to_contain_text("proposal.pdf")
    expect(page.locator(".doc-row progress")).to_be_visible()
    # While it is on its way, Save and Submit cannot be used, look it, and say why.
    submit = page.get_by_role("button", name="Submit", exact=True)
    expect(submit).to_be_disabled()
    assert float(submit.evaluate("b => getComputedStyle(b).opacity")) < 0.6
    waiting = page.locator(".form-actions__waiting")
    expect(waiting).to_have_text("Waiting for 1 file to finish uploading.")
    expect(status).to_contain_text("Kept on your draft.", timeout=180_000)
    expect(waiting).to_be_hidden()
    expect(submit).to_be_enabled()
    # The kept file reads as kept; replacing it is the secondary action.
    expect(pick.locator(".file-pick__button")).to_have_text("Replace")
    expect(pick.locator(".file-pick__name")).to_be_hidden()
    row = page.locator(".doc-row").first
    expect(row.locator(".doc-row__file")).to_contain_text("proposal.pdf")
    expect(row.locator(".doc-row__file")).to_contain_text(hashlib.sha256(content).hexdigest())
    expect(row.locator("label:not(.file-pick)")).to_contain_text("Replace with")
    expect(page.get_by_role("button", name="Save draft")).to_be_enabled()

    assert pieces["dropped"] == 1
    assert pieces["sent"] == SIZE // MB + 1  # every piece once, and the lost one again
    kept = SubmissionFile.objects.get(submission=submission)
    assert kept.sha256 == hashlib.sha256(content).hexdigest() and kept.size == SIZE
    # The page says so after a reload too; the draft is still a draft.
    page.reload()
    expect(page.locator(".doc-row").first).to_contain_text("proposal.pdf")
    submission.refresh_from_db()
    assert submission.is_draft
    context.close()


def test_without_javascript_the_plain_form_still_sends_the_file(
    live_server, browser, draft, tmp_path
):
    from playwright.sync_api import expect

    from applications.models import PartialUpload, SubmissionFile

    submission, applicant = draft
    path = tmp_path / "small.pdf"
    path.write_bytes(pdf_bytes(size=200 * 1024))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Email").fill(applicant.email)
    from tests.factories import PASSWORD

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/bids/{submission.pk}/")
    page.get_by_label("Upload Technical proposal").set_input_files(str(path))
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("Saved.")
    assert SubmissionFile.objects.get(submission=submission).original_name == "small.pdf"
    assert not PartialUpload.objects.exists()
    context.close()
