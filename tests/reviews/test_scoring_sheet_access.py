"""Asking for a scoring sheet and fetching it: only the requester or staff see its
status and download it, each download audited; a dead broker leaves a clear message;
and the status page shows the progress as it grows, in a real browser.

The test marked ``services`` and ``browser`` drives headless Chromium.
"""

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from applications.choices import AuditAction
from applications.models import AuditEvent
from core.storage import private_storage
from reviews.models import ScoringSheet, SheetStatus
from reviews.services.sheet_build import scoring_sheet_build
from reviews.services.sheets import scoring_sheet_request
from tests.factories import UserFactory
from tests.reviews.sheet_support import evaluation_builder


@pytest.fixture
def evaluation(site_root):
    """A closed, opened consultancy call with ``n`` bids and a panel of three who have
    scored them all (the first member chairs); optionally locked and prices opened."""
    return evaluation_builder(site_root)


def test_only_the_requester_or_staff_download_and_each_download_is_audited(client, evaluation):
    ev = evaluation(n=2)
    sheet = scoring_sheet_request(call=ev["call"], user=ev["chair"])
    status_url = reverse("reviews:sheet", args=[sheet.pk])
    progress_url = reverse("reviews:sheet_progress", args=[sheet.pk])
    xlsx_url = reverse("reviews:sheet_download", args=[sheet.pk, "xlsx"])
    csv_url = reverse("reviews:sheet_download", args=[sheet.pk, "csv"])

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
            client.post(reverse("reviews:sheet_request", args=[ev["call"].pk])).status_code == 404
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
    assert client.get(reverse("reviews:sheet_download", args=[sheet.pk, "pdf"])).status_code == 404

    # Staff may fetch the chair's sheet; the chair may not fetch staff's sheet with names.
    client.force_login(ev["staff"])
    assert client.get(csv_url).status_code == 200
    staff_sheet = scoring_sheet_request(call=ev["call"], user=ev["staff"])
    scoring_sheet_build(sheet_id=staff_sheet.pk)
    client.force_login(ev["chair"])
    assert client.get(reverse("reviews:sheet", args=[staff_sheet.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.FILE_DOWNLOADED).count() == 2


def broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_dead_broker_leaves_the_sheet_queued_with_a_clear_message(
    client, evaluation, monkeypatch, django_capture_on_commit_callbacks
):
    ev = evaluation(n=2)
    client.raise_request_exception = False
    client.force_login(ev["chair"])
    monkeypatch.setattr("portal.celery.app.send_task", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:sheet_request", args=[ev["call"].pk]))

    assert response.status_code == 302
    sheet = ScoringSheet.objects.get(call=ev["call"])
    assert sheet.status == SheetStatus.QUEUED
    assert "task queue is unavailable" in sheet.error
    page = client.get(response.url)
    assert page.status_code == 200
    assert "task queue is unavailable" in page.content.decode()
    progress = client.get(reverse("reviews:sheet_progress", args=[sheet.pk])).json()
    assert progress["status"] == "queued" and "task queue is unavailable" in progress["error"]


def test_a_sheet_left_by_a_dead_worker_fails_and_offers_a_new_one(client, evaluation, settings):
    from datetime import timedelta

    from django.utils import timezone

    from reviews.services.sheet_build import scoring_sheets_fail_stuck

    ev = evaluation(n=2)
    old, fresh = (
        ScoringSheet.objects.create(call=ev["call"], requested_by=ev["chair"], blind=False)
        for _ in range(2)
    )
    long_ago = timezone.now() - timedelta(seconds=settings.SHEET_STUCK_AFTER_SECONDS + 1)
    ScoringSheet.objects.filter(pk=old.pk).update(
        status=SheetStatus.RUNNING, progress=10, created_at=long_ago
    )
    ScoringSheet.objects.filter(pk=fresh.pk).update(status=SheetStatus.RUNNING, progress=10)

    assert scoring_sheets_fail_stuck() == [old.pk]

    old.refresh_from_db()
    assert old.status == SheetStatus.FAILED
    client.force_login(ev["chair"])
    page = client.get(reverse("reviews:sheet", args=[old.pk])).content.decode()
    assert "worker stopped before the sheet was finished" in page
    assert "Assemble a new sheet" in page
    assert "data-sheet-progress-url" not in page  # no more polling
    fresh.refresh_from_db()
    assert fresh.status == SheetStatus.RUNNING


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
        page.goto(live_server.url + reverse("reviews:sheet", args=[sheet.pk]))
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
