"""Reviewers and chairs see their work first (issue 26, item 10): what waits for them,
each with its next step in one line, then what waits for others, then what is done."""

from django.urls import reverse

from reviews.models import Assignment, Panel
from reviews.services.panels import panel_lock
from tests.reviews import panel_support
from tests.reviews.compliance_support import examined
from tests.reviews.panel_support import declare, score_all
from tests.reviews.sheet_support import evaluation_builder

evaluation = panel_support.evaluation


def test_what_waits_for_the_reviewer_comes_first_with_its_next_step(client, evaluation):
    ev = evaluation()
    me = ev["members"][1]
    done, draft, untouched = (
        Assignment.objects.get(reviewer=me, submission=bid) for bid in ev["bids"]
    )
    declare(done)
    score_all(done, ["30", "30", "20"])
    declare(draft)
    score_all(draft, ["20", "20", "10"], submit=False)
    client.force_login(me)

    page = client.get(reverse("reviews:queue")).content.decode()

    waiting = page.index("Waiting for you")
    finished = page.index("Finished")
    assert waiting < finished
    mine = [reverse("reviews:assignment", args=[a.pk]) for a in (draft, untouched, done)]
    places = [page.index(f'href="{url}"') for url in mine]
    assert waiting < places[0] < finished and waiting < places[1] < finished
    assert places[2] > finished
    assert "Finish your scores and submit your review." in page
    assert "Declare any conflict of interest, then score." in page


def test_a_chair_sees_the_calls_that_need_a_decision_first(client, site_root):
    build = evaluation_builder(site_root)
    still_open, locked = build(n=1), build(n=1)
    chair = locked["chair"]
    panel_lock(panel=examined(locked["panel"]), user=chair)
    Panel.objects.filter(pk=still_open["panel"].pk).update(chair=chair)
    client.force_login(chair)

    page = client.get(reverse("reviews:queue")).content.decode()

    first = page.index(reverse("reviews:ranking", args=[locked["call"].pk]))
    second = page.index(reverse("reviews:ranking", args=[still_open["call"].pk]))
    assert first < second  # the outcomes to decide come before scoring still open
    assert "Scoring locked: decide the outcomes." in page
    # The chair's own reviews on the locked call can no longer change, and say so.
    assert "Done. Scoring is locked." in page
