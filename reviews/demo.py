"""A demo review panel for the closed demo call, part-way through its work.

The panel's work goes through the panel services, as the reviewers' pages do
it. Only the demo loader uses this, and it refuses to run in production.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import DEMO_OPENING_PASSPHRASE
from applications.demo import demo_call_private
from applications.services.opening import call_open
from reviews.choices import ReviewStatus
from reviews.models import Assignment, Panel, Review
from reviews.services.compliance import compliance_clear
from reviews.services.panels import conflict_declare, panel_hand_over, review_save

# --- The demo panel ------------------------------------------------------------
# The closed call's panel, handed its bids and part-way through: one reviewer
# has finished, the chair has done one bid, and the third (the account a new
# user signs in as) has everything still to do, from the declaration on.

DEMO_CHAIR = "chair@zabuni.local"
DEMO_PANEL = ["chair@zabuni.local", "reviewer@zabuni.local", "reviewer2@zabuni.local"]
DEMO_REVIEW_DAYS = 10

# reviewer → bid number → (points, comment) per criterion, in the call's order:
# understanding (20), methodology (35), qualifications (35), gender and safeguarding (10).
DEMO_REVIEWS = {
    "reviewer2@zabuni.local": {
        1: [
            ("16", "Knows the county contexts well; says little about online harassment."),
            (
                "28",
                "Sound sampling across the eight counties and a realistic timeline. The "
                "plan for storing interview data offline needs more detail.",
            ),
            ("30", "The lead has run two national surveys of civil society. Team is thin on IT."),
            ("8", "Referral pathway for distressed respondents is named and budgeted."),
        ],
        2: [
            ("14", "Reads the survey as a media study; the protection angle comes late."),
            (
                "24",
                "An online panel would miss defenders who avoid phones for safety. No "
                "plan for respondents who cannot be reached securely.",
            ),
            ("25", "Strong statisticians, but nobody with human-rights fieldwork."),
            ("6", "Safeguarding policy attached but not applied to this survey."),
        ],
        3: [
            (
                "18",
                "Clear on how fear of surveillance, not only surveillance itself, changes work.",
            ),
            (
                "31",
                "Mixed methods with encrypted collection and a threat model for the data. "
                "Pilot in two counties before roll-out is sensible.",
            ),
            ("27", "Digital-security depth; survey lead is junior for a national sample."),
            ("9", "Women defenders' specific risks are built into the questionnaire."),
        ],
    },
    "chair@zabuni.local": {
        1: [
            ("17", "Good grasp of the coalition's network and of county-level risks."),
            (
                "26",
                "Methodology is workable; the consent script needs rewriting for "
                "respondents under active threat.",
            ),
            ("31", "Experienced lead with references from two partner organisations."),
            ("7", "Adequate; would like a named safeguarding focal point."),
        ],
    },
}


def load_demo_panel(call, users_by_email, *, staff) -> int:
    """Give ``call`` a panel, open it, hand it over and put some reviews in. Idempotent.

    Returns how many panels, assignments and reviews were created.
    """
    created = 0
    panel = Panel.objects.filter(call=call).first()
    if panel is None:
        panel = Panel.objects.create(
            call=call,
            chair=users_by_email[DEMO_CHAIR],
            review_deadline=timezone.now().replace(second=0, microsecond=0)
            + timedelta(days=DEMO_REVIEW_DAYS),
        )
        panel.members.set([users_by_email[email] for email in DEMO_PANEL])
        created += 1
    call_open(call=call, user=staff, call_private=demo_call_private(call, DEMO_OPENING_PASSPHRASE))
    created += panel_hand_over(call=call)
    criteria = list(call.criteria.all())
    for email, bids in DEMO_REVIEWS.items():
        reviewer = users_by_email[email]
        assignments = {
            a.submission.number: a
            for a in Assignment.objects.filter(panel=panel, reviewer=reviewer).select_related(
                "submission__call", "panel"
            )
        }
        for assignment in assignments.values():
            if assignment.declared_at is None:
                conflict_declare(assignment=assignment, user=reviewer, has_conflict=False)
        for number, marks in bids.items():
            assignment = assignments[number]
            if Review.objects.filter(
                assignment=assignment, status=ReviewStatus.SUBMITTED
            ).exists():
                continue
            scores = {
                criterion.pk: (Decimal(points), comment)
                for criterion, (points, comment) in zip(criteria, marks, strict=True)
            }
            review_save(assignment=assignment, user=reviewer, scores=scores, submit=True)
            created += 1
    return created


# --- A finished QBS evaluation ----------------------------------------------------
# Every reviewer has scored every bid; the chair has locked scoring and opened the
# financial envelopes: under QBS only the top-ranked firm's price is open.

# Share of each criterion's maximum each bid earns (bid number → share), nudged per reviewer.
QBS_SHARES = {1: Decimal("0.84"), 2: Decimal("0.90"), 3: Decimal("0.76")}
QBS_NUDGE = [Decimal("0"), Decimal("0.02"), Decimal("-0.02")]
QBS_COMMENTS = {
    1: "Solid grasp of the fund's governance; little on cross-border relocation.",
    2: "Knows refugee and data-protection law in the region; a realistic work plan.",
    3: "Capable team, but the manual revision is treated as an afterthought.",
}


def _score_every_bid(panel, call, users_by_email) -> int:
    """Every demo reviewer declares no conflict and scores every bid they were given."""
    created = 0
    criteria = list(call.criteria.all())
    for n, email in enumerate(DEMO_PANEL):
        reviewer = users_by_email[email]
        for assignment in Assignment.objects.filter(panel=panel, reviewer=reviewer).select_related(
            "submission__call", "panel"
        ):
            if assignment.declared_at is None:
                conflict_declare(assignment=assignment, user=reviewer, has_conflict=False)
            if Review.objects.filter(
                assignment=assignment, status=ReviewStatus.SUBMITTED
            ).exists():
                continue
            share = QBS_SHARES[assignment.submission.number] + QBS_NUDGE[n]
            scores = {
                c.pk: (
                    (Decimal(c.max_points) * share * 2).quantize(Decimal(1)) / 2,
                    QBS_COMMENTS[assignment.submission.number],
                )
                for c in criteria
            }
            review_save(assignment=assignment, user=reviewer, scores=scores, submit=True)
            created += 1
    return created


def _scored_by_the_demo_panel(call, panel, users_by_email, *, staff):
    """``call`` opened and handed to the demo panel (made if need be), every bid scored;
    returns the panel and how many objects were made."""
    created = 0
    if panel is None:
        panel = Panel.objects.create(
            call=call,
            chair=users_by_email[DEMO_CHAIR],
            review_deadline=call.closes_at + timedelta(days=DEMO_REVIEW_DAYS),
        )
        panel.members.set([users_by_email[email] for email in DEMO_PANEL])
        created += 1
    call_open(call=call, user=staff, call_private=demo_call_private(call, DEMO_OPENING_PASSPHRASE))
    created += panel_hand_over(call=call)
    created += _score_every_bid(panel, call, users_by_email)
    return panel, created


def load_demo_finished_qbs(call, users_by_email, *, staff) -> int:
    """Give ``call`` a panel that has scored every bid, locked, and opened the top
    firm's price (QBS). Idempotent."""
    from reviews.services.outcomes import financial_open
    from reviews.services.panels import panel_lock

    panel = Panel.objects.filter(call=call).first()
    if panel is not None and panel.financial_opened_at:
        return 0
    panel, created = _scored_by_the_demo_panel(call, panel, users_by_email, staff=staff)
    chair = users_by_email[DEMO_CHAIR]
    # The preliminary examination: the demo's bids are complete, so all are responsive.
    compliance_clear(panel=panel, user=chair)
    panel = panel_lock(panel=panel, user=chair)
    created += financial_open(panel=panel, user=chair)
    return created


def load_demo_shortlist(call, users_by_email, *, staff) -> int:
    """The expression of interest's evaluation: opened, every bid scored by the demo
    panel, found responsive, scoring locked, all three firms shortlisted and told.
    Idempotent."""
    from reviews.services.outcomes import outcome_decide, outcomes_send
    from reviews.services.panels import panel_lock

    panel = Panel.objects.filter(call=call).first()
    if panel is not None and panel.outcomes_sent_at:
        return 0
    panel, created = _scored_by_the_demo_panel(call, panel, users_by_email, staff=staff)
    chair = users_by_email[DEMO_CHAIR]
    compliance_clear(panel=panel, user=chair)
    panel = panel_lock(panel=panel, user=chair)
    for submission in call.submissions.order_by("number"):
        outcome_decide(panel=panel, user=chair, submission=submission, outcome="shortlisted")
    outcomes_send(panel=panel, user=chair)
    return created
