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
    RecoveryShare,
    Submission,
)
from applications.permissions import can_open_call
from applications.services.audit import audit_record
from applications.services.clean_copies import clean_copies_queue
from applications.services.committee import (
    committee_problems,
    confirmation_notice,
    confirmation_window_closes,
    when,
)
from applications.services.deadline import closes_at_of
from applications.services.key_opening import (
    call_private_rebuild,
    items_open_for_panel,
    member_share,
    recovery_share,
    shares_erase,
    shares_given,
    shares_needed,
)
from applications.services.registers import opening_register_write
from core.clock import db_now
from core.errors import NotAllowed, Refused
from tenders.choices import CallOutcome
from tenders.models import CallPage


def opening_possible_from(closes_at):
    """The deadline plus the grace in which bids received before it may still be
    being recorded (``OPENING_GRACE_SECONDS``, at least the web server's timeout)."""
    return closes_at + timedelta(seconds=settings.OPENING_GRACE_SECONDS)


def call_open(
    *, call: CallPage, user, request=None, quorum: bool = False, call_private=None
) -> CallOpening:
    """Unseal ``call``: record who opened it and when. Idempotent.

    No URL reaches this for one person: the admin's opening goes through
    ``opening_confirm``, which calls it when the committee's quorum is reached.
    Tests and the demo loader call it directly to set up opened calls, with the call's
    private key (``call_private``) rebuilt from their committee's shares when its bids
    are sealed (``applications.services.key_opening``).

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
        items_open_for_panel(call, call_private)
        audit_record(
            actor=user,
            action=AuditAction.CALL_OPENED,
            request=request,
            call=call,
            detail=_("%(n)s submissions received") % {"n": opening.submissions_received},
        )
        opening_register_write(call=call, opened_by=user)
        shares_erase(call)
        if call.blind_review:
            # Every opening, keyed or stored before keys, passes here: the copies that
            # name nobody are made by the worker once the bids are readable.
            transaction.on_commit(lambda: clean_copies_queue(call_id=call.pk))
    return opening


def opening_confirm(
    *, call: CallPage, user, password: str, code: str = "", passphrase: str = "", request=None
):
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
    share = member_share(call=call, user=user, passphrase=passphrase, request=request)
    with transaction.atomic():
        # One confirmer at a time per call: the last two members confirming at the
        # same moment must not each count the other out, and the quorum opens the
        # call in the same transaction that records it.
        OpeningCommittee.objects.select_for_update().filter(pk=committee.pk).first()
        confirmation, created = OpeningConfirmation.objects.get_or_create(
            call=call, member=user, defaults={"confirmed_at": now, "share": share}
        )
        if not created and share is not None and confirmation.share is None:
            confirmation.share = share
            confirmation.save(update_fields=["share"])
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
        opening = _open_if_ready(call, committee, user=user, request=request)
    return count, opening


def _open_if_ready(call, committee, *, user, request=None):
    """Open ``call`` once the quorum has confirmed and the shares given rebuild its key."""
    confirmed = OpeningConfirmation.objects.filter(
        call=call, member__in=committee.members.filter(is_active=True)
    )
    if confirmed.count() < settings.OPENING_QUORUM:
        return None
    private = call_private_rebuild(call, shares_given(call))
    if private is None and shares_needed(call):
        return None
    if private is not None:
        holders = [
            c.member.get_full_name() or c.member.email
            for c in confirmed.filter(share__isnull=False).select_related("member")
        ]
        if RecoveryShare.objects.filter(call=call, share__isnull=False).exists():
            holders.append("the recovery key")
        audit_record(
            actor=None,
            action=AuditAction.CALL_KEYED,
            call=call,
            detail="The call's key was rebuilt from the shares of: " + ", ".join(holders),
        )
    user = user or confirmed.order_by("-confirmed_at").first().member
    return call_open(call=call, user=user, request=request, quorum=True, call_private=private)


def recovery_share_give(*, call: CallPage, private) -> CallOpening | None:
    """The organisation's recovery key gives its share of ``call``'s key, in place of a
    member who lost their passphrase (``manage.py opening_recovery_share``). It confirms
    nothing by itself: the call opens only once the quorum of members has confirmed."""
    if db_now() < closes_at_of(call.pk):
        raise NotAllowed(_("The deadline has not passed: the submissions stay sealed."))
    share = recovery_share(call=call, private=private)
    committee = OpeningCommittee.objects.filter(call=call).first()
    if committee is None:
        raise NotAllowed(_("This call has no opening committee."))
    with transaction.atomic():
        OpeningCommittee.objects.select_for_update().filter(pk=committee.pk).first()
        if CallOpening.objects.filter(call=call).exists():
            raise NotAllowed(_("The call is already opened."))
        RecoveryShare.objects.create(call=call, share=share)
        audit_record(
            actor=None,
            action=AuditAction.OPENING_CONFIRMED,
            call=call,
            detail="The recovery key's share of the call's key was given",
        )
        return _open_if_ready(call, committee, user=None)
