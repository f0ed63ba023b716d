"""How people compare public keys: a short fingerprint (issue 23)."""

import hashlib


def key_fingerprint(public_key: bytes) -> str:
    """The first 64 bits of the key's SHA-256, as 4 groups of 4 hex digits."""
    digest = hashlib.sha256(bytes(public_key)).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))
