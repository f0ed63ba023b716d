"""The demo loader builds a believable site, and running it again changes nothing."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import Page, Revision, Site

from accounts.demo import DEMO_OPENING_PASSPHRASE
from applications.models import AuditEvent, CallOpening, Submission
from applications.permissions import call_is_sealed
from news.models import ArticlePage, NewsIndexPage
from notifications.models import OutboxMessage
from reviews.models import Assignment, Panel, Review, Score
from reviews.services.panels import review_progress
from tenders.choices import CallState
from tenders.models import CallCriterion, CallIndexPage, CallPage, HomePage, RequiredDocument

ACCOUNT_LINE = re.compile(r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)\s*$")


def load() -> str:
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "users": get_user_model().objects.count(),
        "groups": Group.objects.count(),
        "criteria": CallCriterion.objects.count(),
        "documents": RequiredDocument.objects.count(),
        "sites": Site.objects.count(),
        "submissions": Submission.objects.count(),
        "openings": CallOpening.objects.count(),
        "panels": Panel.objects.count(),
        "assignments": Assignment.objects.count(),
        "declared": Assignment.objects.filter(declared_at__isnull=False).count(),
        "reviews": Review.objects.count(),
        "scores": Score.objects.count(),
        "audit events": AuditEvent.objects.count(),
        "outbox": OutboxMessage.objects.count(),
    }


@pytest.fixture
def demo(db):
    return load()


def test_a_second_run_changes_nothing(demo):
    before = snapshot()
    latest_revision = Revision.objects.order_by("-pk").values_list("pk", flat=True).first()

    output = load()

    assert snapshot() == before
    assert Revision.objects.order_by("-pk").values_list("pk", flat=True).first() == (
        latest_revision
    )
    assert "nothing changed" in output
    assert "nothing changed" not in demo
    assert "new objects" in demo


def test_the_closed_demo_call_is_opened_and_part_way_through_its_evaluation(demo):
    call = CallPage.objects.get(reference_code="DC-CFC-2026-003")
    panel = Panel.objects.get(call=call)
    by_email = lambda email: Assignment.objects.filter(panel=panel, reviewer__email=email)  # noqa: E731

    assert not call_is_sealed(call)
    assert panel.chair.email == "chair@zabuni.local"
    assert {m.email for m in panel.members.all()} == {
        "chair@zabuni.local",
        "reviewer@zabuni.local",
        "reviewer2@zabuni.local",
    }
    assert all(m.groups.filter(name="Reviewers").exists() for m in panel.members.all())
    assert panel.reviewers_per_submission is None
    days_left = (panel.review_deadline - call.opening.opened_at).days
    assert 9 <= days_left <= 10
    assert panel.handed_over_at is not None
    assert Assignment.objects.filter(panel=panel).count() == 3 * 3

    finished = by_email("reviewer2@zabuni.local")
    assert all(a.declared_no_conflict and a.review.is_submitted for a in finished)
    assert Score.objects.filter(review__assignment__in=finished).exclude(comment="").count() == (
        3 * call.criteria.count()
    )
    chair = by_email("chair@zabuni.local")
    assert all(a.declared_no_conflict for a in chair)
    assert [a.submission.number for a in chair if hasattr(a, "review")] == [1]
    newcomer = by_email("reviewer@zabuni.local")
    assert newcomer.count() == 3
    assert not newcomer.filter(declared_at__isnull=False).exists()
    assert not Review.objects.filter(assignment__in=newcomer).exists()
    assert review_progress(panel) == (4, 9)


def test_the_output_names_the_evaluation_walk_through_accounts(demo):
    line = next(line for line in demo.splitlines() if line.startswith("Evaluation walk-through"))
    for email in ("reviewer@zabuni.local", "chair@zabuni.local", "staff@zabuni.local"):
        assert email in line


def test_the_demo_site_has_the_page_tree(demo):
    home = HomePage.objects.get(locale__language_code="en")
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert CallIndexPage.objects.child_of(home).live().count() == 1
    assert NewsIndexPage.objects.child_of(home).live().count() == 1
    assert not Page.objects.exact_type(Page).filter(depth=2).exists()  # placeholder gone


def test_the_demo_has_swahili_versions_of_the_home_page_a_call_and_an_article(demo):
    swahili = Page.objects.filter(locale__language_code="sw", live=True)
    assert sorted(swahili.values_list("content_type__model", flat=True)) == [
        "articlepage",
        "callindexpage",
        "callpage",
        "homepage",
        "newsindexpage",
    ]
    call = CallPage.objects.get(locale__language_code="sw")
    assert call.reference_code is None  # the original's code is the call's
    assert call.title.startswith("Mafunzo ya ufuatiliaji")
    assert [row.name for row in call.required_documents.all()][0] == "Pendekezo la kiufundi"


def test_the_demo_has_calls_in_every_state(demo):
    calls = list(CallPage.objects.live().originals())
    states = {call.reference_code: call.state for call in calls}

    assert len(calls) >= 4
    gender = [
        call
        for call in calls
        if call.kind == "consultancy"
        and call.state == CallState.OPEN
        and all(
            word in call.title.lower()
            for word in ("monitoring", "documentation", "reporting", "gender")
        )
    ]
    assert len(gender) == 1, states
    assert any(c.kind == "grant" and c.state == CallState.OPEN for c in calls), states
    assert CallState.UPCOMING in states.values()
    assert CallState.CLOSED in states.values()


def test_every_demo_call_is_valid_and_complete(demo):
    for call in CallPage.objects.live():
        call.full_clean()
        assert sum(c.max_points for c in call.criteria.all()) == 100, call.title
        envelopes = {d.envelope for d in call.required_documents.all()}
        if call.kind == "grant" or call.is_first_stage:  # no price in a grant or an EOI
            assert envelopes == {"technical"}, call.title
        else:
            assert "financial" in envelopes, call.title
        assert len(call.terms_of_reference) > 0, call.title


def test_the_demo_has_news(demo):
    articles = ArticlePage.objects.live()
    assert articles.count() >= 6
    assert len({a.category for a in articles}) >= 3


def test_the_demo_pages_render_in_each_language(demo, client):
    """Every live page, originals and translations, read in English and in Swahili."""
    pages = list(Page.objects.filter(depth__gte=2).live().specific())
    assert any(page.locale.language_code == "sw" for page in pages)
    for language in ("en", "sw"):
        client.cookies["django_language"] = language
        for page in pages:
            response = client.get(page.url, follow=True)
            assert response.status_code == 200, (language, page.url)


def test_the_printed_credentials_log_in(demo, client):
    accounts = [m.groups() for line in demo.splitlines() if (m := ACCOUNT_LINE.match(line))]

    assert {role for role, _email, _password in accounts} >= {
        "admin",
        "staff",
        "reviewer",
        "applicant",
    }
    for role, email, password in accounts:
        sign_in_as_the_demo_says(client, email, password)
        assert "_auth_user_id" in client.session, f"{role} {email}"
        client.logout()


def sign_in_as_the_demo_says(client, email, password):
    """The sign-in form; then, for those the demo enrolled, the code `demo_totp` prints."""
    step = "sign_in_view-current_step"
    url = reverse("accounts:login")
    answer = client.post(url, {step: "auth", "auth-username": email, "auth-password": password})
    if answer.status_code == 200 and "token-otp_token" in answer.content.decode():
        out = StringIO()
        call_command("demo_totp", email, stdout=out)
        code = out.getvalue().split()[0]
        answer = client.post(url, {step: "token", "token-otp_token": code})
    assert answer.status_code == 302, answer.content.decode()[-2000:]


@pytest.mark.password_only
def test_the_printed_admin_reaches_the_wagtail_admin_with_the_demo_code(demo, client):
    accounts = [m.groups() for line in demo.splitlines() if (m := ACCOUNT_LINE.match(line))]
    role, email, password = next(account for account in accounts if account[0] == "admin")

    sign_in_as_the_demo_says(client, email, password)
    assert client.get("/admin/").status_code == 200
    assert "demo_totp chair@zabuni.local" in demo


def test_the_loader_refuses_to_run_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("load_demo_content", stdout=StringIO())
    assert not HomePage.objects.exists()


def test_on_the_demo_qbs_call_only_the_winners_price_is_ever_shown(demo, client):
    call = CallPage.objects.get(reference_code="DC-CFC-2026-007")
    opened = Submission.objects.filter(call=call, financial_opened_at__isnull=False)
    assert opened.count() == 1
    winner = opened.get()
    others = Submission.objects.filter(call=call).exclude(pk=winner.pk)
    client.force_login(get_user_model().objects.get(email="chair@zabuni.local"))

    pages = [
        client.get(reverse(name, args=[call.pk])).content.decode()
        for name in ("reviews:ranking", "reviews:report", "reviews:financial_register")
    ]

    for page in pages:
        assert f"{winner.offer_amount:,.0f}" in page
        for other in others:
            assert f"{other.offer_amount:,.0f}" not in page
    assert "QBS" in demo or "DC-CFC-2026-007" in demo


def test_the_demo_grant_call_has_a_form_two_applications_and_a_draft(demo):
    from applications.answers import answer_errors, answers_fingerprint, eligibility_flags
    from applications.demo import demo_call_private
    from applications.sealed_answers import answer_open
    from tenders.application_form import form_questions

    call = CallPage.objects.originals().get(reference_code="DC-GRT-2026-002")
    questions = form_questions(call)
    kinds = {q.kind for q in questions}

    assert len(questions) >= 15 and {"budget", "eligibility"} <= kinds
    submitted = list(Submission.objects.filter(call=call).received())
    assert len(submitted) == 2
    # The call is open, so its answers are sealed; the committee's quorum reads them.
    private = demo_call_private(call, DEMO_OPENING_PASSPHRASE)
    flagged = 0
    for submission in submitted:
        rows = list(submission.answers.all())
        assert rows and all(row.value is None and row.is_sealed for row in rows)
        assert all(row.problem == "" for row in rows)  # each could be submitted
        answers = {row.question_id: answer_open(row, private).value for row in rows}
        assert answer_errors(questions, answers, call=call) == {}
        digests = {row.question_id: row.digest for row in rows}
        assert submission.answers_sha256 == answers_fingerprint(digests)
        flagged += bool(eligibility_flags(questions, answers))
    assert flagged == 1  # one network is not registered: for the compliance check
    draft = Submission.objects.get(call=call, applicant__email="applicant@zabuni.local")
    assert draft.is_draft and not draft.answers.exists()


def test_the_demo_has_a_two_stage_consultancy_whose_shortlist_was_invited(demo, client):
    from applications.permissions import shortlisted_applicants
    from tenders.stages import shortlist_is_frozen

    eoi = CallPage.objects.originals().get(reference_code="DC-EOI-2026-008")
    rfp = CallPage.objects.originals().get(reference_code="DC-RFP-2026-009")

    assert eoi.is_first_stage and eoi.state == CallState.CLOSED
    assert rfp.is_second_stage and rfp.first_stage == eoi and rfp.state == CallState.OPEN
    shortlist = shortlisted_applicants(eoi)
    assert len(shortlist) == 3 and shortlist_is_frozen(eoi)
    invited = OutboxMessage.objects.filter(dedupe_key__startswith=f"invitation:{rfp.pk}:")
    assert set(invited.values_list("to_email", flat=True)) == set(
        get_user_model().objects.filter(pk__in=shortlist).values_list("email", flat=True)
    )
    # The demo applicant was not shortlisted: the request for proposals is by invitation.
    client.force_login(get_user_model().objects.get(email="applicant@zabuni.local"))
    assert "By invitation" in client.get(rfp.url).content.decode()
    client.force_login(get_user_model().objects.get(email="mshauri@zabuni.local"))
    assert "Start a bid" in client.get(rfp.url).content.decode()
