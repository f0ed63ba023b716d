"""What the panel tests share: a closed, opened call with three bids (priced, by three
named firms) handed over to a panel of three reviewers; declaring and scoring an
assignment; and a call every non-chair reviewer has scored."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Profile
from applications.services.amounts import Amounts
from reviews.models import Assignment, Panel
from reviews.services.panels import conflict_declare, panel_hand_over, review_save
from tenders.models import CallPage
from tests.factories import StaffFactory, UserFactory, make_call, submit_bid
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


def scored_call(evaluation, **kwargs):
    """Every non-chair reviewer scores: bid 1 → 85, bid 2 → 78, bid 3 → 60."""
    ev = evaluation(**kwargs)
    totals = {0: ["35", "30", "20"], 1: ["30", "28", "20"], 2: ["25", "20", "15"]}
    for a in Assignment.objects.filter(panel=ev["panel"]).exclude(reviewer=ev["panel"].chair):
        declare(a)
        score_all(a, totals[ev["bids"].index(a.submission)])
    return ev
