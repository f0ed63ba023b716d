"""Files of a bid, encrypted before they reach storage (issue 23, item 3).

Each file gets a data key of its own (``applications.sealing``): its bytes are
encrypted as they stream to storage, 64 KiB at a time, and the data key is sealed to
the call's public key, which nobody holds. After the opening the data key is also
sealed under the server's storage key (``server_key``), and the panel reads the file
through ``plaintext_chunks``, which checks every chunk's authentication and, at the
end, the SHA-256 recorded when the file arrived: a changed, cut or swapped object is
reported (``SealBroken``), never served.
"""

import base64
import hashlib
import io
from collections.abc import Iterator

from django.conf import settings
from django.core.files import File

from applications.sealing import (
    CHUNK,
    SealBroken,
    chunked,
    data_key_new,
    data_key_open,
    data_key_seal,
    decrypt_chunks,
    encrypt_chunks,
    storage_box,
    storage_open,
)
from core.storage import private_object_chunks, private_storage


class EncryptingReader(io.RawIOBase):
    """A read-only stream of the ciphertext of ``plain`` (a file opened for reading),
    made as it is read: storage pulls from it, and memory holds one chunk."""

    def __init__(self, plain, data_key: bytes, ad: bytes = b""):
        super().__init__()
        plain.seek(0)
        self._blocks = encrypt_chunks(data_key, chunked(plain, CHUNK), ad)
        self._buffer = bytearray()
        self._start = 0  # what of the buffer was already handed out

    def readable(self) -> bool:
        return True

    def _fill(self, want: int) -> None:
        while len(self._buffer) - self._start < want:
            block = next(self._blocks, None)
            if block is None:
                break
            if self._start:  # drop what was read before growing the buffer
                del self._buffer[: self._start]
                self._start = 0
            self._buffer += block

    def readinto(self, target) -> int:
        self._fill(len(target))
        with memoryview(self._buffer)[self._start : self._start + len(target)] as piece:
            size = len(piece)
            target[:size] = piece
        self._start += size
        return size

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            parts = [bytes(self._buffer[self._start :])]
            self._buffer, self._start = bytearray(), 0
            parts.extend(self._blocks)
            return b"".join(parts)
        self._fill(size)  # one copy out of the buffer, none in between
        piece = bytes(self._buffer[self._start : self._start + size])
        self._start += len(piece)
        return piece


def server_box():
    return storage_box(base64.b64decode(settings.BID_STORAGE_KEY))


def binding(submission_id, sha256: str) -> bytes:
    """What a stored file is bound to (authenticated with every chunk): its bid and its
    SHA-256. The same ciphertext put in another bid's row does not open."""
    return f"zabuni-file:{submission_id}:{sha256}".encode()


def store_sealed(
    plain, *, object_name: str, call_public_key: bytes, bound_to: bytes = b""
) -> tuple[str, bytes]:
    """Encrypt ``plain`` to storage under ``object_name``, bound to ``bound_to``
    (``binding``); returns the name stored and the data key sealed to the call. The
    plaintext never reaches the store."""
    data_key = data_key_new()
    reader = EncryptingReader(plain, data_key, bound_to)
    stored = private_storage().save(object_name, File(reader))
    return stored, data_key_seal(data_key, call_public_key)


def data_key_for_panel(sealed_key: bytes, call_private) -> bytes:
    """At the opening: the data key, unsealed with the rebuilt call key and sealed again
    under the server's storage key."""
    return server_box().encrypt(data_key_open(sealed_key, call_private))


def is_sealed(item) -> bool:
    return item.call_key_id is not None


def is_readable(item) -> bool:
    """The server can read the item: stored in clear (before keys), or opened."""
    return not is_sealed(item) or item.server_key is not None


def plaintext_chunks(item) -> Iterator[bytes]:
    """The stored file's bytes, decrypted and checked; ``SealBroken`` if the stored
    object was changed, or is not the file recorded (SHA-256)."""
    digest = hashlib.sha256()
    stored = private_object_chunks(item.object_name, CHUNK + 17)
    if not is_sealed(item):
        chunks = stored
    else:
        if item.server_key is None:
            raise SealBroken("the file is still sealed to the committee")
        data_key = storage_open(server_box(), item.server_key)
        chunks = decrypt_chunks(data_key, stored, binding(item.submission_id, item.sha256))
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    if is_sealed(item) and digest.hexdigest() != item.sha256:
        raise SealBroken("the stored file is not the one recorded")


def verify(item) -> None:
    """Read the whole item once, checking it, before anything of it is served."""
    for _chunk in plaintext_chunks(item):
        pass
