"""Reminding reviewers of reviews not yet submitted, 48 and 24 hours before the deadline."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.services import outbox_enqueue
from reviews.choices import ReviewStatus
from reviews.models import Assignment, ReminderSent

WINDOWS = (48, 24)


def reviewers_remind(*, now=None) -> int:
    """Queue one reminder per unsubmitted assignment per window; never twice per window.

    A window opens ``hours`` before the panel's review deadline and lasts until
    the next window (or the deadline). Returns how many reminders were queued.
    """
    now = now or timezone.now()
    sent = 0
    due = (
        Assignment.objects.filter(
            panel__handed_over_at__isnull=False,
            panel__locked_at__isnull=True,
            panel__review_deadline__gt=now,
            panel__review_deadline__lte=now + timedelta(hours=max(WINDOWS)),
        )
        .exclude(has_conflict=True)
        .exclude(review__status=ReviewStatus.SUBMITTED)
        .select_related("panel__call", "reviewer", "submission")
    )
    for assignment in due:
        left = assignment.panel.review_deadline - now
        hours = min(h for h in WINDOWS if left <= timedelta(hours=h))
        try:
            with transaction.atomic():
                ReminderSent.objects.create(assignment=assignment, hours_before=hours)
                outbox_enqueue(
                    to=assignment.reviewer.email,
                    language=assignment.reviewer.language,
                    template="reviews/emails/review_reminder",
                    context={
                        "assignment": assignment,
                        "call": assignment.panel.call,
                        "hours": hours,
                    },
                    dedupe_key=f"reminder:{assignment.pk}:{hours}",
                )
        except IntegrityError:
            continue  # this window's reminder already went out
        sent += 1
    return sent
