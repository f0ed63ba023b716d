"""Drafts never reach the public through the cache (issue 21, item 1).

An editor who may not publish previews, saves a draft and looks at it through
Wagtail's own URLs (live preview, "View draft", a revision); anonymous readers
then read the call. The page cache and the call body's fragment cache are on,
as in production, and start from a fresh content version.
"""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, rich_text, streamfield

from core.page_cache import page_cache_invalidate
from tenders.models import CallPage
from tests.factories import StaffFactory, build_site, in_group, make_call
from tests.tenders.page_forms import call_form_data

pytestmark = pytest.mark.django_db

NAIROBI = ZoneInfo("Africa/Nairobi")
DRAFT_TERMS = "Draft terms: the consultant also audits the partners' archives."
DRAFT_CRITERION = "Draft criterion: knowledge of the archives"


@pytest.fixture(autouse=True)
def cached(settings):
    settings.PAGE_CACHE = True
    page_cache_invalidate()


@pytest.fixture
def call():
    """A live call whose dates are the ones ``call_form_data`` types, so a preview of
    the edit form changes only the words."""
    site = build_site()
    return make_call(
        site["calls"],
        title="Training on documentation from a gender perspective",
        slug="training-documentation-gender",
        reference_code="DC-CFC-2026-101",
        opens_at=datetime(2026, 1, 5, 9, 0, tzinfo=NAIROBI),
        clarifications_close_at=datetime(2099, 11, 26, 17, 0, tzinfo=NAIROBI),
        closes_at=datetime(2099, 12, 3, 23, 59, tzinfo=NAIROBI),
        budget_ceiling=1500000,
    )


@pytest.fixture
def editor(call):
    """Wagtail's Editors: may edit and save drafts of calls, may not publish."""
    person = in_group(StaffFactory(), "Editors", "wagtailadmin.access_admin")
    assert call.permissions_for_user(person).can_edit()
    assert not call.permissions_for_user(person).can_publish()
    client = Client()
    client.force_login(person)
    return client


def draft_form_data(call):
    """The edit form as the editor's browser posts it, with new terms and criteria."""
    return call_form_data(
        title=call.title,
        slug=call.slug,
        reference_code=call.reference_code,
        terms_of_reference=streamfield(
            [("heading", "Background"), ("paragraph", rich_text(f"<p>{DRAFT_TERMS}</p>"))]
        ),
        criteria=inline_formset(
            [
                {"title": DRAFT_CRITERION, "description": "", "max_points": "55"},
                {"title": "Experience", "description": "", "max_points": "45"},
            ],
            min=1,
        ),
    )


def live_preview(editor, call) -> str:
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[call.pk])
    answer = editor.post(url, draft_form_data(call))
    assert answer.status_code == 200 and answer.json()["is_valid"], answer.content
    return editor.get(url).content.decode()


def save_draft(editor, call) -> None:
    answer = editor.post(reverse("wagtailadmin_pages:edit", args=[call.pk]), draft_form_data(call))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    page = Page.objects.get(pk=call.pk)
    assert page.live and page.has_unpublished_changes


def view_draft(editor, call) -> str:
    save_draft(editor, call)
    return editor.get(reverse("wagtailadmin_pages:view_draft", args=[call.pk])).content.decode()


def view_revision(editor, call) -> str:
    save_draft(editor, call)
    revision = Page.objects.get(pk=call.pk).latest_revision
    url = reverse("wagtailadmin_pages:revisions_view", args=[call.pk, revision.pk])
    return editor.get(url).content.decode()


WAYS = {"live preview": live_preview, "view draft": view_draft, "a revision": view_revision}


@pytest.mark.parametrize("way", WAYS)
def test_an_editors_draft_never_reaches_anonymous_readers(client, call, editor, way):
    shown = WAYS[way](editor, call)
    assert DRAFT_TERMS in shown and DRAFT_CRITERION in shown  # the editor saw the draft
    for _ in range(2):  # rendered, then from the page cache
        html = client.get(call.url).content.decode()
        assert DRAFT_TERMS not in html and DRAFT_CRITERION not in html
        assert "Methodology" in html
    # A signed-in reader's page reuses the body fragment: still the live text.
    reader = Client()
    reader.force_login(StaffFactory())
    html = reader.get(call.url).content.decode()
    assert DRAFT_TERMS not in html and DRAFT_CRITERION not in html


@pytest.mark.parametrize("way", WAYS)
def test_a_preview_shows_the_draft_even_when_the_live_body_is_cached(client, call, editor, way):
    signed_in = Client()
    signed_in.force_login(StaffFactory())
    signed_in.get(call.url)  # the live body is now in the fragment cache
    client.get(call.url)  # and the anonymous page in the page cache
    shown = WAYS[way](editor, call)
    assert DRAFT_TERMS in shown and DRAFT_CRITERION in shown


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitor_during_a_publish_does_not_keep_the_old_page(settings):
    """The content version moves when the publish commits: a visitor served while the
    editor's transaction is still open keeps the old page under the old version only."""
    site = build_site()
    call = make_call(site["calls"], title="Monitoring of pre-trial detention")
    visitor = Client()
    visitor.get(call.url)
    answers = []

    def visit_from_another_connection():
        try:
            answers.append(Client().get(call.url))
        finally:
            connections.close_all()

    with transaction.atomic():
        page = CallPage.objects.get(pk=call.pk)
        page.title = "Monitoring of pre-trial detention, second round"
        page.save_revision().publish()
        during = threading.Thread(target=visit_from_another_connection)
        during.start()
        during.join()
    assert "second round" not in answers[0].content.decode()  # not committed yet
    after = visitor.get(call.url)
    assert after["X-Page-Cache"] == "miss"
    assert "Monitoring of pre-trial detention, second round" in after.content.decode()
