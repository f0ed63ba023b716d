"""The panel, in a real browser: a reviewer declares and scores; the chair ranks,
locks, opens the prices, decides the outcomes and sends the notices."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Profile
from applications.models import Submission
from applications.services.amounts import Amounts
from core.templatetags.format_tags import score
from notifications.models import OutboxMessage
from reviews.models import Assignment, Panel
from reviews.ranking import call_ranking
from reviews.services.panels import conflict_declare, panel_hand_over, review_save
from tenders.models import CallPage
from tests.browser_support import sign_in, sign_out
from tests.factories import StaffFactory, UserFactory, build_site, make_call, submit_bid
from tests.sealing_support import open_call

pytestmark = [pytest.mark.services, pytest.mark.browser]

CRITERIA = [("Methodology", 40), ("Experience", 35), ("Gender approach", 25)]
FIRMS = [
    ("Ouma Research", "ouma@example.org", "100000"),
    ("Mshauri Ltd", "mshauri@example.org", "80000"),
    ("Haki Data", "haki@example.org", "90000"),
]
# Points per bid, in the order of CRITERIA. Reviewer 1 enters bid 1 in the browser.
BROWSER_POINTS = ["35", "30.5", "20"]
SERVICE_POINTS = {
    # (reviewer, bid): points; the chair is recused from bid 2.
    ("reviewer1", 1): ["30", "28", "20"],
    ("reviewer1", 2): ["24", "20", "15"],
    ("reviewer2", 0): ["33", "29", "19.5"],
    ("reviewer2", 1): ["31", "27", "21"],
    ("reviewer2", 2): ["26", "21", "14"],
    ("chair", 0): ["34", "31", "20"],
    ("chair", 2): ["25", "19", "15"],
}


def reviewer(email):
    user = UserFactory(email=email)
    user.groups.add(Group.objects.get_or_create(name="Reviewers")[0])
    return user


@pytest.fixture
def evaluation(transactional_db, django_db_serialized_rollback, no_outbox_dispatch):
    """An opened QCBS call with three bids, handed to two reviewers and a chair.

    The live server is another thread, so every row here is committed;
    serialized rollback restores Wagtail's migrated rows afterwards.
    """
    pages = build_site()
    call = make_call(
        pages["calls"],
        title="Baseline survey on gender-responsive budgeting",
        criteria=CRITERIA,
    )
    bids = []
    for firm, email, offer in FIRMS:
        applicant = UserFactory(email=email)
        Profile.objects.create(user=applicant, legal_name=firm, applicant_type="organisation")
        # The price as the bidder gives it: sealed to the call's key until the opening.
        bid = submit_bid(
            call, applicant, amounts=Amounts(offer_amount=Decimal(offer), offer_currency="KES")
        )
        bids.append(bid)
    CallPage.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(hours=1))
    call = CallPage.objects.get(pk=call.pk)
    open_call(call, StaffFactory())
    members = {
        "reviewer1": reviewer("amina.reviewer@panel.org"),
        "reviewer2": reviewer("baraka.reviewer@panel.org"),
        "chair": reviewer("chair@panel.org"),
    }
    panel = Panel.objects.create(
        call=call,
        chair=members["chair"],
        review_deadline=timezone.now() + timedelta(days=5),
        minimum_reviews=1,
    )
    panel.members.set(members.values())
    assert panel_hand_over(call=call) == 9
    return {"call": call, "bids": bids, "panel": panel, "members": members}


def score_with_services(evaluation):
    """Every assignment but reviewer 1's on bid 1, through the services."""
    criteria = list(evaluation["call"].criteria.all())
    chair = evaluation["members"]["chair"]
    recused = Assignment.objects.get(reviewer=chair, submission=evaluation["bids"][1])
    conflict_declare(
        assignment=recused, user=chair, has_conflict=True, explanation="I advised them in 2025."
    )
    for (who, index), points in SERVICE_POINTS.items():
        user = evaluation["members"][who]
        assignment = Assignment.objects.get(reviewer=user, submission=evaluation["bids"][index])
        conflict_declare(assignment=assignment, user=user, has_conflict=False)
        review_save(
            assignment=assignment,
            user=user,
            submit=True,
            scores={
                c.pk: (Decimal(p), f"{who} on {c.title}")
                for c, p in zip(criteria, points, strict=True)
            },
        )


def cell_texts(row):
    return [" ".join(t.split()) for t in row.locator("th, td").all_inner_texts()]


def column_cells(table, label, heading):
    """The text of the cell under ``heading`` in the row of submission ``label``."""
    # Text content, not inner text: the headings are upper-cased by the style sheet.
    headings = [h.split()[0] for h in table.locator("thead th").all_text_contents()]
    cells = cell_texts(table.locator("tbody tr", has_text=label))
    return dict(zip(headings, cells, strict=True))[heading]


def test_a_reviewer_scores_and_the_chair_ranks_decides_and_notifies(
    live_server, browser, artifacts_dir, evaluation
):
    from playwright.sync_api import expect

    call, bids, panel = evaluation["call"], evaluation["bids"], evaluation["panel"]
    criteria = list(call.criteria.all())
    first = Assignment.objects.get(reviewer=evaluation["members"]["reviewer1"], submission=bids[0])
    score_with_services(evaluation)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    try:
        # Reviewer 1: the queue, then the one assignment still to do.
        sign_in(page, live_server.url, "amina.reviewer@panel.org")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your reviews")
        queue_row = page.locator("tbody tr", has_text="Bid 01")
        expect(queue_row).to_contain_text("declare first")
        queue_row.get_by_role("link").click()
        page.wait_for_url(re.compile(rf"/bids/reviews/{first.pk}/$"))
        expect(page.get_by_role("heading", name="Conflict of interest")).to_be_visible()
        expect(page.get_by_text("Ouma Research").first).to_be_visible()
        expect(page.get_by_role("heading", name="Your scores")).to_have_count(0)
        page.get_by_role("radio", name=re.compile(r"^No: I have no")).check()
        page.screenshot(path=str(artifacts_dir / "reviewer-declare.png"), full_page=True)
        page.get_by_role("button", name="Record my declaration").click()
        expect(page.locator(".message--success")).to_have_text("Your declaration is recorded.")

        # Declared: the documents and the score sheet; the others' scores stay hidden.
        expect(page.get_by_role("heading", name="Documents")).to_be_visible()
        expect(page.get_by_role("heading", name="The panel's scores")).to_have_count(0)
        for criterion, points in zip(criteria, BROWSER_POINTS, strict=True):
            sheet = page.get_by_role("group", name=re.compile(rf"^{criterion.title}\b"))
            expect(sheet).to_contain_text(f"out of {criterion.max_points}")
            sheet.get_by_label("Points").fill(points)
            sheet.get_by_label("Comment").fill(f"Reviewer one on {criterion.title.lower()}.")
        page.screenshot(path=str(artifacts_dir / "reviewer-score.png"), full_page=True)
        page.get_by_role("button", name="Submit review").click()
        expect(page.locator(".message--success")).to_have_text("Your review is submitted.")
        panel_scores = page.locator(
            "section", has=page.get_by_role("heading", name="The panel's scores")
        )
        expect(panel_scores).to_be_visible()
        expect(panel_scores.locator("tbody tr")).to_have_count(3)
        expect(panel_scores).to_contain_text("30.5")
        expect(panel_scores).to_contain_text("reviewer2 on Methodology")
        page.screenshot(path=str(artifacts_dir / "reviewer-submitted.png"), full_page=True)
        sign_out(page)

        review = Assignment.objects.get(pk=first.pk).review
        assert review.is_submitted
        assert [s.points for s in review.scores.order_by("criterion__sort_order")] == [
            Decimal(p) for p in BROWSER_POINTS
        ]

        # The chair: the ranking matches the arithmetic.
        sign_in(page, live_server.url, "chair@panel.org")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
        page.get_by_role("link", name=call.title).click()
        page.wait_for_url(re.compile(rf"/bids/reviews/calls/{call.pk}/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Ranking")
        expected = call_ranking(call)
        assert [r.entry.label for r in expected] == ["Bid 01", "Bid 02", "Bid 03"]
        table = page.locator("table.ranking")
        for row in expected:
            label = row.entry.label
            assert column_cells(table, label, "Rank").split()[0] == str(row.rank or "—"), label
            assert column_cells(table, label, "Technical").split()[0] == score(row.technical)
        expect(page.get_by_text("8 of 8")).to_be_visible()  # the chair's recusal is not due
        page.screenshot(path=str(artifacts_dir / "chair-ranking.png"), full_page=True)

        # The preliminary examination: Bid 03 is found not responsive, the others cleared.
        expect(page.get_by_role("button", name="Lock technical scoring")).to_have_count(0)
        page.get_by_role("link", name="Responsiveness").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Responsiveness")
        card = page.locator(".compliance-bid", has_text="Bid 03")
        card.get_by_label("Not responsive", exact=True).check()
        card.get_by_label("Reason").fill("The team leader's CV is missing from the proposal.")
        card.get_by_role("button", name="Record the decision").click()
        expect(page.locator(".message--success")).to_have_text("Bid 03 marked not responsive.")
        page.get_by_role("button", name="Mark the bids with nothing found responsive").click()
        expect(page.locator(".message--success")).to_have_text(
            "2 bids with nothing found marked responsive."
        )
        expect(page.get_by_text("Every bid has a decision.")).to_be_visible()
        page.screenshot(path=str(artifacts_dir / "chair-compliance.png"), full_page=True)
        page.get_by_role("navigation", name="Breadcrumb").get_by_role(
            "link", name="Ranking"
        ).click()
        assert "not responsive" in column_cells(table, "Bid 03", "Technical")

        # Lock, then open the prices of the bids at or above the minimum.
        page.get_by_role("button", name="Lock technical scoring").click()
        expect(page.locator(".message--success")).to_have_text("Technical scoring is locked.")
        page.get_by_role("button", name="Open financial envelopes").click()
        expect(page.locator(".message--success")).to_have_text("2 financial envelopes opened.")
        combined = call_ranking(CallPage.objects.get(pk=call.pk))  # not the cached panel
        assert [r.combined is not None for r in combined].count(True) == 2
        for row in combined:
            label = row.entry.label
            assert column_cells(table, label, "Combined").split()[0] == score(row.combined), label
            if row.rank is not None:
                assert column_cells(table, label, "Rank").split()[0] == str(row.rank), label
        page.screenshot(path=str(artifacts_dir / "chair-opened.png"), full_page=True)

        # Outcomes, row by row: the best combined score is shortlisted.
        outcomes = {
            r.entry.label: "shortlisted" if r.rank == 1 else "not_successful" for r in combined
        }
        for label, outcome in outcomes.items():
            row = table.locator("tbody tr", has_text=label)
            expect(row.get_by_label("Outcome")).to_have_value("")  # nothing chosen for the chair
            row.get_by_label("Outcome").select_option(outcome)
            # The previous page says "Outcome recorded." too: wait for the new one.
            with page.expect_navigation():
                row.get_by_role("button", name="Set").click()
            expect(page.locator(".message--success")).to_have_text("Outcome recorded.")
            expect(row.get_by_label("Outcome")).to_have_value(outcome)
        page.get_by_role("button", name="Send outcome notices").click()
        expect(page.locator(".message--success")).to_have_text(
            "Outcome notices queued for 3 applicants."
        )
        expect(page.get_by_text("Outcome notices sent.")).to_be_visible()
        expect(page.get_by_role("button", name="Set")).to_have_count(0)
        page.screenshot(path=str(artifacts_dir / "chair-after-outcomes.png"), full_page=True)
    finally:
        context.close()

    statuses = dict(Submission.objects.filter(call=call).values_list("number", "status"))
    assert sorted(statuses.values()) == ["not_successful", "not_successful", "shortlisted"]
    for bid, (firm, email, _offer) in zip(bids, FIRMS, strict=True):
        notices = OutboxMessage.objects.filter(to_email=email, dedupe_key__startswith="outcome:")
        assert notices.count() == 1, firm
        word = "shortlisted" if outcomes[str(bid.label)] == "shortlisted" else "regret"
        assert word in notices.get().body_text, firm
        if str(bid.label) == "Bid 03":  # told why it was not evaluated
            assert "found not responsive" in notices.get().body_text
            assert "The team leader's CV is missing" in notices.get().body_text
    panel.refresh_from_db()
    assert panel.outcomes_sent_at is not None
    assert dialogs == []
    for name in ("reviewer-declare", "reviewer-score", "chair-ranking", "chair-after-outcomes"):
        assert (artifacts_dir / f"{name}.png").stat().st_size > 10_000
