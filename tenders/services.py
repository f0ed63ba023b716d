"""Writes about calls that span models or have side effects."""

import logging

from django.db import transaction
from django.utils import timezone

from tenders.choices import CallOutcome
from tenders.models import (
    Addendum,
    CallCancellation,
    CallClosing,
    CallPage,
    Clarification,
    PublishedTerms,
)
from tenders.signals import (
    addendum_recorded,
    call_cancelled,
    call_closed,
    clarification_published,
)
from tenders.terms import form_fingerprint, terms_fingerprint

logger = logging.getLogger(__name__)


def calls_close_due(*, now=None) -> list[int]:
    """Record the closing of every call whose deadline has passed.

    Idempotent: a call's closing is written once (a unique row per call), so
    running this twice, or on two workers at once, records each call once.
    Sends ``call_closed`` for each call this run closed. Returns their keys.
    """
    now = now or timezone.now()
    closed = []
    for call in CallPage.objects.originals().due_to_close(now).only("pk", "closes_at"):
        with transaction.atomic():
            _closing, created = CallClosing.objects.get_or_create(
                call_id=call.pk, defaults={"deadline": call.closes_at, "recorded_at": now}
            )
        if created:
            closed.append(call.pk)
            for receiver, error in call_closed.send_robust(sender=CallPage, call_id=call.pk):
                if isinstance(error, Exception):
                    logger.error("call_closed receiver %r failed: %s", receiver, error)
    return closed


def clarification_publish(*, clarification: Clarification) -> bool:
    """Publish an answered clarification once. Returns True if this call published it.

    ``clarification_published`` goes out in the same transaction, so the
    notices it causes are queued with the publication or not at all.
    """
    if not clarification.publish or not clarification.answer.strip():
        return False
    with transaction.atomic():
        updated = Clarification.objects.filter(
            pk=clarification.pk, published_at__isnull=True
        ).update(published_at=timezone.now())
        if not updated:
            return False
        clarification_published.send(sender=Clarification, clarification=clarification)
    return True


def call_record_cancellation(*, call: CallPage) -> CallCancellation | None:
    """On publish: a call newly cancelled gets its record, once, and ``call_cancelled``
    is sent in the same transaction (bidders are told; the seal holds for good)."""
    if call.outcome != CallOutcome.CANCELLED:
        return None
    with transaction.atomic():
        cancellation, created = CallCancellation.objects.get_or_create(
            call=call,
            defaults={"reason": call.cancellation_reason, "recorded_at": timezone.now()},
        )
        if created:
            call_cancelled.send(sender=CallPage, call=call, cancellation=cancellation)
    return cancellation if created else None


def call_record_addendum(*, call: CallPage) -> Addendum | None:
    """On publish: if the deadline or the terms changed since the last publish,
    record an addendum and send ``addendum_recorded`` in the same transaction."""
    call = CallPage.objects.get(pk=call.pk)
    fingerprint, form = terms_fingerprint(call), form_fingerprint(call)
    with transaction.atomic():
        previous = PublishedTerms.objects.select_for_update().filter(call=call).first()
        if previous is None:
            PublishedTerms.objects.create(
                call=call,
                closes_at=call.closes_at,
                clarifications_close_at=call.clarifications_close_at,
                terms_fingerprint=fingerprint,
                form_fingerprint=form,
            )
            return None
        deadline_moved = previous.closes_at != call.closes_at
        clarifications_moved = previous.clarifications_close_at != call.clarifications_close_at
        terms_changed = previous.terms_fingerprint != fingerprint
        form_changed = bool(previous.form_fingerprint) and previous.form_fingerprint != form
        if not previous.form_fingerprint:
            previous.form_fingerprint = form  # first recorded: nothing to compare with
            previous.save(update_fields=["form_fingerprint"])
        if not (deadline_moved or terms_changed or clarifications_moved or form_changed):
            return None
        parts = []
        if deadline_moved:
            parts.append("The deadline has moved.")
        if clarifications_moved:
            parts.append("The last day for questions has moved.")
        if terms_changed:
            parts.append("The terms of the call have changed; please read the call again.")
        if form_changed:
            parts.append("The application form has changed.")
        addendum = Addendum.objects.create(
            call=call,
            number=Addendum.objects.filter(call=call).count() + 1,
            previous_closes_at=previous.closes_at,
            new_closes_at=call.closes_at,
            terms_changed=terms_changed,
            form_changed=form_changed,
            summary=" ".join(parts),
        )
        previous.closes_at = call.closes_at
        previous.clarifications_close_at = call.clarifications_close_at
        previous.terms_fingerprint = fingerprint
        previous.form_fingerprint = form
        previous.save()
        addendum_recorded.send(sender=CallPage, call=call, addendum=addendum)
    return addendum


def pages_publish_scheduled(*, now=None) -> tuple[int, int]:
    """Act on editors' go-live and expiry dates, as Wagtail's ``publish_scheduled``
    command does, for pages and every other draftable model. Returns how many
    revisions went live and how many objects were unpublished.

    Each object is handled in its own transaction: one that cannot publish (its
    terms were frozen meanwhile, say) is logged and retried next run, and never
    holds up the others, as the command, stopping at the first error, would.
    Publishing sends ``page_published``, so the page cache starts afresh.
    """
    from django.apps import apps
    from wagtail.models import DraftStateMixin, Page, Revision

    now = now or timezone.now()
    models = [Page] + [
        model
        for model in apps.get_models()
        if issubclass(model, DraftStateMixin) and not issubclass(model, Page)
    ]
    unpublished = 0
    for model in models:
        for obj in list(model.objects.filter(live=True, expire_at__lt=now).order_by("expire_at")):
            try:
                with transaction.atomic():
                    obj.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
                unpublished += 1
            except Exception:
                logger.exception("Could not unpublish expired %s %s", model.__name__, obj.pk)
    published = 0
    due = Revision.objects.filter(approved_go_live_at__lt=now).order_by("approved_go_live_at")
    for revision in list(due):
        try:
            with transaction.atomic():
                revision.publish(log_action="wagtail.publish.scheduled")
            published += 1
        except Exception:
            logger.exception("Could not publish scheduled revision %s", revision.pk)
    return published, unpublished
