"""The ranking: criterion means, technical totals, disagreement, and each selection method.

Pure arithmetic over plain data (``rank``), plus one loader that fetches
everything a call's ranking needs in a fixed number of queries
(``call_ranking``). The ranking page, the scoring sheet and the chair's
decisions all read the same rows.

The methods, as the World Bank's Consultant Guidelines (2011) define them:

- **QCBS**: St × technical weight + Sf × financial weight, with
  Sf = 100 × lowest price / price, among bids at or above the minimum.
- **QBS**: by technical score; only the top firm's price is opened (and the
  next firm's, if negotiation with it fails: reviews.services.panels).
- **Fixed budget**: proposals over the budget are rejected; the highest
  technical score among the rest wins.
- **Least cost**: the lowest price among bids at or above the minimum.
- **Grant scoring**: by technical score.

In every method a bid below the minimum technical score is never ranked,
and its price is never opened.

Arithmetic is exact (``Decimal``, 28 significant digits) from the reviewers'
points to S; values are rounded, half up to two places, only when shown. A
tie is an exact tie on the method's score. Ties are shown as ties and broken
by this rule (``TIE_BREAK``): the higher technical score, then the lower
price where prices are open, then the earlier time of receipt.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from applications.choices import OUTCOMES, SubmissionStatus
from applications.models import Submission
from reviews.choices import ReviewStatus
from reviews.models import Assignment, Panel, Score
from tenders.choices import SelectionMethod

OUTCOME_BADGES = {
    SubmissionStatus.AWARDED: "open",
    SubmissionStatus.SHORTLISTED: "upcoming",
    SubmissionStatus.NOT_SUCCESSFUL: "closed",
}
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal("100")
# Reviewers disagree on a criterion when their points for it differ by more than
# this share of its maximum (the panel's setting overrides it).
DEFAULT_SPREAD = Decimal("0.3")
TIE_BREAK = gettext_noop(
    "Ties are broken by the higher technical score, then the lower price where prices "
    "are open, then the earlier time of receipt."
)


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def shown(value: Decimal | None) -> Decimal | None:
    """A score as it is shown and printed: half up, two places."""
    return _round(value)


@dataclass
class Criterion:
    id: int
    title: str
    max_points: int


@dataclass
class Entry:
    """One submission as the ranking sees it."""

    id: int
    label: str
    name: str
    # reviewer id → criterion id → points, for submitted reviews of non-recused reviewers
    scores: dict[int, dict[int, Decimal]]
    offer: Decimal | None = None
    amount_requested: Decimal | None = None
    outcome: str = ""
    received_at: object = None
    # QBS: negotiation with this firm failed (its reason is in the audit trail).
    negotiation_failed: bool = False
    # Found not responsive in the preliminary examination: never scored nor ranked.
    not_responsive: bool = False

    @property
    def decided(self) -> bool:
        """The chair has given it an outcome (shortlisted, awarded, not successful)."""
        return self.outcome in OUTCOMES

    @property
    def outcome_label(self) -> str:
        return SubmissionStatus(self.outcome).label if self.outcome else ""

    @property
    def outcome_badge(self) -> str:
        return OUTCOME_BADGES.get(self.outcome, "closed")


@dataclass
class Row:
    entry: Entry
    criterion_means: dict[int, Decimal | None]
    technical: Decimal | None
    reviews_in: int
    # criterion id → True where the reviewers' points differ by more than the spread
    disagreements: dict[int, bool]
    qualifies: bool
    financial_score: Decimal | None = None
    combined: Decimal | None = None
    within_budget: bool | None = None
    rank: int | None = None
    tied: bool = False
    # Why an unranked bid is not ranked ("below the minimum", "over the budget", ...)
    excluded: str = ""
    # Reviews assigned (less declared conflicts), and whether the panel's minimum is met
    reviews_expected: int | None = None
    reviews_minimum: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def disagreement(self) -> bool:
        return any(self.disagreements.values())

    @property
    def thinly_reviewed(self) -> bool:
        if self.entry.not_responsive:
            return False  # not scored at all, by decision
        return self.reviews_minimum is not None and self.reviews_in < self.reviews_minimum


def technical_rows(
    entries, criteria: list[Criterion], minimum: Decimal, spread: Decimal = DEFAULT_SPREAD
) -> list[Row]:
    rows = []
    for entry in entries:
        # A bid found not responsive is not scored: scores given before do not count.
        reviews = [] if entry.not_responsive else list(entry.scores.values())
        means, disagreements = {}, {}
        for criterion in criteria:
            given = [r[criterion.id] for r in reviews if criterion.id in r]
            means[criterion.id] = sum(given) / len(given) if given else None
            disagreements[criterion.id] = bool(given) and (
                max(given) - min(given) > Decimal(criterion.max_points) * spread
            )
        complete = reviews and all(m is not None for m in means.values())
        technical = sum(means.values()) if complete else None
        qualifies = technical is not None and technical >= minimum
        if entry.not_responsive:
            technical, qualifies = None, False
        rows.append(
            Row(
                entry=entry,
                criterion_means=means,
                technical=technical,
                reviews_in=len(reviews),
                disagreements=disagreements,
                qualifies=qualifies,
                excluded=""
                if qualifies
                else _("not responsive")
                if entry.not_responsive
                else (_("not fully scored") if technical is None else _("below the minimum")),
            )
        )
    return rows


def _assign_ranks(rows: list[Row], key, *, prices_open: bool) -> None:
    """Rank the rows ``key`` gives a value (lower is better), 1, 2, 3...

    Equal values are ties: each tied row is marked and notes the rule that
    ordered it (``TIE_BREAK``): higher technical score, lower price where
    prices are open, earlier receipt.
    """

    def order(row):
        price = row.entry.offer if prices_open and row.entry.offer is not None else Decimal(0)
        received = row.entry.received_at
        return (key(row), -(row.technical or 0), price, received is None, received or 0)

    ranked = sorted((r for r in rows if key(r) is not None), key=order)
    groups = defaultdict(list)
    for row in ranked:
        groups[key(row)].append(row)
    for position, row in enumerate(ranked, start=1):
        row.rank = position
        others = [o for o in groups[key(row)] if o is not row]
        if others:
            row.tied = True
            row.notes.append(
                _("Tied with %(others)s. %(rule)s")
                % {"others": ", ".join(o.entry.label for o in others), "rule": _(TIE_BREAK)}
            )


def rank(
    entries: list[Entry],
    criteria: list[Criterion],
    *,
    method: str,
    minimum: Decimal,
    technical_weight: Decimal,
    financial_weight: Decimal,
    budget_ceiling: Decimal | None = None,
    financial_opened: bool = False,
    spread: Decimal = DEFAULT_SPREAD,
) -> list[Row]:
    """Rank ``entries`` by the call's selection method. Unranked rows have ``rank=None``
    and say why in ``excluded``."""
    rows = technical_rows(entries, criteria, minimum, spread)
    by_technical = lambda r: -r.technical if r.qualifies else None  # noqa: E731
    prices_open = financial_opened and method not in (
        SelectionMethod.QBS,
        SelectionMethod.GRANT_SCORING,
    )

    if not prices_open:
        _assign_ranks(rows, by_technical, prices_open=False)
    elif method == SelectionMethod.QCBS:
        offers = [r.entry.offer for r in rows if r.qualifies and r.entry.offer]
        lowest = min(offers) if offers else None
        for row in rows:
            if row.qualifies and row.entry.offer and lowest:
                row.financial_score = HUNDRED * lowest / row.entry.offer
                row.combined = (
                    row.technical * technical_weight + row.financial_score * financial_weight
                )
        _assign_ranks(
            rows, lambda r: -r.combined if r.combined is not None else None, prices_open=True
        )
    elif method == SelectionMethod.FIXED_BUDGET:
        for row in rows:
            if row.entry.offer is not None and budget_ceiling is not None:
                row.within_budget = row.entry.offer <= budget_ceiling
                if row.qualifies and not row.within_budget:
                    row.excluded = _("over the budget")
        _assign_ranks(
            rows,
            lambda r: -r.technical if r.qualifies and r.within_budget else None,
            prices_open=True,
        )
    elif method == SelectionMethod.LEAST_COST:
        _assign_ranks(
            rows,
            lambda r: r.entry.offer if r.qualifies and r.entry.offer is not None else None,
            prices_open=True,
        )
    for row in rows:
        if row.entry.negotiation_failed:
            row.notes.append(_("Negotiation failed; the next firm's price was opened."))
    return sorted(
        rows,
        key=lambda r: (r.rank is None, r.rank or 0, -(r.technical or 0), r.entry.label),
    )


def call_ranking(call) -> list[Row]:
    """The ranking of ``call``'s received submissions, in four queries whatever their number."""
    criteria = [
        Criterion(id=c.pk, title=c.title, max_points=c.max_points) for c in call.criteria.all()
    ]
    submissions = (
        Submission.objects.filter(call=call)
        .received()
        .select_related("applicant__profile", "compliance")
        .order_by("number")
    )
    scores = defaultdict(lambda: defaultdict(dict))
    rows = (
        Score.objects.filter(
            review__assignment__submission__call=call,
            review__status=ReviewStatus.SUBMITTED,
            review__assignment__has_conflict=False,
        )
        # In reviewer order, so that "Reviewer 2" on the chart is the same person on every load.
        .order_by("review__assignment__reviewer_id", "criterion_id")
        .values_list(
            "review__assignment__submission_id",
            "review__assignment__reviewer_id",
            "criterion_id",
            "points",
        )
    )
    for submission_id, reviewer_id, criterion_id, points in rows:
        scores[submission_id][reviewer_id][criterion_id] = points
    # Read fresh: a call object held from before the financial opening must not rank
    # as if the prices were still sealed.
    panel = (
        Panel.objects.filter(call=call)
        .only("financial_opened_at", "disagreement_spread", "minimum_reviews")
        .first()
    )
    financial_opened = panel is not None and panel.financial_opened_at is not None
    entries = [
        Entry(
            id=s.pk,
            label=str(s.label),
            name=applicant_name(s),
            scores=dict(scores.get(s.pk, {})),
            offer=s.offer_amount if s.financial_opened_at else None,
            amount_requested=s.amount_requested,
            outcome=s.status,
            received_at=s.submitted_at,
            negotiation_failed=s.negotiation_failed_at is not None,
            not_responsive=_not_responsive(s),
        )
        for s in submissions
    ]
    rows = rank(
        entries,
        criteria,
        method=call.selection_method,
        minimum=call.minimum_technical_score,
        technical_weight=call.technical_weight,
        financial_weight=call.financial_weight,
        budget_ceiling=call.budget_ceiling,
        financial_opened=financial_opened,
        spread=panel.disagreement_spread / HUNDRED if panel else DEFAULT_SPREAD,
    )
    expected = (
        dict(
            Assignment.objects.filter(submission__call=call)
            .not_recused()
            .order_by()
            .values_list("submission_id")
            .annotate(n=Count("pk"))
        )
        if panel
        else {}
    )
    for row in rows:
        row.reviews_expected = expected.get(row.entry.id, 0)
        row.reviews_minimum = panel.minimum_reviews if panel else None
    return rows


def _not_responsive(submission) -> bool:
    decision = getattr(submission, "compliance", None)
    return decision is not None and not decision.responsive


def applicant_name(submission) -> str:
    """The name an applicant goes by: their profile's legal name, else their email; for
    a bid whose contents the retention policy deleted, only its label."""
    if submission.purged_at is not None:
        return _("%(label)s (details deleted)") % {"label": submission.label}
    profile = getattr(submission.applicant, "profile", None)
    return (profile.display_name if profile else "") or submission.applicant.email
