"""An applicant, in a real browser, registers, confirms their email and submits a bid."""

import hashlib
import re

import pytest

from applications.demo import tiny_pdf
from tests.factories import build_site, make_call

pytestmark = [pytest.mark.services, pytest.mark.browser]

EMAIL = "njeri.consulting@example.org"
PASSWORD = "a-long-and-unusual-passphrase-42"


@pytest.fixture
def call(transactional_db, django_db_serialized_rollback):
    """An open consultancy call. The live server is another thread: rows must be committed.

    Serialized rollback restores Wagtail's migrated rows (root page, locale)
    that the flush after an earlier transactional test removed.
    """
    pages = build_site()
    return make_call(
        pages["calls"],
        title="Training on monitoring and documentation from a gender perspective",
        reference_code="DC-CFC-2026-017",
    )


@pytest.fixture
def documents(call, tmp_path):
    """One small PDF per required document, each different: {requirement: path}."""
    files = {}
    for requirement in call.required_documents.all():
        path = tmp_path / f"{requirement.name.lower().replace(' ', '-')}.pdf"
        path.write_bytes(tiny_pdf(requirement.name, "Njeri Consulting", call.reference_code))
        files[requirement] = path
    assert len(files) == 2  # technical and financial proposals
    return files


def test_applicant_registers_confirms_and_submits_a_bid(
    live_server, browser, artifacts_dir, call, documents
):
    from playwright.sync_api import expect

    from applications.models import Submission
    from notifications.models import OutboxMessage

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    try:
        # Register.
        page.goto(live_server.url + "/account/register/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
        page.get_by_label("Email address").fill(EMAIL)
        page.get_by_label("First name").fill("Njeri")
        page.get_by_label("Last name").fill("Wambui")
        page.get_by_label(re.compile(r"^Password\W*$")).fill(PASSWORD)
        page.get_by_label("Password again").fill(PASSWORD)
        page.screenshot(path=str(artifacts_dir / "applicant-register.png"), full_page=True)
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

        # The confirmation link, as mailed: built from the request, so on the live server.
        message = OutboxMessage.objects.get(to_email=EMAIL)
        link = re.search(r"https?://\S+/account/verify/\S+/", message.body_text).group(0)
        assert link.startswith(live_server.url + "/")
        page.goto(link)  # a page with a button: fetching the link confirms nothing
        page.get_by_role("button", name="Confirm my address").click()
        expect(page).to_have_url(live_server.url + "/account/login/")
        expect(page.get_by_text("Your email address is confirmed")).to_be_visible()
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(live_server.url + "/bids/")

        # Start a bid from the call page.
        page.goto(live_server.url + call.url)
        expect(page.get_by_role("heading", level=1)).to_have_text(call.title)
        page.get_by_role("button", name="Start a bid").click()
        page.wait_for_url(re.compile(r"/bids/\d+/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Your bid")
        submission = Submission.objects.get(call=call, applicant__email=EMAIL)
        assert submission.status == "draft"

        # Upload one file per required document, give the price, submit.
        for requirement, path in documents.items():
            page.set_input_files(f'input[name="document_{requirement.pk}"]', str(path))
        price = page.get_by_label("Total price of your financial offer")
        price.fill("1850000")
        # The call's one currency stands before the amount, not in a select of one.
        expect(page.locator(".money__currency")).to_have_text("KES")
        expect(page.locator("input[name=offer_currency]")).to_have_value("KES")
        page.screenshot(path=str(artifacts_dir / "applicant-bid-form.png"), full_page=True)
        page.get_by_role("button", name="Submit", exact=True).click()

        # The receipt.
        page.wait_for_url(re.compile(rf"/bids/{submission.pk}/receipt/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Receipt")
        reference = f"{call.reference_code}-0001"
        expect(page.locator(".receipt")).to_contain_text(reference)
        expect(page.locator(".receipt")).to_contain_text(re.compile(r"\d{2}:\d{2}:\d{2}\.\d UTC"))
        for path in documents.values():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            expect(page.locator(".receipt")).to_contain_text(digest)
        expect(page.locator(".message--success")).to_have_text("Your submission was received.")
        page.screenshot(path=str(artifacts_dir / "applicant-receipt.png"), full_page=True)
    finally:
        context.close()

    submission.refresh_from_db()
    assert submission.status == "submitted"
    assert submission.reference == reference
    stored = {f.sha256 for f in submission.files.filter(pending=False)}
    assert stored == {hashlib.sha256(p.read_bytes()).hexdigest() for p in documents.values()}
    receipt = OutboxMessage.objects.get(to_email=EMAIL, dedupe_key__startswith="receipt:")
    assert reference in receipt.subject
    assert stored <= set(re.findall(r"[0-9a-f]{64}", receipt.body_text))
    assert dialogs == []
    for name in ("applicant-register.png", "applicant-bid-form.png", "applicant-receipt.png"):
        assert (artifacts_dir / name).stat().st_size > 10_000
