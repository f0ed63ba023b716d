"""Notices to everyone with a stake in a call: clarifications and addenda."""

from django.db import transaction
from django.utils import timezone

from applications.models import Submission
from applications.services.outbox import outbox_enqueue
from tenders.models import Addendum, CallPage, Clarification, PublishedTerms
from tenders.terms import terms_fingerprint


def _notify_stakeholders(*, call, template: str, context: dict, event_key: str) -> int:
    """Queue one notice per applicant with a draft or a submission on ``call``.

    ``event_key`` names the event; with the applicant it makes the dedupe key,
    so repeating the event mails nobody twice.
    """
    submissions = Submission.objects.filter(call=call).select_related("applicant").order_by("pk")
    for submission in submissions:
        outbox_enqueue(
            to=submission.applicant.email,
            template=template,
            context={"call": call, **context},
            dedupe_key=f"{event_key}:{submission.applicant_id}",
        )
    return len(submissions)


def clarification_publish(*, clarification: Clarification) -> int:
    """Publish an answered clarification once and notify every applicant on the call."""
    if not clarification.publish or not clarification.answer.strip():
        return 0
    with transaction.atomic():
        updated = Clarification.objects.filter(
            pk=clarification.pk, published_at__isnull=True
        ).update(published_at=timezone.now())
        if not updated:
            return 0
        return _notify_stakeholders(
            call=clarification.call,
            template="clarification_published",
            context={"clarification": clarification},
            event_key=f"clarification:{clarification.pk}",
        )


def call_record_addendum(*, call: CallPage) -> Addendum | None:
    """On publish: if the deadline or the terms changed since the last publish,
    record an addendum and notify everyone who has started a submission."""
    call = CallPage.objects.get(pk=call.pk)
    fingerprint = terms_fingerprint(call)
    with transaction.atomic():
        previous = PublishedTerms.objects.select_for_update().filter(call=call).first()
        if previous is None:
            PublishedTerms.objects.create(
                call=call,
                closes_at=call.closes_at,
                clarifications_close_at=call.clarifications_close_at,
                terms_fingerprint=fingerprint,
            )
            return None
        deadline_moved = previous.closes_at != call.closes_at
        clarifications_moved = previous.clarifications_close_at != call.clarifications_close_at
        terms_changed = previous.terms_fingerprint != fingerprint
        if not (deadline_moved or terms_changed or clarifications_moved):
            return None
        parts = []
        if deadline_moved:
            parts.append("The deadline has moved.")
        if clarifications_moved:
            parts.append("The last day for questions has moved.")
        if terms_changed:
            parts.append("The terms of the call have changed; please read the call again.")
        addendum = Addendum.objects.create(
            call=call,
            number=Addendum.objects.filter(call=call).count() + 1,
            previous_closes_at=previous.closes_at,
            new_closes_at=call.closes_at,
            terms_changed=terms_changed,
            summary=" ".join(parts),
        )
        previous.closes_at = call.closes_at
        previous.clarifications_close_at = call.clarifications_close_at
        previous.terms_fingerprint = fingerprint
        previous.save()
        _notify_stakeholders(
            call=call,
            template="addendum_published",
            context={"addendum": addendum},
            event_key=f"addendum:{addendum.pk}",
        )
    return addendum
