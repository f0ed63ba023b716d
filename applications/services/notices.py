"""Notices to everyone with a stake in a call: clarifications and addenda.

``tenders`` records the event and sends its signal inside the transaction;
these receivers queue the mail in that same transaction.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from applications.models import Submission
from applications.permissions import shortlisted_applicants
from notifications.services import outbox_enqueue


def notify_stakeholders(*, call, template: str, context: dict, event_key: str) -> int:
    """Queue one notice per applicant with a draft or a submission on ``call``.

    ``event_key`` names the event; with the applicant it makes the dedupe key,
    so repeating the event mails nobody twice.
    """
    submissions = Submission.objects.filter(call=call).select_related("applicant").order_by("pk")
    for submission in submissions:
        outbox_enqueue(
            to=submission.applicant.email,
            language=submission.applicant.language,
            template=template,
            context={
                "call": call,
                "submission": submission,
                "bid_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
                + reverse("applications:submission", args=[submission.pk]),
                **context,
            },
            dedupe_key=f"{event_key}:{submission.applicant_id}",
            confidential=True,
        )
    return len(submissions)


def on_clarification_published(sender, clarification, **kwargs) -> int:
    return notify_stakeholders(
        call=clarification.call,
        template="applications/emails/clarification_published",
        context={"clarification": clarification},
        event_key=f"clarification:{clarification.pk}",
    )


def on_addendum_recorded(sender, call, addendum, **kwargs) -> int:
    return notify_stakeholders(
        call=call,
        template="applications/emails/addendum_published",
        context={"addendum": addendum},
        event_key=f"addendum:{addendum.pk}",
    )


def on_second_stage_published(sender, call, **kwargs) -> int:
    """Invite every applicant the first stage shortlisted, once each, by mail naming the
    second stage and its deadline (a republish mails nobody twice)."""
    people = get_user_model().objects.filter(pk__in=shortlisted_applicants(call.first_stage))
    call_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + call.url
    for person in people.order_by("pk"):
        outbox_enqueue(
            to=person.email,
            language=person.language,
            template="applications/emails/stage_invitation",
            context={"call": call, "first_stage": call.first_stage, "call_url": call_url},
            dedupe_key=f"invitation:{call.pk}:{person.pk}",
            confidential=True,
        )
    return people.count()
