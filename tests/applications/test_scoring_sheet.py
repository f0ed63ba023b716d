"""The scoring sheet: built on the heavy queue, true to the ranking number for number,
blind where it must be, a fixed query count, downloaded only through an audited view.

The test marked ``services`` runs a real Celery worker on Redis.
"""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import Profile
from applications.choices import AuditAction
from applications.models import (
    Assignment,
    AuditEvent,
    OutboxMessage,
    Panel,
    Score,
    ScoringSheet,
    Submission,
)
from applications.models.sheets import SheetStatus
from applications.ranking import call_ranking
from applications.services.opening import call_open
from applications.services.panels import (
    conflict_declare,
    financial_open,
    panel_hand_over,
    panel_lock,
    review_save,
)
from applications.services.sheets import scoring_sheet_build, scoring_sheet_request
from applications.sheets import sheet_build
from portal.storage import private_storage
from tenders.models import CallPage
from tests.conftest import wait_for
from tests.factories import StaffFactory, UserFactory, make_call, private_objects, submit_bid

CRITERIA = [("Methodology", 40), ("Experience", 35), ("Gender approach", 25)]
HALF = Decimal("0.5")


def points_for(max_points: int, bid: int, reviewer: int) -> Decimal:
    """Bids from weaker to stronger; reviewer 3 marks bid 2 far lower (a wide disagreement)."""
    fraction = Decimal("0.65") + Decimal("0.035") * bid + Decimal("0.03") * reviewer
    if bid == 1 and reviewer == 2:
        fraction = Decimal("0.2")
    raw = Decimal(max_points) * min(fraction, Decimal(1))
    return (raw / HALF).quantize(Decimal(1)) * HALF


@pytest.fixture
def evaluation(site_root):
    """A closed, opened consultancy call with ``n`` bids and a panel of three who have
    scored them all (the first member chairs); optionally locked and prices opened."""

    def build(*, n=3, blind=False, open_financial=False, comment_prefix=""):
        call = make_call(site_root["calls"], criteria=CRITERIA, blind_review=blind)
        bids, applicants = [], []
        for i in range(n):
            applicant = UserFactory(
                email=f"bidder{i}-{call.pk}@firms.example",
                first_name=f"Zawadi{i}",
                last_name=f"Mwangaza{call.pk}",
            )
            Profile.objects.create(
                user=applicant, legal_name=f"Haki Consultants No {i} of {call.pk}"
            )
            bid = submit_bid(call, applicant)
            Submission.objects.filter(pk=bid.pk).update(offer_amount=Decimal(100000 + 7500 * i))
            bids.append(bid)
            applicants.append(applicant)
        CallPage.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(hours=1))
        call = CallPage.objects.get(pk=call.pk)
        staff = StaffFactory()
        call_open(call=call, user=staff)
        members = [UserFactory(email=f"member{m}-{call.pk}@panel.example") for m in range(3)]
        panel = Panel.objects.create(
            call=call, chair=members[0], review_deadline=timezone.now() + timedelta(days=5)
        )
        panel.members.set(members)
        panel_hand_over(call=call)
        criteria = list(call.criteria.all())
        for r, member in enumerate(members):
            for i, bid in enumerate(bids):
                assignment = Assignment.objects.select_related("submission__call", "panel").get(
                    submission=bid, reviewer=member
                )
                conflict_declare(assignment=assignment, user=member, has_conflict=False)
                review_save(
                    assignment=assignment,
                    user=member,
                    submit=True,
                    scores={
                        c.pk: (
                            points_for(c.max_points, i, r),
                            f"{comment_prefix}Reviewer {r} on {c.title} of bid {i}",
                        )
                        for c in criteria
                    },
                )
        if open_financial:
            panel = panel_lock(panel=panel, user=staff)
            financial_open(panel=panel, user=staff)
        return {
            "call": CallPage.objects.get(pk=call.pk),
            "bids": bids,
            "applicants": applicants,
            "panel": panel,
            "chair": members[0],
            "members": members,
            "staff": staff,
        }

    return build


# --- Reading a sheet back ----------------------------------------------------


def read_files(sheet):
    """The sheet's workbook (as lists of row values per sheet) and CSV rows, from storage."""
    sheet.refresh_from_db()
    storage = private_storage()
    with storage.open(sheet.xlsx_object, "rb") as f:
        workbook = openpyxl.load_workbook(io.BytesIO(f.read()), read_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in workbook}
    workbook.close()
    with storage.open(sheet.csv_object, "rb") as f:
        text = f.read().decode("utf-8-sig")
    return sheets, list(csv.reader(io.StringIO(text)))


def number(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def summary_records(table) -> list[dict]:
    """Summary rows as dicts keyed by header (row 1 is the title, row 2 the header)."""
    header = table[1]
    return [dict(zip(header, row, strict=False)) for row in table[2:]]


def assert_matches_the_ranking(ev, sheets, csv_rows, *, names: bool):
    call = ev["call"]
    criteria = list(call.criteria.all())
    rows = call_ranking(call)
    summary = summary_records(sheets["Summary"])
    assert [r["Bid"] for r in summary] == [row.entry.label for row in rows]
    header = sheets["Summary"][1]
    assert csv_rows[0] == [str(h) for h in header]
    assert len(csv_rows) == len(rows) + 1
    for row, cells, line in zip(rows, summary, csv_rows[1:], strict=True):
        by_header = dict(zip(csv_rows[0], line, strict=True))
        expected = {
            "Rank": row.rank,
            "Tied": "yes" if row.tied else None,
            "Technical score (/100)": row.technical,
            "Reviews": row.reviews_in,
            "Qualifies (minimum 70.00)": "yes" if row.qualifies else "no",
            "Wide disagreement": "yes" if row.disagreement else None,
            "Financial offer (KES)": row.entry.offer,
            "Financial score": row.financial_score,
            "Combined score": row.combined,
        }
        for criterion in criteria:
            title = f"{criterion.title} (/{criterion.max_points})"
            expected[title] = row.criterion_means[criterion.pk]
        for title, value in expected.items():
            if isinstance(value, Decimal | int) and not isinstance(value, bool):
                assert number(cells[title]) == value, (row.entry.label, title)
                assert number(by_header[title]) == value, (row.entry.label, title)
            else:
                assert cells[title] == value, (row.entry.label, title)
                assert by_header[title] == (value or ""), (row.entry.label, title)
        if names:
            assert cells["Applicant"] == by_header["Applicant"] == row.entry.name
        else:
            assert "Applicant" not in cells and "Applicant" not in by_header


def assert_reviewer_sheets_hold_every_score(ev, sheets, *, names: bool):
    criteria = list(ev["call"].criteria.all())
    labels = {bid.pk: str(Submission.objects.get(pk=bid.pk).label) for bid in ev["bids"]}
    for member in ev["members"]:
        table = next(t for t in sheets.values() if t[0][0] == member.get_full_name())
        header, body = table[1], table[2:]
        assert ("Applicant" in header) is names
        assert len(body) == len(ev["bids"])
        by_label = {line[0]: dict(zip(header, line, strict=False)) for line in body}
        for bid in ev["bids"]:
            cells = by_label[labels[bid.pk]]
            total = Decimal(0)
            for criterion in criteria:
                score = Score.objects.get(
                    review__assignment__reviewer=member,
                    review__assignment__submission=bid,
                    criterion=criterion,
                )
                title = f"{criterion.title} (/{criterion.max_points})"
                assert number(cells[title]) == score.points
                assert cells[f"{criterion.title}: comment"] == score.comment
                total += score.points
            assert number(cells["Total (/100)"]) == total


def every_cell_text(sheets, csv_rows) -> str:
    cells = [v for table in sheets.values() for line in table for v in line if v is not None]
    cells += [v for line in csv_rows for v in line]
    return "\n".join(str(v) for v in cells).lower()


# --- On the real worker -------------------------------------------------------


@pytest.mark.services
def test_the_worker_builds_the_sheet_on_the_heavy_queue_true_to_the_ranking(
    celery_worker, evaluation, client
):
    ev = evaluation(n=4, open_financial=True)
    router = celery_worker.amqp.router
    assert router.route({}, "applications.tasks.build_scoring_sheet")["queue"].name == "heavy"
    staff = ev["staff"]
    client.force_login(staff)

    response = client.post(reverse("applications:sheet_request", args=[ev["call"].pk]))

    sheet = ScoringSheet.objects.get(call=ev["call"])
    assert response.status_code == 302
    assert response.url == reverse("applications:sheet", args=[sheet.pk])
    wait_for(lambda: ScoringSheet.objects.get(pk=sheet.pk).status == SheetStatus.DONE, 60)
    progress = client.get(reverse("applications:sheet_progress", args=[sheet.pk])).json()
    assert (progress["status"], progress["progress"], progress["done"]) == ("done", 100, True)
    assert set(progress["downloads"]) == {"xlsx", "csv"}

    sheets, csv_rows = read_files(sheet)
    assert list(sheets)[0] == "Summary"
    assert len(sheets) == 1 + len(ev["members"])
    assert_matches_the_ranking(ev, sheets, csv_rows, names=True)
    assert_reviewer_sheets_hold_every_score(ev, sheets, names=True)
    rows = call_ranking(ev["call"])
    assert {row.disagreement for row in rows} == {True, False}
    assert any(row.combined is not None for row in rows)
    # The requester is told once, through the outbox, and the worker delivers it.
    notice = OutboxMessage.objects.get(dedupe_key=f"sheet_ready:{sheet.pk}")
    assert notice.to_email == staff.email
    assert reverse("applications:sheet", args=[sheet.pk]) in notice.body_text
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


def test_only_the_requester_or_staff_download_and_each_download_is_audited(client, evaluation):
    ev = evaluation(n=2)
    sheet = scoring_sheet_request(call=ev["call"], user=ev["chair"])
    status_url = reverse("applications:sheet", args=[sheet.pk])
    progress_url = reverse("applications:sheet_progress", args=[sheet.pk])
    xlsx_url = reverse("applications:sheet_download", args=[sheet.pk, "xlsx"])
    csv_url = reverse("applications:sheet_download", args=[sheet.pk, "csv"])

    client.force_login(ev["chair"])
    ScoringSheet.objects.filter(pk=sheet.pk).update(status=SheetStatus.RUNNING, progress=35)
    progress = client.get(progress_url).json()
    assert (progress["status"], progress["progress"], progress["done"]) == ("running", 35, False)
    assert progress["downloads"] == {}
    page = client.get(status_url).content.decode()
    assert 'value="35"' in page and progress_url in page
    assert client.get(xlsx_url).status_code == 404  # not ready yet

    scoring_sheet_build(sheet_id=sheet.pk)
    for outsider in (ev["members"][1], ev["applicants"][0], UserFactory()):
        client.force_login(outsider)
        for url in (status_url, progress_url, xlsx_url, csv_url):
            assert client.get(url).status_code == 404, (outsider, url)
        assert (
            client.post(reverse("applications:sheet_request", args=[ev["call"].pk])).status_code
            == 404
        )
    assert not AuditEvent.objects.filter(action=AuditAction.FILE_DOWNLOADED).exists()

    client.force_login(ev["chair"])
    assert client.get(progress_url).json()["progress"] == 100
    response = client.get(xlsx_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    sheet.refresh_from_db()
    with private_storage().open(sheet.xlsx_object, "rb") as f:
        assert b"".join(response.streaming_content) == f.read()
    event = AuditEvent.objects.get(action=AuditAction.FILE_DOWNLOADED)
    assert (event.actor, event.call_id) == (ev["chair"], ev["call"].pk)
    assert f"Scoring sheet {sheet.pk}" in event.detail and "XLSX" in event.detail
    assert (
        client.get(reverse("applications:sheet_download", args=[sheet.pk, "pdf"])).status_code
        == 404
    )

    # Staff may fetch the chair's sheet; the chair may not fetch staff's sheet with names.
    client.force_login(ev["staff"])
    assert client.get(csv_url).status_code == 200
    staff_sheet = scoring_sheet_request(call=ev["call"], user=ev["staff"])
    scoring_sheet_build(sheet_id=staff_sheet.pk)
    client.force_login(ev["chair"])
    assert client.get(reverse("applications:sheet", args=[staff_sheet.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.FILE_DOWNLOADED).count() == 2


def broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_dead_broker_leaves_the_sheet_queued_with_a_clear_message(
    client, evaluation, monkeypatch, django_capture_on_commit_callbacks
):
    ev = evaluation(n=2)
    client.raise_request_exception = False
    client.force_login(ev["chair"])
    monkeypatch.setattr("applications.tasks.build_scoring_sheet.apply_async", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:sheet_request", args=[ev["call"].pk]))

    assert response.status_code == 302
    sheet = ScoringSheet.objects.get(call=ev["call"])
    assert sheet.status == SheetStatus.QUEUED
    assert "task queue is unavailable" in sheet.error
    page = client.get(response.url)
    assert page.status_code == 200
    assert "task queue is unavailable" in page.content.decode()
    progress = client.get(reverse("applications:sheet_progress", args=[sheet.pk])).json()
    assert progress["status"] == "queued" and "task queue is unavailable" in progress["error"]


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


# --- In a real browser ----------------------------------------------------------


@pytest.mark.services
@pytest.mark.browser
def test_the_status_page_shows_the_percentage_as_it_grows_then_the_downloads(
    transactional_db,
    django_db_serialized_rollback,
    live_server,
    browser,
    artifacts_dir,
    client,
    evaluation,
):
    from playwright.sync_api import expect

    ev = evaluation(n=2)
    sheet = ScoringSheet.objects.create(call=ev["call"], requested_by=ev["chair"], blind=False)
    ScoringSheet.objects.filter(pk=sheet.pk).update(status=SheetStatus.RUNNING, progress=20)
    client.force_login(ev["chair"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + reverse("applications:sheet", args=[sheet.pk]))
        percent = page.locator("[data-sheet-percent]")
        expect(percent).to_have_text("20")

        ScoringSheet.objects.filter(pk=sheet.pk).update(progress=65)
        expect(percent).to_have_text("65")
        expect(page.locator("progress")).to_have_attribute("value", "65")
        page.screenshot(path=str(artifacts_dir / "scoring-sheet-progress.png"), full_page=True)

        assert scoring_sheet_build(sheet_id=sheet.pk)
        download_link = page.get_by_role("link", name="Download the workbook (XLSX)")
        expect(download_link).to_be_visible()
        page.screenshot(path=str(artifacts_dir / "scoring-sheet-ready.png"), full_page=True)
        with page.expect_download() as download:
            download_link.click()
        assert download.value.suggested_filename.endswith(f"-{sheet.pk}.xlsx")
    finally:
        context.close()
