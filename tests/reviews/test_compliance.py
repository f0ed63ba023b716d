"""The preliminary examination (issue 22, item 5; PPADA 2015 s.79): after the opening the
chair, or the panel's secretary, marks each bid responsive or not, helped by what the
portal found. A bid found not responsive is never scored, ranked or priced; its
applicant is told why; the decision is audited, on the opening register's addendum and
in the evaluation report. Scoring locks only once every bid has a decision."""

import pytest
from django.urls import reverse

from applications.choices import AuditAction
from applications.models import Answer, AuditEvent, Submission, SubmissionFile
from core.errors import NotAllowed, Refused
from notifications.models import OutboxMessage
from reviews.compliance import compliance_findings
from reviews.models import Assignment, ComplianceDecision, Panel
from reviews.ranking import call_ranking
from reviews.services.compliance import compliance_clear, compliance_decide
from reviews.services.outcomes import financial_open, outcome_decide, outcomes_send
from reviews.services.panels import panel_lock, review_save
from tenders.models import CallPage
from tests.applications.form_support import FORM
from tests.factories import UserFactory
from tests.reviews.sheet_support import evaluation_builder

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_outbox_dispatch")]

REASON = "The signed declaration of eligibility is missing."


@pytest.fixture
def evaluation(site_root):
    return evaluation_builder(site_root)


def decide(ev, bid, responsive, reason=""):
    return compliance_decide(
        panel=Panel.objects.get(pk=ev["panel"].pk),
        user=ev["chair"],
        submission=bid,
        responsive=responsive,
        reason=reason,
    )


def test_the_portal_finds_missing_documents_wrong_eligibility_and_a_budget_over_the_ceiling(
    evaluation, client
):
    ev = evaluation(n=3)
    call = ev["call"]
    first, second, third = ev["bids"]
    CallPage.objects.filter(pk=call.pk).update(application_form=FORM)
    SubmissionFile.objects.filter(submission=first).first().delete()  # a raw loss, for the test
    Answer.objects.create(submission=second, question_id="q-reg", value="no")
    Answer.objects.create(
        submission=second, question_id="q-budget", value=[["Visits", "10", "20000"]]
    )
    Answer.objects.create(submission=third, question_id="q-reg", value="yes")

    found = compliance_findings(CallPage.objects.get(pk=call.pk))

    assert [f.kind for f in found[first.pk]] == ["missing_document"]
    assert [f.kind for f in found[second.pk]] == ["not_eligible", "over_ceiling"]
    assert "KES 200,000" in found[second.pk][1].subject
    assert found[third.pk] == []
    client.force_login(ev["chair"])
    page = client.get(reverse("reviews:compliance", args=[call.pk])).content.decode()
    assert "Required document missing" in page
    assert "Eligibility answered otherwise than required: Are you registered in Kenya?" in page
    # "Nothing found" clears only the third; a bid with a finding needs its own decision,
    # and marking it responsive all the same needs a reason.
    panel = Panel.objects.select_related("call").get(pk=ev["panel"].pk)
    assert compliance_clear(panel=panel, user=ev["chair"]) == 1
    with pytest.raises(Refused, match="say why it is responsive all the same"):
        decide(ev, first, True)
    decision = decide(ev, first, True, "The CV was sent by hand at the opening.")
    assert decision.findings == [found[first.pk][0].as_json()]


def test_a_bid_found_not_responsive_is_not_scored_ranked_or_priced_and_its_applicant_is_told(
    evaluation, client
):
    ev = evaluation(n=3)
    call, panel = ev["call"], ev["panel"]
    best = max(call_ranking(call), key=lambda r: r.technical).entry.id
    bid = Submission.objects.get(pk=best)  # the best-scored bid, to be sure it is left out
    with pytest.raises(Refused, match="at least 10 characters"):
        decide(ev, bid, False, "No.")

    decide(ev, bid, False, REASON)

    assignment = Assignment.objects.select_related("submission__call", "panel").filter(
        submission=bid
    )[1]
    with pytest.raises(NotAllowed):
        review_save(assignment=assignment, user=assignment.reviewer, scores={})
    row = next(r for r in call_ranking(call) if r.entry.id == bid.pk)
    assert (row.rank, row.technical, row.excluded) == (None, None, "not responsive")
    compliance_clear(panel=panel, user=ev["chair"])
    panel = panel_lock(panel=Panel.objects.get(pk=panel.pk), user=ev["staff"])
    financial_open(panel=panel, user=ev["staff"])
    assert Submission.objects.get(pk=bid.pk).financial_opened_at is None
    with pytest.raises(Refused, match="Only a ranked bid"):
        outcome_decide(panel=panel, user=ev["chair"], submission=bid, outcome="shortlisted")
    for row in call_ranking(call):
        outcome_decide(
            panel=panel,
            user=ev["chair"],
            submission=Submission.objects.get(pk=row.entry.id),
            outcome="shortlisted" if row.rank == 1 else "not_successful",
        )
    outcomes_send(panel=panel, user=ev["chair"])

    notice = OutboxMessage.objects.get(dedupe_key=f"outcome:{bid.pk}")
    assert "found not responsive" in notice.body_text and REASON in notice.body_text
    others = OutboxMessage.objects.filter(dedupe_key__startswith="outcome:").exclude(pk=notice.pk)
    assert not any("not responsive" in m.body_text for m in others)
    event = AuditEvent.objects.get(action=AuditAction.COMPLIANCE_DECIDED, submission=bid)
    assert (event.actor, event.detail) == (ev["chair"], f"Not responsive: {REASON}")
    client.force_login(ev["chair"])
    register = client.get(reverse("reviews:register", args=[call.pk])).content.decode()
    assert "Addendum: responsiveness" in register and REASON in register
    report = client.get(reverse("reviews:report", args=[call.pk])).content.decode()
    assert "Responsiveness" in report and REASON in report


def test_scoring_locks_only_once_every_bid_has_a_decision_and_then_they_are_final(evaluation):
    ev = evaluation(n=2)
    panel = ev["panel"]
    with pytest.raises(Refused, match="Still to decide: Bid 01, Bid 02"):
        panel_lock(panel=panel, user=ev["staff"])
    decide(ev, ev["bids"][0], True)
    with pytest.raises(Refused, match="Still to decide: Bid 02"):
        panel_lock(panel=Panel.objects.get(pk=panel.pk), user=ev["staff"])
    decide(ev, ev["bids"][1], True)
    panel_lock(panel=Panel.objects.get(pk=panel.pk), user=ev["staff"])

    with pytest.raises(NotAllowed):
        decide(ev, ev["bids"][1], False, REASON)
    assert ComplianceDecision.objects.filter(responsive=True).count() == 2


def test_staff_read_the_page_only_the_chair_or_the_secretary_decide(evaluation, client):
    ev = evaluation(n=1)
    call, bid = ev["call"], ev["bids"][0]
    url = reverse("reviews:compliance", args=[call.pk])
    post = {"action": "decide", "submission": bid.pk, "responsive": "no", "reason": REASON}

    client.force_login(ev["staff"])
    page = client.get(url)
    assert page.status_code == 200 and "Record the decision" not in page.content.decode()
    assert client.post(url, post).status_code == 403
    for outsider in (ev["members"][1], ev["applicants"][0], UserFactory()):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, post).status_code == 404
    assert not ComplianceDecision.objects.exists()

    Panel.objects.filter(pk=ev["panel"].pk).update(secretary=ev["members"][1])
    client.force_login(ev["members"][1])
    assert client.post(url, post).status_code == 302
    decision = ComplianceDecision.objects.get(submission=bid)
    assert (decision.responsive, decision.reason, decision.decided_by) == (
        False,
        REASON,
        ev["members"][1],
    )


def test_a_bad_bid_id_is_a_404_and_a_conflicted_chair_cannot_decide(evaluation, client):
    ev = evaluation(n=1)
    url = reverse("reviews:compliance", args=[ev["call"].pk])
    client.force_login(ev["chair"])
    for bad in ("abc", "", "-1", "99999999999999999999999"):
        post = {"action": "decide", "submission": bad, "responsive": "yes"}
        assert client.post(url, post).status_code == 404
    bid = ev["bids"][0]
    Assignment.objects.filter(submission=bid, reviewer=ev["chair"]).update(has_conflict=True)
    with pytest.raises(NotAllowed, match="You declared a conflict of interest"):
        decide(ev, bid, True)
    assert not ComplianceDecision.objects.exists()
