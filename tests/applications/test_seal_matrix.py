"""The seal, cell by cell: who may read a bid, its receipt and its files, and when.

The rows of the matrix come from the URL configuration itself: every pattern
in the ``applications`` or ``reviews`` namespace, every pattern whose view lives
in ``applications/`` or ``reviews/`` (the Wagtail admin screens included), and every pattern
anywhere whose parameter names a submission or a file. A new URL therefore
joins the matrix on its own, and the test fails until someone decides, in
``seal_matrix/`` beside this file, who may see it. A parameter the matrix
cannot fill fails the test by name.

The columns are the people around a bid (its owner, another applicant, a
reviewer, the panel's chair, a member of the opening committee, staff, a
superuser, an anonymous visitor) in six phases: before the deadline, after a
refused attempt to move it into the past, after it but before opening, after
the committee opens the call, after the chair locks technical scoring, and
after the chair opens the financial envelopes of the qualified bids (the
owner's bid among them).
"""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.viewsets import viewsets
from wagtail.snippets.models import get_snippet_models

from applications.demo import tiny_pdf
from applications.models import (
    Answer,
    AuditEvent,
    CallOpening,
    OpeningCommittee,
    PartialUpload,
    Submission,
    SubmissionFile,
)
from applications.services.amounts import Amounts
from applications.services.opening import opening_confirm
from applications.services.submissions import submission_save
from reviews.models import Assignment, FinancialOpeningRegister, Panel, ScoringSheet
from reviews.services.outcomes import financial_open
from reviews.services.panels import conflict_declare, panel_lock, review_save
from reviews.services.sheet_build import scoring_sheet_build
from tenders.freeze import TermsFrozen
from tenders.models import CallPage
from tests.applications.seal_matrix import (
    AFTER_FINANCIAL,
    AFTER_LOCK,
    AFTER_MOVE_ATTEMPT,
    AFTER_OPENING,
    ANSWER,
    ANSWER_PENDING,
    BEFORE_DEADLINE,
    CLIENT_IP,
    FILLERS,
    FINANCIAL,
    NO_CONTENT_ROUTES,
    OFFER,
    OFFER_SHOWN,
    PHASES,
    ROLES,
    ROUTES,
    STAFF_NO_CONTENT_ROUTES,
    TECHNICAL,
    World,
    check_cell,
    check_post_cell,
    targets,
)
from tests.factories import (
    PASSWORD,
    StaffFactory,
    UserFactory,
    in_group,
    pdf_upload,
    second_factor_code,
    submit_bid,
)
from tests.reviews.compliance_support import examined
from tests.sealing_support import PASSPHRASE, committee_set

# --- The world: one call, the owner's bid and everyone around it -------------


@pytest.fixture
def world(consultancy_call, applicant, reviewer, staff_user, superuser, no_outbox_dispatch):
    call = consultancy_call
    # The opening committee, set up before any bid: the committee role, staff, and one more.
    committee_role = in_group(
        StaffFactory(email="committee.member@example.org"),
        "Editors",
        "wagtailadmin.access_admin",
    )
    committee_set(
        call, [committee_role, staff_user, StaffFactory(email="third.member@example.org")]
    )
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
    # Answers to the call's application form, submitted and waiting for Resubmit.
    call.application_form = [
        {
            "type": "long_answer",
            "id": "q-seal",
            "value": {"label": "Your approach", "help_text": "", "required": True},
        }
    ]
    call.save()
    Answer.objects.create(submission=submission, question_id="q-seal", value=ANSWER)
    Answer.objects.create(
        submission=submission, question_id="q-seal", value=ANSWER_PENDING, pending=True
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
        "committee": committee_role,
        "staff": staff_user,
        "superuser": superuser,
        "anonymous": None,
    }
    # A panel: the reviewer is assigned the owner's bid and has declared nothing yet.
    panel = Panel.objects.create(
        call=call,
        chair=UserFactory(email="panel.chair@example.org"),
        review_deadline=timezone.now() + timedelta(days=10),
        minimum_reviews=1,
    )
    panel.members.add(reviewer)
    users["chair"] = panel.chair
    assignment = Assignment.objects.create(panel=panel, submission=submission, reviewer=reviewer)
    # A finished scoring sheet with names, as staff would have asked for it after opening.
    sheet = ScoringSheet.objects.create(call=call, requested_by=staff_user, blind=False)
    scoring_sheet_build(sheet_id=sheet.pk)
    # The owner has started sending a third version, a piece at a time.
    partial = PartialUpload.objects.create(
        submission=submission,
        requirement=call.required_documents.get(name=TECHNICAL),
        owner=applicant,
        name="Amina technical proposal v3.pdf",
        size=1000,
    )
    world = World(
        call=call,
        submission=submission,
        files=files,
        content=content,
        users=users,
        assignment=assignment,
        sheet=sheet,
        upload=partial,
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
    if phase == AFTER_MOVE_ATTEMPT:
        # The insider path: publish the open call with its deadline a minute ago.
        call = CallPage.objects.get(pk=world.call.pk)
        call.closes_at = timezone.now() - timedelta(minutes=1)
        call.clarifications_close_at = call.closes_at - timedelta(minutes=1)
        with pytest.raises(TermsFrozen):
            call.save_revision(user=world.users["superuser"], clean=False).publish()
        assert CallPage.objects.get(pk=world.call.pk).state.is_open
        return
    CallPage.objects.filter(pk=world.call.pk).update(
        closes_at=timezone.now() - timedelta(minutes=5)
    )
    if phase in (AFTER_OPENING, AFTER_LOCK, AFTER_FINANCIAL):
        # Opened as it must be: each committee member confirms with their password.
        call = CallPage.objects.get(pk=world.call.pk)
        committee = OpeningCommittee.objects.get(call=call)
        for member in committee.members.order_by("pk"):
            opening_confirm(
                call=call,
                user=member,
                password=PASSWORD,
                code=second_factor_code(member),
                passphrase=PASSPHRASE,
            )
        assert CallOpening.objects.filter(call=call).exists()
    if phase in (AFTER_LOCK, AFTER_FINANCIAL):
        # The reviewer scores the owner's bid above the minimum; the chair locks scoring.
        assignment = Assignment.objects.select_related("submission__call", "panel").get(
            pk=world.assignment.pk
        )
        reviewer = world.users["reviewer"]
        conflict_declare(assignment=assignment, user=reviewer, has_conflict=False)
        review_save(
            assignment=assignment,
            user=reviewer,
            submit=True,
            scores={c.pk: (c.max_points, "Strong") for c in call.criteria.all()},
        )
        # The other bid gets its review too (the panel's minimum is one), below the
        # minimum: its price stays sealed.
        other = Assignment.objects.create(
            panel=assignment.panel,
            submission=Submission.objects.filter(call=call).exclude(pk=world.submission.pk).get(),
            reviewer=reviewer,
        )
        other = Assignment.objects.select_related("submission__call", "panel").get(pk=other.pk)
        conflict_declare(assignment=other, user=reviewer, has_conflict=False)
        review_save(
            assignment=other,
            user=reviewer,
            submit=True,
            scores={c.pk: (0, "Weak") for c in call.criteria.all()},
        )
        chair = world.users["chair"]
        panel = panel_lock(panel=examined(Panel.objects.get(call=call)), user=chair)
        if phase == AFTER_FINANCIAL:
            assert financial_open(panel=panel, user=chair) == 1  # the owner's bid only
            assert FinancialOpeningRegister.objects.filter(call=call).exists()


# --- The tests ----------------------------------------------------------------


def test_the_matrix_is_built_from_the_routes_that_reach_submissions():
    names = {route.name for route in ROUTES}
    for expected in (
        "applications:submission",
        "applications:receipt",
        "applications:download",
        "zabuni_call_submissions",
        "zabuni_call_audit",
        # The reviews app's pages and admin screens join by their app, not their names.
        "reviews:assignment",
        "reviews:ranking",
        "reviews:queue",
        "reviews:sheet_download",
        "zabuni_evaluation_ranking",
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
            "applications:answers_save",
            "applications:receipt",
            "applications:download",
            "reviews:assignment",
            "reviews:ranking",
            "reviews:report",
            "reviews:compliance",
            "reviews:queue",
            "reviews:sheet",
            "reviews:sheet_progress",
            "reviews:sheet_download",
            "zabuni_call_submissions",
            "zabuni_call_audit",
            "zabuni_call_register",
            "reviews:register",
            "reviews:financial_register",
        )
        if not known:
            problems.append(f"{route.name} ({route.route}) has no rule in the seal matrix")
    assert not problems, "\n".join(problems)


@pytest.mark.long_running
@pytest.mark.parametrize("phase", PHASES)
def test_seal_matrix(phase, world):
    """Every cell of one phase: each route, with each object it takes, as each role.

    The world is built once for the phase. Each route's requests run in a savepoint
    that is rolled back after them (and each POST in one of its own), with the rate
    limits cleared, so every route meets the world exactly as the phase made it.
    """
    enter(phase, world)
    problems, cells = [], 0
    for route in ROUTES:
        _clear_rate_limits()
        with transaction.atomic():
            for resource, kwargs in targets(route, world):
                url = reverse(route.name, kwargs=kwargs)
                for role in ROLES:
                    cells += 1
                    problems += check_cell(route, role, phase, resource, url, world)
                    problems += check_post_cell(route, role, phase, resource, url, world)
            transaction.set_rollback(True)
    # Every route was tried by every role at least once.
    assert cells >= len(ROUTES) * len(ROLES)
    assert not problems, "\n".join(problems)


def _clear_rate_limits():
    limits = caches["ratelimit"]
    if hasattr(limits, "delete_pattern"):
        limits.delete_pattern("*")
    else:
        limits.clear()


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
