"""The seal, cell by cell: who may read a bid, its receipt and its files, and when.

The rows of the matrix come from the URL configuration itself: every pattern
in the ``applications`` namespace, every pattern whose view lives in
``applications/`` (the Wagtail admin screens included), and every pattern
anywhere whose parameter names a submission or a file. A new URL therefore
joins the matrix on its own, and the test fails until someone decides, here,
who may see it. A parameter the matrix cannot fill fails the test by name.

The columns are the people around a bid (its owner, another applicant, a
reviewer, staff, a superuser, an anonymous visitor) in three phases: before
the deadline, after it but before opening, and after staff open the call.
"""

import inspect
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from wagtail.admin.viewsets import viewsets
from wagtail.snippets.models import get_snippet_models

from applications.choices import AuditAction
from applications.demo import tiny_pdf
from applications.models import (
    Assignment,
    AuditEvent,
    Panel,
    ScoringSheet,
    Submission,
    SubmissionFile,
)
from applications.services.opening import call_open
from applications.services.sheets import scoring_sheet_build
from applications.services.submissions import Amounts, submission_save
from tenders.models import CallPage
from tests.factories import UserFactory, pdf_upload, submit_bid

BEFORE_DEADLINE = "before_deadline"
AFTER_DEADLINE = "after_deadline"
AFTER_OPENING = "after_opening"
PHASES = (BEFORE_DEADLINE, AFTER_DEADLINE, AFTER_OPENING)
ROLES = ("owner", "other_applicant", "reviewer", "staff", "superuser", "anonymous")
CLIENT_IP = "203.0.113.9"
OFFER = Decimal("1234567")
OFFER_SHOWN = "1,234,567"
TECHNICAL = "Technical proposal"  # the documents of the consultancy_call fixture
FINANCIAL = "Financial proposal"

# --- The rows: read from the URL configuration -------------------------------

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
            name.startswith("applications:")
            or module == "applications"
            or module.startswith("applications.")
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
    "applications:sheet_request",  # POST: queue a scoring sheet (chair or staff, once opened)
    "zabuni_call_list",  # staff: counts per call
    "zabuni_call_open",  # POST: staff open a call
}

# Staff screens about panels: staff may open them, but no bid's content shows there.
STAFF_NO_CONTENT_ROUTES = {
    "zabuni_evaluation_list",
    "wagtailsnippets_applications_panel:list",
    "wagtailsnippets_applications_panel:list_results",
    "wagtailsnippets_applications_panel:add",
    "wagtailsnippets_applications_panel:edit",
    "wagtailsnippets_applications_panel:delete",
}


def expectation(name: str, role: str, phase: str, resource: str) -> str | None:
    staff = role in ("staff", "superuser")
    opened = phase == AFTER_OPENING
    if name in ("applications:submission", "applications:receipt"):
        return ALLOWED if role == "owner" or (staff and opened) else REFUSED
    if name == "applications:download":
        if role == "owner":
            return ALLOWED  # pending and financial files too: they are the owner's
        # The financial envelope stays closed until technical scoring is locked.
        return ALLOWED if staff and opened and resource == "technical" else REFUSED
    if name in ("zabuni_call_submissions", "zabuni_call_audit"):
        return ALLOWED if staff else REFUSED
    if name == "applications:assignment":
        # The assignee's own page: sealed before opening; after it, the applicant's
        # name (to judge a conflict) but nothing of the bid until they declare.
        if role != "reviewer":
            return REFUSED
        return ALLOWED if opened else NO_LEAK
    if name == "applications:review_queue":
        # The visitor's own assignments: labels only until the call is opened.
        return ALLOWED if role == "reviewer" and opened else NO_LEAK
    if name == "applications:ranking":
        return ALLOWED if staff and opened else REFUSED
    if name in (
        "applications:sheet",
        "applications:sheet_progress",
        "applications:sheet_download",
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
        ]

    def download_url(self, resource: str) -> str:
        return reverse("applications:download", kwargs={"file_id": self.files[resource].pk})


@pytest.fixture
def world(consultancy_call, applicant, reviewer, staff_user, superuser, no_outbox_dispatch):
    call = consultancy_call
    other = UserFactory(email="other.bidder@example.org")
    content = {
        "technical": tiny_pdf("Amina: methodology for the detention monitoring study"),
        "financial": tiny_pdf("Amina: priced offer"),
        "pending": tiny_pdf("Amina: methodology, second version"),
    }
    names = {
        "technical": "Amina technical proposal.pdf",
        "financial": "Amina priced offer.pdf",
        "pending": "Amina technical proposal v2.pdf",
    }

    def upload(resource):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile(names[resource], content[resource], "application/pdf")

    submission = submit_bid(
        call,
        applicant,
        files={TECHNICAL: upload("technical"), FINANCIAL: upload("financial")},
        amounts=Amounts(offer_amount=OFFER, offer_currency="KES"),
    )
    submit_bid(
        call,
        other,
        files={
            TECHNICAL: pdf_upload("Other technical.pdf"),
            FINANCIAL: pdf_upload("Other offer.pdf"),
        },
    )
    # A replacement uploaded after submitting: it waits for Resubmit.
    submission_save(
        submission=submission,
        user=applicant,
        uploads={call.required_documents.get(name=TECHNICAL).pk: upload("pending")},
    )
    files = {}
    for item in submission.files.all():
        files["pending" if item.pending else item.envelope] = item
    assert sorted(files) == ["financial", "pending", "technical"]
    assert submission.reference == f"{call.reference_code}-0001"

    users = {
        "owner": applicant,
        "other_applicant": other,
        "reviewer": reviewer,
        "staff": staff_user,
        "superuser": superuser,
        "anonymous": None,
    }
    # A panel: the reviewer is assigned the owner's bid and has declared nothing yet.
    panel = Panel.objects.create(
        call=call,
        chair=UserFactory(email="panel.chair@example.org"),
        review_deadline=timezone.now() + timedelta(days=10),
    )
    panel.members.add(reviewer)
    assignment = Assignment.objects.create(panel=panel, submission=submission, reviewer=reviewer)
    # A finished scoring sheet with names, as staff would have asked for it after opening.
    sheet = ScoringSheet.objects.create(call=call, requested_by=staff_user, blind=False)
    scoring_sheet_build(sheet_id=sheet.pk)
    world = World(
        call=call,
        submission=submission,
        files=files,
        content=content,
        users=users,
        assignment=assignment,
        sheet=sheet,
    )
    for role, user in users.items():
        client = Client(REMOTE_ADDR=CLIENT_IP)
        if user is not None:
            client.force_login(user)
        world.clients[role] = client
    return world


def enter(phase: str, world: World) -> None:
    """Move the call into ``phase``. The deadline moves with a plain UPDATE, as time would."""
    if phase == BEFORE_DEADLINE:
        return
    CallPage.objects.filter(pk=world.call.pk).update(
        closes_at=timezone.now() - timedelta(minutes=5)
    )
    if phase == AFTER_OPENING:
        call_open(call=CallPage.objects.get(pk=world.call.pk), user=world.users["staff"])


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
        if phase != AFTER_OPENING:
            return ["2 submissions received"]
        return [
            "2 submissions received",
            w.users["owner"].email,
            w.reference,
            w.files["technical"].original_name,
            w.download_url("technical"),
        ]
    if name == "zabuni_call_audit" and phase == AFTER_OPENING:
        return [w.reference]
    if name == "zabuni_evaluation_ranking":
        return [str(w.submission.label)]
    return []


def _must_hide(name: str, phase: str, resource: str, w: World) -> list[str]:
    if name == "zabuni_evaluation_ranking":
        return [OFFER_SHOWN, *(f.original_name for f in w.files.values()), "/bids/files/"]
    if name in ("zabuni_call_submissions", "zabuni_call_audit"):
        if phase != AFTER_OPENING:
            return [*w.secrets, "/bids/files/"]
        return [
            w.files["financial"].original_name,
            w.files["pending"].original_name,
            w.download_url("financial"),
            w.download_url("pending"),
        ]
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
        for needle in _must_hide(route.name, phase, resource, w):
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


# --- The tests ----------------------------------------------------------------


def test_the_matrix_is_built_from_the_routes_that_reach_submissions():
    names = {route.name for route in ROUTES}
    for expected in (
        "applications:submission",
        "applications:receipt",
        "applications:download",
        "zabuni_call_submissions",
        "zabuni_call_audit",
    ):
        assert expected in names, f"the URL walk did not find {expected}"
    by_name = {route.name: route for route in ROUTES}
    assert by_name["applications:download"].params == ("file_id",)
    assert by_name["applications:submission"].params == ("pk",)
    assert by_name["zabuni_call_submissions"].params == ("call_id",)
    # Wagtail's own upload routes (uploaded_file_id) are not ours; they stay out.
    assert not any(name.startswith("wagtaildocs:") for name in names)


def test_every_collected_route_has_fillable_parameters_and_a_rule():
    problems = []
    for route in ROUTES:
        unknown = [p for p in route.params if p not in FILLERS]
        if unknown:
            problems.append(f"{route.name} ({route.route}) takes {', '.join(unknown)}")
        known = route.name in NO_CONTENT_ROUTES | STAFF_NO_CONTENT_ROUTES or route.name in (
            "zabuni_evaluation_ranking",
            "applications:submission",
            "applications:receipt",
            "applications:download",
            "applications:assignment",
            "applications:ranking",
            "applications:review_queue",
            "applications:sheet",
            "applications:sheet_progress",
            "applications:sheet_download",
            "zabuni_call_submissions",
            "zabuni_call_audit",
        )
        if not known:
            problems.append(f"{route.name} ({route.route}) has no rule in the seal matrix")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_seal_matrix(route, phase, world):
    enter(phase, world)
    problems = []
    for resource, kwargs in targets(route, world):
        url = reverse(route.name, kwargs=kwargs)
        for role in ROLES:
            problems += check_cell(route, role, phase, resource, url, world)
    assert not problems, "\n".join(problems)


def test_no_generic_admin_screen_lists_submissions_or_their_files():
    """The Wagtail admin (or Django's) must not grow a screen that skips permissions.py."""
    sealed = {Submission, SubmissionFile, AuditEvent}
    assert not sealed & set(get_snippet_models())
    viewsets.populate()
    assert not [v for v in viewsets.viewsets if getattr(v, "model", None) in sealed]
    assert not sealed & set(admin.site._registry)
    if apps.is_installed("wagtail_modeladmin"):  # pragma: no cover - not installed today
        from wagtail_modeladmin.options import ModelAdmin

        registered = {cls.model for cls in ModelAdmin.__subclasses__()}
        assert not sealed & registered


def test_staff_cannot_read_the_priced_offer_after_opening(world):
    """The financial envelope (the offer's amount and its file) stays closed after opening,
    until technical scoring is locked: on every page staff may open."""
    enter(AFTER_OPENING, world)
    financial = world.files["financial"]
    problems = []
    for role in ("staff", "superuser"):
        for name in ("applications:submission", "applications:receipt"):
            url = reverse(name, kwargs={"pk": world.submission.pk})
            response = world.clients[role].get(url)
            assert response.status_code == 200, f"{role} {url}"
            body = response.content.decode()
            for needle in (OFFER_SHOWN, financial.original_name):
                if needle in body:
                    problems.append(f"{role} GET {url} shows {needle!r}")
    assert not problems, "\n".join(problems)


def test_the_owner_still_sees_the_priced_offer(world):
    """The counterpart of the test above: the seal is not a blanket hide."""
    enter(AFTER_OPENING, world)
    body = world.clients["owner"].get(reverse("applications:receipt", args=[world.submission.pk]))
    assert OFFER_SHOWN in body.content.decode()
