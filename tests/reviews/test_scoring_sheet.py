"""The scoring sheet's building and contents: built on the heavy queue, true to the
ranking number for number, blind where it must be, a fixed query count, and text
that looks like a formula kept as text.

The test marked ``services`` runs a real Celery worker on Redis.
"""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Profile
from core.storage import private_storage
from notifications.models import OutboxMessage
from reviews.models import ScoringSheet, SheetStatus
from reviews.ranking import call_ranking
from reviews.services.sheet_build import scoring_sheet_build
from reviews.services.sheets import scoring_sheet_request
from reviews.workbook import sheet_build
from tests.conftest import wait_for
from tests.factories import private_objects
from tests.reviews.sheet_support import (
    assert_matches_the_ranking,
    assert_reviewer_sheets_hold_every_score,
    evaluation_builder,
    every_cell_text,
    read_files,
)


@pytest.fixture
def evaluation(site_root):
    """A closed, opened consultancy call with ``n`` bids and a panel of three who have
    scored them all (the first member chairs); optionally locked and prices opened."""
    return evaluation_builder(site_root)


# --- On the real worker -------------------------------------------------------


@pytest.mark.services
def test_the_worker_builds_the_sheet_on_the_heavy_queue_true_to_the_ranking(
    celery_worker, evaluation, client
):
    ev = evaluation(n=4, open_financial=True)
    router = celery_worker.amqp.router
    assert router.route({}, "reviews.tasks.build_scoring_sheet")["queue"].name == "heavy"
    staff = ev["staff"]
    client.force_login(staff)

    response = client.post(reverse("reviews:sheet_request", args=[ev["call"].pk]))

    sheet = ScoringSheet.objects.get(call=ev["call"])
    assert response.status_code == 302
    assert response.url == reverse("reviews:sheet", args=[sheet.pk])
    wait_for(lambda: ScoringSheet.objects.get(pk=sheet.pk).status == SheetStatus.DONE, 60)
    progress = client.get(reverse("reviews:sheet_progress", args=[sheet.pk])).json()
    assert (progress["status"], progress["progress"], progress["done"]) == ("done", 100, True)
    assert set(progress["downloads"]) == {"xlsx", "csv"}

    sheets, csv_rows = read_files(sheet)
    assert list(sheets)[0] == "Summary" and list(sheets)[-1] == "Report"
    assert len(sheets) == 2 + len(ev["members"])  # the summary, each reviewer, the report
    assert_matches_the_ranking(ev, sheets, csv_rows, names=True)
    assert_reviewer_sheets_hold_every_score(ev, sheets, names=True)
    rows = call_ranking(ev["call"])
    assert {row.disagreement for row in rows} == {True, False}
    assert any(row.combined is not None for row in rows)
    # The requester is told once, through the outbox, and the worker delivers it.
    notice = OutboxMessage.objects.get(dedupe_key=f"sheet_ready:{sheet.pk}")
    assert notice.to_email == staff.email
    assert reverse("reviews:sheet", args=[sheet.pk]) in notice.body_text
    wait_for(lambda: OutboxMessage.objects.get(pk=notice.pk).sent_at is not None)


# --- In this process ------------------------------------------------------------


def test_building_twice_does_not_rebuild(evaluation):
    ev = evaluation(n=2)
    sheet = scoring_sheet_request(call=ev["call"], user=ev["chair"])

    assert scoring_sheet_build(sheet_id=sheet.pk) is True
    sheet.refresh_from_db()
    first = (sheet.xlsx_object, sheet.csv_object, sheet.finished_at)
    files = [name for name in private_objects() if name.startswith("sheets/")]

    assert scoring_sheet_build(sheet_id=sheet.pk) is False

    sheet.refresh_from_db()
    assert (sheet.status, sheet.progress) == (SheetStatus.DONE, 100)
    assert (sheet.xlsx_object, sheet.csv_object, sheet.finished_at) == first
    assert [name for name in private_objects() if name.startswith("sheets/")] == files
    assert len(files) == 2
    assert OutboxMessage.objects.filter(dedupe_key=f"sheet_ready:{sheet.pk}").count() == 1


def test_a_blind_sheet_for_the_chair_names_no_applicant_anywhere(evaluation):
    ev = evaluation(n=3, blind=True, open_financial=True)
    chair_sheet = scoring_sheet_request(call=ev["call"], user=ev["chair"])
    staff_sheet = scoring_sheet_request(call=ev["call"], user=ev["staff"])
    assert (chair_sheet.blind, staff_sheet.blind) == (True, False)
    scoring_sheet_build(sheet_id=chair_sheet.pk)
    scoring_sheet_build(sheet_id=staff_sheet.pk)

    blind_sheets, blind_csv = read_files(chair_sheet)
    text = every_cell_text(blind_sheets, blind_csv)
    for applicant in ev["applicants"]:
        for identity in (
            applicant.profile.legal_name,
            applicant.email,
            applicant.first_name,
            applicant.last_name,
        ):
            assert identity.lower() not in text
    # Still the full sheet: labels, every reviewer named, every score.
    assert_matches_the_ranking(ev, blind_sheets, blind_csv, names=False)
    assert_reviewer_sheets_hold_every_score(ev, blind_sheets, names=False)

    named_sheets, named_csv = read_files(staff_sheet)
    text = every_cell_text(named_sheets, named_csv)
    for applicant in ev["applicants"]:
        assert applicant.profile.legal_name.lower() in text
    assert_matches_the_ranking(ev, named_sheets, named_csv, names=True)
    assert_reviewer_sheets_hold_every_score(ev, named_sheets, names=True)


def test_building_costs_the_same_queries_for_2_and_for_12_submissions(evaluation):
    few, many = evaluation(n=2), evaluation(n=12)

    def count(ev, build):
        sheet = ScoringSheet.objects.create(call=ev["call"], requested_by=ev["staff"], blind=False)
        sheet = ScoringSheet.objects.get(pk=sheet.pk)
        with CaptureQueriesContext(connection) as queries:
            build(sheet)
        return len(queries)

    def builder(sheet):
        sheet_build(sheet)

    def task_body(sheet):
        assert scoring_sheet_build(sheet_id=sheet.pk)

    count(few, task_body)  # warm the caches (content types, sites) once
    assert count(few, builder) == count(many, builder)
    assert count(few, task_body) == count(many, task_body)


def test_text_that_looks_like_a_formula_stays_text(evaluation):
    ev = evaluation(n=2, comment_prefix='=HYPERLINK("http://evil.example","x") ')
    Profile.objects.filter(user=ev["applicants"][0]).update(legal_name="=1+1 Consultants")
    sheet = scoring_sheet_request(call=ev["call"], user=ev["staff"])
    scoring_sheet_build(sheet_id=sheet.pk)

    sheet.refresh_from_db()
    storage = private_storage()
    with storage.open(sheet.xlsx_object, "rb") as f:
        workbook = openpyxl.load_workbook(io.BytesIO(f.read()))
    cells = [cell for ws in workbook for line in ws.iter_rows() for cell in line]
    risky = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    # The name on the summary and on each of 3 reviewer sheets; 3 comments × 3 reviewers × 2 bids.
    assert len(risky) == 1 + 3 + 3 * 3 * 2
    assert all(c.data_type == "s" for c in risky)
    _sheets, csv_rows = read_files(sheet)
    assert "'=1+1 Consultants" in [value for line in csv_rows for value in line]


def test_the_workbook_ends_with_the_evaluation_report(evaluation):
    ev = evaluation(n=3, open_financial=True)
    sheet = scoring_sheet_request(call=ev["call"], user=ev["staff"])
    scoring_sheet_build(sheet_id=sheet.pk)

    sheets, _csv = read_files(sheet)
    report = sheets["Report"]
    text = "\n".join(str(v) for line in report for v in line if v is not None)

    assert report[0][0] == "Evaluation report"
    assert "Ties are broken by the higher technical score" in text
    assert ["Rank", "Bid", "St", "Price", "Sf", "S", "Outcome", "Notes"] in report
    for row in call_ranking(ev["call"]):
        assert any(str(line[1:2]).find(row.entry.label) > 0 for line in report)
    assert "Financial envelope opened" in text  # the decisions, from the audit trail
    assert any(line[:1] == ["Opening register"] and len(str(line[1])) == 64 for line in report)


def test_the_workbook_has_the_answers_and_a_blind_one_leaves_out_the_identifying(
    evaluation, client
):
    from applications.models import Answer
    from tenders.models import CallPage
    from tests.applications.form_support import FORM

    ev = evaluation(n=2, blind=True)
    CallPage.objects.filter(pk=ev["call"].pk).update(application_form=FORM)
    for n, bid in enumerate(ev["bids"]):
        Answer.objects.create(submission=bid, question_id="q-org", value=f"Network {n}")
        Answer.objects.create(submission=bid, question_id="q-areas", value=["Kisumu", "Mombasa"])
        Answer.objects.create(
            submission=bid, question_id="q-budget", value=[["Visits", "10", "2500"]]
        )
        Answer.objects.create(
            submission=bid, question_id="q-work", value="Not resubmitted", pending=True
        )
    chair_sheet = scoring_sheet_request(call=ev["call"], user=ev["chair"])
    staff_sheet = scoring_sheet_request(call=ev["call"], user=ev["staff"])
    scoring_sheet_build(sheet_id=chair_sheet.pk)
    scoring_sheet_build(sheet_id=staff_sheet.pk)

    blind = read_files(chair_sheet)[0]["Answers"]
    named = read_files(staff_sheet)[0]["Answers"]

    assert "Name of your organisation" not in blind[0] and "Applicant" not in blind[0]
    assert {"Name of your organisation", "Applicant", "Where you work"} <= set(named[0])
    assert len(blind) == len(named) == 3  # a header and a row per bid
    text = " ".join(str(cell) for row in named for cell in row if cell)
    assert "Network 0" in text and "Kisumu; Mombasa" in text
    assert "Visits: 10 × 2500; total 25,000.00" in text
    assert "Network" not in " ".join(str(cell) for row in blind for cell in row if cell)
    assert "Not resubmitted" not in text

    # The answers CSV holds the same table, downloaded from the sheet's page.
    for sheet, table in ((chair_sheet, blind), (staff_sheet, named)):
        client.force_login(sheet.requested_by)
        page = client.get(reverse("reviews:sheet", args=[sheet.pk])).content.decode()
        url = reverse("reviews:sheet_download", args=[sheet.pk, "answers-csv"])
        assert url in page and "Download the answers (CSV)" in page
        response = client.get(url)
        assert response.status_code == 200
        assert (
            f'filename="answers-{ev["call"].reference_code}-{sheet.pk}.csv"'
            in (response["Content-Disposition"])
        )
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(body)))
        assert lines == [[str(cell or "") for cell in row] for row in table]


def test_a_call_without_a_form_has_no_answers_csv(evaluation, client):
    ev = evaluation(n=1)
    sheet = scoring_sheet_request(call=ev["call"], user=ev["chair"])
    scoring_sheet_build(sheet_id=sheet.pk)
    sheet.refresh_from_db()
    client.force_login(ev["chair"])

    assert sheet.answers_csv_object == ""
    progress = client.get(reverse("reviews:sheet_progress", args=[sheet.pk])).json()
    assert set(progress["downloads"]) == {"xlsx", "csv"}
    url = reverse("reviews:sheet_download", args=[sheet.pk, "answers-csv"])
    assert client.get(url).status_code == 404
