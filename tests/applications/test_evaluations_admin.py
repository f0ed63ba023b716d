"""Staff set up review panels and follow evaluations in the Wagtail admin."""

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from applications.choices import SubmissionStatus
from applications.models import Assignment, Panel, Submission
from applications.ranking import call_ranking
from applications.services.opening import call_open
from applications.services.panels import (
    conflict_declare,
    financial_open,
    panel_hand_over,
    panel_lock,
    review_progress,
    review_save,
)
from tenders.models import CallPage
from tests.applications.conftest import in_group
from tests.factories import StaffFactory, UserFactory, make_call

ADD = reverse("wagtailsnippets_applications_panel:add")
LIST = reverse("zabuni_evaluation_list")
CRITERIA = [("Methodology", 60), ("Experience", 40)]
FIRMS = ["Ouma Research", "Mshauri Ltd", "Haki Data", "Sauti Analytics", "Jamii Survey"]
# (methodology, experience) per reviewer for bids 1, 2, 3.
MARKS = {
    0: [("50", "35"), ("40", "30"), ("45", "30.5")],
    1: [("48", "33"), ("30", "20"), ("44", "31")],
}


def reviewer(email):
    user = UserFactory(email=email, first_name="Rev", last_name=email.split("@")[0])
    user.groups.add(Group.objects.get_or_create(name="Reviewers")[0])
    return user


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refused(response) -> bool:
    """A 403, or Wagtail's redirect to its home (permission denied) or to sign in."""
    if response.status_code == 403:
        return True
    location = response.get("Location", "").split("?")[0]
    return response.status_code == 302 and location in (
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_login"),
    )


def deadline_field(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M")


def closed_call(site_root, *, bids=3, opened=True, staff=None, **fields):
    """A call whose deadline has passed, with ``bids`` submitted bids (opened unless told)."""
    now = timezone.now()
    call = make_call(
        site_root["calls"],
        criteria=CRITERIA,
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(hours=1),
        clarifications_close_at=now - timedelta(days=5),
        **fields,
    )
    for number in range(1, bids + 1):
        applicant = UserFactory()
        Profile.objects.create(
            user=applicant, legal_name=FIRMS[number - 1], applicant_type="organisation"
        )
        Submission.objects.create(
            call=call,
            applicant=applicant,
            status=SubmissionStatus.SUBMITTED,
            number=number,
            reference=f"{call.reference_code}-{number:04d}",
            offer_amount=Decimal(["100000", "80000", "90000", "95000", "85000"][number - 1]),
            offer_currency="KES",
            submitted_at=now - timedelta(days=1),
        )
    if opened:
        call_open(call=call, user=staff or StaffFactory())
    return call


def panel_for(call, members, *, per_submission=None, hand_over=True):
    panel = Panel.objects.create(
        call=call,
        chair=members[0],
        review_deadline=timezone.now() + timedelta(days=7),
        reviewers_per_submission=per_submission,
    )
    panel.members.set(members)
    if hand_over:
        panel_hand_over(call=call)
        panel.refresh_from_db()
    return panel


def score(assignment, marks, *, submit=True):
    user = assignment.reviewer
    if assignment.declared_at is None:
        conflict_declare(assignment=assignment, user=user, has_conflict=False)
    criteria = list(assignment.submission.call.criteria.all())
    review_save(
        assignment=assignment,
        user=user,
        scores={c.pk: (Decimal(p), f"On {c.title}") for c, p in zip(criteria, marks, strict=True)},
        submit=submit,
    )


class Table(HTMLParser):
    """The text of each body row's cells in the page's listing tables."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None
        self._in_listing = self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "listing" in (dict(attrs).get("class") or "").split():
            self._in_listing = True
        elif tag == "tbody" and self._in_listing:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._in_listing = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data + " ")


def table_rows(response) -> list[list[str]]:
    parser = Table()
    parser.feed(response.content.decode())
    return parser.rows


@pytest.fixture
def panelists(db):
    return [reviewer(f"panelist{n}@example.org") for n in range(3)]


@pytest.fixture
def evaluation(site_root, panelists, staff_user, no_outbox_dispatch):
    """An opened call with three bids and a panel of three (the first is chair), some
    reviews in: the chair has scored every bid, the second reviewer bid 1 only."""
    call = closed_call(site_root, staff=staff_user)
    panel = panel_for(call, panelists)
    for member, marks in MARKS.items():
        mine = Assignment.objects.filter(panel=panel, reviewer=panelists[member]).order_by(
            "submission__number"
        )
        for assignment, bid_marks in zip(mine, marks if member == 0 else marks[:1], strict=False):
            score(assignment, bid_marks)
    return {"call": call, "panel": panel}


# --- Setting up a panel ------------------------------------------------------------


def test_staff_set_up_a_panel_from_reviewers_and_the_chair_is_made_a_member(
    site_root, staff_user, panelists
):
    call = make_call(site_root["calls"])
    outsider = UserFactory(email="not.a.reviewer@example.org")
    client = admin_client(staff_user)

    form = client.get(ADD).content.decode()
    member_choices = set(re.findall(r'name="members" value="(\d+)"', form))
    assert member_choices == {str(p.pk) for p in panelists}
    assert outsider.email not in form
    assert f'value="{call.pk}"' in form

    deadline = call.closes_at + timedelta(days=14)
    response = client.post(
        ADD,
        {
            "call": call.pk,
            "chair": panelists[0].pk,
            "members": [panelists[1].pk, panelists[2].pk],  # chair not ticked
            "review_deadline": deadline_field(deadline),
            "reviewers_per_submission": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    panel = Panel.objects.get(call=call)
    assert panel.chair == panelists[0]
    assert set(panel.members.all()) == set(panelists)
    assert panel.reviewers_per_submission is None
    assert panel.handed_over_at is None  # the call is still open: the beat task waits
    assert not Assignment.objects.exists()
    listing = client.get(reverse("wagtailsnippets_applications_panel:list"))
    assert call.title in listing.content.decode()


def test_someone_outside_the_reviewers_group_cannot_be_chosen(site_root, staff_user, panelists):
    call = make_call(site_root["calls"])
    outsider = UserFactory(email="not.a.reviewer@example.org")

    response = admin_client(staff_user).post(
        ADD,
        {
            "call": call.pk,
            "chair": outsider.pk,
            "members": [panelists[0].pk, outsider.pk],
            "review_deadline": deadline_field(call.closes_at + timedelta(days=7)),
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Panel.objects.exists()


def test_more_reviewers_per_submission_than_members_is_refused_with_a_reason(
    site_root, staff_user, panelists
):
    call = make_call(site_root["calls"])

    response = admin_client(staff_user).post(
        ADD,
        {
            "call": call.pk,
            "chair": panelists[0].pk,
            "members": [panelists[1].pk, panelists[2].pk],
            "review_deadline": deadline_field(call.closes_at + timedelta(days=7)),
            "reviewers_per_submission": "4",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "The panel has 3 members (the chair included)" in page
    assert "cannot give 4 reviewers to each submission" in page
    assert not Panel.objects.exists()


def test_a_review_deadline_before_the_call_closes_is_refused(site_root, staff_user, panelists):
    call = make_call(site_root["calls"])

    response = admin_client(staff_user).post(
        ADD,
        {
            "call": call.pk,
            "chair": panelists[0].pk,
            "members": [panelists[0].pk],
            "review_deadline": deadline_field(call.closes_at - timedelta(days=1)),
        },
    )

    assert response.status_code == 200
    assert "must be after the call&#x27;s deadline" in response.content.decode()
    assert not Panel.objects.exists()


def test_a_panel_saved_after_the_deadline_gets_its_assignments_at_once(
    site_root, staff_user, panelists, no_outbox_dispatch
):
    call = closed_call(site_root, opened=False)
    client = admin_client(staff_user)

    response = client.post(
        ADD,
        {
            "call": call.pk,
            "chair": panelists[0].pk,
            "members": [p.pk for p in panelists],
            "review_deadline": deadline_field(timezone.now() + timedelta(days=10)),
            "reviewers_per_submission": "2",
        },
        follow=True,
    )

    assert response.status_code == 200
    panel = Panel.objects.get(call=call)
    assert panel.handed_over_at is not None
    assignments = Assignment.objects.filter(panel=panel)
    assert assignments.count() == 3 * 2  # three bids, two reviewers each
    assert "the panel has its 6 assignments" in response.content.decode()

    # The members are fixed now: only the review deadline can still change.
    edit = reverse("wagtailsnippets_applications_panel:edit", args=[panel.pk])
    later = timezone.now() + timedelta(days=20)
    response = client.post(
        edit,
        {
            "call": call.pk,
            "chair": panelists[1].pk,
            "members": [panelists[1].pk],
            "review_deadline": deadline_field(later),
            "reviewers_per_submission": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    panel.refresh_from_db()
    assert panel.chair == panelists[0]
    assert set(panel.members.all()) == set(panelists)
    assert panel.reviewers_per_submission == 2
    assert deadline_field(panel.review_deadline) == deadline_field(later)
    assert Assignment.objects.filter(panel=panel).count() == 6


def test_a_handed_over_panel_cannot_be_deleted(evaluation, staff_user):
    panel = evaluation["panel"]
    client = admin_client(staff_user)
    delete = reverse("wagtailsnippets_applications_panel:delete", args=[panel.pk])

    assert refused(client.get(delete))
    assert refused(client.post(delete))
    assert Panel.objects.filter(pk=panel.pk).exists()
    assert Assignment.objects.filter(panel=panel).count() == 9


def test_a_panel_not_yet_handed_over_can_be_deleted(site_root, staff_user, panelists):
    panel = panel_for(make_call(site_root["calls"]), panelists, hand_over=False)
    delete = reverse("wagtailsnippets_applications_panel:delete", args=[panel.pk])

    assert admin_client(staff_user).post(delete).status_code == 302
    assert not Panel.objects.exists()


# --- Who reaches the screens -------------------------------------------------------


def test_non_staff_cannot_reach_the_evaluation_screens(evaluation, panelists, staff_user):
    call, panel = evaluation["call"], evaluation["panel"]
    urls = [
        LIST,
        reverse("zabuni_evaluation_ranking", args=[call.pk]),
        reverse("wagtailsnippets_applications_panel:list"),
        ADD,
        reverse("wagtailsnippets_applications_panel:edit", args=[panel.pk]),
    ]
    # A chair is not staff, and an editor without is_staff has the admin but not these.
    editor = in_group(UserFactory(), "Editors", "wagtailadmin.access_admin")
    for user in (panelists[0], editor):
        client = admin_client(user)
        for url in urls:
            response = client.get(url)
            assert refused(response), (user.email, url, response.status_code)
            assert "Ouma Research" not in response.content.decode()
    anonymous = Client()
    for url in urls:
        assert refused(anonymous.get(url)), url

    home = admin_client(editor).get(reverse("wagtailadmin_home")).content.decode()
    assert "Evaluations" not in home
    staff_home = admin_client(staff_user).get(reverse("wagtailadmin_home")).content.decode()
    assert "Evaluations" in staff_home and LIST in staff_home


# --- The list of evaluations -------------------------------------------------------


def test_the_list_shows_each_panel_and_its_progress(evaluation, staff_user, panelists):
    panel = evaluation["panel"]
    # A recusal takes the assignment out of what is expected.
    recused = Assignment.objects.get(panel=panel, reviewer=panelists[2], submission__number=3)
    conflict_declare(
        assignment=recused, user=panelists[2], has_conflict=True, explanation="Former employer"
    )
    done, expected = review_progress(panel)
    assert (done, expected) == (4, 8)

    response = admin_client(staff_user).get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    assert "4 of 8 reviews in" in page
    assert "1 recusal" in page
    [row] = table_rows(response)
    assert evaluation["call"].title in row[0]
    assert panelists[0].get_full_name() in row[1] and "chair" in row[1]
    assert all(p.get_full_name() in row[1] for p in panelists[1:])
    assert "Call opened" in row[4]


def test_the_list_queries_do_not_grow_with_the_number_of_calls(
    site_root, staff_user, no_outbox_dispatch
):
    client = admin_client(staff_user)

    def build(n):
        for _ in range(n):
            members = [reviewer(f"m{i}-{Panel.objects.count()}@example.org") for i in range(3)]
            call = closed_call(site_root, bids=2, staff=staff_user)
            panel = panel_for(call, members)
            score(Assignment.objects.filter(panel=panel).first(), ("40", "30"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    build(1)
    client.get(LIST)  # warm per-session caches
    one = queries()
    build(4)
    five = queries()

    assert five == one
    assert len(table_rows(client.get(LIST))) == 5


# --- The ranking page --------------------------------------------------------------


def test_the_ranking_page_shows_call_ranking_to_staff(evaluation, staff_user):
    call = evaluation["call"]
    expected = call_ranking(call)

    response = admin_client(staff_user).get(reverse("zabuni_evaluation_ranking", args=[call.pk]))

    assert response.status_code == 200
    rows = table_rows(response)
    assert len(rows) == len(expected) == 3
    criteria = list(call.criteria.all())
    for cells, row in zip(rows, expected, strict=True):
        text = " | ".join(cells)
        assert cells[0].startswith(str(row.rank)), text
        assert row.entry.label in cells[1] and row.entry.name in cells[1], text
        for n, criterion in enumerate(criteria):
            assert cells[2 + n] == str(row.criterion_means[criterion.pk]), text
        assert cells[2 + len(criteria)].startswith(str(row.technical)), text
        assert row.entry.outcome == "submitted" and cells[-1] == "Submitted"
    # Bid 2: 40 + 30 from the chair only (the other review is not in yet).
    assert "70.00" in " ".join(rows[[r.entry.label for r in expected].index("Bid 02")])
    assert "/bids/reviews/calls/" in response.content.decode()


def test_the_ranking_page_shows_offers_once_financial_envelopes_are_open(
    evaluation, staff_user, panelists
):
    call, panel = evaluation["call"], evaluation["panel"]
    panel_lock(panel=panel, user=staff_user)
    financial_open(panel=Panel.objects.get(pk=panel.pk), user=staff_user)
    call = CallPage.objects.get(pk=call.pk)  # not the one holding the panel as created
    expected = {row.entry.label: row for row in call_ranking(call)}
    assert any(row.combined for row in expected.values())

    response = admin_client(staff_user).get(reverse("zabuni_evaluation_ranking", args=[call.pk]))

    for cells in table_rows(response):
        row = expected[cells[1].split()[0] + " " + cells[1].split()[1]]
        if row.combined is not None:
            assert f"KES {row.entry.offer:,.0f}" in cells, cells
            assert str(row.financial_score) in cells and str(row.combined) in cells, cells
        else:
            assert "Not opened" in " ".join(cells), cells


def test_a_sealed_call_shows_nothing_about_its_bids(
    site_root, staff_user, panelists, monkeypatch, no_outbox_dispatch
):
    call = closed_call(site_root, opened=False)
    panel_for(call, panelists)
    monkeypatch.setattr(
        "applications.views.admin_evaluations.call_ranking",
        lambda call: pytest.fail("the ranking was computed for a sealed call"),
    )

    response = admin_client(staff_user).get(reverse("zabuni_evaluation_ranking", args=[call.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Sealed" in page
    for secret in ("Bid 01", "Ouma Research", "Mshauri Ltd", "Haki Data", "Ranking"):
        assert secret not in page
    assert table_rows(response) == []


def test_the_ranking_page_queries_do_not_grow_with_the_number_of_bids(
    site_root, staff_user, panelists, no_outbox_dispatch
):
    client = admin_client(staff_user)

    def queries(bids) -> int:
        call = closed_call(site_root, bids=bids, staff=staff_user)
        panel = panel_for(call, panelists)
        for assignment in Assignment.objects.filter(panel=panel):
            score(assignment, ("40", "30"))
        url = reverse("zabuni_evaluation_ranking", args=[call.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries(1) == queries(5)
