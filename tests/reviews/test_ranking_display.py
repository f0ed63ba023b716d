"""The ranking as a chair reads it (issue 26, item 11): rank 1 is not shown as the
winner while the ranking is provisional; the chart names each criterion in full; a
phone gets a card per submission with its criteria folded."""

import re

from django.urls import reverse

from reviews.services.panels import panel_lock
from tenders.models.rows import CallCriterion
from tests.reviews import panel_support
from tests.reviews.compliance_support import examined

evaluation = panel_support.evaluation


def test_rank_one_is_highlighted_only_once_the_ranking_is_final(client, evaluation):
    ev = panel_support.scored_call(evaluation)
    chair = ev["panel"].chair
    client.force_login(chair)
    url = reverse("reviews:ranking", args=[ev["call"].pk])

    provisional = client.get(url).content.decode()
    assert "Provisional ranking." in provisional and "Scoring is not locked." in provisional
    assert 'class="is-first"' not in provisional

    panel_lock(panel=examined(ev["panel"]), user=chair)
    final = client.get(url).content.decode()
    assert "Provisional ranking." not in final
    assert 'class="is-first"' in final


def test_the_chart_names_each_criterion_in_full_and_a_card_folds_them(client, evaluation):
    ev = panel_support.scored_call(evaluation)
    long_title = "Understanding of the terms of reference and the context of pre-trial detention"
    CallCriterion.objects.filter(page=ev["call"], title="Methodology").update(title=long_title)
    client.force_login(ev["panel"].chair)

    page = client.get(reverse("reviews:ranking", args=[ev["call"].pk])).content.decode()

    chart = page[page.index('<svg class="score-chart"') :]
    chart = chart[: chart.index("</svg>")]
    lines = re.findall(r"<text [^>]*>([^<]*)</text>", chart)
    assert "…" not in chart
    assert long_title in " ".join(lines)  # in full, over as many lines as it needs
    assert all(len(line) <= 44 for line in lines)
    assert '<details class="ranking__criteria">' in page
