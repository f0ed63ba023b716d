"""The evaluation report for the file: everything the panel did and decided, for the
chair and staff only, signed off by the chair once every bid has its outcome."""

import pytest
from django.urls import reverse

from applications.choices import AuditAction
from applications.models import AuditEvent, Submission
from reviews.models import Panel, ReportSignOff
from reviews.services.outcomes import financial_open, outcome_decide
from reviews.services.panels import panel_lock
from tests.factories import UserFactory
from tests.reviews.compliance_support import examined
from tests.reviews.sheet_support import evaluation_builder

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(site_root, no_outbox_dispatch):
    ev = evaluation_builder(site_root)(n=3)
    panel = panel_lock(panel=examined(ev["panel"]), user=ev["staff"])
    financial_open(panel=Panel.objects.get(pk=panel.pk), user=ev["staff"])
    ev["panel"] = panel = Panel.objects.get(pk=panel.pk)
    from reviews.ranking import call_ranking

    rows = call_ranking(ev["call"])
    ev["rows"] = rows
    outcomes = {1: "awarded", 2: "shortlisted"}
    for row in rows:
        outcome = outcomes.get(row.rank, "not_successful")
        outcome_decide(
            panel=panel,
            user=ev["chair"],
            submission=Submission.objects.get(pk=row.entry.id),
            outcome=outcome,
        )
    return ev


def url(ev):
    return reverse("reviews:report", args=[ev["call"].pk])


def test_it_holds_criteria_scores_comments_declarations_ranking_decisions_registers(
    client, decided
):
    client.force_login(decided["chair"])

    page = client.get(url(decided)).content.decode()

    assert "Methodology" in page and "Gender approach" in page
    assert "Reviewer 1 on Experience of bid 2" in page  # every comment
    assert "No conflict of interest declared." in page
    assert "Sf" in page and decided["rows"][0].entry.label in page
    assert "Outcome decided" in page and "Awarded" in page
    assert "Opening register" in page and "Financial opening register" in page
    assert "Ties are broken" in page and "Print or save as PDF" in page


def test_only_the_chair_and_staff_read_it(client, decided):
    client.force_login(decided["members"][1])
    assert client.get(url(decided)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url(decided)).status_code == 404
    client.force_login(decided["staff"])
    assert client.get(url(decided)).status_code == 200


def test_the_chair_signs_it_off_once_and_a_later_change_shows(client, decided):
    client.force_login(decided["staff"])
    assert client.post(url(decided)).status_code == 403  # staff read it; the chair signs
    assert not ReportSignOff.objects.exists()

    client.force_login(decided["chair"])
    assert client.post(url(decided)).status_code == 302
    sign_off = ReportSignOff.objects.get()
    assert sign_off.signed_by == decided["chair"] and len(sign_off.digest) == 64
    assert AuditEvent.objects.filter(action=AuditAction.REPORT_SIGNED).count() == 1
    page = client.get(url(decided)).content.decode()
    assert "Signed off by" in page and sign_off.digest in page
    assert "has changed since" not in page and "Sign the report off" not in page

    first = Submission.objects.get(pk=decided["rows"][0].entry.id)
    outcome_decide(
        panel=decided["panel"], user=decided["chair"], submission=first, outcome="shortlisted"
    )
    assert (
        "The report has changed since it was signed off."
        in client.get(url(decided)).content.decode()
    )


def test_it_cannot_be_signed_off_before_every_outcome(client, site_root, no_outbox_dispatch):
    ev = evaluation_builder(site_root)(n=2)
    panel_lock(panel=examined(ev["panel"]), user=ev["staff"])
    client.force_login(ev["chair"])

    response = client.post(url(ev))

    assert response.status_code == 403
    assert "Decide an outcome for every submission" in response.content.decode()
    assert not ReportSignOff.objects.exists()


def test_it_holds_the_answers_and_a_blind_chair_reads_no_identifying_one(client, decided):
    from applications.models import Answer
    from tenders.models import CallPage
    from tests.applications.form_support import FORM

    CallPage.objects.filter(pk=decided["call"].pk).update(application_form=FORM)
    bid = decided["rows"][0].entry
    Answer.objects.create(submission_id=bid.id, question_id="q-org", value="Haki Mashinani")
    Answer.objects.create(submission_id=bid.id, question_id="q-work", value="Remand visits.")
    client.force_login(decided["staff"])

    named = client.get(url(decided)).content.decode()
    CallPage.objects.filter(pk=decided["call"].pk).update(blind_review=True)
    client.force_login(decided["chair"])
    blind = client.get(url(decided)).content.decode()

    assert "Answers to the application form" in named
    assert "Haki Mashinani" in named and "Remand visits." in named
    assert "Remand visits." in blind and "Haki Mashinani" not in blind
