"""Judging a request against a call's deadline, by its time of receipt.

Lock order for everything that writes a bid (keep it, or deadlocks return):
1. the submission's own row (``SELECT ... FOR UPDATE`` of that row only);
2. at a bid's first submit only, the call's ``SubmissionSequence`` row.
The opening of a call locks the call's submission rows, in primary-key order,
and nothing else. No save, submit, withdrawal or opening locks the call's
page row (``wagtailcore_page`` / ``tenders_callpage``).
"""

from datetime import datetime

from django.db.models import F, Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from applications.models import CallOpening, Submission, SubmissionSequence
from core.errors import DeadlinePassed, NotAllowed
from tenders.models import CallPage


def closes_at_of(call_id: int) -> datetime:
    """The call's deadline as committed now (an editor may have extended it)."""
    return CallPage.objects.values_list("closes_at", flat=True).get(pk=call_id)


def _clock(moment: datetime, digits: int = 0) -> str:
    """'14:00:02 EAT', or with ``digits`` of the second: '14:00:00.4 EAT'."""
    local = timezone.localtime(moment)
    text = formats.time_format(local, "H:i:s")
    if digits:
        text += "." + f"{local.microsecond:06d}"[:digits]
    return f"{text} {local.tzname()}"


def _digits_to_tell_apart(closes_at: datetime, received_at: datetime) -> int:
    """How many digits of the second it takes for the two times to read differently:
    none when they fall in different seconds, a tenth or, closer still, a millisecond
    ('passed at 14:00:00.0; reached us at 14:00:00.4')."""
    for digits in (0, 1, 3):
        if _clock(closes_at, digits) != _clock(received_at, digits):
            return digits
    return 6


def _day(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F")


def late_message(closes_at: datetime, received_at: datetime) -> str:
    """'The deadline passed at 14:00:00 EAT on 18 December; your submission reached
    us at 14:00:02 EAT. Nothing was saved.' Both in the organisation's zone, and to
    the tenth of a second (or the millisecond) when the whole seconds are the same."""
    digits = _digits_to_tell_apart(closes_at, received_at)
    received = _clock(received_at, digits)
    if _day(received_at) != _day(closes_at):
        received = _("%(time)s on %(day)s") % {"time": received, "day": _day(received_at)}
    return _(
        "The deadline passed at %(deadline)s on %(day)s; your submission reached us at "
        "%(received)s. Nothing was saved."
    ) % {"deadline": _clock(closes_at, digits), "day": _day(closes_at), "received": received}


def require_received_in_time(*, call_id: int, received_at: datetime) -> None:
    """Refuse, saying both times, a request received at or after the deadline."""
    closes_at = closes_at_of(call_id)
    if received_at >= closes_at:
        raise DeadlinePassed(late_message(closes_at, received_at))


def require_not_opened(call_id: int) -> None:
    """No change to a bid once its call is opened (the register is final)."""
    if CallOpening.objects.filter(call_id=call_id).exists():
        raise NotAllowed(_("This call has been opened; its bids can no longer change."))


def next_reference_number(call_id: int) -> int:
    """The call's next reference number: lock 2 of the lock order, held to commit.

    The sequence row is made on the call's first submit, starting after any
    number already given (the demo loader writes numbered bids directly).
    """
    start = Submission.objects.filter(call_id=call_id).aggregate(n=Max("number"))["n"] or 0
    SubmissionSequence.objects.bulk_create(
        [SubmissionSequence(call_id=call_id, last_number=start)], ignore_conflicts=True
    )
    SubmissionSequence.objects.filter(call_id=call_id).update(last_number=F("last_number") + 1)
    return SubmissionSequence.objects.values_list("last_number", flat=True).get(call_id=call_id)
