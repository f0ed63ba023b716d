"""The evaluation's rules as practice has them: QBS opens only the winner's price (and
the next one only when negotiation fails, with its reason); only ranked bids are
shortlisted or awarded; a decision against the ranking records why; scoring locks only
once each bid has the panel's minimum of reviews; a fixed budget must be given."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications.choices import AuditAction
from applications.models import AuditEvent, Submission
from core.errors import NotAllowed, Refused
from reviews.models import Assignment, Panel
from reviews.ranking import call_ranking
from reviews.services.outcomes import financial_open, negotiation_fail, outcome_decide
from reviews.services.panels import panel_lock
from tenders.models import CallPage
from tests.reviews.compliance_support import examined
from tests.reviews.sheet_support import evaluation_builder

pytestmark = pytest.mark.django_db
REASON = "The firm would not lower its day rate to the market level."


@pytest.fixture
def build(site_root, no_outbox_dispatch):
    return evaluation_builder(site_root)


def as_method(ev, method, **fields):
    updates = {"selection_method": method, **fields}
    if method in ("qbs", "grant_scoring"):
        updates.update(technical_weight=Decimal(1), financial_weight=Decimal(0))
    CallPage.objects.filter(pk=ev["call"].pk).update(**updates)
    ev["call"] = CallPage.objects.get(pk=ev["call"].pk)
    ev["panel"] = Panel.objects.get(pk=ev["panel"].pk)
    return ev


def ranked(ev):
    return [r for r in call_ranking(ev["call"]) if r.rank is not None]


def opened_ids(ev):
    return set(
        Submission.objects.filter(call=ev["call"], financial_opened_at__isnull=False).values_list(
            "pk", flat=True
        )
    )


def locked_and_opened(ev):
    panel = panel_lock(panel=examined(ev["panel"]), user=ev["staff"])
    financial_open(panel=Panel.objects.get(pk=panel.pk), user=ev["staff"])
    return Panel.objects.get(pk=panel.pk)


def test_qbs_opens_only_the_top_ranked_firms_price(build):
    ev = as_method(build(n=4), "qbs", minimum_technical_score=Decimal(50))
    panel = locked_and_opened(ev)
    rows = ranked(ev)

    assert opened_ids(ev) == {rows[0].entry.id}
    assert [r.entry.offer is not None for r in call_ranking(ev["call"])].count(True) == 1
    assert AuditEvent.objects.filter(action=AuditAction.FINANCIAL_OPENED).count() == 1
    assert panel.financial_opened_at is not None


def test_when_negotiation_fails_the_reason_is_audited_and_the_next_price_opens(build):
    ev = as_method(build(n=4), "qbs", minimum_technical_score=Decimal(50))
    panel = locked_and_opened(ev)
    first, second = ranked(ev)[:2]

    with pytest.raises(Refused, match="at least 20 characters"):
        negotiation_fail(
            panel=panel,
            user=ev["chair"],
            submission=Submission.objects.get(pk=first.entry.id),
            reason="too dear",
        )
    with pytest.raises(Refused, match="firm now in negotiation"):
        negotiation_fail(
            panel=panel,
            user=ev["chair"],
            submission=Submission.objects.get(pk=second.entry.id),
            reason=REASON,
        )
    following = negotiation_fail(
        panel=panel,
        user=ev["chair"],
        submission=Submission.objects.get(pk=first.entry.id),
        reason=REASON,
    )

    assert following.pk == second.entry.id
    assert opened_ids(ev) == {first.entry.id, second.entry.id}
    failed = AuditEvent.objects.get(action=AuditAction.NEGOTIATION_FAILED)
    assert failed.detail == REASON and failed.actor == ev["chair"]
    assert AuditEvent.objects.filter(action=AuditAction.FINANCIAL_OPENED).count() == 2
    # The firm whose negotiation failed cannot be awarded; the next one can.
    with pytest.raises(Refused, match="firm in negotiation"):
        outcome_decide(
            panel=panel,
            user=ev["chair"],
            submission=Submission.objects.get(pk=first.entry.id),
            outcome="awarded",
            reason=REASON,
        )
    outcome_decide(panel=panel, user=ev["chair"], submission=following, outcome="awarded")


def test_a_bid_below_the_minimum_is_never_ranked_opened_shortlisted_or_awarded(build):
    ev = build(n=3)
    weakest = min(call_ranking(ev["call"]), key=lambda r: r.technical)
    ev = as_method(ev, "qcbs", minimum_technical_score=weakest.technical + Decimal("0.01"))
    panel = locked_and_opened(ev)
    row = next(r for r in call_ranking(ev["call"]) if r.entry.id == weakest.entry.id)

    assert row.rank is None and row.excluded == "below the minimum"
    assert weakest.entry.id not in opened_ids(ev)
    for outcome in ("shortlisted", "awarded"):
        with pytest.raises(Refused, match="Only a ranked bid"):
            outcome_decide(
                panel=panel,
                user=ev["chair"],
                submission=Submission.objects.get(pk=weakest.entry.id),
                outcome=outcome,
                reason=REASON,
            )
    # Turning it down needs no reason.
    outcome_decide(
        panel=panel,
        user=ev["chair"],
        submission=Submission.objects.get(pk=weakest.entry.id),
        outcome="not_successful",
    )


def test_a_decision_against_the_ranking_needs_a_recorded_reason(build):
    ev = as_method(build(n=3), "qcbs", minimum_technical_score=Decimal(50))
    panel = locked_and_opened(ev)
    first, second = ranked(ev)[:2]

    with pytest.raises(Refused, match="goes against the ranking"):
        outcome_decide(
            panel=panel,
            user=ev["chair"],
            submission=Submission.objects.get(pk=second.entry.id),
            outcome="awarded",
        )
    with pytest.raises(Refused, match="goes against the ranking"):
        outcome_decide(
            panel=panel,
            user=ev["chair"],
            submission=Submission.objects.get(pk=first.entry.id),
            outcome="not_successful",
            reason="no",
        )
    outcome_decide(
        panel=panel,
        user=ev["chair"],
        submission=Submission.objects.get(pk=second.entry.id),
        outcome="awarded",
        reason="The first firm's key expert withdrew after the deadline.",
    )

    decided = AuditEvent.objects.get(action=AuditAction.OUTCOME_DECIDED)
    assert "against the ranking" in decided.detail
    assert "key expert withdrew" in decided.detail
    # Following the ranking needs no reason.
    outcome_decide(
        panel=panel,
        user=ev["chair"],
        submission=Submission.objects.get(pk=first.entry.id),
        outcome="shortlisted",
    )


def test_scoring_locks_only_when_each_bid_has_the_minimum_of_reviews(build):
    ev = build(n=3)
    panel = ev["panel"]
    Panel.objects.filter(pk=panel.pk).update(minimum_reviews=4)

    with pytest.raises(Refused) as refusal:
        panel_lock(panel=examined(Panel.objects.get(pk=panel.pk)), user=ev["staff"])
    message = refusal.value.message
    assert "at least 4 submitted reviews" in message
    assert "Bid 01 has 3 of 4" in message and "Bid 03 has 3 of 4" in message
    assert Panel.objects.get(pk=panel.pk).locked_at is None

    # A recused reviewer does not count towards it.
    Panel.objects.filter(pk=panel.pk).update(minimum_reviews=3)
    Assignment.objects.filter(panel=panel, submission=ev["bids"][1]).update(has_conflict=None)
    Assignment.objects.filter(
        panel=panel, submission=ev["bids"][1], reviewer=ev["members"][2]
    ).update(has_conflict=True)
    with pytest.raises(Refused, match="Bid 02 has 0 of 3"):
        panel_lock(panel=examined(Panel.objects.get(pk=panel.pk)), user=ev["staff"])

    rows = {r.entry.label: r for r in call_ranking(ev["call"])}
    assert rows["Bid 01"].reviews_in == 3 and rows["Bid 01"].reviews_expected == 3
    assert not rows["Bid 01"].thinly_reviewed


def test_the_disagreement_flag_follows_the_panels_spread(build):
    ev = build(n=3)  # reviewer 3 marks bid 2 at 20 % of each maximum, the others ~70 %
    rows = {r.entry.label: r for r in call_ranking(ev["call"])}
    assert all(rows["Bid 02"].disagreements.values())
    assert not rows["Bid 01"].disagreement

    Panel.objects.filter(pk=ev["panel"].pk).update(disagreement_spread=Decimal(60))
    rows = {r.entry.label: r for r in call_ranking(ev["call"])}
    assert not rows["Bid 02"].disagreement


def test_a_fixed_budget_call_needs_its_budget(build):
    call = build(n=1)["call"]
    call.selection_method = "fixed_budget"
    call.budget_ceiling = None
    with pytest.raises(ValidationError) as error:
        call.clean()
    assert "budget_ceiling" in error.value.message_dict


def test_the_financial_opening_is_refused_before_the_lock(build):
    ev = as_method(build(n=2), "qbs", minimum_technical_score=Decimal(50))
    with pytest.raises(NotAllowed):
        financial_open(panel=ev["panel"], user=ev["staff"])


def test_the_chairs_page_shows_review_counts_flags_and_a_drawn_chart(build, client):
    ev = build(n=3)
    Panel.objects.filter(pk=ev["panel"].pk).update(minimum_reviews=4)
    client.force_login(ev["chair"])

    page = client.get(reverse("reviews:ranking", args=[ev["call"].pk])).content.decode()

    assert "3 of 3 reviews" in page and "below the minimum of 4" in page
    assert "Bid 01: 3 of 4" in page  # the lock's warning, bid by bid
    assert page.count('<svg class="score-chart"') == 3
    assert "Reviewer 3: 7.0 of 35" in page or "Reviewer 3: 7 of 35" in page
    assert "is-disputed" in page  # bid 2's criteria, where reviewer 3 marked it far lower
    assert "Ties are broken by the higher technical score" in page


def test_the_score_form_shows_a_running_total(build, client):
    ev = build(n=1)
    member = ev["members"][1]
    assignment = Assignment.objects.get(reviewer=member, submission=ev["bids"][0])
    total = sum(s.points for s in assignment.review.scores.all())
    client.force_login(member)

    page = client.get(reverse("reviews:assignment", args=[assignment.pk])).content.decode()

    assert f'<output id="score-total" for="score-form">{total:.2f}</output> of 100' in page
    # The running total's script is a static file (the pages allow no inline script).
    assert "js/score_total" in page
    script = (settings.BASE_DIR / "static" / "js" / "score_total.js").read_text()
    assert 'form.addEventListener("input", sum)' in script
