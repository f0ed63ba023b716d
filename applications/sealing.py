"""The cryptography of the seal (issue 23): a key for each call that nobody holds, its
private half split M of N among the opening committee and the recovery key; and every
stored item of a bid encrypted with a key of its own, sealed to the call's public key.

Nothing here is a primitive of our own:

- **PyNaCl** (libsodium) for the rest: X25519 sealed boxes (``SealedBox``) to seal a
  share to its holder and a data key to the call; XChaCha20-Poly1305 ``secretstream``
  to encrypt an item in chunks, so memory stays flat and any change, reordering or
  truncation of the stored bytes fails authentication; BLAKE2b to derive keys.
- **pycryptodome**'s Shamir secret sharing (``Crypto.Protocol.SecretSharing.Shamir``),
  which splits 16-byte secrets. The secret shared is a 16-byte seed; the call's X25519
  private key is derived from it with BLAKE2b. Fewer than M shares give a wrong seed,
  whose public key does not match: ``NotEnoughShares``.

This module holds no state and touches no database: the services that key calls, seal
uploads and open calls call it.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import nacl.bindings as sodium
import nacl.exceptions
import nacl.hash
import nacl.utils
from Crypto.Protocol.SecretSharing import Shamir
from nacl.encoding import RawEncoder
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

SEED_BYTES = 16  # what pycryptodome's Shamir shares
CHUNK = 64 * 1024
_PERSON = b"zabuni-call-key"
_STORAGE_PERSON = b"zabuni-storage"
_HEADER = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
_ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES
_TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
_TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE


class SealError(Exception):
    """The seal cannot be undone as asked."""


class NotEnoughShares(SealError):
    """The shares given do not rebuild the call's key (too few, or not its own)."""


class SealBroken(SealError):
    """Stored ciphertext failed authentication: it was changed, cut short or swapped."""


@dataclass(frozen=True)
class SealedShare:
    """One holder's share of a call's key, readable only with that holder's private key."""

    holder: object  # whatever the caller keys it by (a member, the recovery key)
    sealed: bytes


def _private_from_seed(seed: bytes) -> PrivateKey:
    return PrivateKey(nacl.hash.blake2b(seed, digest_size=32, person=_PERSON, encoder=RawEncoder))


def call_key_split(threshold: int, holders: dict) -> tuple[bytes, list[SealedShare]]:
    """Make a call's key pair and split its private half ``threshold`` of
    ``len(holders)``, each share sealed to its holder's public key (``holders``: key →
    32-byte public key). Returns the call's public key and the sealed shares; the
    private half exists only inside this call."""
    if not 2 <= threshold <= len(holders):
        raise ValueError("the threshold must be at least 2 and at most the holders")
    seed = nacl.utils.random(SEED_BYTES)
    public = bytes(_private_from_seed(seed).public_key)
    shares = Shamir.split(threshold, len(holders), seed, ssss=False)
    sealed = [
        SealedShare(holder, SealedBox(PublicKey(bytes(key))).encrypt(bytes([index]) + share))
        for (holder, key), (index, share) in zip(holders.items(), shares, strict=True)
    ]
    return public, sealed


def share_open(sealed: bytes, holder_private: PrivateKey) -> tuple[int, bytes]:
    """A holder opens their share with their private key (in memory)."""
    try:
        plain = SealedBox(holder_private).decrypt(bytes(sealed))
    except nacl.exceptions.CryptoError as exc:
        raise SealBroken("the share does not open with this key") from exc
    return plain[0], plain[1:]


def call_key_rebuild(shares: Iterable[tuple[int, bytes]], public_key: bytes) -> PrivateKey:
    """The call's private key from opened shares; ``NotEnoughShares`` unless they
    rebuild the key whose public half is ``public_key``."""
    shares = list({index: share for index, share in shares}.items())
    if len(shares) < 2:
        raise NotEnoughShares("at least two shares are needed")
    private = _private_from_seed(Shamir.combine(shares, ssss=False))
    if bytes(private.public_key) != bytes(public_key):
        raise NotEnoughShares("these shares do not rebuild the call's key")
    return private


def box_seal(plain: bytes, public_key: bytes) -> bytes:
    """A small item (a bid's amounts) sealed to a public key."""
    return SealedBox(PublicKey(bytes(public_key))).encrypt(bytes(plain))


def box_open(sealed: bytes, private: PrivateKey) -> bytes:
    try:
        return SealedBox(private).decrypt(bytes(sealed))
    except nacl.exceptions.CryptoError as exc:
        raise SealBroken("the sealed item does not open with this key") from exc


def data_key_new() -> bytes:
    return sodium.crypto_secretstream_xchacha20poly1305_keygen()


def data_key_seal(data_key: bytes, call_public_key: bytes) -> bytes:
    return SealedBox(PublicKey(bytes(call_public_key))).encrypt(data_key)


def data_key_open(sealed: bytes, private: PrivateKey) -> bytes:
    try:
        return SealedBox(private).decrypt(bytes(sealed))
    except nacl.exceptions.CryptoError as exc:
        raise SealBroken("the data key does not open with this key") from exc


def storage_box(secret: bytes) -> SecretBox:
    """The server's box for opened bids' data keys and for shares given before the
    quorum, keyed by BLAKE2b over ``secret`` (``BID_STORAGE_KEY``, 32 bytes)."""
    if len(secret) < 32:
        raise ValueError("the storage key must be at least 32 bytes")
    return SecretBox(
        nacl.hash.blake2b(secret, digest_size=32, person=_STORAGE_PERSON, encoder=RawEncoder)
    )


def storage_open(box: SecretBox, sealed: bytes) -> bytes:
    try:
        return box.decrypt(bytes(sealed))
    except nacl.exceptions.CryptoError as exc:
        raise SealBroken("this does not open with the server's storage key") from exc


def share_pack(index: int, share: bytes) -> bytes:
    return bytes([index]) + bytes(share)


def share_unpack(packed: bytes) -> tuple[int, bytes]:
    packed = bytes(packed)
    return packed[0], packed[1:]


def encrypt_chunks(data_key: bytes, chunks: Iterable[bytes], ad: bytes = b"") -> Iterator[bytes]:
    """Encrypt a stream, chunk by chunk: a header, then each chunk with its tag (the
    last marked final), each authenticated with ``ad`` too (what the item is bound to).
    Memory holds one chunk at a time."""
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    yield sodium.crypto_secretstream_xchacha20poly1305_init_push(state, data_key)
    pending = None
    for chunk in _even(chunks):
        if pending is not None:
            yield sodium.crypto_secretstream_xchacha20poly1305_push(
                state, pending, ad or None, tag=_TAG_MESSAGE
            )
        pending = bytes(chunk)
    yield sodium.crypto_secretstream_xchacha20poly1305_push(
        state, pending or b"", ad or None, tag=_TAG_FINAL
    )


def _even(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The same bytes in pieces of exactly ``CHUNK`` (the last may be shorter), so that
    each encrypted block has the size ``decrypt_chunks`` reads."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        start = 0
        while len(buffer) - start >= CHUNK:
            yield bytes(buffer[start : start + CHUNK])
            start += CHUNK
        del buffer[:start]
    if buffer:
        yield bytes(buffer)


def decrypt_chunks(
    data_key: bytes, ciphertext: Iterable[bytes], ad: bytes = b""
) -> Iterator[bytes]:
    """Decrypt what ``encrypt_chunks`` wrote (given in pieces of any size) with the same
    ``ad``; raises ``SealBroken`` on any change, reordering, truncation, or another
    ``ad`` (the item moved to another row)."""
    buffer = b""
    state = None
    final = False
    for piece in ciphertext:
        buffer += bytes(piece)
        if state is None:
            if len(buffer) < _HEADER:
                continue
            state = sodium.crypto_secretstream_xchacha20poly1305_state()
            sodium.crypto_secretstream_xchacha20poly1305_init_pull(
                state, buffer[:_HEADER], data_key
            )
            buffer = buffer[_HEADER:]
        while len(buffer) >= CHUNK + _ABYTES and not final:
            plain, final = _pull(state, buffer[: CHUNK + _ABYTES], ad)
            buffer = buffer[CHUNK + _ABYTES :]
            yield plain
    if state is None or final and buffer:
        raise SealBroken("the stored item is cut short or has bytes after its end")
    if not final:
        plain, final = _pull(state, buffer, ad)
        if not final:
            raise SealBroken("the stored item is cut short")
        yield plain


def _pull(state, block: bytes, ad: bytes = b"") -> tuple[bytes, bool]:
    try:
        plain, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, block, ad or None)
    except nacl.exceptions.CryptoError as exc:
        raise SealBroken("the stored item was changed") from exc
    return plain, tag == _TAG_FINAL


def chunked(stream, size: int = CHUNK) -> Iterator[bytes]:
    """A file-like object's bytes, ``size`` at a time (the size ``decrypt_chunks`` reads)."""
    while piece := stream.read(size):
        yield piece
