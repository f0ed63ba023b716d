"""The seal's cryptography (issue 23, applications.sealing), on its own: a call's key
split M of N among its holders rebuilds from any M shares and from no fewer; a share
opens only with its holder's key; an item encrypted in chunks decrypts whole, and any
change, swap, truncation or extra byte is refused rather than served."""

import io
import os
from itertools import combinations

import pytest
from nacl.public import PrivateKey

from applications.sealing import (
    CHUNK,
    NotEnoughShares,
    SealBroken,
    call_key_rebuild,
    call_key_split,
    chunked,
    data_key_new,
    data_key_open,
    data_key_seal,
    decrypt_chunks,
    encrypt_chunks,
    share_open,
)

MARKER = b"Amina: priced offer KES 1,270,732.59"


@pytest.fixture
def holders():
    """Four committee members and the recovery key, each with their key pair."""
    return {name: PrivateKey.generate() for name in ("m1", "m2", "m3", "m4", "recovery")}


def split(holders, threshold=3):
    public, shares = call_key_split(
        threshold, {name: key.public_key for name, key in holders.items()}
    )
    opened = {s.holder: share_open(s.sealed, holders[s.holder]) for s in shares}
    return public, shares, opened


def test_any_m_shares_rebuild_the_key_and_m_minus_one_do_not(holders):
    public, shares, opened = split(holders, threshold=3)

    assert len(shares) == 5 and len(public) == 32
    for group in combinations(opened, 3):
        private = call_key_rebuild([opened[h] for h in group], public)
        assert bytes(private.public_key) == public
    for group in combinations(opened, 2):
        with pytest.raises(NotEnoughShares):
            call_key_rebuild([opened[h] for h in group], public)
    # The recovery key stands in for a member who lost their passphrase.
    private = call_key_rebuild([opened["m1"], opened["m2"], opened["recovery"]], public)
    assert bytes(private.public_key) == public


def test_a_share_opens_only_with_its_holders_key(holders):
    _public, shares, _opened = split(holders)
    mine = next(s for s in shares if s.holder == "m1")

    with pytest.raises(SealBroken):
        share_open(mine.sealed, holders["m2"])
    with pytest.raises(SealBroken):
        share_open(mine.sealed, PrivateKey.generate())  # a key made later for the member
    assert MARKER not in b"".join(s.sealed for s in shares)


def test_an_item_round_trips_in_chunks_and_the_sealed_bytes_show_nothing(holders):
    public, _shares, opened = split(holders)
    plain = os.urandom(CHUNK * 2 + 123) + MARKER + os.urandom(CHUNK)
    key = data_key_new()
    sealed_key = data_key_seal(key, public)

    stored = b"".join(encrypt_chunks(key, chunked(io.BytesIO(plain), 1000)))

    assert MARKER not in stored and plain[:64] not in stored
    private = call_key_rebuild(list(opened.values())[:3], public)
    opened_key = data_key_open(sealed_key, private)
    for piece in (7, CHUNK, 100_000):
        assert b"".join(decrypt_chunks(opened_key, chunked(io.BytesIO(stored), piece))) == plain
    empty = b"".join(encrypt_chunks(key, []))
    assert b"".join(decrypt_chunks(key, [empty])) == b""


@pytest.mark.parametrize("damage", ["flip", "truncate", "cut_final", "append", "swap", "empty"])
def test_any_change_to_a_stored_item_is_refused(damage):
    key = data_key_new()
    plain = os.urandom(CHUNK * 3 + 10)
    stored = bytearray(b"".join(encrypt_chunks(key, [plain])))
    block = CHUNK + 17  # a chunk and its tag
    header = 24
    if damage == "flip":
        stored[header + block + 5] ^= 1
    elif damage == "truncate":
        stored = stored[: header + block * 2]
    elif damage == "cut_final":
        stored = stored[:-1]
    elif damage == "append":
        stored += b"\0"
    elif damage == "swap":
        first, second = header, header + block
        stored[first:second], stored[second : second + block] = (
            stored[second : second + block],
            stored[first:second],
        )
    else:
        stored = bytearray()

    with pytest.raises(SealBroken):
        b"".join(decrypt_chunks(key, [bytes(stored)]))


def test_a_data_key_opens_only_with_its_calls_key(holders):
    public, _shares, _opened = split(holders)
    sealed = data_key_seal(data_key_new(), public)

    with pytest.raises(SealBroken):
        data_key_open(sealed, PrivateKey.generate())
