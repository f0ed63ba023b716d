"""A key for each call, held by nobody (issue 23, item 2).

When a call is published it gets a key pair; the private half is split
``OPENING_QUORUM`` of N among its opening committee's members and the organisation's
recovery key (``applications.sealing``), each share sealed to its holder's public key,
and then forgotten. So a call can be published only once its committee is complete,
every member has made an opening key, and the recovery key exists: the editor is told
who is missing (``call_key_publish_refusal``, asked by ``tenders`` through
``register_publish_check``).

Until the first item of a bid is sealed to the key, a change of committee re-keys the
call; from then on the committee is fixed as the key is (``committee_change_refusal``),
except that after a recorded late opening new members may join, holding no share: the
recovery key stands in for a lost member. A call whose committee was left incomplete
by a change outside the admin has no key in use, and refuses bids until it is keyed
again: nothing is ever stored in the clear for want of a key.
"""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import OpeningKey
from applications.choices import AuditAction
from applications.models import (
    CallKey,
    KeyShare,
    OpeningCommittee,
    RecoveryKey,
)
from applications.models.keys import items_sealed_to
from applications.sealing import call_key_split
from applications.services.audit import audit_record
from applications.services.committee import committee_problems
from core.errors import Refused


class CallNotKeyed(Refused):
    status_code = 409


def call_key_in_use(call_id: int) -> CallKey | None:
    return CallKey.objects.filter(call_id=call_id, replaced_at__isnull=True).first()


def call_is_keyed_era(call_id: int) -> bool:
    """The call was ever keyed: its items are sealed, never stored in the clear."""
    return CallKey.objects.filter(call_id=call_id).exists()


def key_problems(members) -> list[str]:
    """Why these members' keys cannot hold a call's key: who has no opening key, and
    whether the recovery key is missing."""
    members = list(members)
    keyed = set(
        OpeningKey.objects.filter(user__in=members, replaced_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    problems = []
    missing = [m for m in members if m.pk not in keyed]
    if missing:
        problems.append(
            _(
                "These members have not made their opening key yet (each does it on their "
                "own Security page): %(names)s."
            )
            % {"names": ", ".join(m.get_full_name() or m.email for m in missing)}
        )
    if RecoveryKey.in_use() is None:
        problems.append(
            _(
                "The organisation has no recovery key: an administrator makes one with "
                "manage.py opening_recovery_key."
            )
        )
    if len(members) + 1 < settings.OPENING_QUORUM:
        problems.append(
            _("The call's key needs at least %(n)s holders.") % {"n": settings.OPENING_QUORUM}
        )
    return problems


def holder_problems(committee, members) -> list[str]:
    """Why ``committee`` (its active ``members``) cannot hold its call's key now."""
    return committee_problems(committee) + key_problems(members)


def call_key_publish_refusal(call) -> str:
    """Why ``call`` cannot go live, or "" once it has a key in use matching its
    committee (made here when it has none, or when the committee changed)."""
    committee = OpeningCommittee.objects.filter(call_id=call.pk).first() if call.pk else None
    if committee is None:
        return _(
            "Set up this call's opening committee before publishing it (Opening committees, "
            "in the admin): the bids are sealed to the committee's keys as they arrive."
        )
    if call_key_in_use(call.pk) is not None and items_sealed_to(call.pk):
        return ""  # published again: what is sealed stays sealed to the key it has
    members = list(committee.members.filter(is_active=True))
    problems = holder_problems(committee, members)
    if problems:
        return _("This call cannot be published yet. %(problems)s") % {
            "problems": " ".join(problems)
        }
    try:
        call_key_ensure(committee, members=members)
    except Refused as refusal:
        return refusal.message
    return ""


def _holders(members) -> dict:
    keys = {
        k.user_id: k for k in OpeningKey.objects.filter(user__in=members, replaced_at__isnull=True)
    }
    holders = {("member", m.pk, keys[m.pk].pk): bytes(keys[m.pk].public_key) for m in members}
    recovery = RecoveryKey.in_use()
    holders[("recovery", recovery.pk, None)] = bytes(recovery.public_key)
    return holders


def _holders_of(key: CallKey) -> set:
    return {
        ("member", s.member_id, s.opening_key_id)
        if s.member_id
        else ("recovery", s.recovery_key_id, None)
        for s in key.shares.all()
    }


def call_key_ensure(committee, *, members=None, actor=None) -> CallKey:
    """The call's key in use for ``committee`` as it stands: kept when its holders are
    the same, otherwise made anew (the old one replaced). Refused once items are sealed."""
    members = list(committee.members.filter(is_active=True)) if members is None else members
    holders = _holders(members)
    with transaction.atomic():
        current = (
            CallKey.objects.select_for_update()
            .filter(call_id=committee.call_id, replaced_at__isnull=True)
            .first()
        )
        if current is not None and _holders_of(current) == set(holders):
            return current
        if current is not None and items_sealed_to(committee.call_id):
            raise Refused(
                _("Bids are already sealed to this committee's keys: the committee is fixed.")
            )
        return _make(committee.call_id, holders, current, actor)


def _make(call_id, holders, current, actor) -> CallKey:
    public, sealed = call_key_split(settings.OPENING_QUORUM, holders)
    if current is not None:
        current.replaced_at = timezone.now()
        current.save(update_fields=["replaced_at"])
    key = CallKey.objects.create(
        call_id=call_id, public_key=public, threshold=settings.OPENING_QUORUM
    )
    KeyShare.objects.bulk_create(
        KeyShare(
            call_key=key,
            member_id=pk if kind == "member" else None,
            opening_key_id=opening_key,
            recovery_key_id=pk if kind == "recovery" else None,
            sealed=share.sealed,
        )
        for share in sealed
        for kind, pk, opening_key in [share.holder]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CALL_KEYED,
        call=key.call,
        detail=_("Key %(fp)s: %(m)s of %(n)s shares open it")
        % {"fp": key.fingerprint, "m": key.threshold, "n": len(sealed)},
    )
    return key


def call_key_after_committee_change(committee, *, actor=None) -> None:
    """A committee changed: re-key its call if it has a key and nothing is sealed to it
    yet; if the committee can no longer hold a key, retire the key (bids are refused
    until it is complete again). Sealed items fix the key: nothing changes."""
    current = call_key_in_use(committee.call_id)
    if current is None and not call_is_keyed_era(committee.call_id):
        return  # not published yet (keyed at publication) or stored before keys
    if items_sealed_to(committee.call_id):
        return
    members = list(committee.members.filter(is_active=True))
    if holder_problems(committee, members):
        if current is not None:
            with transaction.atomic():
                # Taken after any save holding the key commits; then looked at again.
                CallKey.objects.select_for_update().filter(pk=current.pk).first()
                if not items_sealed_to(committee.call_id):
                    CallKey.objects.filter(pk=current.pk).update(replaced_at=timezone.now())
        return
    call_key_ensure(committee, members=members, actor=actor)


def sealing_key_for(call_id: int) -> CallKey | None:
    """The key a new item of a bid on ``call_id`` is sealed to; None for a call published
    before calls were keyed (stored as before, until ``manage.py seal_open_calls``).
    ``CallNotKeyed`` when the call's committee is being changed."""
    key = call_key_in_use(call_id)
    if key is None and call_is_keyed_era(call_id):
        raise CallNotKeyed(
            _(
                "This call's opening committee is being changed, so nothing can be sealed to "
                "it just now. Nothing was saved; please try again later."
            )
        )
    return key


def call_key_hold(key_id: int) -> None:
    """Inside a save's transaction: the key its items were sealed to is still in use,
    and stays so until the save commits (a share lock: saves never wait on each other,
    a re-key waits for them, then finds the items and keeps the key)."""
    sql = "SELECT id FROM applications_callkey WHERE id = %s AND replaced_at IS NULL"
    if connection.vendor == "postgresql":
        sql += " FOR SHARE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [key_id])
        if cursor.fetchone() is None:
            raise CallNotKeyed(str(KEY_CHANGED))


def call_key_hold_clear(call_id: int) -> None:
    """Inside a save's transaction, for items stored in the clear (a call published
    before keys): refused if the call has been keyed since, so nothing plain lands on a
    sealed call (``seal_open_calls`` running meanwhile)."""
    if call_is_keyed_era(call_id):
        raise CallNotKeyed(str(KEY_CHANGED))


KEY_CHANGED = gettext_lazy(
    "This call's opening committee changed while your files were arriving, so nothing was "
    "saved. Please send them again."
)
