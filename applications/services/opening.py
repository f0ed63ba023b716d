"""Opening a call's sealed submissions, after its deadline."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from applications.choices import AuditAction
from applications.models import CallOpening, Submission
from applications.permissions import can_open_call
from applications.services.audit import audit_record
from applications.services.deadline import closes_at_of
from core.clock import db_now
from core.errors import NotAllowed
from tenders.models import CallPage


def opening_possible_from(closes_at):
    """The deadline plus the grace in which bids received before it may still be
    being recorded (``OPENING_GRACE_SECONDS``, at least the web server's timeout)."""
    return closes_at + timedelta(seconds=settings.OPENING_GRACE_SECONDS)


def call_open(*, call: CallPage, user, request=None) -> CallOpening:
    """Unseal ``call``: record who opened it and when. Idempotent.

    It locks the call's submission rows in key order, so it waits for any
    save still recording a bid received before the deadline, and refuses
    until the grace after the deadline has run out.
    """
    if not can_open_call(user, call):
        existing = CallOpening.objects.filter(call=call).first()
        if existing and user.is_staff:
            return existing
        raise NotAllowed(_("This call cannot be opened yet."))
    with transaction.atomic():
        list(
            Submission.objects.select_for_update()
            .filter(call=call)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        existing = CallOpening.objects.filter(call=call).first()
        if existing:
            return existing
        now = db_now()
        closes_at = closes_at_of(call.pk)
        if now < closes_at:
            raise NotAllowed(_("The deadline has not passed: the submissions stay sealed."))
        possible_from = opening_possible_from(closes_at)
        if now < possible_from:
            raise NotAllowed(
                _(
                    "Bids received just before the deadline may still be being recorded. "
                    "The call can be opened from %(time)s."
                )
                % {"time": formats.time_format(timezone.localtime(possible_from), "H:i:s")}
            )
        try:
            with transaction.atomic():
                opening = CallOpening.objects.create(
                    call=call,
                    opened_by=user,
                    opened_at=now,
                    submissions_received=Submission.objects.filter(call=call).received().count(),
                )
        except IntegrityError:  # opened by someone else a moment ago
            return CallOpening.objects.get(call=call)
        audit_record(
            actor=user,
            action=AuditAction.CALL_OPENED,
            request=request,
            call=call,
            detail=_("%(n)s submissions received") % {"n": opening.submissions_received},
        )
    return opening
