"""The scoring arithmetic, on plain data: means, totals, disagreement, methods, ties."""

from decimal import Decimal as D

from reviews.ranking import Criterion, Entry, rank

TEN_CRITERIA = [Criterion(id=n, title=f"C{n}", max_points=10) for n in range(1, 11)]
UNEVEN = [
    Criterion(id=1, title="Methodology", max_points=40),
    Criterion(id=2, title="Experience", max_points=35),
    Criterion(id=3, title="Gender approach", max_points=25),
]


def scored(total: int | str, criteria=UNEVEN) -> dict[int, D]:
    """Points per criterion adding up to ``total``, each within its maximum."""
    remaining = D(str(total))
    out = {}
    for criterion in criteria:
        take = min(remaining, D(criterion.max_points))
        out[criterion.id] = take
        remaining -= take
    return out


def entry(n, reviews, offer=None, requested=None):
    return Entry(
        id=n,
        label=f"Bid {n:02d}",
        name=f"Firm {n}",
        scores=dict(enumerate(reviews, 1)),
        offer=None if offer is None else D(offer),
        amount_requested=None if requested is None else D(requested),
    )


def ranked(entries, method="qcbs", opened=True, criteria=UNEVEN, ceiling=None, minimum="70"):
    return rank(
        entries,
        criteria,
        method=method,
        minimum=D(minimum),
        technical_weight=D("0.8"),
        financial_weight=D("0.2"),
        budget_ceiling=None if ceiling is None else D(ceiling),
        financial_opened=opened,
    )


def by_label(rows):
    return {row.entry.label: row for row in rows}


def test_the_worked_qcbs_example():
    """T 0.8, F 0.2; A: St 85 at 100,000; B: St 78 at 80,000 → A 84.0, B 82.4."""
    a = entry(1, [scored(85)], offer="100000")
    b = entry(2, [scored(78)], offer="80000")

    rows = by_label(ranked([a, b]))

    assert rows["Bid 01"].technical == D("85.00")
    assert rows["Bid 02"].technical == D("78.00")
    assert rows["Bid 01"].financial_score == D("80.00")
    assert rows["Bid 02"].financial_score == D("100.00")
    assert rows["Bid 01"].combined == D("84.00")
    assert rows["Bid 02"].combined == D("82.40")
    assert (rows["Bid 01"].rank, rows["Bid 02"].rank) == (1, 2)


def test_means_are_per_criterion_over_reviewers_and_total_out_of_100():
    reviews = [{1: D("30"), 2: D("30"), 3: D("20")}, {1: D("35"), 2: D("25"), 3: D("15.5")}]
    row = ranked([entry(1, reviews)], method="qbs")[0]

    assert row.criterion_means == {1: D("32.50"), 2: D("27.50"), 3: D("17.75")}
    assert row.technical == D("77.75")
    assert row.reviews_in == 2


def test_a_criterion_maximum_other_than_10():
    full = {n: D("10") for n in range(1, 11)}
    row = ranked([entry(1, [full])], method="qbs", criteria=TEN_CRITERIA)[0]
    assert row.technical == D("100.00")
    uneven = ranked([entry(1, [{1: D("40"), 2: D("35"), 3: D("25")}])], method="qbs")[0]
    assert uneven.technical == D("100.00")


def test_wide_disagreement_is_flagged_by_totals_or_by_a_criterion_range():
    close = entry(1, [scored(80), scored(70)])  # 10 apart, criteria ranges small
    far_totals = entry(2, [scored(90), scored(69)])  # 21 apart
    # Same totals, but one criterion differs by 25 of 40 (> half its maximum).
    split = entry(3, [{1: D("40"), 2: D("20"), 3: D("10")}, {1: D("15"), 2: D("35"), 3: D("20")}])

    rows = by_label(ranked([close, far_totals, split], method="qbs"))

    assert rows["Bid 01"].disagreement is False
    assert rows["Bid 02"].disagreement is True
    assert rows["Bid 03"].disagreement is True


def test_a_recused_or_missing_review_is_simply_not_counted():
    """The loader passes only submitted reviews of non-recused reviewers; a bid with none
    is unranked rather than scored as zero."""
    reviewed = entry(1, [scored(75)])
    unreviewed = entry(2, [])

    rows = by_label(ranked([reviewed, unreviewed], method="qbs"))

    assert rows["Bid 01"].rank == 1
    assert rows["Bid 02"].technical is None
    assert rows["Bid 02"].rank is None
    assert rows["Bid 02"].qualifies is False


def test_a_review_missing_a_criterion_leaves_that_mean_and_the_total_open():
    row = ranked([entry(1, [{1: D("30"), 2: D("30")}])], method="qbs")[0]
    assert row.criterion_means[3] is None
    assert row.technical is None
    assert row.rank is None


def test_every_bid_below_the_threshold_opens_no_price_and_ranks_nobody_under_qcbs():
    rows = ranked([entry(1, [scored(60)], offer="90000"), entry(2, [scored(65)], offer="80000")])
    assert all(not r.qualifies for r in rows)
    assert all(r.financial_score is None and r.combined is None and r.rank is None for r in rows)


def test_below_threshold_bids_do_not_set_the_lowest_price():
    cheap_but_weak = entry(1, [scored(60)], offer="10000")
    a = entry(2, [scored(85)], offer="100000")
    b = entry(3, [scored(78)], offer="80000")

    rows = by_label(ranked([cheap_but_weak, a, b]))

    assert rows["Bid 02"].financial_score == D("80.00")
    assert rows["Bid 01"].rank is None


def test_ties_are_marked_and_broken_by_the_documented_rule():
    """Equal technical scores under QBS (prices sealed): the earlier receipt goes first."""
    early, late = entry(2, [scored(80)]), entry(1, [scored(80)])
    early.received_at, late.received_at = 1, 2
    rows = by_label(ranked([late, early, entry(3, [scored(70)])], method="qbs"))

    assert (rows["Bid 02"].rank, rows["Bid 01"].rank, rows["Bid 03"].rank) == (1, 2, 3)
    assert rows["Bid 01"].tied and rows["Bid 02"].tied and not rows["Bid 03"].tied
    assert "Tied with Bid 01" in rows["Bid 02"].notes[0]
    assert "earlier time of receipt" in rows["Bid 02"].notes[0]


def test_before_the_financial_opening_qcbs_ranks_by_technical_score():
    rows = by_label(ranked([entry(1, [scored(78)]), entry(2, [scored(85)])], opened=False))
    assert (rows["Bid 02"].rank, rows["Bid 01"].rank) == (1, 2)
    assert rows["Bid 01"].combined is None


def test_fixed_budget_takes_the_best_technical_score_within_the_ceiling():
    over = entry(1, [scored(95)], offer="120000")
    inside = entry(2, [scored(80)], offer="99000")
    weak = entry(3, [scored(60)], offer="50000")

    rows = by_label(ranked([over, inside, weak], method="fixed_budget", ceiling="100000"))

    assert rows["Bid 02"].rank == 1
    assert rows["Bid 01"].within_budget is False and rows["Bid 01"].rank is None
    assert rows["Bid 03"].rank is None


def test_least_cost_takes_the_lowest_price_among_those_that_qualify():
    rows = by_label(
        ranked(
            [
                entry(1, [scored(90)], offer="150000"),
                entry(2, [scored(72)], offer="90000"),
                entry(3, [scored(50)], offer="10000"),
            ],
            method="least_cost",
        )
    )
    assert (rows["Bid 02"].rank, rows["Bid 01"].rank, rows["Bid 03"].rank) == (1, 2, None)


def test_grant_scoring_ranks_by_technical_score_and_keeps_the_amount_requested():
    rows = ranked(
        [entry(1, [scored(70)], requested="8000"), entry(2, [scored(88)], requested="10000")],
        method="grant_scoring",
        opened=False,
    )
    assert [r.entry.label for r in rows] == ["Bid 02", "Bid 01"]
    assert rows[0].entry.amount_requested == D("10000")
