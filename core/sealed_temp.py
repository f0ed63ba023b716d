"""Scratch files that hold no plaintext on disk (issue 23, item 3).

While a bid's file arrives and is checked (its type, its archive members, its size),
the bytes must be somewhere; with large files, not all in memory. Here they go to a
temporary file encrypted under a key that exists only in this process's memory:
whoever copies the disk gets ciphertext, and the key dies with the request. (The
pieces of a resumable upload wait elsewhere: applications.services.resumable_pieces.)

The file is cut into blocks of ``BLOCK`` bytes, each encrypted on its own with
AES-256-GCM (from pyca's ``cryptography``, which runs OpenSSL's code on the CPU's AES
instructions: 3.4 GB/s here, against 2.0 GB/s for its ChaCha20-Poly1305 and 0.8 GB/s
for libsodium's XChaCha20-Poly1305; the bytes of every bid pass through it) under a
random 12-byte nonce written before it (each file has its own key and at most a few
thousand blocks, far inside GCM's limit of 2^32 random nonces per key), with the
block's number as associated data: any
block can be read back without the ones before it (the archive checks seek to a ZIP's
end first), and a changed or moved block fails authentication. Nothing here is a
primitive of our own.

When the key never left this process (a file posted with the form), the scratch file
can be stored as it is, with no second pass (``seal_end``): a last block, numbered after
the data's and marked as the end, holds what the stored file is bound to and its size,
so a stored file cut short, extended or put in another's place does not read back
(``blocks_decrypt``). The key then becomes the stored file's data key.
"""

import io
import os
import struct
import tempfile
import weakref
from collections.abc import Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

BLOCK = 64 * 1024
KEY_BYTES = 32
_ABYTES = 16  # GCM's tag
_NONCE = 12
BLOCK_OVERHEAD = _NONCE + _ABYTES
_STRIDE = _NONCE + BLOCK + _ABYTES  # one block on disk: its nonce, then its ciphertext
_END = b"end"  # the associated data of the last block, after its number


class ScratchBroken(Exception):
    """A block of the scratch file did not authenticate (changed, or the wrong key)."""


def _unlink(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


class SealedScratch(io.RawIOBase):
    """An encrypted, seekable scratch file: write plaintext in any pieces, ``finish()``,
    then read it back like a file. Memory holds one block."""

    def __init__(self, key: bytes | None = None, *, path=None, dir=None, create: bool = False):
        super().__init__()
        self.key = new_key() if key is None else bytes(key)
        if len(self.key) != KEY_BYTES:
            raise ScratchBroken("a scratch file's key is 32 bytes")
        self._aead = AESGCM(self.key)
        self._finalizer = None
        # Open for writing until ``finish``: a file closed after each write, once it was
        # truncated, is flushed to disk at every close by ext4 (auto_da_alloc), and an
        # upload then waits on the disk many times over.
        self._out = None
        if path is None or create:
            if path is None:
                handle, path = tempfile.mkstemp(prefix="sealed-", dir=dir)  # mode 0600
                self._out = os.fdopen(handle, "ab")
                # A request that dies half-way (a client gone mid-body) never closes its
                # files: the scratch file goes when this object does.
                self._finalizer = weakref.finalize(self, _unlink, path)
            else:
                self._out = open(path, "wb")  # noqa: SIM115 (closed by finish, remove)
                os.chmod(path, 0o600)
            self.size = 0
        else:
            self.size = None  # told by the caller: ``with_size``
        self.path = path
        self._pending = b""
        self._pos = 0
        self._cache = (-1, b"")
        self._finished = False
        # The key was made here and never left this process: the file may be stored as
        # it is (``seal_end``). Not for a key handed in from outside.
        self.key_private = key is None

    # --- writing -----------------------------------------------------------------
    def _seal(self, index: int, plain, tag: bytes = b"") -> bytes:
        return _seal_block(self._aead, index, plain, tag)

    def seal_end(self, end: bytes) -> None:
        """Make the scratch file storable as it is: the end block, bound to ``end``."""
        self.finish()
        with open(self.path, "ab") as out:
            out.write(self._seal(_blocks_for(self.size), _end_plain(end, self.size), _END))

    def write(self, data) -> int:
        """Append plaintext (only before ``finish``). Whole blocks are encrypted straight
        from ``data``; only a block's unfinished end waits in memory."""
        if self._finished:
            raise io.UnsupportedOperation("finished: the scratch file is read-only")
        size = len(data)
        view = memoryview(data).cast("B")
        blocks = []
        if self._pending:  # the block begun by the last write, first
            take = BLOCK - len(self._pending)
            self._pending += bytes(view[:take])
            view = view[take:]
            if len(self._pending) < BLOCK:
                return size
            blocks.append(self._pending)
            self._pending = b""
        full = len(view) // BLOCK
        blocks += [view[n * BLOCK : (n + 1) * BLOCK] for n in range(full)]
        self._pending = bytes(view[full * BLOCK :])
        if blocks:
            first = self.size // BLOCK
            # One write: a system call per block costs more.
            self._writer().write(
                b"".join(self._seal(first + n, block) for n, block in enumerate(blocks))
            )
            self.size += len(blocks) * BLOCK
        return size

    def finish(self) -> "SealedScratch":
        if not self._finished:
            if self._pending:
                self._writer().write(self._seal(self.size // BLOCK, self._pending))
                self.size += len(self._pending)
                self._pending = b""
            self._close_writer()
            self._finished = True
        self._pos = 0
        return self

    def with_size(self, size: int) -> "SealedScratch":
        """For a scratch file written earlier (a resumable upload): its plaintext size."""
        self.size = size
        self._finished = True
        return self

    # --- reading -----------------------------------------------------------------
    def _block(self, index: int) -> bytes:
        if self._cache[0] == index:
            return self._cache[1]
        with open(self.path, "rb") as stored:
            stored.seek(index * _STRIDE)
            block = stored.read(_STRIDE)
        try:
            plain = _open_block(self._aead, index, block)
        except ScratchBroken as exc:
            raise ScratchBroken("a block of the scratch file does not open") from exc
        self._cache = (index, plain)
        return plain

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return not self._finished

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, target) -> int:
        if not self._finished:
            self.finish()
        wanted = min(len(target), max(0, self.size - self._pos))
        done = 0
        while done < wanted:
            index, offset = divmod(self._pos, BLOCK)
            piece = self._block(index)[offset : offset + wanted - done]
            if not piece:  # a block shorter than the size says: put back, or cut
                raise ScratchBroken("a block of the scratch file is shorter than it should be")
            target[done : done + len(piece)] = piece
            done += len(piece)
            self._pos += len(piece)
        return done

    def _writer(self):
        if self._out is None:
            self._out = open(self.path, "ab")  # noqa: SIM115 (closed by finish, remove)
        return self._out

    def _close_writer(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def remove(self) -> None:
        self._close_writer()
        if self._finalizer is not None:
            self._finalizer()
        else:
            _unlink(self.path)

    def close(self) -> None:
        self._close_writer()
        super().close()


def _seal_block(aead: AESGCM, index: int, plain, tag: bytes = b"") -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + aead.encrypt(nonce, plain, struct.pack(">Q", index) + tag)


def _open_block(aead: AESGCM, index: int, block: bytes, tag: bytes = b"") -> bytes:
    if len(block) < _NONCE + _ABYTES:
        raise ScratchBroken("a block of the stored file is cut short")
    try:
        return aead.decrypt(block[:_NONCE], block[_NONCE:], struct.pack(">Q", index) + tag)
    except InvalidTag as exc:
        raise ScratchBroken("a block of the stored file does not open") from exc


def _blocks_for(size: int) -> int:
    return -(-size // BLOCK)


def _end_plain(end: bytes, size: int) -> bytes:
    return bytes(end) + struct.pack(">Q", size)


class _Pieces:
    """Exact lengths out of a stream of byte strings of any size."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._buffer = bytearray()

    def take(self, length: int) -> bytes:
        while len(self._buffer) < length:
            chunk = next(self._chunks, None)
            if chunk is None:
                raise ScratchBroken("the stored file is shorter than it should be")
            self._buffer += chunk
        piece = bytes(self._buffer[:length])
        del self._buffer[:length]
        return piece

    def exhausted(self) -> bool:
        return not self._buffer and all(not chunk for chunk in self._chunks)


def blocks_decrypt(chunks: Iterable[bytes], key: bytes, size: int, end: bytes) -> Iterator[bytes]:
    """The plaintext of a scratch file stored as it is (``seal_end``), from its bytes in
    pieces of any size: each block checked, then the end block, which must say ``end``
    and ``size``; ``ScratchBroken`` otherwise. Memory holds a block or a piece."""
    pieces = _Pieces(chunks)
    blocks = _blocks_for(size)
    key = AESGCM(bytes(key))
    for index in range(blocks):
        plain_length = BLOCK if index < blocks - 1 else size - index * BLOCK
        yield _open_block(key, index, pieces.take(_NONCE + plain_length + _ABYTES))
    expected = _end_plain(end, size)
    last = _open_block(key, blocks, pieces.take(_NONCE + len(expected) + _ABYTES), _END)
    if last != expected:
        raise ScratchBroken("the stored file belongs elsewhere, or is not of this size")
    if not pieces.exhausted():
        raise ScratchBroken("the stored file is longer than it should be")
