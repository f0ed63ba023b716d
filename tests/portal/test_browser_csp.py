"""No portal page breaks its Content-Security-Policy (issue 21, item 5).

Chromium walks the demo site's portal pages as a visitor, an applicant and the
chair, the way the accessibility and same-origin crawls do, and the applicant
also starts a bid, sends its documents through the page's upload script, submits
it and reads the receipt. Every ``securitypolicyviolation`` event, and every
console message about the policy, is recorded; any fails the test, with the page
and what was blocked. (The header itself: tests/portal/test_content_security_policy.py.)
"""

import re

import pytest

from tests.browser_support import sign_in
from tests.portal.test_browser_same_origin import crawl, demo_password, demo_site  # noqa: F401

pytestmark = [pytest.mark.services, pytest.mark.browser]

PAGES_PER_ROLE = {"visitor": 30, "applicant": 25, "chair": 25}
NOT_PORTAL = ("/admin/",)
# Runs before the page's own scripts (Playwright injects it, outside the policy).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.effectiveDirective + " blocked "
    + (event.blockedURI || "inline") + " at " + event.sourceFile + ":" + event.lineNumber
    + " " + (event.sample || ""));
}, true);
"""


def watched_context(browser, role, found):
    context = browser.new_context()
    context.set_default_timeout(20_000)
    context.add_init_script(REPORT_VIOLATIONS)

    def on_console(message):
        if "CSP violation" in message.text or "Content Security Policy" in message.text:
            found.append((role, message.page.url if message.page else "?", message.text))

    context.on("console", on_console)
    return context


def bid_submitted_through_the_upload_script(page, base_url, tmp_path):
    """The applicant starts a bid on the demo's open call, sends each required
    document through the page's upload script, gives the price and submits."""
    from playwright.sync_api import expect

    from applications.demo import tiny_pdf
    from tenders.models import CallPage

    call = CallPage.objects.get(reference_code="DC-CFC-2026-004")
    page.goto(base_url + call.url)
    page.get_by_role("button", name="Start a bid").click()
    page.wait_for_url(re.compile(r"/bids/\d+/$"))
    bid_path = page.url.removeprefix(base_url)
    for requirement in call.required_documents.filter(is_required=True):
        path = tmp_path / f"document-{requirement.pk}.pdf"
        path.write_bytes(tiny_pdf(requirement.name, "Njeri Consulting", call.reference_code))
        page.set_input_files(f'input[name="document_{requirement.pk}"]', str(path))
        row = page.locator(
            ".doc-row", has=page.locator(f'input[name="document_{requirement.pk}"]')
        )
        expect(row.locator(".upload-status")).to_contain_text("Kept on your draft.")
    page.get_by_label("Total price of your financial offer").fill("1850000")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(re.compile(r"/bids/\d+/receipt/$"))
    expect(page.locator(".receipt")).to_be_visible()
    return [bid_path, page.url.removeprefix(base_url)]


ROLES = {
    "visitor": (None, "/"),
    "applicant": ("applicant@zabuni.local", "/bids/"),
    "chair": ("chair@zabuni.local", "/bids/reviews/"),
}


@pytest.mark.long_running
@pytest.mark.parametrize("role", ROLES)
def test_no_portal_page_breaks_its_content_security_policy(
    live_server,
    browser,
    demo_site,  # noqa: F811
    tmp_path,
    role,
):
    email, start = ROLES[role]
    found = []
    context = watched_context(browser, role, found)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    visited = ["/account/login/", "/account/register/"] if email is None else []
    for path in visited:  # not linked from the crawl's start
        page.goto(live_server.url + path, wait_until="load")
        page.wait_for_timeout(300)  # timers that start after load
    if email:
        sign_in(page, live_server.url, email, password=demo_password(email))
    if role == "applicant":
        visited += bid_submitted_through_the_upload_script(page, live_server.url, tmp_path)
    # The context reports violations on every page the crawl loads, scripts and
    # all; the crawl waits for each page to settle (timers that start after load).
    visited += [
        path
        for path in crawl(page, live_server.url, start, PAGES_PER_ROLE[role], [])
        if not path.startswith(NOT_PORTAL)
    ]
    context.close()

    print(role, len(visited))
    if role == "visitor":
        assert len(visited) >= 10, visited
    if role == "applicant":
        assert len(visited) >= 10 and any("/receipt/" in path for path in visited), visited
    if role == "chair":
        assert any(re.match(r"/bids/reviews/\d+", path) for path in visited), visited
    assert found == [], "\n".join(" · ".join(row) for row in found)
