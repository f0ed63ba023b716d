"""The panel's work through its pages: hand-over, declarations, independent scoring,
locking, financial opening, outcomes, reminders, and blind review that leaks nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from applications.choices import AuditAction
from applications.models import Answer, AuditEvent, Submission
from applications.services.amounts import Amounts
from notifications.models import OutboxMessage
from reviews.models import Assignment, ComplianceDecision, Panel
from reviews.services.panels import conflict_declare, panel_hand_over, panel_lock, review_save
from reviews.services.reminders import reviewers_remind
from tenders.models import CallPage
from tests.applications.test_application_form import FORM
from tests.factories import StaffFactory, UserFactory, make_call, submit_bid
from tests.reviews.compliance_support import examined
from tests.sealing_support import open_call

CRITERIA = [("Methodology", 40), ("Experience", 35), ("Gender approach", 25)]
FIRMS = [
    ("Ouma Research", "ouma@example.org"),
    ("Mshauri Ltd", "mshauri@example.org"),
    ("Haki Data", "haki@example.org"),
]


def reviewer(email):
    user = UserFactory(email=email)
    user.groups.add(Group.objects.get_or_create(name="Reviewers")[0])
    return user


@pytest.fixture
def evaluation(site_root, no_outbox_dispatch):
    """A closed, opened call with three bids and a panel of three (the first is chair)."""

    def build(*, blind=False, per_submission=None, method="qcbs", offers=None):
        call = make_call(
            site_root["calls"],
            criteria=CRITERIA,
            blind_review=blind,
            selection_method=method,
            **(
                {}
                if method == "qcbs"
                else {"technical_weight": Decimal("1"), "financial_weight": Decimal("0")}
            ),
        )
        offers = offers or ["100000", "80000", "90000"]
        bids = []
        for (firm, email), offer in zip(FIRMS, offers, strict=True):
            applicant = UserFactory(email=email)
            Profile.objects.create(user=applicant, legal_name=firm, applicant_type="organisation")
            # The price as the bidder gives it: sealed to the call's key until the opening.
            bid = submit_bid(
                call, applicant, amounts=Amounts(offer_amount=Decimal(offer), offer_currency="KES")
            )
            bids.append(bid)
        CallPage.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(hours=1))
        call = CallPage.objects.get(pk=call.pk)
        staff = StaffFactory()
        open_call(call, staff)
        members = [reviewer(f"r{n}-{call.pk}@panel.org") for n in range(3)]
        panel = Panel.objects.create(
            call=call,
            chair=members[0],
            review_deadline=timezone.now() + timedelta(days=5),
            minimum_reviews=1,  # the minimum has its own tests (test_review_quality)
            reviewers_per_submission=per_submission,
        )
        panel.members.set(members)
        panel_hand_over(call=call)
        return {"call": call, "bids": bids, "panel": panel, "members": members, "staff": staff}

    return build


def score_all(assignment, totals_by_criterion, submit=True):
    criteria = list(assignment.submission.call.criteria.all())
    return review_save(
        assignment=assignment,
        user=assignment.reviewer,
        submit=submit,
        scores={
            c.pk: (Decimal(p), f"Panel remark on {c.title}")
            for c, p in zip(criteria, totals_by_criterion, strict=True)
        },
    )


def declare(assignment, conflict=False):
    return conflict_declare(
        assignment=assignment,
        user=assignment.reviewer,
        has_conflict=conflict,
        explanation="Worked with them" if conflict else "",
    )


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


# --- the chair ---------------------------------------------------------------------


def scored_call(evaluation, **kwargs):
    """Every non-chair reviewer scores: bid 1 → 85, bid 2 → 78, bid 3 → 60."""
    ev = evaluation(**kwargs)
    totals = {0: ["35", "30", "20"], 1: ["30", "28", "20"], 2: ["25", "20", "15"]}
    for a in Assignment.objects.filter(panel=ev["panel"]).exclude(reviewer=ev["panel"].chair):
        declare(a)
        score_all(a, totals[ev["bids"].index(a.submission)])
    return ev


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


def test_under_blind_review_the_panels_register_shows_references_not_names(client, evaluation):
    ev = evaluation(blind=True)
    assignment = Assignment.objects.filter(panel=ev["panel"]).first()
    client.force_login(assignment.reviewer)

    response = client.get(reverse("reviews:register", args=[ev["call"].pk]))
    csv = client.get(reverse("reviews:register", args=[ev["call"].pk]) + "?format=csv")

    assert response.status_code == 200
    page = response.content.decode()
    assert assignment.submission.reference in page
    for firm, _email in FIRMS:
        assert firm not in page
        assert firm not in csv.content.decode()
    # File names could name a bidder too: only the staff copy has them.
    technical = assignment.submission.files.get(envelope="technical")
    assert technical.original_name not in page
    assert technical.sha256 in page


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


# --- blind review ------------------------------------------------------------------------


def test_blind_review_leaks_no_applicant_identity_on_any_reviewer_page(client, evaluation):
    ev = scored_call(evaluation, blind=True)
    secrets = [firm for firm, _email in FIRMS] + [email for _firm, email in FIRMS]
    secrets += [f.original_name for b in ev["bids"] for f in b.files.all()]
    # Every answer to a question that identifies the applicant (issue 22).
    CallPage.objects.filter(pk=ev["call"].pk).update(application_form=FORM)
    for n, bid in enumerate(ev["bids"]):
        for question in FORM:
            if question["value"].get("identifies_applicant"):
                answer = f"Identifying answer {n} to {question['id']}"
                Answer.objects.create(submission=bid, question_id=question["id"], value=answer)
                secrets.append(answer)
        Answer.objects.create(submission=bid, question_id="q-work", value=f"Plain answer {n}")
    shown_answers = 0
    for member in ev["members"]:
        client.force_login(member)
        urls = [
            reverse("reviews:queue"),
            reverse("reviews:ranking", args=[ev["call"].pk]),
        ]
        for a in Assignment.objects.filter(reviewer=member):
            urls.append(reverse("reviews:assignment", args=[a.pk]))
            if a.declared_no_conflict:  # the answers are there, the identifying ones not
                shown = client.get(reverse("reviews:assignment", args=[a.pk])).content.decode()
                number = [b.pk for b in ev["bids"]].index(a.submission_id)
                assert f"Plain answer {number}" in shown
                shown_answers += 1
            urls.append(reverse("applications:submission", args=[a.submission_id]))
            urls.append(reverse("applications:receipt", args=[a.submission_id]))
            for f in a.submission.files.all():
                response = client.get(reverse("applications:download", args=[f.pk]))
                disposition = response.get("Content-Disposition", "")
                assert not any(s in disposition for s in secrets), disposition
        for url in urls:
            body = client.get(url).content.decode()
            leaked = [s for s in secrets if s in body]
            assert not leaked, (url, leaked)
        client.logout()
    assert shown_answers > 0
