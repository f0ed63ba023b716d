"""The panel's work through its pages: hand-over, declarations, independent scoring,
locking, and reminders. The chair's ranking, financial opening and outcomes are in
test_panel_chair.py; blind review, which leaks nothing, in test_panel_blind_review.py."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse

from applications.choices import AuditAction
from applications.models import AuditEvent
from notifications.models import OutboxMessage
from reviews.models import Assignment
from reviews.services.panels import panel_hand_over, panel_lock
from reviews.services.reminders import reviewers_remind
from tests.reviews import panel_support
from tests.reviews.compliance_support import examined
from tests.reviews.panel_support import declare, score_all

# The shared fixture, used by name.
evaluation = panel_support.evaluation


# --- hand-over ----------------------------------------------------------------


def test_by_default_every_member_reviews_every_submission_and_gets_one_email(evaluation):
    ev = evaluation()
    assert Assignment.objects.filter(panel=ev["panel"]).count() == 9
    for member in ev["members"]:
        mails = OutboxMessage.objects.filter(
            to_email=member.email, dedupe_key__startswith="handover"
        )
        assert mails.count() == 1
        assert "Bid 01" in mails.get().body_text and "Bid 03" in mails.get().body_text
    assert panel_hand_over(call=ev["call"]) == 0  # idempotent
    assert Assignment.objects.filter(panel=ev["panel"]).count() == 9


def test_n_reviewers_per_submission_are_spread_evenly(evaluation):
    ev = evaluation(per_submission=2)
    loads = [Assignment.objects.filter(reviewer=m).count() for m in ev["members"]]
    assert sum(loads) == 6 and sorted(loads) == [2, 2, 2]
    for bid in ev["bids"]:
        assert Assignment.objects.filter(submission=bid).count() == 2


# --- declarations and independence -------------------------------------------------


def test_a_reviewer_sees_nothing_of_the_bid_before_declaring(client, evaluation):
    ev = evaluation()
    assignment = Assignment.objects.get(reviewer=ev["members"][1], submission=ev["bids"][0])
    client.force_login(assignment.reviewer)

    page = client.get(reverse("reviews:assignment", args=[assignment.pk])).content.decode()

    assert "Conflict of interest" in page
    assert "/bids/files/" not in page
    file = ev["bids"][0].files.filter(envelope="technical").first()
    assert client.get(reverse("applications:download", args=[file.pk])).status_code == 404


def test_a_conflict_recuses_and_tells_the_chair(client, evaluation):
    ev = evaluation()
    assignment = Assignment.objects.get(reviewer=ev["members"][1], submission=ev["bids"][0])
    client.force_login(assignment.reviewer)
    url = reverse("reviews:assignment", args=[assignment.pk])

    refused = client.post(url, {"action": "declare", "has_conflict": "yes", "explanation": ""})
    assert refused.status_code == 400
    client.post(url, {"action": "declare", "has_conflict": "yes", "explanation": "My cousin"})

    assignment.refresh_from_db()
    assert assignment.has_conflict is True
    assert "recused" in client.get(url).content.decode()
    chair_mail = OutboxMessage.objects.get(dedupe_key=f"conflict:{assignment.pk}")
    assert chair_mail.to_email == ev["panel"].chair.email
    file = ev["bids"][0].files.filter(envelope="technical").first()
    assert client.get(reverse("applications:download", args=[file.pk])).status_code == 404


def test_points_must_be_in_halves_within_the_maximum(client, evaluation):
    ev = evaluation()
    assignment = Assignment.objects.get(reviewer=ev["members"][1], submission=ev["bids"][0])
    declare(assignment)
    client.force_login(assignment.reviewer)
    criteria = list(ev["call"].criteria.all())
    url = reverse("reviews:assignment", args=[assignment.pk])
    for bad in ("41", "12.3", "-1"):
        data = {"action": "submit", **{f"points_{c.pk}": "10" for c in criteria}}
        data[f"points_{criteria[0].pk}"] = bad
        assert client.post(url, data).status_code == 400
    assert not hasattr(Assignment.objects.get(pk=assignment.pk), "review")


def test_a_reviewer_cannot_see_other_scores_before_submitting_through_any_url(client, evaluation):
    ev = evaluation()
    bid = ev["bids"][0]
    other = Assignment.objects.get(reviewer=ev["members"][2], submission=bid)
    declare(other)
    score_all(other, ["33.5", "21", "17"])  # a distinctive total: 71.5
    me = Assignment.objects.get(reviewer=ev["members"][1], submission=bid)
    declare(me)
    client.force_login(me.reviewer)

    pages = [
        reverse("reviews:assignment", args=[me.pk]),
        reverse("reviews:assignment", args=[other.pk]),
        reverse("reviews:ranking", args=[ev["call"].pk]),
        reverse("reviews:queue"),
        reverse("applications:submission", args=[bid.pk]),
        reverse("applications:receipt", args=[bid.pk]),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "33.5" not in body and "71.5" not in body and "Panel remark" not in body, url

    score_all(me, ["30", "30", "20"])
    body = client.get(reverse("reviews:assignment", args=[me.pk])).content.decode()
    assert "33.5" in body and "The panel" in body


def test_edits_after_submitting_are_audited_until_the_chair_locks(client, evaluation):
    ev = evaluation()
    me = Assignment.objects.get(reviewer=ev["members"][1], submission=ev["bids"][0])
    declare(me)
    score_all(me, ["30", "30", "20"])
    score_all(me, ["35", "30", "20"])

    change = AuditEvent.objects.get(action=AuditAction.SCORE_CHANGED, submission=me.submission)
    assert "30.0 → 35" in change.detail and change.actor == me.reviewer

    for other in Assignment.objects.filter(reviewer=me.reviewer).exclude(pk=me.pk):
        declare(other)  # every bid has its one review: the panel's minimum here
        score_all(other, ["20", "20", "20"])
    panel_lock(panel=examined(ev["panel"]), user=ev["panel"].chair)
    client.force_login(me.reviewer)
    criteria = list(ev["call"].criteria.all())
    response = client.post(
        reverse("reviews:assignment", args=[me.pk]),
        {"action": "submit", **{f"points_{c.pk}": "1" for c in criteria}},
    )
    assert response.status_code == 403
    assert me.review.scores.get(criterion=criteria[0]).points == Decimal("35")


# --- reminders -----------------------------------------------------------------------


def test_reminders_go_once_per_window(evaluation):
    ev = evaluation()
    panel = ev["panel"]
    now = panel.review_deadline - timedelta(hours=47)
    first = reviewers_remind(now=now)
    again = reviewers_remind(now=now + timedelta(minutes=10))
    later = reviewers_remind(now=panel.review_deadline - timedelta(hours=23))
    assert (first, again, later) == (9, 0, 9)
    assert OutboxMessage.objects.filter(dedupe_key__startswith="reminder:").count() == 18
    submitted = Assignment.objects.filter(panel=panel).first()
    declare(submitted)
    score_all(submitted, ["30", "30", "20"])
    assert reviewers_remind(now=panel.review_deadline - timedelta(hours=1)) == 0
