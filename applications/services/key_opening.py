"""Opening a call with its committee's keys (issue 23, item 4).

Each confirming member gives their passphrase: their opening key is unlocked in
memory, their share of the call's key opened with it, and the share kept sealed
under the server's storage key (``OpeningConfirmation.share``) until the quorum is
reached. Then the call's private key is rebuilt in memory from ``threshold`` shares,
every item's data key is sealed again under the storage key so the panel can read the
bids, and the shares are erased. A wrong passphrase counts towards the account's
lockout, as a wrong password does. The organisation's recovery key stands in for a
member who lost theirs (``manage.py opening_recovery_share``).
"""

import logging
import struct

from django.db import transaction
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from accounts.credentials import credential_failure_record
from accounts.opening_keys import WrongPassphrase, opening_key_of, opening_key_unlock
from applications.choices import AuditAction
from applications.models import (
    Answer,
    KeyShare,
    OpeningCommittee,
    OpeningConfirmation,
    RecoveryShare,
    Submission,
    SubmissionFile,
)
from applications.sealed_answers import answer_open
from applications.sealed_files import data_key_for_panel, server_box
from applications.sealing import (
    NotEnoughShares,
    SealBroken,
    call_key_rebuild,
    share_open,
    share_pack,
    share_unpack,
    storage_open,
)
from applications.services.amounts import amounts_unseal
from applications.services.audit import audit_record
from applications.services.call_keys import call_key_in_use
from core.errors import NotAllowed, Refused

logger = logging.getLogger(__name__)


def member_share(*, call, user, passphrase: str, request=None) -> bytes | None:
    """``user``'s share of ``call``'s key, opened with their passphrase and sealed under
    the storage key; None when the call has no key or ``user`` holds no share of it
    (a member who joined after a late opening)."""
    key = call_key_in_use(call.pk)
    if key is None:
        return None
    share = KeyShare.objects.filter(call_key=key, member=user).first()
    if share is None:
        return None
    opening_key = opening_key_of(user)
    if opening_key is None or opening_key.pk != share.opening_key_id:
        # Sealed to the key they had when the call was published, replaced since: their
        # new key cannot open it. They still confirm; the recovery key stands in.
        return None
    if not passphrase:
        raise Refused(_("Give the passphrase of your opening key: the call's key needs it."))
    try:
        private = opening_key_unlock(opening_key, passphrase)
    except WrongPassphrase:
        credential_failure_record(request=request, user=user)
        raise
    try:
        index, piece = share_open(share.sealed, private)
    except SealBroken as exc:
        raise Refused(
            _("Your share of this call's key does not open: tell the administrators.")
        ) from exc
    return share_given_seal(key.pk, index, piece)


def recovery_share(*, call, private: PrivateKey) -> bytes:
    """The recovery key's share of ``call``'s key, sealed under the storage key."""
    key = call_key_in_use(call.pk)
    share = key and KeyShare.objects.filter(call_key=key, recovery_key__isnull=False).first()
    if share is None:
        raise Refused(_("This call's key has no share for the recovery key."))
    try:
        index, piece = share_open(share.sealed, private)
    except SealBroken as exc:
        raise Refused(_("That is not the recovery key this call's key was split to.")) from exc
    return share_given_seal(key.pk, index, piece)


def share_given_seal(key_id: int, index: int, piece: bytes) -> bytes:
    """A share given for the opening, kept until the quorum sealed under the storage key,
    with the call key it belongs to (a share of a key since replaced is never used)."""
    return server_box().encrypt(struct.pack(">Q", key_id) + share_pack(index, piece))


def shares_given(call) -> list[bytes]:
    """The shares given so far, each sealed under the storage key: the confirming
    members' (those still on the committee) and the recovery key's."""
    committee = OpeningCommittee.objects.filter(call=call).first()
    members = OpeningConfirmation.objects.filter(
        call=call,
        share__isnull=False,
        member__in=committee.members.filter(is_active=True) if committee else [],
    )
    recovery = RecoveryShare.objects.filter(call=call, share__isnull=False)
    return [bytes(s) for s in members.values_list("share", flat=True)] + [
        bytes(s) for s in recovery.values_list("share", flat=True)
    ]


def call_private_rebuild(call, sealed_shares: list[bytes]) -> PrivateKey | None:
    """The call's private key from the shares given, or None while too few are."""
    key = call_key_in_use(call.pk)
    if key is None:
        return None
    box = server_box()
    shares = []
    for sealed in sealed_shares:
        plain = storage_open(box, sealed)
        if struct.unpack(">Q", plain[:8])[0] == key.pk:
            shares.append(share_unpack(plain[8:]))
    if len({index for index, _s in shares}) < key.threshold:
        return None
    try:
        return call_key_rebuild(shares, key.public_key)
    except NotEnoughShares:
        return None


def shares_needed(call) -> int:
    key = call_key_in_use(call.pk)
    return key.threshold if key else 0


def items_open_for_panel(call, private: PrivateKey | None) -> int:
    """Seal every item's data key under the storage key, in the opening's transaction;
    refuse if items are sealed and the call's key was not rebuilt."""
    key = call_key_in_use(call.pk)
    items = list(
        SubmissionFile.objects.filter(
            submission__call=call,
            call_key__isnull=False,
            server_key__isnull=True,
            purged_at__isnull=True,
        ).only("pk", "sealed_key", "call_key_id")
    )
    priced = list(Submission.objects.filter(call=call, sealed_amounts__isnull=False))
    answers = list(Answer.objects.filter(submission__call=call, sealed__isnull=False))
    if key is None and (items or priced or answers):
        raise NotAllowed(
            _("The bids are sealed to the committee's keys: the quorum's passphrases open them.")
        )
    key_id = key.pk if key is not None else None
    opened_items = [i for i in items if i.call_key_id == key_id]
    opened_priced = [p for p in priced if p.amounts_key_id == key_id]
    opened_answers = [a for a in answers if a.call_key_id == key_id]
    stray = (
        len(items)
        + len(priced)
        + len(answers)
        - len(opened_items)
        - len(opened_priced)
        - len(opened_answers)
    )
    if stray:
        # Sealed to a key other than the call's (it cannot happen through the portal):
        # left sealed and reported, never allowed to stop the opening of the rest.
        logger.error("Opening %s: %s items sealed to another key stay sealed", call.pk, stray)
    items, priced, answers = opened_items, opened_priced, opened_answers
    if (items or priced or answers) and private is None:
        raise NotAllowed(
            _("The bids are sealed to the committee's keys: the quorum's passphrases open them.")
        )
    for item in items:
        item.server_key = data_key_for_panel(item.sealed_key, private)
    for submission in priced:
        amounts_unseal(submission, private)
    answers = _answers_open(call, answers, private)
    with transaction.atomic():
        SubmissionFile.objects.bulk_update(items, ["server_key"], batch_size=500)
        Submission.objects.bulk_update(
            priced,
            ["offer_amount", "offer_currency", "amount_requested", "sealed_amounts"],
            batch_size=500,
        )
        Answer.objects.bulk_update(
            answers, ["value", "salt", "sealed", "own_copy"], batch_size=500
        )
    return len(items)


def _answers_open(call, answers, private) -> list:
    """Each sealed answer written back with its salt, checked against its bid, question
    and digest. One that fails stays sealed and is reported: it never stops the opening
    of the rest (a tampered answer is not read as if it were the applicant's)."""
    opened = []
    for answer in answers:
        try:
            plain = answer_open(answer, private)
        except SealBroken as exc:
            logger.error("Opening %s: answer %s does not open: %s", call.pk, answer.pk, exc)
            audit_record(
                actor=None,
                action=AuditAction.SEAL_BROKEN,
                submission=answer.submission,
                detail=f"answer to {answer.question_id}: {exc}",
            )
            continue
        answer.value, answer.salt = plain.value, plain.salt
        answer.sealed, answer.own_copy = None, None
        opened.append(answer)
    return opened


def shares_erase(call) -> None:
    """Once the call is opened (and its register says whose shares were used)."""
    OpeningConfirmation.objects.filter(call=call).update(share=None)
    RecoveryShare.objects.filter(call=call).update(share=None)
