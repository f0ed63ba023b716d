"""What the panel and evaluation admin tests share: the admin's URLs, calls with bids
already in, panels, scoring, and reading the admin's listing tables.
"""

from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from applications.choices import SubmissionStatus
from applications.models import Submission
from reviews.models import Assignment, Panel
from reviews.services.panels import conflict_declare, panel_hand_over, review_save
from tests.factories import StaffFactory, UserFactory, make_call
from tests.sealing_support import open_call

ADD = reverse("wagtailsnippets_reviews_panel:add")
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
        reverse("accounts:login"),  # the admin's sign-in is the portal's
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
        open_call(call, staff or StaffFactory())
    return call


def panel_for(call, members, *, per_submission=None, hand_over=True):
    panel = Panel.objects.create(
        call=call,
        chair=members[0],
        review_deadline=timezone.now() + timedelta(days=7),
        minimum_reviews=1,  # the minimum has its own tests (test_review_quality)
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


def scored_evaluation(site_root, panelists, staff_user) -> dict:
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
