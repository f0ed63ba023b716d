"""The ranking: criterion means, technical totals, disagreement, and each selection method.

Pure arithmetic over plain data (``rank``), plus one loader that fetches
everything a call's ranking needs in a fixed number of queries
(``call_ranking``). The ranking page, the scoring sheet and the chair's
decisions all read the same rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from applications.choices import OUTCOMES, SubmissionStatus
from applications.models import Submission
from reviews.choices import ReviewStatus
from reviews.models import Panel, Score
from tenders.choices import SelectionMethod

OUTCOME_BADGES = {
    SubmissionStatus.AWARDED: "open",
    SubmissionStatus.SHORTLISTED: "upcoming",
    SubmissionStatus.NOT_SUCCESSFUL: "closed",
}
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal("100")
# Reviewers disagree widely when their totals are more than this many points
# apart, or when a criterion's range exceeds half its maximum.
TOTAL_SPREAD_LIMIT = Decimal("20")


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


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
    disagreement: bool
    qualifies: bool
    financial_score: Decimal | None = None
    combined: Decimal | None = None
    within_budget: bool | None = None
    rank: int | None = None
    tied: bool = False
    notes: list[str] = field(default_factory=list)


def technical_rows(entries, criteria: list[Criterion], minimum: Decimal) -> list[Row]:
    rows = []
    for entry in entries:
        reviews = list(entry.scores.values())
        means = {}
        for criterion in criteria:
            given = [r[criterion.id] for r in reviews if criterion.id in r]
            means[criterion.id] = sum(given) / len(given) if given else None
        complete = reviews and all(m is not None for m in means.values())
        technical = _round(sum(means.values())) if complete else None
        totals = [sum(r.values()) for r in reviews]
        disagreement = bool(totals) and max(totals) - min(totals) > TOTAL_SPREAD_LIMIT
        for criterion in criteria:
            given = [r[criterion.id] for r in reviews if criterion.id in r]
            if given and max(given) - min(given) > Decimal(criterion.max_points) / 2:
                disagreement = True
        rows.append(
            Row(
                entry=entry,
                criterion_means={k: _round(v) for k, v in means.items()},
                technical=technical,
                reviews_in=len(reviews),
                disagreement=disagreement,
                qualifies=technical is not None and technical >= minimum,
            )
        )
    return rows


def _assign_ranks(rows: list[Row], key) -> None:
    """Competition ranking (1, 2, 2, 4) over rows with a key; equal keys are ties."""
    ranked = sorted((r for r in rows if key(r) is not None), key=key)
    previous, previous_rank = object(), 0
    for position, row in enumerate(ranked, start=1):
        value = key(row)
        row.rank = previous_rank if value == previous else position
        previous, previous_rank = value, row.rank
    counts = defaultdict(int)
    for row in ranked:
        counts[row.rank] += 1
    for row in ranked:
        row.tied = counts[row.rank] > 1


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
) -> list[Row]:
    """Rank ``entries`` by the call's selection method. Unranked rows have ``rank=None``."""
    rows = technical_rows(entries, criteria, minimum)
    by_technical = lambda r: -r.technical if r.technical is not None else None  # noqa: E731

    if not financial_opened or method in (SelectionMethod.QBS, SelectionMethod.GRANT_SCORING):
        _assign_ranks(rows, by_technical)
    elif method == SelectionMethod.QCBS:
        offers = [r.entry.offer for r in rows if r.qualifies and r.entry.offer]
        lowest = min(offers) if offers else None
        for row in rows:
            if row.qualifies and row.entry.offer and lowest:
                row.financial_score = _round(HUNDRED * lowest / row.entry.offer)
                row.combined = _round(
                    row.technical * technical_weight + row.financial_score * financial_weight
                )
        _assign_ranks(rows, lambda r: -r.combined if r.combined is not None else None)
    elif method == SelectionMethod.FIXED_BUDGET:
        for row in rows:
            if row.entry.offer is not None and budget_ceiling is not None:
                row.within_budget = row.entry.offer <= budget_ceiling
        _assign_ranks(
            rows,
            lambda r: -r.technical if r.qualifies and r.within_budget is not False else None,
        )
    elif method == SelectionMethod.LEAST_COST:
        _assign_ranks(
            rows, lambda r: r.entry.offer if r.qualifies and r.entry.offer is not None else None
        )
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
        .select_related("applicant__profile")
        .order_by("number")
    )
    scores = defaultdict(lambda: defaultdict(dict))
    for submission_id, reviewer_id, criterion_id, points in Score.objects.filter(
        review__assignment__submission__call=call,
        review__status=ReviewStatus.SUBMITTED,
        review__assignment__has_conflict=False,
    ).values_list(
        "review__assignment__submission_id",
        "review__assignment__reviewer_id",
        "criterion_id",
        "points",
    ):
        scores[submission_id][reviewer_id][criterion_id] = points
    # Read fresh: a call object held from before the financial opening must not rank
    # as if the prices were still sealed.
    financial_opened = Panel.objects.filter(call=call, financial_opened_at__isnull=False).exists()
    entries = [
        Entry(
            id=s.pk,
            label=str(s.label),
            name=applicant_name(s),
            scores=dict(scores.get(s.pk, {})),
            offer=s.offer_amount if s.financial_opened_at else None,
            amount_requested=s.amount_requested,
            outcome=s.status,
        )
        for s in submissions
    ]
    return rank(
        entries,
        criteria,
        method=call.selection_method,
        minimum=call.minimum_technical_score,
        technical_weight=call.technical_weight,
        financial_weight=call.financial_weight,
        budget_ceiling=call.budget_ceiling,
        financial_opened=financial_opened,
    )


def applicant_name(submission) -> str:
    """The name an applicant goes by: their profile's legal name, else their email."""
    profile = getattr(submission.applicant, "profile", None)
    return (profile.display_name if profile else "") or submission.applicant.email
