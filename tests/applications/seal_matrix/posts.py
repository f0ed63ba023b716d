"""Checking one POST cell: the actions behind each page, refused without a trace."""

from django.db import transaction

from applications.models import Answer, Submission, SubmissionFile
from tests.applications.seal_matrix.cells import NO_LEAK, REFUSED, expectation
from tests.applications.seal_matrix.checks import refusal_is_proper, response_text_bytes
from tests.applications.seal_matrix.routes import Route
from tests.applications.seal_matrix.world import World

# What each route's form sends to act: tried by every role the route refuses.
POSTS = {
    "applications:submission": [
        {"action": "withdraw"},
        {"action": "submit", "offer_amount": "1", "offer_currency": "KES"},
    ],
    "applications:answers_save": [{"answers_form": "1", "q_q-seal": "Written by an outsider"}],
    "reviews:assignment": [{"action": "declare", "has_conflict": "no"}],
    "reviews:ranking": [
        {"action": "lock"},
        {"action": "open_financial"},
        {"action": "outcome", "outcome": "awarded", "submission": "{submission}"},
        {"action": "note", "evaluation_note": "Written by an outsider"},
        {"action": "send_outcomes"},
        {
            "action": "negotiation_failed",
            "submission": "{submission}",
            "reason": "An outsider says the negotiation failed.",
        },
    ],
    "reviews:report": [{}],  # the chair's sign-off
    "reviews:compliance": [
        {"action": "clear"},
        {
            "action": "decide",
            "submission": "{submission}",
            "responsive": "no",
            "reason": "An outsider says it is not responsive.",
        },
    ],
    "zabuni_call_open": [{"password": "{password}"}],
}


def world_state(w: World) -> tuple:
    """Everything an action on this call could change."""
    from notifications.models import OutboxMessage
    from reviews.models import (
        Assignment,
        ComplianceDecision,
        FinancialOpeningRegister,
        Panel,
        ReportSignOff,
        Review,
        ScoringSheet,
    )

    call = w.call
    return (
        list(
            Submission.objects.filter(call=call)
            .order_by("pk")
            .values_list("pk", "status", "updated_at", "offer_amount", "financial_opened_at")
        ),
        SubmissionFile.objects.filter(submission__call=call).count(),
        list(
            Answer.objects.filter(submission__call=call)
            .order_by("pk")
            .values_list("pk", "value", "pending")
        ),
        call.opening_confirmations.count(),
        list(
            Panel.objects.filter(call=call).values_list(
                "locked_at", "financial_opened_at", "outcomes_sent_at", "evaluation_note"
            )
        ),
        list(
            Assignment.objects.filter(panel__call=call).values_list("declared_at", "has_conflict")
        ),
        Review.objects.filter(assignment__panel__call=call).count(),
        list(
            ComplianceDecision.objects.filter(submission__call=call)
            .order_by("pk")
            .values_list("submission_id", "responsive", "reason")
        ),
        ScoringSheet.objects.filter(call=call).count(),
        FinancialOpeningRegister.objects.filter(call=call).count(),
        ReportSignOff.objects.filter(panel__call=call).count(),
        OutboxMessage.objects.count(),
    )


def check_post_cell(route: Route, role: str, phase: str, resource: str, url: str, w: World):
    """POST each of the route's actions as ``role``, whom the route refuses or shows
    nothing to: no 5xx, no leak, and (if refused) nothing changed."""
    from tests.factories import PASSWORD

    expected = expectation(route.name, role, phase, resource)
    if expected not in (REFUSED, NO_LEAK):
        return []
    problems = []
    for payload in POSTS.get(route.name, [{}]):
        data = {
            key: value.format(submission=w.submission.pk, password=PASSWORD)
            for key, value in payload.items()
        }
        # Each POST in a savepoint rolled back after it: what one wrongly changes
        # is reported, and never seen by the next cell.
        with transaction.atomic():
            before = world_state(w)
            response = w.clients[role].post(url, data)
            after = world_state(w)
            transaction.set_rollback(True)
        text = response_text_bytes(response).decode("utf-8", errors="replace")
        cell = f"[{phase}] {role} POST {url} {payload.get('action', '')} -> {response.status_code}"
        if response.status_code >= 500:
            problems.append(f"{cell}: server error")
            continue
        for needle in w.secrets:
            if needle in text:
                problems.append(f"{cell}: leaks {needle!r}")
        if expected == REFUSED:
            if response.status_code != 405 and not refusal_is_proper(response, role):
                problems.append(f"{cell}: expected 403/404/405 or a redirect to sign in")
            if after != before:
                problems.append(f"{cell}: a refused POST changed the call's state")
    return problems
