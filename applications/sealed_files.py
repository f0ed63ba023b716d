"""Files of a bid, encrypted before they reach storage (issue 23, item 3).

Each file gets a data key of its own (``applications.sealing``): its bytes are
encrypted as they stream to storage, 64 KiB at a time, and the data key is sealed to
the call's public key, which nobody holds. After the opening the data key is also
sealed under the server's storage key (``server_key``), and the panel reads the file
through ``plaintext_chunks``, which checks every chunk's authentication and, at the
end, the SHA-256 recorded when the file arrived: a changed, cut or swapped object is
reported (``SealBroken``), never served.

A file posted with the bid form arrives into an encrypted scratch file whose key never
left the process (``core.sealed_temp``): that file is stored as it is, its key becoming
the data key (``store_scratch``, format ``blocks``), so the bytes are encrypted once and
written once. Other files (resumable uploads, whose scratch key the browser held; files
sealed in place) are encrypted again as they are stored (format ``stream``).
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
from core.sealed_temp import ScratchBroken, blocks_decrypt
from core.storage import private_object_chunks, private_storage

STREAM, BLOCKS = "", "blocks"  # how a sealed file is stored (``SubmissionFile.sealed_format``)


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


class _Ciphertext(File):
    """A finished scratch file handed to storage as it is: a local store moves it into
    place (``temporary_file_path``), S3 reads it as a seekable file."""

    def __init__(self, handle, path):
        super().__init__(handle)
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path


def store_scratch(scratch, *, object_name: str, call_public_key: bytes, bound_to: bytes):
    """Store ``scratch`` (a ``SealedScratch`` whose key never left this process) as it
    is, bound to ``bound_to``; returns the name stored and its key sealed to the call."""
    scratch.seal_end(bound_to)
    with open(scratch.path, "rb") as ciphertext:
        stored = private_storage().save(object_name, _Ciphertext(ciphertext, scratch.path))
    return stored, data_key_seal(scratch.key, call_public_key)


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
    if not is_sealed(item):
        yield from private_object_chunks(item.object_name, CHUNK + 17)
        return
    if item.server_key is None:
        raise SealBroken("the file is still sealed to the committee")
    yield from decrypted_chunks(item, storage_open(server_box(), item.server_key))


def decrypted_chunks(item, data_key: bytes) -> Iterator[bytes]:
    """A sealed file's bytes decrypted with its data key, every block checked, and at
    the end its SHA-256 against the one recorded; ``SealBroken`` if anything differs."""
    digest = hashlib.sha256()
    stored = private_object_chunks(item.object_name, CHUNK + 17)
    bound_to = binding(item.submission_id, item.sha256)
    if item.sealed_format == BLOCKS:
        chunks = blocks_decrypt(stored, data_key, item.size, bound_to)
    else:
        chunks = decrypt_chunks(data_key, stored, bound_to)
    try:
        for chunk in chunks:
            digest.update(chunk)
            yield chunk
    except ScratchBroken as exc:
        raise SealBroken(str(exc)) from exc
    if digest.hexdigest() != item.sha256:
        raise SealBroken("the stored file is not the one recorded")


def verify(item) -> None:
    """Read the whole item once, checking it, before anything of it is served."""
    for _chunk in plaintext_chunks(item):
        pass
