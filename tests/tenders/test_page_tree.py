"""The page tree enforces itself, and editors can create every page type in the admin."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import streamfield

from news.models import ArticlePage, NewsIndexPage
from tenders.models import CallIndexPage, CallPage, HomePage
from tests.tenders.page_forms import (
    add_page_url,
    assert_created,
    call_form_data,
    form_errors,
    post_new_page,
)

# --- Which page may go where --------------------------------------------------


def test_home_page_sits_at_the_root_and_holds_the_two_indexes(page_asserts):
    page_asserts.assertAllowedParentPageTypes(HomePage, {Page})
    page_asserts.assertAllowedSubpageTypes(HomePage, {CallIndexPage, NewsIndexPage})


def test_call_index_sits_under_home_and_holds_only_calls(page_asserts):
    page_asserts.assertAllowedParentPageTypes(CallIndexPage, {HomePage})
    page_asserts.assertAllowedSubpageTypes(CallIndexPage, {CallPage})


def test_call_page_sits_only_under_the_call_index_and_has_no_children(page_asserts):
    page_asserts.assertAllowedParentPageTypes(CallPage, {CallIndexPage})
    page_asserts.assertAllowedSubpageTypes(CallPage, set())


@pytest.mark.parametrize(
    "parent, child",
    [
        (HomePage, CallPage),
        (HomePage, ArticlePage),
        (HomePage, HomePage),
        (CallIndexPage, ArticlePage),
        (NewsIndexPage, CallPage),
        (CallPage, CallPage),
        (ArticlePage, ArticlePage),
        (Page, CallPage),
        (Page, CallIndexPage),
    ],
)
def test_pages_cannot_be_put_in_the_wrong_place(page_asserts, parent, child):
    page_asserts.assertCanNotCreateAt(parent, child)


@pytest.mark.parametrize("model, parent_key", [(CallIndexPage, "home"), (NewsIndexPage, "home")])
def test_the_admin_refuses_a_second_index(editor_client, site_root, model, parent_key):
    parent = site_root[parent_key]
    pages_before = Page.objects.count()

    assert not model.can_create_at(parent)
    response = editor_client.post(
        add_page_url(model, parent),
        {"title": "Second index", "slug": "second-index", "action-publish": "publish"},
    )

    assert response.status_code in (302, 403)
    assert Page.objects.count() == pages_before
    assert model.objects.count() == 1


def test_the_admin_refuses_a_second_home_page(editor_client, site_root):
    root = Page.get_first_root_node()
    response = editor_client.post(
        add_page_url(HomePage, root),
        {"title": "Another home", "slug": "another-home", "action-publish": "publish"},
    )
    assert response.status_code in (302, 403)
    assert HomePage.objects.count() == 1


# --- Creating each page type through the admin form ----------------------------


def test_editor_creates_the_home_page(editor_client, db):
    root = Page.get_first_root_node()
    response = post_new_page(
        editor_client,
        HomePage,
        root,
        {
            "title": "Zabuni",
            "slug": "zabuni",
            "hero_title": "Calls for consultancy and grants",
            "intro": "Bid for consultancies and apply for grants.",
        },
    )

    assert_created(response, root)
    home = HomePage.objects.get()
    assert home.live
    assert home.get_parent().pk == root.pk
    assert home.hero_title == "Calls for consultancy and grants"
    assert home.latest_revision is not None


def test_editor_creates_the_call_index(editor_client, bare_home):
    response = post_new_page(
        editor_client,
        CallIndexPage,
        bare_home,
        {"title": "Calls for proposals", "slug": "calls", "intro": "Our open calls."},
    )

    assert_created(response, bare_home)
    index = CallIndexPage.objects.get()
    assert index.live
    assert index.intro == "Our open calls."
    assert index.get_parent().pk == bare_home.pk
    assert index.url == "/calls/"


def test_editor_publishes_a_call_with_its_criteria_and_documents(editor_client, site_root):
    calls = site_root["calls"]

    response = post_new_page(editor_client, CallPage, calls, call_form_data())

    assert_created(response, calls)
    call = CallPage.objects.get(reference_code="DC-CFC-2026-101")
    assert call.live
    assert not call.has_unpublished_changes
    assert call.get_parent().pk == calls.pk
    assert call.url == "/calls/training-documentation-gender/"
    # The deadline was typed in Nairobi time; the database holds UTC.
    assert call.closes_at == datetime(2099, 12, 3, 20, 59, tzinfo=UTC)
    assert call.opens_at == datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    assert [(c.title, c.max_points) for c in call.criteria.all()] == [
        ("Methodology", 60),
        ("Experience", 40),
    ]
    assert [
        (d.name, d.envelope, d.is_required, d.accepted_type_list)
        for d in call.required_documents.all()
    ] == [
        ("Technical proposal", "technical", True, ["pdf"]),
        ("Financial proposal", "financial", True, ["pdf", "xlsx"]),
    ]
    blocks = [(block.block_type, block.value) for block in call.terms_of_reference]
    assert blocks[0] == ("heading", "Background")
    assert blocks[1][0] == "paragraph"
    assert "<b>safe</b>" in blocks[1][1].source


def test_editor_saves_a_call_as_a_draft(editor_client, site_root):
    calls = site_root["calls"]

    response = post_new_page(editor_client, CallPage, calls, call_form_data(), publish=False)

    assert response.status_code == 302, "\n".join(form_errors(response))
    call = CallPage.objects.get(reference_code="DC-CFC-2026-101")
    assert response.url == reverse("wagtailadmin_pages:edit", args=[call.pk])
    assert not call.live
    assert call.latest_revision is not None
    draft = call.latest_revision.as_object()
    assert [c.title for c in draft.criteria.all()] == ["Methodology", "Experience"]
    assert [d.name for d in draft.required_documents.all()] == [
        "Technical proposal",
        "Financial proposal",
    ]
    assert not CallPage.objects.live().filter(pk=call.pk).exists()


def test_editor_builds_a_grant_calls_application_form(editor_client, site_root):
    from tenders.application_form import form_questions
    from tests.tenders.page_forms import grant_form_data, list_block

    def question(**value):
        return {"help_text": "", "required": "on", **value}

    form = streamfield(
        [
            ("section", {"heading": "About your network", "guidance": "Who you are."}),
            ("short_answer", question(label="Name of your network", identifies_applicant="on")),
            ("long_answer", question(label="What you will do", word_limit="300")),
            ("single_choice", question(label="Country", choices=list_block(["Kenya", "Uganda"]))),
            ("eligibility", question(label="Are you registered?", required_answer="yes")),
            ("budget", question(label="Budget", max_lines="10")),
        ]
    )
    calls = site_root["calls"]
    data = grant_form_data(application_form=form)

    response = post_new_page(editor_client, CallPage, calls, data)

    assert_created(response, calls)
    call = CallPage.objects.get(reference_code="DC-GRT-2026-101")
    questions = form_questions(call)
    assert [(q.kind, q.label) for q in questions] == [
        ("short_answer", "Name of your network"),
        ("long_answer", "What you will do"),
        ("single_choice", "Country"),
        ("eligibility", "Are you registered?"),
        ("budget", "Budget"),
    ]
    assert questions[0].identifies_applicant and not questions[1].identifies_applicant
    assert questions[1].word_limit == 300 and questions[2].choices == ("Kenya", "Uganda")
    assert questions[3].required_answer == "yes" and all(q.id for q in questions)
    # The editor's tab.
    edit = editor_client.get(reverse("wagtailadmin_pages:edit", args=[call.pk])).content.decode()
    assert "Application form" in edit
