"""Opening a call's sealed submissions, after its deadline."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.credentials import credentials_verify
from applications.choices import AuditAction
from applications.models import (
    CallOpening,
    OpeningCommittee,
    OpeningConfirmation,
    Submission,
)
from applications.permissions import can_open_call
from applications.services.audit import audit_record
from applications.services.committee import (
    committee_problems,
    confirmation_notice,
    confirmation_window_closes,
    when,
)
from applications.services.deadline import closes_at_of
from applications.services.registers import opening_register_write
from core.clock import db_now
from core.errors import NotAllowed, Refused
from tenders.choices import CallOutcome
from tenders.models import CallPage


def opening_possible_from(closes_at):
    """The deadline plus the grace in which bids received before it may still be
    being recorded (``OPENING_GRACE_SECONDS``, at least the web server's timeout)."""
    return closes_at + timedelta(seconds=settings.OPENING_GRACE_SECONDS)


def call_open(*, call: CallPage, user, request=None, quorum: bool = False) -> CallOpening:
    """Unseal ``call``: record who opened it and when. Idempotent.

    No URL reaches this for one person: the admin's opening goes through
    ``opening_confirm``, which calls it when the committee's quorum is reached.
    Tests and the demo loader call it directly to set up opened calls.

    It locks the call's submission rows in key order, so it waits for any
    save still recording a bid received before the deadline, and refuses
    until the grace after the deadline has run out.
    """
    if call.outcome == CallOutcome.CANCELLED:
        raise NotAllowed(_("This call was cancelled: its bids are never opened."))
    if not quorum and not can_open_call(user, call):
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
        opening_register_write(call=call, opened_by=user)
    return opening


def opening_confirm(*, call: CallPage, user, password: str, code: str = "", request=None):
    """One committee member confirms the opening, re-entering their password and,
    for a member with a second factor (every staff member has one: accounts.
    second_factor), a current code from it (accounts.credentials: counted like a
    sign-in, and a wrong password answered like a wrong code).

    The same member confirming again counts once. When ``OPENING_QUORUM``
    members have confirmed, the call opens. Returns (confirmations, opening or None).
    """
    if call.outcome == CallOutcome.CANCELLED:
        raise NotAllowed(_("This call was cancelled: its bids are never opened."))
    committee = OpeningCommittee.objects.filter(call=call).first()
    if committee is None or not committee.members.filter(pk=user.pk, is_active=True).exists():
        raise NotAllowed(
            _("Only a member of this call's opening committee can confirm its opening.")
        )
    # As sign-in does: every wrong password or code counts towards pausing the account.
    credentials_verify(request=request, user=user, password=password, code=code)
    problems = committee_problems(committee)
    if problems:
        raise Refused(" ".join(problems))
    existing = CallOpening.objects.filter(call=call).first()
    if existing:
        return OpeningConfirmation.objects.filter(call=call).count(), existing
    now = db_now()
    closes_at = closes_at_of(call.pk)
    if now < opening_possible_from(closes_at):
        raise NotAllowed(
            _("The call can be opened from %(time)s, just after its deadline.")
            % {"time": when(opening_possible_from(closes_at))}
        )
    window = confirmation_window_closes(call.pk, closes_at)
    if now > window:
        raise NotAllowed(
            _(
                "Confirmations were taken until %(time)s. The opening is late: staff must "
                "record why (Record a late opening) before the committee confirms again."
            )
            % {"time": when(window)}
        )
    with transaction.atomic():
        # One confirmer at a time per call: the last two members confirming at the
        # same moment must not each count the other out, and the quorum opens the
        # call in the same transaction that records it.
        OpeningCommittee.objects.select_for_update().filter(pk=committee.pk).first()
        confirmation, created = OpeningConfirmation.objects.get_or_create(
            call=call, member=user, defaults={"confirmed_at": now}
        )
        if created:
            audit_record(
                actor=user,
                action=AuditAction.OPENING_CONFIRMED,
                request=request,
                call=call,
                detail=_("Opening confirmed by a committee member"),
            )
        # Only the committee's present members count (it may change after a late opening).
        count = OpeningConfirmation.objects.filter(
            call=call, member__in=committee.members.filter(is_active=True)
        ).count()
        if created:
            confirmation_notice(call, confirmation, count)
        opening = None
        if count >= settings.OPENING_QUORUM:
            opening = call_open(call=call, user=user, request=request, quorum=True)
    return count, opening
