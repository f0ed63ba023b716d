"""An editor's go-live and expiry dates act: beat runs Wagtail's scheduled
publishing every minute (tenders.tasks.publish_scheduled_pages), and anonymous
visitors' cached pages forget the old state at once."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from core.page_cache import page_cache_invalidate
from tenders.models import CallPage
from tenders.services import pages_publish_scheduled
from tests.conftest import wait_for
from tests.factories import build_site, make_call


def _scheduled_call(index, go_live_at, **fields):
    """A call its editor published with a go-live date still to come: not live yet."""
    call = make_call(index, live=False, go_live_at=go_live_at, **fields)
    call.refresh_from_db()
    assert not call.live
    assert call.revisions.filter(approved_go_live_at=go_live_at).exists()
    return call


@pytest.fixture
def later(monkeypatch):
    """Moves the clock (django.utils.timezone.now, which Wagtail's publish reads too)."""
    real_now = timezone.now

    def move_to(moment):
        offset = moment - real_now()
        monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)

    return move_to


def test_beat_runs_scheduled_publishing_every_minute():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values()]
    scheduled = [e for e in entries if e["task"] == "tenders.tasks.publish_scheduled_pages"]
    assert scheduled and scheduled[0]["schedule"] <= 60


@pytest.mark.django_db
def test_a_call_goes_live_at_its_go_live_time_and_not_before(later):
    site = build_site()
    go_live = timezone.now() + timedelta(minutes=5)
    call = _scheduled_call(site["calls"], go_live)

    later(go_live - timedelta(seconds=1))
    assert pages_publish_scheduled() == (0, 0)
    assert not CallPage.objects.get(pk=call.pk).live

    later(go_live + timedelta(seconds=1))
    assert pages_publish_scheduled() == (1, 0)
    assert CallPage.objects.get(pk=call.pk).live


@pytest.mark.django_db
def test_a_call_past_its_expiry_date_is_unpublished(later):
    site = build_site()
    call = make_call(site["calls"], expire_at=timezone.now() + timedelta(minutes=5))
    assert call.live

    later(timezone.now() + timedelta(minutes=6))
    assert pages_publish_scheduled() == (0, 1)
    call.refresh_from_db()
    assert not call.live and call.expired


@pytest.mark.django_db
def test_one_revision_that_cannot_publish_does_not_hold_up_the_others(monkeypatch, later):
    site = build_site()
    go_live = timezone.now() + timedelta(minutes=1)
    first = _scheduled_call(site["calls"], go_live, title="Refused on publish")
    second = _scheduled_call(site["calls"], go_live + timedelta(seconds=1), title="Fine")
    from wagtail.models import Revision

    real_publish = Revision.publish

    def publish(self, *args, **kwargs):
        if self.object_id == str(first.pk):
            raise ValueError("refused")
        return real_publish(self, *args, **kwargs)

    monkeypatch.setattr(Revision, "publish", publish)

    later(go_live + timedelta(minutes=1))
    assert pages_publish_scheduled() == (1, 0)
    assert CallPage.objects.get(pk=second.pk).live
    assert not CallPage.objects.get(pk=first.pk).live


@pytest.mark.services
def test_the_worker_publishes_a_call_at_its_go_live_time_and_the_cache_forgets(
    celery_worker, django_db_serialized_rollback, settings
):
    from tenders.tasks import publish_scheduled_pages

    settings.PAGE_CACHE = True
    page_cache_invalidate()
    site = build_site()
    go_live = timezone.now() + timedelta(seconds=2)
    call = _scheduled_call(site["calls"], go_live, title="Monitoring of pre-trial detention")
    visitor = Client()
    listing = visitor.get("/calls/")
    assert listing.status_code == 200
    assert "Monitoring of pre-trial detention" not in listing.content.decode()
    assert visitor.get("/calls/")["X-Page-Cache"] == "hit"

    while timezone.now() <= go_live:
        time.sleep(0.1)
    publish_scheduled_pages.delay()

    wait_for(lambda: CallPage.objects.get(pk=call.pk).live, timeout=60)
    listing = visitor.get("/calls/")
    assert listing["X-Page-Cache"] == "miss"
    assert "Monitoring of pre-trial detention" in listing.content.decode()
    assert visitor.get(CallPage.objects.get(pk=call.pk).url).status_code == 200
