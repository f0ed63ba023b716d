"""Opening keys (issue 23, item 1): each opening committee member's key pair, whose
private half is stored only encrypted under a passphrase of theirs.

The library is PyNaCl (libsodium): Argon2id (``nacl.pwhash.argon2id``) turns the
passphrase and a random salt into a 32-byte key; ``SecretBox`` (XSalsa20-Poly1305)
encrypts the private half with it, so a wrong passphrase or an altered row fails
authentication rather than yielding a wrong key. Nothing here is a primitive of our own.
The private half exists in the clear only in this process's memory, for the moment an
act needs it (``opening_key_unlock``).
"""

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from accounts.models import OpeningKey
from core.errors import NotAllowed, Refused

MIN_PASSPHRASE = 12
_KDF = nacl.pwhash.argon2id
# Argon2id's cost: "moderate" (3 passes, 256 MiB) by default; tests and the demo may
# choose "interactive" (2 passes, 64 MiB) through OPENING_KEY_STRENGTH.
_LIMITS = {
    "moderate": (_KDF.OPSLIMIT_MODERATE, _KDF.MEMLIMIT_MODERATE),
    "interactive": (_KDF.OPSLIMIT_INTERACTIVE, _KDF.MEMLIMIT_INTERACTIVE),
}


class WrongPassphrase(Refused):
    status_code = 403


def _limits() -> tuple[int, int]:
    return _LIMITS[settings.OPENING_KEY_STRENGTH]


def _box(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> nacl.secret.SecretBox:
    key = _KDF.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        passphrase.encode(),
        salt,
        opslimit=opslimit,
        memlimit=memlimit,
    )
    return nacl.secret.SecretBox(key)


def _seal(private: PrivateKey, passphrase: str) -> dict:
    opslimit, memlimit = _limits()
    salt = nacl.utils.random(_KDF.SALTBYTES)
    sealed = _box(passphrase, salt, opslimit, memlimit).encrypt(bytes(private))
    return {
        "sealed_private_key": bytes(sealed),
        "salt": salt,
        "opslimit": opslimit,
        "memlimit": memlimit,
    }


def passphrase_problem(user, passphrase: str) -> str:
    """Why ``passphrase`` will not do, or ""."""
    if len(passphrase) < MIN_PASSPHRASE:
        return _("Use at least %(n)s characters: a few words you will remember.") % {
            "n": MIN_PASSPHRASE
        }
    if user.check_password(passphrase):
        return _("Choose a passphrase that is not your password.")
    return ""


def opening_key_of(user) -> OpeningKey | None:
    """``user``'s opening key in use, or None."""
    return OpeningKey.objects.filter(user=user, replaced_at__isnull=True).first()


def opening_key_create(*, user, passphrase: str) -> OpeningKey:
    """Make ``user``'s opening key. Only for themselves, signed in (the view), and only
    once: a key in use is changed by its passphrase, never silently replaced."""
    if not (user.is_active and user.is_staff):
        raise NotAllowed(_("Only staff who may sit on an opening committee have opening keys."))
    if problem := passphrase_problem(user, passphrase):
        raise Refused(problem)
    private = PrivateKey.generate()
    with transaction.atomic():
        if OpeningKey.objects.select_for_update().filter(user=user, replaced_at=None).exists():
            raise Refused(_("You already have an opening key."))
        return OpeningKey.objects.create(
            user=user, public_key=bytes(private.public_key), **_seal(private, passphrase)
        )


def opening_key_unlock(key: OpeningKey, passphrase: str) -> PrivateKey:
    """The private half of ``key``, in memory; ``WrongPassphrase`` if it does not open."""
    box = _box(passphrase, bytes(key.salt), key.opslimit, key.memlimit)
    try:
        private = PrivateKey(box.decrypt(bytes(key.sealed_private_key)))
    except nacl.exceptions.CryptoError as exc:
        raise WrongPassphrase(_("That passphrase does not open your opening key.")) from exc
    if bytes(private.public_key) != bytes(key.public_key):  # pragma: no cover - tampering
        raise WrongPassphrase(_("That passphrase does not open your opening key."))
    return private


def opening_key_change_passphrase(*, user, old: str, new: str) -> OpeningKey:
    """Re-encrypt the private half under ``new``; the key pair stays the same."""
    key = opening_key_of(user)
    if key is None:
        raise Refused(_("You have no opening key yet."))
    private = opening_key_unlock(key, old)
    if problem := passphrase_problem(user, new):
        raise Refused(problem)
    for name, value in _seal(private, new).items():
        setattr(key, name, value)
    key.passphrase_changed_at = timezone.now()
    key.save()
    return key
