"""Closing calls at their deadline: recorded once, however often the task runs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tenders.models import CallClosing
from tenders.services import calls_close_due
from tests.conftest import ARTIFACTS, wait_for
from tests.factories import build_site, make_call


def make_calls(index):
    """Two calls past their deadline and one still open."""
    now = timezone.now()
    past = {
        "opens_at": now - timedelta(days=30),
        "clarifications_close_at": now - timedelta(days=10),
    }
    return {
        "due": [
            make_call(index, title="Closed yesterday", closes_at=now - timedelta(days=1), **past),
            make_call(
                index, title="Closed a minute ago", closes_at=now - timedelta(minutes=1), **past
            ),
        ],
        "open": make_call(index, title="Still open"),
    }


def test_closing_twice_records_each_due_call_once(site_root):
    calls = make_calls(site_root["calls"])
    due = sorted(call.pk for call in calls["due"])
    first_run = timezone.now()

    assert sorted(calls_close_due(now=first_run)) == due
    recorded = {c.call_id: (c.deadline, c.recorded_at) for c in CallClosing.objects.all()}

    assert calls_close_due(now=first_run + timedelta(minutes=1)) == []
    assert {c.call_id: (c.deadline, c.recorded_at) for c in CallClosing.objects.all()} == recorded
    assert sorted(recorded) == due
    for call in calls["due"]:
        assert recorded[call.pk] == (call.closes_at, first_run)


def test_an_open_call_is_not_closed(site_root):
    calls = make_calls(site_root["calls"])

    calls_close_due()

    assert not CallClosing.objects.filter(call=calls["open"]).exists()


def test_a_call_is_closed_when_its_deadline_comes(site_root):
    calls = make_calls(site_root["calls"])
    calls_close_due()
    deadline = calls["open"].closes_at

    assert calls_close_due(now=deadline - timedelta(microseconds=1)) == []
    assert calls_close_due(now=deadline) == [calls["open"].pk]
    assert CallClosing.objects.get(call=calls["open"]).recorded_at == deadline


def test_republishing_a_closed_call_keeps_its_closing(site_root):
    calls = make_calls(site_root["calls"])
    calls_close_due()
    call = calls["due"][0]
    closing = CallClosing.objects.get(call=call)

    call.summary = "Corrected summary."
    call.save_revision().publish()
    calls_close_due()

    assert CallClosing.objects.filter(call=call).count() == 1
    assert CallClosing.objects.get(call=call).recorded_at == closing.recorded_at


# --- The real task, on a real worker ----------------------------------------------
# The worker is another process, so these tests commit (transactional_db). The
# flush after each would delete Wagtail's root page and default locale, so they
# ask for serialized rollback, which puts the migrated rows back first.


WORKER_LOG = ARTIFACTS / "celery-worker.log"


def _task_outcome(task_id):
    """The worker's log line for one task: succeeded or raised, else None."""
    for line in WORKER_LOG.read_text(errors="replace").splitlines():
        if f"[{task_id}]" in line and (" succeeded " in line or " raised " in line):
            return line
    return None


def finished(result) -> str:
    """Wait until the worker has run the task; return its log line.

    The task ignores its result, so the worker's log is where its end shows.
    """
    try:
        return wait_for(lambda: _task_outcome(result.id), timeout=60)
    except pytest.fail.Exception:
        pytest.fail(f"Task {result.id} did not finish within 60 s; see {WORKER_LOG}")


@pytest.mark.services
def test_the_worker_closes_each_due_call_once(celery_worker, django_db_serialized_rollback):
    from tenders.tasks import close_due_calls

    calls = make_calls(build_site()["calls"])
    due = sorted(call.pk for call in calls["due"])

    first = close_due_calls.delay()
    second = close_due_calls.delay()

    wait_for(lambda: CallClosing.objects.count() >= len(due), timeout=60)
    first_line, second_line = finished(first), finished(second)
    assert " succeeded " in first_line, first_line
    assert " succeeded " in second_line, second_line

    closings = list(CallClosing.objects.order_by("call_id"))
    assert [c.call_id for c in closings] == due
    for closing, call in zip(closings, sorted(calls["due"], key=lambda c: c.pk), strict=True):
        assert closing.deadline == call.closes_at
    assert not CallClosing.objects.filter(call=calls["open"]).exists()


@pytest.mark.services
def test_a_later_run_on_the_worker_leaves_recorded_closings_alone(
    celery_worker, django_db_serialized_rollback
):
    from tenders.tasks import close_due_calls

    calls = make_calls(build_site()["calls"])
    first = close_due_calls.delay()
    finished(first)
    recorded = {c.call_id: c.recorded_at for c in CallClosing.objects.all()}
    assert sorted(recorded) == sorted(call.pk for call in calls["due"])

    second = close_due_calls.delay()
    line = finished(second)

    assert " succeeded " in line and line.rstrip().endswith(": []"), line
    assert {c.call_id: c.recorded_at for c in CallClosing.objects.all()} == recorded
