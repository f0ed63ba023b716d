"""Each selection method as published practice defines it (World Bank Consultant
Guidelines 2011; a standard RFP's Section 3), worked on four or more firms: one below
the minimum, one over the budget where there is one, and a tie. Exact arithmetic,
rounded once, for display."""

from decimal import Decimal as D

from core.templatetags.format_tags import score
from reviews.ranking import rank
from tests.reviews.test_ranking import UNEVEN, by_label, entry, scored


def firms(offers, totals, received=None):
    out = []
    for n, (offer, total) in enumerate(zip(offers, totals, strict=True), 1):
        e = entry(n, [scored(total), scored(total)], offer=offer)
        e.received_at = (received or {}).get(n, n)
        out.append(e)
    return out


def ranked(entries, method, *, opened=True, ceiling=None, t="0.8", f="0.2", minimum="70"):
    return by_label(
        rank(
            entries,
            UNEVEN,
            method=method,
            minimum=D(minimum),
            technical_weight=D(t),
            financial_weight=D(f),
            budget_ceiling=None if ceiling is None else D(ceiling),
            financial_opened=opened,
        )
    )


# Four firms: A strong and dear, B and C tied on the technical score, D below 70.
OFFERS = ["100000", "80000", "90000", "10000"]
TOTALS = [85, 78, 78, 60]


def test_qcbs():
    rows = ranked(firms(OFFERS, TOTALS), "qcbs")

    # Sf = 100 × 80,000 / offer among qualifying bids (D's 10,000 does not count).
    assert rows["Bid 02"].financial_score == D(100)
    assert score(rows["Bid 01"].financial_score) == "80.00"
    assert score(rows["Bid 03"].financial_score) == "88.89"
    # S = St × 0.8 + Sf × 0.2: A 84.00, B 82.40, C 80.18 (88.888… × 0.2 = 17.777…)
    assert [score(rows[b].combined) for b in ("Bid 01", "Bid 02", "Bid 03")] == [
        "84.00",
        "82.40",
        "80.18",
    ]
    assert [rows[b].rank for b in ("Bid 01", "Bid 02", "Bid 03", "Bid 04")] == [1, 2, 3, None]
    assert rows["Bid 04"].excluded == "below the minimum" and rows["Bid 04"].combined is None


def test_qcbs_rounds_once_for_display_never_before():
    """Sf = 99.999000…; 81.25 × 0.7 + Sf × 0.3 = 86.874700… → 86.87. Rounding Sf first
    (to 100.00) would give 86.88."""
    entries = [
        entry(1, [scored("81.25")], offer="100001"),
        entry(2, [scored("70")], offer="100000"),
    ]
    rows = ranked(entries, "qcbs", t="0.7", f="0.3")
    assert score(rows["Bid 01"].combined) == "86.87"


def test_qcbs_tie_on_s_is_broken_by_the_technical_score():
    # B: 78 × 0.8 + 100 × 0.2 = 82.4; E: 80.5 × 0.8 + Sf × 0.2 with Sf = 90 → 82.4
    b = entry(2, [scored(78)], offer="90000")
    e = entry(5, [scored("80.5")], offer="100000")
    rows = ranked([b, e], "qcbs")
    assert rows["Bid 02"].combined == rows["Bid 05"].combined == D("82.4")
    assert rows["Bid 05"].rank == 1 and rows["Bid 02"].rank == 2
    assert rows["Bid 05"].tied and rows["Bid 02"].tied


def test_qbs_ranks_by_quality_and_never_ranks_below_the_minimum():
    rows = ranked(firms(OFFERS, TOTALS, received={3: 0}), "qbs")

    assert [rows[b].rank for b in ("Bid 01", "Bid 02", "Bid 03", "Bid 04")] == [1, 3, 2, None]
    assert rows["Bid 03"].tied and rows["Bid 02"].tied  # C was received first
    assert all(r.financial_score is None and r.combined is None for r in rows.values())


def test_fixed_budget_rejects_proposals_over_it_and_takes_the_best_quality():
    offers = ["120000", "95000", "99000", "10000"]
    rows = ranked(
        firms(offers, [90, 78, 78, 60], received={3: 0}), "fixed_budget", ceiling="100000"
    )

    assert rows["Bid 01"].rank is None and rows["Bid 01"].excluded == "over the budget"
    # B and C tie on quality; B's lower price goes first, though C was received first.
    assert rows["Bid 02"].rank == 1 and rows["Bid 03"].rank == 2
    assert rows["Bid 04"].rank is None and rows["Bid 04"].excluded == "below the minimum"


def test_least_cost_takes_the_lowest_price_at_or_above_the_minimum():
    offers = ["100000", "80000", "80000", "10000"]
    rows = ranked(firms(offers, [85, 72, 78, 60]), "least_cost")

    # B and C tie on price: C has the higher technical score.
    assert [rows[b].rank for b in ("Bid 01", "Bid 02", "Bid 03", "Bid 04")] == [3, 2, 1, None]
    assert rows["Bid 02"].tied and rows["Bid 03"].tied


def test_grant_scoring_ranks_nobody_below_the_minimum_not_even_when_all_are():
    grants = [entry(n, [scored(t)], requested="5000") for n, t in enumerate([69, 50, "69.99"], 1)]
    rows = ranked(grants, "grant_scoring", opened=False)
    assert all(r.rank is None for r in rows.values())
