"""No page, in the portal or the admin, makes the browser ask another origin for
anything (issue 11: no third-party requests; the people using this are watched).

Chromium walks the demo site's links as a visitor, an applicant, the chair and
the admin, and every request the pages make (scripts, styles, fonts, images,
fetches, frames) is checked: any to another origin is recorded, refused, and
fails the test.
"""

import re
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser_support import sign_in

pytestmark = [pytest.mark.services, pytest.mark.browser]

# Links not followed: they sign out, change things, or send a file rather than a page.
SKIP = (
    "logout",
    "sign-out",
    "/delete",
    "/unpublish",
    "/lock/",
    "/unlock/",
    "/download",
    "/files/",
    "/documents/",
    "/export",
    "format=",
    "/feeds/",
    "sitemap.xml",
    "/revert/",
    "/workflow/",
)
FILE_ENDINGS = (".pdf", ".docx", ".xlsx", ".csv", ".zip", ".ics", ".xml", ".odt", ".txt")
PAGES_PER_ROLE = {"visitor": 40, "applicant": 30, "chair": 30, "admin": 70}


@pytest.fixture
def demo_site(transactional_db, django_db_serialized_rollback):
    call_command("load_demo_content", stdout=StringIO())


def crawl(page, base_url, start, limit, foreign, on_page=None):
    """Follow the site's links from ``start``, breadth first, up to ``limit`` pages;
    ``on_page(path)`` looks at each page once it has loaded and settled."""
    origin = urlsplit(base_url)[:2]
    queue, seen, visited = [start], {start}, []
    while queue and len(visited) < limit:
        path = queue.pop(0)
        response = page.goto(base_url + path, wait_until="load")
        # What the page fetches after loading. The admin's pages keep the network busy
        # (its editors ping), so each waits at most a second and a half, not forever.
        try:
            page.wait_for_load_state("networkidle", timeout=1500)
        except PlaywrightTimeout:
            pass
        visited.append(path)
        assert response is None or response.status < 500, f"{path} answered {response.status}"
        if on_page is not None:
            on_page(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(urljoin(page.url, href))
            if parts[:2] != origin or parts.scheme not in ("http", "https"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if (
                parts.path in {urlsplit(s).path for s in seen}
                or any(word in target for word in SKIP)
                or parts.path.endswith(FILE_ENDINGS)
            ):
                continue
            seen.add(target)
            queue.append(target)
    return visited


ROLES = {
    "visitor": (None, "/"),
    "applicant": ("applicant@zabuni.local", "/bids/"),
    "chair": ("chair@zabuni.local", "/bids/reviews/"),
    "admin": ("admin@zabuni.local", "/admin/"),
}
# The fewest pages each walk must reach, so that a broken link cannot make it pass.
AT_LEAST = {"visitor": 10, "applicant": 10, "chair": 5, "admin": 20}


@pytest.mark.long_running
@pytest.mark.parametrize("role", ROLES)
def test_no_page_requests_anything_from_another_origin(live_server, browser, demo_site, role):
    origin = urlsplit(live_server.url)[:2]
    email, start = ROLES[role]
    foreign = []
    context = browser.new_context()
    page = context.new_page()

    def guard(route, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts[:2] != origin:
            foreign.append((role, page.url, request.url))
            route.abort()
        else:
            route.continue_()

    # Only requests to another origin come to Python (the browser matches the
    # pattern itself), so the portal's own scripts and styles load at full speed.
    context.route(re.compile(rf"^(?!{re.escape(live_server.url)}/)"), guard)
    if email:
        sign_in(page, live_server.url, email, password=demo_password(email))
    walked = crawl(page, live_server.url, start, PAGES_PER_ROLE[role], foreign)
    context.close()

    print(role, len(walked))
    assert len(walked) >= AT_LEAST[role], walked
    if role == "admin":
        assert any(p.startswith("/admin/pages/") for p in walked), walked
    assert foreign == [], "\n".join(" · ".join(row) for row in foreign)


def demo_password(email):
    from portal.management.commands.load_demo_content import DEMO_ACCOUNTS

    return next(password for address, password, *_ in DEMO_ACCOUNTS if address == email)
