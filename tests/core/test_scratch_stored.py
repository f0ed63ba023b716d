"""A scratch file stored as it is (issue 23, item 8): the file posted with the bid form
is encrypted once, into its scratch file, and that file becomes the stored object. It
reads back whole from pieces of any size, and a stored object cut short, extended, with
blocks moved, or bound to another bid does not read back."""

import os
from pathlib import Path

import pytest

from core.sealed_temp import BLOCK, ScratchBroken, SealedScratch, blocks_decrypt

END = b"zabuni-file:12:abc"


def stored(tmp_path, data: bytes, end: bytes = END) -> tuple[bytes, bytes]:
    scratch = SealedScratch(dir=tmp_path)
    assert scratch.key_private
    scratch.write(data)
    scratch.seal_end(end)
    return Path(scratch.path).read_bytes(), scratch.key


def pieces(data: bytes, size: int):
    return (data[i : i + size] for i in range(0, len(data), size))


@pytest.mark.parametrize("size", [1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 777])
def test_it_reads_back_from_pieces_of_any_size(tmp_path, size):
    data = os.urandom(size)
    ciphertext, key = stored(tmp_path, data)

    for piece in (1000, BLOCK + 17, 5 * 1024 * 1024):
        assert b"".join(blocks_decrypt(pieces(ciphertext, piece), key, size, END)) == data
    assert size < 32 or data[:32] not in ciphertext


def test_a_changed_cut_extended_reordered_or_moved_object_does_not_read_back(tmp_path):
    data = os.urandom(3 * BLOCK + 5)
    ciphertext, key = stored(tmp_path, data)
    stride = len(ciphertext[: 24 + BLOCK + 16])
    size = len(data)

    def reads(candidate, *, end=END, length=size):
        return b"".join(blocks_decrypt([candidate], key, length, end))

    flipped = bytearray(ciphertext)
    flipped[stride + 100] ^= 1
    broken = {
        "one bit changed": bytes(flipped),
        "cut at the end block": ciphertext[: 3 * stride + 24 + 5 + 16],
        "a byte more": ciphertext + b"\0",
        "two blocks swapped": ciphertext[stride : 2 * stride]
        + ciphertext[:stride]
        + ciphertext[2 * stride :],
    }
    for what, candidate in broken.items():
        with pytest.raises(ScratchBroken):
            reads(candidate)
        assert what
    with pytest.raises(ScratchBroken):  # put in another bid's row
        reads(ciphertext, end=b"zabuni-file:13:abc")
    with pytest.raises(ScratchBroken):  # the size recorded differs
        reads(ciphertext, length=size - 5)
    with pytest.raises(ScratchBroken):  # the last full block dropped, the end moved up
        reads(ciphertext[: 2 * stride] + ciphertext[3 * stride :], length=2 * BLOCK)
    assert reads(ciphertext) == data


def test_a_resumable_uploads_scratch_is_never_stored_as_it_is(tmp_path):
    key = SealedScratch(dir=tmp_path).key
    assert not SealedScratch(key, path=tmp_path / "piece", create=True).key_private
