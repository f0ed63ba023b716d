"""Answers to the application form sealed to a call's key (issue 23, item 3).

An answer is a small item, so it is sealed whole: a JSON payload (the answer, a random
salt, and the bid and question it belongs to) in a PyNaCl sealed box to the call's
public key, which only the committee's quorum can open. The applicant keeps their own
copy of the same payload under a key that only their browser holds (``own_key``, a
SecretBox key: XSalsa20-Poly1305), so the bid page can show them what they wrote.

The receipt's fingerprint of the answers must be made without reading them (Submit may
come from a device that cannot), so each answer also has a digest: HMAC-SHA256 of the
answer's canonical JSON keyed with its salt. The salt is random and sealed with the
answer, so the digest of a short answer ("yes") cannot be guessed from a copy of the
database; once the call is opened, the salt is written beside the answer and anyone may
check the digest. Binding the payload to its bid and question means a sealed answer
copied onto another bid or question is refused at the opening.

Nothing here touches the database: ``applications.services.answers`` stores the rows.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass

import nacl.exceptions
import nacl.utils
from nacl.secret import SecretBox

from applications.sealing import SealBroken, box_open, box_seal

OWN_KEY_BYTES = SecretBox.KEY_SIZE
_SALT_BYTES = 32


def answer_canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def answer_digest(salt: bytes, value) -> str:
    return hmac.new(bytes(salt), answer_canonical(value), hashlib.sha256).hexdigest()


def own_key_new() -> bytes:
    return nacl.utils.random(OWN_KEY_BYTES)


@dataclass(frozen=True)
class SealedAnswer:
    sealed: bytes  # to the call's key
    own_copy: bytes | None  # under the applicant's key, when one was given
    digest: str


@dataclass(frozen=True)
class OpenedAnswer:
    value: object
    salt: bytes


def answer_seal(
    value, *, submission_id: int, question_id: str, call_public_key: bytes, own_key: bytes | None
) -> SealedAnswer:
    salt = nacl.utils.random(_SALT_BYTES)
    payload = json.dumps(
        {"b": submission_id, "q": question_id, "v": value, "s": salt.hex()},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    return SealedAnswer(
        sealed=box_seal(payload, call_public_key),
        own_copy=SecretBox(own_key).encrypt(payload) if own_key else None,
        digest=answer_digest(salt, value),
    )


def answer_open(row, private) -> OpenedAnswer:
    """``row``'s answer, opened with the call's private key and checked against its bid,
    question and digest; ``SealBroken`` if it does not open or does not belong there."""
    return _checked(box_open(row.sealed, private), row)


def own_copy_open(row, own_key: bytes | None) -> OpenedAnswer:
    """``row``'s answer from the applicant's copy; ``SealBroken`` when ``own_key`` is not
    the key it was written under (another device) or there is none."""
    if not own_key or row.own_copy is None:
        raise SealBroken("no copy of this answer for this key")
    try:
        plain = SecretBox(bytes(own_key)).decrypt(bytes(row.own_copy))
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise SealBroken("this copy of the answer does not open with this key") from exc
    return _checked(plain, row)


def _checked(plain: bytes, row) -> OpenedAnswer:
    try:
        data = json.loads(plain)
        salt = bytes.fromhex(data["s"])
        value, submission_id, question_id = data["v"], data["b"], data["q"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SealBroken("a sealed answer that is not one") from exc
    if submission_id != row.submission_id or question_id != row.question_id:
        raise SealBroken("this sealed answer belongs to another bid or question")
    if not hmac.compare_digest(answer_digest(salt, value), row.digest):
        raise SealBroken("this sealed answer does not match its digest")
    return OpenedAnswer(value=value, salt=salt)
