"""Committees with opening keys, made fast for tests (issue 23).

A real opening key costs an Argon2id derivation of 64 MiB; a test makes dozens of
committees. The key pairs here are made once per process, each locked under
``PASSPHRASE`` with libsodium's smallest Argon2id limits (the limits are stored on
the row, as the portal stores them), so a committee costs a few inserts. The
recovery key's private half is kept here, as the organisation keeps it in a safe.
"""

import nacl.pwhash
import nacl.secret
import nacl.utils
from nacl.public import PrivateKey

from accounts.models import OpeningKey
from applications.models import OpeningCommittee, RecoveryKey

PASSPHRASE = "tests open calls with this passphrase"
_KDF = nacl.pwhash.argon2id
_POOL: list[tuple[PrivateKey, dict]] = []
RECOVERY_PRIVATE = PrivateKey.generate()


def _material(n: int) -> tuple[PrivateKey, dict]:
    while len(_POOL) <= n:
        private = PrivateKey.generate()
        salt = nacl.utils.random(_KDF.SALTBYTES)
        ops, mem = _KDF.OPSLIMIT_MIN, _KDF.MEMLIMIT_MIN
        key = _KDF.kdf(32, PASSPHRASE.encode(), salt, opslimit=ops, memlimit=mem)
        sealed = nacl.secret.SecretBox(key).encrypt(bytes(private))
        _POOL.append(
            (
                private,
                {
                    "public_key": bytes(private.public_key),
                    "sealed_private_key": bytes(sealed),
                    "salt": salt,
                    "opslimit": ops,
                    "memlimit": mem,
                },
            )
        )
    return _POOL[n]


_next = iter(range(1_000_000))


def give_opening_key(user, *, notice: bool = False) -> OpeningKey:
    """``user`` gets an opening key locked with ``PASSPHRASE`` (unless they have one).
    A new key is audited and mailed to its owner (``committee_changes``); unless
    ``notice``, that mail is cleared, so that tests of bids count only their own mail
    (``test_opening_key_record`` checks the notice)."""
    from notifications.models import OutboxMessage

    existing = OpeningKey.objects.filter(user=user, replaced_at__isnull=True).first()
    if existing:
        return existing
    _private, fields = _material(next(_next) % 6)
    key = OpeningKey.objects.create(user=user, **fields)
    if not notice:
        OutboxMessage.objects.filter(dedupe_key__startswith=f"opening-key:{key.pk}").delete()
    return key


def recovery_key() -> RecoveryKey:
    key = RecoveryKey.in_use()
    if key is None:
        key = RecoveryKey.objects.create(public_key=bytes(RECOVERY_PRIVATE.public_key))
    return key


def keyed_committee(call, members=None):
    """``call``'s committee, set up as a test factory sets up rows (no notices): the
    members given, or three new staff, each with an opening key."""
    from tests.factories import StaffFactory

    members = list(members) if members is not None else [StaffFactory() for _ in range(3)]
    for member in members:
        give_opening_key(member)
    recovery_key()
    committee = OpeningCommittee.objects.create(call=call)
    OpeningCommittee.members.through.objects.bulk_create(
        OpeningCommittee.members.through(openingcommittee=committee, user=member)
        for member in members
    )
    return committee


def call_private_of(call):
    """The call's private key, rebuilt from its members' shares with ``PASSPHRASE``:
    what the quorum's confirmations do."""
    from applications.demo import demo_call_private

    return demo_call_private(call, PASSPHRASE)


def open_call(call, user):
    """Open ``call`` as its quorum would, with the committee's keys."""
    from applications.services.opening import call_open

    return call_open(call=call, user=user, quorum=True, call_private=call_private_of(call))


def stored_plaintext(item) -> bytes:
    """What a stored file decrypts to with the call's key (rebuilt as the quorum would)."""
    from applications.sealed_files import data_key_for_panel, plaintext_chunks

    item.refresh_from_db()
    if item.call_key_id and item.server_key is None:  # unsealed in memory, as the opening does
        item.server_key = data_key_for_panel(
            item.sealed_key, call_private_of(item.submission.call)
        )
    return b"".join(plaintext_chunks(item))


def committee_set(call, members):
    """Change ``call``'s committee to ``members`` as staff would (audited, mailed), each
    given an opening key first, so that the call is re-keyed to them while nothing is
    sealed to it yet."""
    for member in members:
        give_opening_key(member)
    committee = OpeningCommittee.objects.get(call=call)
    committee.members.set(members)
    return committee


def confirm(call, user, *, password=None, passphrase=PASSPHRASE):
    """``user`` confirms ``call``'s opening as the admin's form does: password, a current
    code from their second factor, and the passphrase of their opening key."""
    from applications.services.opening import opening_confirm
    from tests.factories import PASSWORD, second_factor_code

    return opening_confirm(
        call=call,
        user=user,
        password=PASSWORD if password is None else password,
        code=second_factor_code(user),
        passphrase=passphrase,
    )


def browser_key(client, submission) -> bytes | None:
    """The key a test browser holds to its sealed answers on ``submission``."""
    from django.test import RequestFactory

    from applications.answer_keys import own_key_of

    request = RequestFactory().get("/")
    request.COOKIES = {name: morsel.value for name, morsel in client.cookies.items()}
    return own_key_of(request, submission)


def answer_value(row, client=None):
    """An answer as its applicant's browser (``client``) reads it, or in the clear."""
    from applications.sealed_answers import own_copy_open

    if not row.is_sealed:
        return row.value
    return own_copy_open(row, browser_key(client, row.submission)).value


def answers_kept(submission, client=None) -> dict:
    """Every stored answer by question id (a pending one over the submitted), read as
    the applicant's browser reads it."""
    rows = sorted(submission.answers.all(), key=lambda a: a.pending)
    return {row.question_id: answer_value(row, client) for row in rows}
