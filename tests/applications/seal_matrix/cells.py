"""The cells: what each person may do on each route, in each phase, and what it is tried with."""

import pytest

from tests.applications.seal_matrix.columns import AFTER_FINANCIAL, AFTER_LOCK, OPENED_PHASES
from tests.applications.seal_matrix.routes import Route

ALLOWED = "allowed"  # 200 with the content
REFUSED = "refused"  # 403/404 (or a redirect to sign in), and none of the bid's content
NO_LEAK = "no leak"  # whatever the status, none of the bid's content
# 409: the file is encrypted to the committee's keys; nobody can read it yet, its owner
# included (issue 23). None of its content, no download event.
SEALED = "sealed"

# Routes collected because their view lives in applications/, but which show
# no one's bid but the visitor's own: for anyone else, nothing may leak.
NO_CONTENT_ROUTES = {
    "applications:dashboard",  # the visitor's own bids
    "applications:apply",  # POST: start a draft
    "applications:ask",  # POST: ask a question
    "reviews:sheet_request",  # POST: queue a scoring sheet (chair or staff, once opened)
    "zabuni_call_list",  # staff: counts per call
    "zabuni_call_open",  # POST: staff open a call
    "zabuni_call_opening_delay",  # POST: staff record a late opening
    "accounts:end_session",  # POST: end one of the visitor's own signed-in sessions
    # A resumable upload: the owner's own, by its id; anyone else gets a 404.
    "applications:upload_start",  # POST: start one, on the visitor's own bid
    "applications:upload",  # GET where it stands, POST the next piece
}

# Staff screens about panels: staff may open them, but no bid's content shows there.
STAFF_NO_CONTENT_ROUTES = {
    "zabuni_evaluation_list",
    "wagtailsnippets_reviews_panel:list",
    "wagtailsnippets_reviews_panel:list_results",
    "wagtailsnippets_reviews_panel:add",
    "wagtailsnippets_reviews_panel:edit",
    "wagtailsnippets_reviews_panel:delete",
    # The committee's edit and delete views check the instance (applications.committee_admin).
    "wagtailsnippets_applications_openingcommittee:edit",
    "wagtailsnippets_applications_openingcommittee:delete",
}


def expectation(name: str, role: str, phase: str, resource: str) -> str | None:
    # A member of the opening committee is staff; confirming opens nothing alone.
    staff = role in ("staff", "superuser", "committee")
    opened = phase in OPENED_PHASES
    priced = phase == AFTER_FINANCIAL  # the owner's bid qualified; its price is open
    # The panel's chair leads the evaluation: reads every bid once opened, and the
    # prices once opened in their turn; no staff screen.
    leads = staff or role == "chair"
    # In the scoring phases the reviewer has declared no conflict on the owner's bid:
    # they read it then, its technical envelope included, but never its price.
    declared = role == "reviewer" and phase in (AFTER_LOCK, AFTER_FINANCIAL)
    if name == "applications:answers_save":
        # The autosave of the owner's answers (JSON, POST only): anyone else, a 404.
        return None if role == "owner" else REFUSED
    if name in ("applications:submission", "applications:receipt"):
        return ALLOWED if role == "owner" or (leads and opened) or declared else REFUSED
    if name == "applications:download":
        if role == "owner":
            # Pending and financial files too: they are the owner's, once they can be read.
            return ALLOWED if opened else SEALED
        # The financial envelope stays closed until the financial opening, after
        # technical scoring is locked, and then to staff and the chair only; a
        # replacement never resubmitted stays the owner's for good.
        if resource == "technical":
            return ALLOWED if (leads and opened) or declared else REFUSED
        return ALLOWED if resource == "financial" and leads and priced else REFUSED
    if name in ("zabuni_call_submissions", "zabuni_call_audit"):
        return ALLOWED if staff else REFUSED
    if name == "zabuni_call_register":
        # Written at the opening: nothing to show (404) before it, staff only after.
        return ALLOWED if staff and opened else REFUSED
    if name == "reviews:register":
        # The panel's copy: staff and the panel (reviewer, chair), after opening.
        return ALLOWED if (leads or role == "reviewer") and opened else REFUSED
    if name == "reviews:financial_register":
        # Prices: staff and the chair, once opened; other reviewers never.
        return ALLOWED if leads and priced else REFUSED
    if name == "reviews:assignment":
        # The assignee's own page: sealed before opening; after it, the applicant's
        # name (to judge a conflict) but nothing of the bid until they declare.
        if role != "reviewer":
            return REFUSED
        return ALLOWED if opened else NO_LEAK
    if name == "reviews:queue":
        # The visitor's own assignments: labels only until the call is opened.
        return ALLOWED if role == "reviewer" and opened else NO_LEAK
    if name == "reviews:ranking":
        return ALLOWED if leads and opened else REFUSED
    if name == "reviews:compliance":
        # The preliminary examination: bids by label with what the portal found; the
        # chair (and staff, to read) once opened. Nothing of it before the opening.
        return ALLOWED if leads and opened else REFUSED
    if name == "reviews:report":
        # Every reviewer's scores and the opened prices: the chair and staff, once opened.
        return ALLOWED if leads and opened else REFUSED
    if name in (
        "reviews:sheet",
        "reviews:sheet_progress",
        "reviews:sheet_download",
    ):
        # A scoring sheet staff asked for: staff only, and only once the call is opened.
        return ALLOWED if staff and opened else REFUSED
    if name == "zabuni_evaluation_ranking":
        if not staff:
            return REFUSED
        return ALLOWED if opened else NO_LEAK
    if name in STAFF_NO_CONTENT_ROUTES:
        return NO_LEAK if staff else REFUSED
    if name in NO_CONTENT_ROUTES:
        return None if role == "owner" else NO_LEAK
    pytest.fail(
        f"URL pattern {name!r} can reach submissions but is not in the seal matrix: "
        "decide who may see it, and when, in expectation()."
    )


FILLERS = {
    "pk": lambda w: [("submission", w.submission.pk)],
    "file_id": lambda w: [
        ("technical", w.files["technical"].pk),
        ("financial", w.files["financial"].pk),
        ("pending", w.files["pending"].pk),
    ],
    "call_id": lambda w: [("call", w.call.pk)],
    "assignment_id": lambda w: [("assignment", w.assignment.pk)],
    "sheet_id": lambda w: [("sheet", w.sheet.pk)],
    "upload_id": lambda w: [("upload", w.upload.pk)],
    "kind": lambda w: [("xlsx", "xlsx"), ("csv", "csv"), ("answers-csv", "answers-csv")],
}


def targets(route: Route, world) -> list[tuple[str, dict]]:
    """(resource, kwargs) for each object the route is tried with."""
    unknown = [p for p in route.params if p not in FILLERS]
    if unknown:
        pytest.fail(
            f"URL pattern {route.name!r} ({route.route}) takes {', '.join(unknown)}, "
            "which the seal matrix cannot fill: add it to FILLERS and decide who may see it."
        )
    combos = [("", {})]
    for param in route.params:
        combos = [
            (resource or label, {**kwargs, param: value})
            for label, kwargs in combos
            for resource, value in FILLERS[param](world)
        ]
    return combos
