"""Every portal page passes axe-core's WCAG 2.2 A and AA rules, at desktop and phone
width (issue 13).

Chromium walks the demo site's portal pages (not the Wagtail admin, which is
Wagtail's own) as a visitor, an applicant and the chair, the same way the
no-third-party crawl does; on each page it injects axe-core (installed from the
npm registry by ``make test``, see package.json) and runs the WCAG 2.0, 2.1 and
2.2 A and AA rules at 1280 px and at 390 px. Any violation fails the test,
with the rule, the page, the width and the first offending elements.
A page that shows a flash message (the applicant starts a bid) is among them.
"""

from pathlib import Path

import pytest
from django.conf import settings

from tests import services
from tests.browser_support import sign_in
from tests.portal.test_browser_same_origin import crawl, demo_password, demo_site  # noqa: F401

pytestmark = [pytest.mark.services, pytest.mark.browser]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
PAGES_PER_ROLE = {"visitor": 25, "applicant": 25, "chair": 25}
# The portal's own pages; the crawl does not leave them.
NOT_PORTAL = ("/admin/", "/django-admin/")


def run_axe(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
            .then(r => r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
            })))""",
        TAGS,
    )


FLASH = object()  # the page left showing a flash message, checked where it stands


def flash_message_page(page, base_url):
    """The applicant starts a bid on the demo's open call and saves the draft: the bid
    page then shows "Saved. ..." as a flash message."""
    from playwright.sync_api import expect

    from tenders.models import CallPage

    call = CallPage.objects.get(reference_code="DC-CFC-2026-004")
    page.goto(base_url + call.url)
    page.get_by_role("button", name="Start a bid").click()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("Saved.")
    return FLASH


ROLES = {
    "visitor": (None, "/"),
    "applicant": ("applicant@zabuni.local", "/bids/"),
    "chair": ("chair@zabuni.local", "/bids/reviews/"),
}
# The fewest pages each walk must check, so that a broken link cannot make it pass.
AT_LEAST = {"visitor": 10, "applicant": 10, "chair": 5}


@pytest.mark.long_running
@pytest.mark.parametrize("role", ROLES)
def test_every_portal_page_has_no_wcag_violation(live_server, browser, demo_site, role):  # noqa: F811
    if not AXE.exists():
        services.missing(f"axe-core is not installed at {AXE} (run `npm ci`)")
    email, start = ROLES[role]
    found = []
    # axe-core goes in as an inline script, which the pages' Content-Security-Policy
    # refuses (tests/portal/test_browser_csp.py holds the pages to it).
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    if email:
        sign_in(page, live_server.url, email, password=demo_password(email))
    (first, (w, h)), *others = WIDTHS.items()
    page.set_viewport_size({"width": w, "height": h})

    def check_as_crawled(path):
        # Each page at the first width as the crawl loads it (no second visit).
        if not path.startswith(NOT_PORTAL):
            found.extend((page.url, first, v) for v in run_axe(page))

    paths = [
        path
        for path in crawl(page, live_server.url, start, PAGES_PER_ROLE[role], [], check_as_crawled)
        if not path.startswith(NOT_PORTAL)
    ]
    if role == "applicant":
        # Checked as it stands, at every width: a flash message shows only once.
        flash_message_page(page, live_server.url)
        for width, (w, h) in WIDTHS.items():
            page.set_viewport_size({"width": w, "height": h})
            found.extend((page.url, width, v) for v in run_axe(page))
    for width, (w, h) in others:
        page.set_viewport_size({"width": w, "height": h})
        for path in paths:
            page.goto(live_server.url + path, wait_until="load")
            found.extend((page.url, width, v) for v in run_axe(page))
    context.close()

    print(role, len(paths) + (role == "applicant"))
    assert len(paths) >= AT_LEAST[role], paths
    if role == "applicant":
        # The demo applicant's draft on the grant call: the application form, checked at
        # both widths like every page the walk reaches.
        from applications.models import Submission

        draft = Submission.objects.get(
            call__reference_code="DC-GRT-2026-002", applicant__email=email
        )
        assert f"/bids/{draft.pk}/" in paths, paths
    assert found == [], "\n".join(
        f"{v['impact']} {v['id']} ({v['help']}) on {path} at {width} as {role}: {v['nodes']}"
        for path, width, v in found
    )
