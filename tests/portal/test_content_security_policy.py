"""The Content-Security-Policy header (issue 21, item 5): enforced and strict on the
portal's pages, never framed; on the Wagtail admin, enforced as far as Wagtail
allows and the strict policy reported only. The browser side, that no portal page
breaks it, is tests/portal/test_browser_csp.py."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import SuperuserFactory, UserFactory, build_site, make_call

pytestmark = pytest.mark.django_db

APPS = settings.PORTAL_APPS
ENFORCED = "Content-Security-Policy"
REPORT_ONLY = "Content-Security-Policy-Report-Only"


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def script_sources(policy: dict[str, list[str]]) -> list[str]:
    return policy.get("script-src", policy["default-src"])


def assert_strict(policy):
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in script_sources(policy)
    assert "'unsafe-eval'" not in script_sources(policy)
    assert "'unsafe-inline'" not in policy.get("style-src", policy["default-src"])
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]


@pytest.fixture
def site():
    site = build_site()
    site["call"] = make_call(site["calls"])
    return site


def portal_paths(site):
    return [
        "/",
        site["calls"].url,
        site["call"].url,
        site["news"].url,
        reverse("accounts:login"),
        reverse("accounts:register"),
    ]


def test_every_portal_page_carries_the_strict_policy_enforced(client, site):
    for path in portal_paths(site):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(directives(response[ENFORCED]))
        assert REPORT_ONLY not in response, path


def test_a_page_from_the_anonymous_page_cache_carries_it_too(client, site):
    first = client.get(site["call"].url)
    again = client.get(site["call"].url)
    assert again[ENFORCED] == first[ENFORCED]
    assert_strict(directives(again[ENFORCED]))


def test_a_signed_in_applicants_pages_carry_it(client, site):
    client.force_login(UserFactory())
    for path in [*portal_paths(site)[:4], reverse("applications:dashboard")]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(directives(response[ENFORCED]))


def test_an_error_page_carries_it(client, site):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_strict(directives(response[ENFORCED]))


def test_the_admin_is_enforced_where_wagtail_allows_and_strict_in_report_only(client, site):
    client.force_login(SuperuserFactory())
    for path in [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_pages:edit", args=[site["call"].pk]),
    ]:
        response = client.get(path)
        assert response.status_code == 200
        enforced = directives(response[ENFORCED])
        assert enforced["default-src"] == ["'self'"]
        assert enforced["frame-ancestors"] == ["'none'"]
        assert enforced["base-uri"] == ["'self'"]
        assert_strict(directives(response[REPORT_ONLY]))


def test_only_what_django_lets_be_framed_by_this_origin_may_be(client, site):
    """Wagtail's preview panel frames the preview view (marked SAMEORIGIN); nothing
    else is framed, and no other origin frames anything."""
    client.force_login(SuperuserFactory())
    response = client.get(reverse("wagtailadmin_pages:preview_on_edit", args=[site["call"].pk]))
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert directives(response[ENFORCED])["frame-ancestors"] == ["'self'"]


# What the portal's policy refuses, written into a template: an inline script or
# style, an event handler, a style attribute, a javascript: link.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+=|\sstyle=|javascript:", re.IGNORECASE
)
# Not portal pages: the admin's screens (their own policy) and e-mails (no policy).
NOT_PORTAL_TEMPLATES = ("/admin/", "/emails/", "emails/")


def test_no_portal_template_holds_what_the_policy_refuses():
    """The browser test reaches the pages a crawl finds; this covers the rest, such as
    the error pages."""
    root = Path(settings.BASE_DIR)
    folders = [root / "templates", *(root / app / "templates" for app in APPS)]
    offending = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for folder in folders
        for path in folder.rglob("*.html")
        if not any(part in path.relative_to(folder).as_posix() for part in NOT_PORTAL_TEMPLATES)
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offending == []
