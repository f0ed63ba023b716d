"""How people compare public keys, a short fingerprint, and write private keys on paper
(issue 23)."""

import base64
import hashlib


def key_fingerprint(public_key: bytes) -> str:
    """The first 64 bits of the key's SHA-256, as 4 groups of 4 hex digits."""
    digest = hashlib.sha256(bytes(public_key)).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def key_words(secret: bytes) -> str:
    """A private key written for paper: base32, in groups of 4 (the recovery key)."""
    letters = base64.b32encode(bytes(secret)).decode().rstrip("=")
    return " ".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def key_from_words(text: str, size: int = 32) -> bytes | None:
    """What ``key_words`` wrote, typed back (spaces and case as they come); None if
    it is not ``size`` bytes of base32."""
    letters = "".join(text.split()).upper()
    letters += "=" * (-len(letters) % 8)
    try:
        raw = base64.b32decode(letters)
    except ValueError:
        return None
    return raw if len(raw) == size else None
