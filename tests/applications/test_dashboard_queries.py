"""Pages that list things cost the same number of queries however long the list.

An applicant with fifty bids, or a call index with a full page of calls,
must not make the page run one query per row.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tenders.models import Addendum, Clarification
from tests.factories import UserFactory, make_call, start_submission


def queries_for(client, url, *, expect_rows: str | None = None, rows: int = 0):
    """The SQL a GET of ``url`` runs, after checking it rendered ``rows`` rows."""
    client.get(url)  # warm per-process caches (site root, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    if expect_rows is not None:
        assert response.content.decode().count(expect_rows) == rows
    return [q["sql"] for q in captured.captured_queries]


def applicant_with_bids(index, count):
    applicant = UserFactory()
    for n in range(count):
        call = make_call(index, title=f"Dashboard call {n}")
        submission = start_submission(call, applicant)
        if n % 2:
            submission.status = "submitted"
            submission.number = 1
            submission.reference = f"{call.reference_code}-0001"
            submission.submitted_at = timezone.now()
            submission.save()
    return applicant


def describe(one, many) -> str:
    extra = [sql for sql in many if sql not in one]
    return f"{len(one)} queries for one row, {len(many)} for many; extra:\n" + "\n".join(extra[:5])


def test_the_dashboard_costs_the_same_for_1_and_for_50_submissions(client, site_root):
    url = reverse("applications:dashboard")
    one = applicant_with_bids(site_root["calls"], 1)
    many = applicant_with_bids(site_root["calls"], 50)

    client.force_login(one)
    one_bid = queries_for(client, url, expect_rows="Dashboard call", rows=1)
    client.force_login(many)
    fifty_bids = queries_for(client, url, expect_rows="Dashboard call", rows=50)

    assert len(fifty_bids) == len(one_bid), describe(one_bid, fifty_bids)


def test_the_call_index_costs_the_same_for_1_and_for_a_full_page_of_calls(client, site_root):
    url = site_root["calls"].url
    make_call(site_root["calls"], title="Listed call 0")
    one_call = queries_for(client, url, expect_rows="Listed call", rows=1)

    for n in range(1, 10):
        make_call(site_root["calls"], title=f"Listed call {n}")
    full_page = queries_for(client, url, expect_rows="Listed call", rows=10)

    assert len(full_page) == len(one_call), describe(one_call, full_page)


def test_a_call_page_costs_the_same_however_much_it_publishes(client, site_root):
    """Anonymous visitors: criteria, documents, answers and addenda are listed in bulk."""
    small = make_call(
        site_root["calls"],
        criteria=[("Methodology", 100)],
        documents=[("Proposal", "technical", True, "pdf", 5)],
    )
    large = make_call(
        site_root["calls"],
        criteria=[(f"Criterion {n}", 10) for n in range(10)],
        documents=[(f"Document {n}", "technical", True, "pdf", 5) for n in range(8)],
    )
    now = timezone.now()
    for call, count in ((small, 1), (large, 8)):
        for n in range(count):
            Clarification.objects.create(
                call=call, question=f"Question {n}?", answer=f"Answer {n}.", published_at=now
            )
            Addendum.objects.create(
                call=call,
                number=n + 1,
                previous_closes_at=call.closes_at,
                new_closes_at=call.closes_at + timedelta(days=n + 1),
                summary=f"Deadline moved, change {n}.",
            )

    few = queries_for(client, small.url)
    many = queries_for(client, large.url)

    assert len(many) == len(few), describe(few, many)


@pytest.fixture(autouse=True)
def _anonymous_pages_are_not_cached(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def _opened_call_with_bids(index, count, staff):
    from tenders.models import CallPage
    from tests.factories import submit_bid
    from tests.sealing_support import open_call

    call = make_call(index, title=f"Opened call with {count}")
    for _n in range(count):
        submit_bid(call, UserFactory())
    CallPage.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    call = CallPage.objects.get(pk=call.pk)
    open_call(call, staff)
    return call


def test_the_staff_list_of_an_opened_call_costs_the_same_for_1_and_for_8_bids(client, site_root):
    """One technical file per bid is listed with a download link; the financial one is sealed."""
    from django.contrib.auth.models import Group

    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="Editors"))
    one = _opened_call_with_bids(site_root["calls"], 1, staff)
    eight = _opened_call_with_bids(site_root["calls"], 8, staff)
    client.force_login(staff)

    def url(call):
        return reverse("zabuni_call_submissions", args=[call.pk])

    one_bid = queries_for(client, url(one), expect_rows="/bids/files/", rows=1)
    eight_bids = queries_for(client, url(eight), expect_rows="/bids/files/", rows=8)

    assert len(eight_bids) == len(one_bid), describe(one_bid, eight_bids)
