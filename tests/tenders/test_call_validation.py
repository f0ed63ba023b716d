"""An editor who gets a call wrong is told what to fix, and nothing is saved."""

import pytest
from wagtail.models import Page, Revision
from wagtail.test.utils.form_data import inline_formset

from tenders.models import CallCriterion, CallPage, RequiredDocument
from tests.tenders.page_forms import (
    assert_created,
    call_form_data,
    form_errors,
    grant_form_data,
    post_new_page,
    shown_to_editor,
)


@pytest.fixture
def refused(editor_client, site_root):
    """Post a call and check the admin refused it without saving anything."""

    def post(data):
        counts = _counts()
        response = post_new_page(editor_client, CallPage, site_root["calls"], data)
        page = shown_to_editor(response)
        assert "The page could not be created due to validation errors." in page
        assert _counts() == counts
        return response, page

    return post


def _counts():
    return (
        Page.objects.count(),
        CallPage.objects.count(),
        Revision.objects.count(),
        CallCriterion.objects.count(),
        RequiredDocument.objects.count(),
    )


def test_the_valid_call_used_below_is_accepted(editor_client, site_root):
    """The refusals below come from the one field each test breaks."""
    calls = site_root["calls"]
    assert_created(post_new_page(editor_client, CallPage, calls, call_form_data()), calls)
    assert_created(post_new_page(editor_client, CallPage, calls, grant_form_data()), calls)


def test_weights_that_do_not_sum_to_one(refused):
    response, page = refused(call_form_data(technical_weight="0.80", financial_weight="0.30"))

    message = "The technical and financial weights must sum to 1 (they sum to 1.10)."
    assert response.context["form"].errors["financial_weight"] == [message]
    assert message in page


def test_criteria_that_do_not_total_100(refused):
    response, page = refused(
        call_form_data(
            criteria=inline_formset(
                [
                    {"title": "Methodology", "description": "", "max_points": "60"},
                    {"title": "Experience", "description": "", "max_points": "30"},
                ],
                min=1,
            )
        )
    )

    message = "The evaluation criteria must total 100 points; they total 90."
    assert message in response.context["form"].non_field_errors()
    assert message in page


def test_a_deleted_criterion_does_not_count_towards_the_total(refused):
    response, page = refused(
        call_form_data(
            criteria=inline_formset(
                [
                    {"title": "Methodology", "description": "", "max_points": "60"},
                    {"title": "Experience", "description": "", "max_points": "40"},
                    {"title": "Removed", "description": "", "max_points": "20", "DELETE": "1"},
                    {"title": "Also removed", "description": "", "max_points": "20"},
                ],
                min=1,
            )
        )
    )
    assert "The evaluation criteria must total 100 points; they total 120." in page


def test_deadline_before_the_opening(refused):
    response, page = refused(
        call_form_data(
            opens_at="2099-12-10 09:00",
            closes_at="2099-12-03 23:59",
            clarifications_close_at="2099-12-01 17:00",
        )
    )

    message = "The deadline must be after the opening time."
    assert response.context["form"].errors["closes_at"] == [message]
    assert message in page


def test_clarifications_closing_after_the_deadline(refused):
    response, page = refused(call_form_data(clarifications_close_at="2099-12-04 09:00"))

    message = "Clarifications must close no later than the deadline."
    assert response.context["form"].errors["clarifications_close_at"] == [message]
    assert message in page


def test_grant_call_asking_for_a_financial_document(refused):
    response, page = refused(
        grant_form_data(
            required_documents=inline_formset(
                [
                    {
                        "name": "Narrative application",
                        "description": "",
                        "envelope": "technical",
                        "is_required": "on",
                        "accepted_types": "pdf",
                        "max_size_mb": "10",
                    },
                    {
                        "name": "Budget",
                        "description": "",
                        "envelope": "financial",
                        "is_required": "on",
                        "accepted_types": "xlsx",
                        "max_size_mb": "5",
                    },
                ],
                min=1,
            )
        )
    )

    message = "A grant call has one envelope: its documents must all be technical."
    assert message in response.context["form"].non_field_errors()
    assert message in page


def test_each_refusal_names_only_what_is_wrong(refused):
    """A single mistake produces a single message, so the editor is not misled."""
    response, _page = refused(call_form_data(clarifications_close_at="2099-12-04 09:00"))
    assert form_errors(response) == [
        "clarifications_close_at: Clarifications must close no later than the deadline."
    ]
