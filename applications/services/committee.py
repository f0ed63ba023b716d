"""The opening committee's rules in time: when it may change, when it may confirm,
and the recorded late opening when its window closed without a quorum.

The committee is fixed at the deadline. After it, the only way to change
who opens the call is a late opening recorded with its reason (audited and
mailed to the committee), which opens a new confirmation window and lets
staff change the committee until the next confirmation. So a superuser who
builds a committee of accomplices after the deadline leaves a recorded act,
with a reason, in front of the people it replaces.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.credentials import credentials_verify
from applications.choices import AuditAction
from applications.models import (
    CallOpening,
    OpeningCommittee,
    OpeningConfirmation,
    OpeningDelay,
)
from applications.models.keys import items_sealed_to
from applications.permissions import sits_on_panel
from applications.services.audit import audit_record
from applications.services.deadline import closes_at_of
from core.clock import db_now
from core.errors import NotAllowed, Refused
from notifications.services import outbox_enqueue
from tenders.choices import CallOutcome

MIN_REASON_LENGTH = 20


def when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


def latest_delay(call_id: int) -> OpeningDelay | None:
    return OpeningDelay.objects.filter(call_id=call_id).order_by("-recorded_at", "-pk").first()


def confirmation_window_closes(call_id: int, closes_at=None):
    """When confirmations stop being taken: a window after the deadline, or after
    the latest late opening recorded."""
    hours = timedelta(hours=settings.OPENING_CONFIRMATION_WINDOW_HOURS)
    closes_at = closes_at or closes_at_of(call_id)
    delay = latest_delay(call_id)
    return max(closes_at, delay.recorded_at if delay else closes_at) + hours


def committee_problems(committee: OpeningCommittee) -> list[str]:
    """Why a committee cannot open its call; empty if it can."""
    members = list(committee.members.filter(is_active=True))
    problems = []
    if len(members) < settings.OPENING_COMMITTEE_MIN_MEMBERS:
        problems.append(
            _("An opening committee needs at least %(n)s active members; this one has %(m)s.")
            % {"n": settings.OPENING_COMMITTEE_MIN_MEMBERS, "m": len(members)}
        )
    if members and all(sits_on_panel(member, committee.call) for member in members):
        problems.append(
            _("At least one member of the opening committee must not sit on the evaluation panel.")
        )
    return problems


def committee_change_refusal(call_id: int, now=None) -> str | None:
    """Why ``call_id``'s committee may not be set up, changed or deleted now; None if it may."""
    now = now or timezone.now()
    if CallOpening.objects.filter(call_id=call_id).exists():
        return _("The call is opened: who opened it is on record for good.")
    delay = latest_delay(call_id)
    confirmations = OpeningConfirmation.objects.filter(call_id=call_id)
    if delay is not None:
        if confirmations.filter(confirmed_at__gt=delay.recorded_at).exists():
            return _("A member has confirmed since the late opening was recorded.")
        return None
    if confirmations.exists():
        return _("A member has confirmed the opening: the committee can no longer change.")
    if now >= closes_at_of(call_id):
        return _(
            "The committee was fixed at the deadline. To change it, record a late opening "
            "with its reason once the confirmation window has closed."
        )
    if items_sealed_to(call_id):
        return _(
            "Bids are already sealed to this committee's keys: the committee is fixed as the "
            "call's key is."
        )
    return None


def opening_delay_record(*, call, user, password: str, reason: str, request=None):
    """Record a late opening: staff, with their password and a reason, once the
    confirmation window has closed without a quorum."""
    reason = " ".join((reason or "").split())
    if not (user.is_staff and user.has_perm("applications.add_openingdelay")):
        raise NotAllowed(_("Only staff allowed to record late openings can do this."))
    if call.outcome == CallOutcome.CANCELLED:
        raise NotAllowed(_("This call was cancelled: its bids are never opened."))
    # As sign-in does: every wrong password counts towards pausing the account.
    credentials_verify(request=request, user=user, password=password, second_factor=False)
    if len(reason) < MIN_REASON_LENGTH:
        raise Refused(
            _("Say why the opening is late, in at least %(n)s characters.")
            % {"n": MIN_REASON_LENGTH}
        )
    with transaction.atomic():
        OpeningCommittee.objects.select_for_update().filter(call=call).first()
        if CallOpening.objects.filter(call=call).exists():
            raise NotAllowed(_("The call is already opened."))
        now = db_now()
        window = confirmation_window_closes(call.pk)
        if now <= window:
            raise NotAllowed(
                _("Confirmations are taken until %(time)s; a late opening can be recorded after.")
                % {"time": when(window)}
            )
        delay = OpeningDelay.objects.create(
            call=call, reason=reason, recorded_by=user, recorded_at=now
        )
        audit_record(
            actor=user,
            action=AuditAction.OPENING_DELAYED,
            request=request,
            call=call,
            detail=reason[:500],
        )
        _tell_committee(
            call,
            template="applications/emails/opening_delayed",
            context={"delay": delay, "until": confirmation_window_closes(call.pk)},
            key=f"opening-delay:{delay.pk}",
        )
    return delay


def confirmation_notice(call, confirmation, count: int) -> None:
    """Every member hears of each confirmation: one made in their name, by whoever
    reset their password, does not go unnoticed."""
    _tell_committee(
        call,
        template="applications/emails/opening_confirmed",
        context={
            "confirmation": confirmation,
            "count": count,
            "quorum": settings.OPENING_QUORUM,
        },
        key=f"opening-confirmed:{confirmation.pk}",
    )


def _tell_committee(call, *, template: str, context: dict, key: str) -> None:
    committee = OpeningCommittee.objects.filter(call=call).first()
    if committee is None:
        return
    for member in committee.members.filter(is_active=True).order_by("pk"):
        outbox_enqueue(
            to=member.email,
            language=member.language,
            template=template,
            context={"call": call, "member": member, **context},
            dedupe_key=f"{key}:{member.pk}",
        )
