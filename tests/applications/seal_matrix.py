"""The seal matrix's machinery, for ``test_seal_matrix.py``: the rows (every URL
pattern that can reach a submission, read from the URL configuration), the
columns (the people around a bid and the phases of a call), the expected
access in each cell, and the check of one cell.
"""

import inspect
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from applications.choices import AuditAction
from applications.models import AuditEvent, Submission, SubmissionFile
from tenders.models import CallPage

BEFORE_DEADLINE = "before_deadline"
AFTER_DEADLINE = "after_deadline"
AFTER_OPENING = "after_opening"
# A superuser tried to move the open call's deadline into the past (refused):
# everything must still be sealed as before the deadline.
AFTER_MOVE_ATTEMPT = "after_deadline_move_attempt"
# After the opening, the evaluation goes on: technical scoring locked (prices
# still sealed), then the financial envelopes of the qualified bids opened.
AFTER_LOCK = "after_scoring_locked"
AFTER_FINANCIAL = "after_financial_opening"
PHASES = (
    BEFORE_DEADLINE,
    AFTER_MOVE_ATTEMPT,
    AFTER_DEADLINE,
    AFTER_OPENING,
    AFTER_LOCK,
    AFTER_FINANCIAL,
)
OPENED_PHASES = (AFTER_OPENING, AFTER_LOCK, AFTER_FINANCIAL)
LEADS = ("chair", "committee", "staff", "superuser")  # those who lead the evaluation
ROLES = (
    "owner",
    "other_applicant",
    "reviewer",
    "chair",
    "committee",
    "staff",
    "superuser",
    "anonymous",
)
CLIENT_IP = "203.0.113.9"
OFFER = Decimal("1234567")
OFFER_SHOWN = "1,234,567"
TECHNICAL = "Technical proposal"  # the documents of the consultancy_call fixture
FINANCIAL = "Financial proposal"

# --- The rows: read from the URL configuration -------------------------------

# The apps whose pages touch submissions: every URL they name or serve joins the matrix.
SUBMISSION_APPS = {"applications", "reviews"}
SUBMISSION_WORDS = {"submission", "submissions", "bid", "bids", "application", "envelope"}
FILE_PARAMETERS = {"file_id", "file_pk", "file_uuid"}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    params: tuple[str, ...]

    def __str__(self):
        return self.name


def _parameters(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    regex = pattern.regex
    unnamed = regex.groups - len(regex.groupindex)
    return list(regex.groupindex) + [f"<unnamed group {i + 1}>" for i in range(unnamed)]


def _view_module(callback) -> str:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return view_class.__module__
    return getattr(inspect.unwrap(callback), "__module__", "") or ""


def _walk(patterns, namespaces=(), prefix="", params=()):
    for pattern in patterns:
        here = tuple(params) + tuple(_parameters(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern.url_patterns, inner, prefix + str(pattern.pattern), here)
        else:
            name = ":".join(namespaces + (pattern.name or f"<unnamed {prefix}{pattern.pattern}>",))
            yield name, prefix + str(pattern.pattern), here, _view_module(pattern.callback)


def _names_a_submission_or_file(param: str) -> bool:
    return param in FILE_PARAMETERS or bool(set(param.lower().split("_")) & SUBMISSION_WORDS)


def sealed_routes() -> list[Route]:
    """Every URL pattern that could show a submission's content."""
    found = {}
    for name, route, params, module in _walk(get_resolver().url_patterns):
        if (
            name.split(":")[0] in SUBMISSION_APPS
            or module.split(".")[0] in SUBMISSION_APPS
            or any(_names_a_submission_or_file(p) for p in params)
        ):
            found[name] = Route(name, route, params)
    return sorted(found.values(), key=lambda r: r.name)


ROUTES = sealed_routes()

# --- The cells: what each person may do, in each phase -----------------------

ALLOWED = "allowed"  # 200 with the content
REFUSED = "refused"  # 403/404 (or a redirect to sign in), and none of the bid's content
NO_LEAK = "no leak"  # whatever the status, none of the bid's content

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
    if name in ("applications:submission", "applications:receipt"):
        return ALLOWED if role == "owner" or (leads and opened) or declared else REFUSED
    if name == "applications:download":
        if role == "owner":
            return ALLOWED  # pending and financial files too: they are the owner's
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
    "kind": lambda w: [("xlsx", "xlsx"), ("csv", "csv")],
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


# --- The world: one call, the owner's bid and everyone around it -------------


@dataclass
class World:
    call: CallPage
    submission: Submission
    files: dict[str, SubmissionFile]
    content: dict[str, bytes]
    users: dict
    assignment: object = None
    sheet: object = None
    upload: object = None  # the owner's resumable upload, half sent
    clients: dict[str, Client] = field(default_factory=dict)

    @property
    def reference(self) -> str:
        return self.submission.reference

    @property
    def secrets(self) -> list[str]:
        """What no one but the owner may see of the bid before opening."""
        owner = self.users["owner"]
        return [
            owner.email,
            self.reference,
            OFFER_SHOWN,
            *(f.original_name for f in self.files.values()),
            *(f.sha256 for f in self.files.values()),
            *([self.upload.name] if self.upload is not None else []),
        ]

    def download_url(self, resource: str) -> str:
        return reverse("applications:download", kwargs={"file_id": self.files[resource].pk})


# --- Checking one cell ----------------------------------------------------------


def _body(response) -> bytes:
    # Reading a streamed response to its end closes it, as a WSGI server would.
    # (Closing it again would fire request_finished and close the test's DB connection.)
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _must_show(name: str, phase: str, resource: str, w: World) -> list[str]:
    if name == "applications:submission":
        return [w.reference, w.files["technical"].original_name]
    if name == "applications:receipt":
        return [w.reference, w.files["technical"].sha256]
    if name == "zabuni_call_submissions":
        if phase not in OPENED_PHASES:
            return ["2 submissions received"]
        return [
            "2 submissions received",
            w.users["owner"].email,
            w.reference,
            w.files["technical"].original_name,
            w.download_url("technical"),
        ]
    if name == "zabuni_call_audit" and phase in OPENED_PHASES:
        return [w.reference]
    if name == "reviews:financial_register":
        return [w.reference, OFFER_SHOWN, w.files["financial"].sha256]
    if name in ("zabuni_call_register", "reviews:register"):
        return [w.reference, w.files["technical"].original_name, w.files["financial"].sha256]
    if name in ("zabuni_evaluation_ranking", "reviews:report"):
        return [str(w.submission.label)]
    return []


def _must_hide(name: str, phase: str, resource: str, w: World, role: str) -> list[str]:
    pending = [w.files["pending"].original_name, w.download_url("pending")]
    sealed_price = [] if phase == AFTER_FINANCIAL else [OFFER_SHOWN]
    if name in ("zabuni_call_register", "reviews:register", "reviews:financial_register"):
        # Financial envelopes by hash only; a replacement never resubmitted, not at all.
        return [*sealed_price, w.files["financial"].original_name, *pending]
    if name in ("zabuni_evaluation_ranking", "reviews:report"):
        return [*sealed_price, *(f.original_name for f in w.files.values()), "/bids/files/"]
    if name in ("zabuni_call_submissions", "zabuni_call_audit"):
        if phase not in OPENED_PHASES:
            return [*w.secrets, "/bids/files/"]
        if phase == AFTER_FINANCIAL:
            return pending
        return [w.files["financial"].original_name, w.download_url("financial"), *pending]
    if name in ("applications:submission", "applications:receipt") and role != "owner":
        if phase == AFTER_FINANCIAL and role in LEADS:
            return pending
        return [OFFER_SHOWN, w.files["financial"].original_name, *pending]
    return []


def _refusal_is_proper(response, role: str) -> bool:
    if response.status_code in (403, 404):
        return True
    if response.status_code == 302:
        location = response["Location"].split("?")[0]
        allowed = {reverse("accounts:login"), reverse("wagtailadmin_login")}
        if role != "anonymous":
            allowed.add(reverse("wagtailadmin_home"))
        return location in allowed
    return False


def _downloads():
    return AuditEvent.objects.filter(action=AuditAction.FILE_DOWNLOADED)


def check_cell(route: Route, role: str, phase: str, resource: str, url: str, w: World):
    """Request ``url`` as ``role``; return what is wrong with the answer, if anything."""
    expected = expectation(route.name, role, phase, resource)
    user = w.users[role]
    downloads_before = set(_downloads().values_list("pk", flat=True))
    response = w.clients[role].get(url)
    raw = _body(response)
    text = raw.decode("utf-8", errors="replace")
    new_downloads = list(_downloads().exclude(pk__in=downloads_before))
    cell = f"[{phase}] {role} GET {url} ({resource}) -> {response.status_code}"
    problems = []
    if response.status_code >= 500:
        return [f"{cell}: server error"]

    if expected == ALLOWED:
        if response.status_code != 200:
            problems.append(f"{cell}: expected 200")
        if route.name == "applications:download":
            if raw != w.content[resource]:
                problems.append(f"{cell}: the file's bytes were not served")
            item = w.files[resource]
            audited = [
                e
                for e in new_downloads
                if e.actor_id == user.pk and e.file_id == item.pk and e.ip_address == CLIENT_IP
            ]
            if len(new_downloads) != 1 or len(audited) != 1:
                problems.append(
                    f"{cell}: expected one audit event (actor, file, IP), got {new_downloads!r}"
                )
        for needle in _must_show(route.name, phase, resource, w):
            if needle not in text:
                problems.append(f"{cell}: does not show {needle!r}")
        for needle in _must_hide(route.name, phase, resource, w, role):
            if needle in text:
                problems.append(f"{cell}: shows {needle!r}, which is sealed")
    elif expected in (REFUSED, NO_LEAK):
        if expected == REFUSED and not _refusal_is_proper(response, role):
            where = response.get("Location", "")
            problems.append(f"{cell}: expected 403/404 or a redirect to sign in {where}")
        for needle in w.secrets:
            if needle in text:
                problems.append(f"{cell}: leaks {needle!r}")
        if new_downloads:
            problems.append(f"{cell}: a refused request wrote download events {new_downloads!r}")
    return problems


# --- POST: the actions behind each page --------------------------------------

# What each route's form sends to act: tried by every role the route refuses.
POSTS = {
    "applications:submission": [
        {"action": "withdraw"},
        {"action": "submit", "offer_amount": "1", "offer_currency": "KES"},
    ],
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
    "zabuni_call_open": [{"password": "{password}"}],
}


def world_state(w: World) -> tuple:
    """Everything an action on this call could change."""
    from notifications.models import OutboxMessage
    from reviews.models import (
        Assignment,
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
        before = world_state(w)
        response = w.clients[role].post(url, data)
        text = _body(response).decode("utf-8", errors="replace")
        cell = f"[{phase}] {role} POST {url} {payload.get('action', '')} -> {response.status_code}"
        if response.status_code >= 500:
            problems.append(f"{cell}: server error")
            continue
        for needle in w.secrets:
            if needle in text:
                problems.append(f"{cell}: leaks {needle!r}")
        if expected == REFUSED:
            if response.status_code != 405 and not _refusal_is_proper(response, role):
                problems.append(f"{cell}: expected 403/404/405 or a redirect to sign in")
            if world_state(w) != before:
                problems.append(f"{cell}: a refused POST changed the call's state")
    return problems
