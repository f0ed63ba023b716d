"""Beat's daily task runs the policy on a real Celery worker."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from applications.choices import AuditAction
from applications.models import AuditEvent
from notifications.models import OutboxMessage, OutboxState
from privacy.tasks import apply_retention
from tests.conftest import wait_for


def test_beat_runs_the_policy_every_day():
    (entry,) = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == apply_retention.name
    ]
    assert entry["schedule"] == 24 * 3600


@pytest.mark.services
def test_the_worker_applies_the_policy_and_audits_the_purge(celery_worker):
    old = OutboxMessage.objects.create(
        dedupe_key="old",
        to_email="reader@example.org",
        subject="Verify your address",
        body_text="https://portal.example.org/account/verify/abc/def/",
        state=OutboxState.SENT,
        sent_at=timezone.now() - timedelta(days=31),
    )

    apply_retention.delay()

    wait_for(lambda: OutboxMessage.objects.filter(pk=old.pk, body_text="").exists())
    wait_for(
        lambda: AuditEvent.objects.filter(
            action=AuditAction.RETENTION_PURGED, detail="mail_bodies: 1"
        ).exists()
    )
    assert OutboxMessage.objects.get(pk=old.pk).subject == "Verify your address"
