"""The panel's chair through its pages: ranking, locking once every bid has its
compliance decision, opening the prices above the minimum, sending the outcomes once;
the ranking kept from other reviewers, cheap to draw, and every view audited."""

from django.urls import reverse

from applications.choices import AuditAction
from applications.models import AuditEvent, Submission
from notifications.models import OutboxMessage
from reviews.models import Assignment, ComplianceDecision
from tests.reviews import panel_support
from tests.reviews.panel_support import FIRMS, declare, score_all, scored_call

# The shared fixture, used by name.
evaluation = panel_support.evaluation


# --- the chair ---------------------------------------------------------------------


def test_the_chair_ranks_locks_opens_prices_and_sends_outcomes_once(client, evaluation):
    ev = scored_call(evaluation)
    chair = ev["panel"].chair
    client.force_login(chair)
    url = reverse("reviews:ranking", args=[ev["call"].pk])

    page = client.get(url).content.decode()
    assert "85.00" in page and "78.00" in page and "sealed" in page
    assert client.post(url, {"action": "open_financial"}).status_code == 403

    # Only responsive bids are evaluated: scoring locks once each bid has its decision.
    refused = client.post(url, {"action": "lock"})
    assert refused.status_code == 400 and "Mark every bid responsive" in refused.content.decode()
    compliance = reverse("reviews:compliance", args=[ev["call"].pk])
    assert client.post(compliance, {"action": "clear"}).status_code == 302
    assert ComplianceDecision.objects.filter(
        submission__call=ev["call"], responsive=True
    ).count() == len(ev["bids"])
    client.post(url, {"action": "lock"})
    client.post(url, {"action": "open_financial"})
    page = client.get(url).content.decode()
    assert "84.00" in page and "82.40" in page  # the worked QCBS example
    opened = AuditEvent.objects.filter(action=AuditAction.FINANCIAL_OPENED)
    assert set(opened.values_list("submission", flat=True)) == {ev["bids"][0].pk, ev["bids"][1].pk}
    below = Submission.objects.get(pk=ev["bids"][2].pk)
    assert below.financial_opened_at is None  # under the minimum: its price stays sealed

    assert client.post(url, {"action": "send_outcomes"}).status_code == 400  # none decided
    for bid, outcome in zip(ev["bids"], ["awarded", "shortlisted", "not_successful"], strict=True):
        client.post(url, {"action": "outcome", "submission": bid.pk, "outcome": outcome})
    client.post(url, {"action": "send_outcomes"})
    client.post(url, {"action": "send_outcomes"})

    for (firm, email), word in zip(FIRMS, ["selected", "shortlisted", "regret"], strict=True):
        notices = OutboxMessage.objects.filter(to_email=email, dedupe_key__startswith="outcome:")
        assert notices.count() == 1, firm
        assert word in notices.get().body_text
    assert (
        client.post(
            url, {"action": "outcome", "submission": ev["bids"][2].pk, "outcome": "awarded"}
        ).status_code
        == 403
    )


def test_a_reviewer_who_is_not_chair_cannot_reach_the_ranking(client, evaluation):
    ev = scored_call(evaluation)
    client.force_login(ev["members"][1])
    assert client.get(reverse("reviews:ranking", args=[ev["call"].pk])).status_code == 404


def test_the_ranking_page_costs_the_same_queries_for_few_and_many_reviews(
    client, evaluation, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ev = evaluation()
    client.force_login(ev["panel"].chair)
    url = reverse("reviews:ranking", args=[ev["call"].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for a in Assignment.objects.filter(panel=ev["panel"]):
        declare(a)
        score_all(a, ["30", "30", "20"])
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_views_of_the_ranking_an_assignment_and_a_receipt_are_audited(client, evaluation):
    from applications.models import AuditEvent

    ev = evaluation()
    client.force_login(ev["panel"].chair)
    client.get(reverse("reviews:ranking", args=[ev["call"].pk]))
    assignment = Assignment.objects.filter(panel=ev["panel"]).first()
    client.force_login(assignment.reviewer)
    assert client.get(reverse("reviews:assignment", args=[assignment.pk])).status_code == 200
    owner = assignment.submission.applicant
    client.force_login(owner)
    client.get(reverse("applications:receipt", args=[assignment.submission.pk]))

    recorded = set(AuditEvent.objects.values_list("action", "actor_id"))
    assert ("ranking_viewed", ev["panel"].chair_id) in recorded
    assert ("assignment_viewed", assignment.reviewer_id) in recorded
    assert ("receipt_viewed", owner.pk) in recorded
