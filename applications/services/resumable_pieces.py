"""Where the pieces of an unfinished upload wait: in private storage, shared by every
web host (issue 25, item 3), so a piece that reaches another host than the last one
finds the upload where it stands.

Each piece is one object, ``partial-uploads/<upload>/<offset>``, encrypted on its own
with AES-256-GCM (pyca's ``cryptography``) under the key only the uploader's page
holds, with a random nonce before it; the upload, the offset and the length are its
associated data, so a piece moved to another place or another upload does not open.
Objects, not an S3 multipart upload: S3 wants parts of at least 5 MB, and a phone
on a slow line sends 1 MB pieces (``UPLOAD_PIECE_BYTES``). The same code runs on a
shared folder (the private storage of hosts without S3).

The server keeps no key: the row holds only a check, a keyed BLAKE2b of a constant,
so a piece sent under another key is refused at once, not at the end.

When the whole file is in, its pieces are read back in order into a scratch file
encrypted under a key of this process alone (``core.sealed_temp``), which the bid's
storage then takes as it is.
"""

import hashlib
import hmac
import os
import struct
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _

from core.errors import StorageUnavailable
from core.sealed_temp import ScratchBroken, SealedScratch
from core.storage import STORAGE_ERRORS, private_object_chunks, private_storage

PREFIX = "partial-uploads"
_NONCE = 12
_READ = 256 * 1024


class PiecesLost(Exception):
    """A piece the row counts is not in storage (or not where it belongs)."""


def _stored_name(upload_id, offset: int) -> str:
    return f"{PREFIX}/{upload_id}/{offset:016d}"


def _folder(upload_id) -> str:
    return f"{PREFIX}/{upload_id}"


def _associated(upload_id, offset: int, length: int) -> bytes:
    return b"zabuni-piece\0" + uuid.UUID(str(upload_id)).bytes + struct.pack(">QQ", offset, length)


def key_check(key: bytes) -> bytes:
    """What the row keeps to recognise the page's key: it reveals nothing of it."""
    return hashlib.blake2b(b"zabuni partial upload", key=key, digest_size=16).digest()


def key_matches(stored_check: bytes, key: bytes) -> bool:
    return hmac.compare_digest(bytes(stored_check), key_check(key))


def _unavailable() -> StorageUnavailable:
    return StorageUnavailable(
        _(
            "We could not keep that piece just now, so it was not counted. Your upload "
            "goes on from where it stood when you try again."
        )
    )


def piece_write(upload_id, offset: int, data: bytes, key: bytes) -> None:
    """Keep one piece, replacing one an unfinished earlier attempt left at ``offset``
    (the caller holds the upload's row lock)."""
    nonce = os.urandom(_NONCE)
    sealed = nonce + AESGCM(key).encrypt(nonce, data, _associated(upload_id, offset, len(data)))
    name = _stored_name(upload_id, offset)
    storage = private_storage()
    try:
        storage.delete(name)
        stored = storage.save(name, ContentFile(sealed))
    except STORAGE_ERRORS as exc:
        raise _unavailable() from exc
    if stored != name:  # a store that renamed it: the finish would not find it
        storage.delete(stored)
        raise _unavailable()


def _listed(upload_id) -> list[str]:
    try:
        return private_storage().listdir(_folder(upload_id))[1]
    except FileNotFoundError:  # a folder never made
        return []


def _offsets(upload_id) -> list[int]:
    files = _listed(upload_id)
    return sorted(int(name) for name in files if name.isdigit())


def pieces_join(upload_id, size: int, key: bytes) -> SealedScratch:
    """The whole file, read back piece by piece into a scratch file whose key never
    leaves this process. ``ScratchBroken``: a piece does not open with ``key``;
    ``PiecesLost``: one is missing; storage errors are raised as they are."""
    scratch = SealedScratch()
    try:
        position = 0
        for offset in _offsets(upload_id):
            if offset >= size:
                break
            if offset != position:
                raise PiecesLost(offset)
            sealed = b"".join(private_object_chunks(_stored_name(upload_id, offset), _READ))
            length = len(sealed) - _NONCE - 16
            try:
                plain = AESGCM(key).decrypt(
                    sealed[:_NONCE], sealed[_NONCE:], _associated(upload_id, offset, length)
                )
            except (InvalidTag, ValueError) as exc:
                raise ScratchBroken("a piece does not open") from exc
            scratch.write(plain)
            position += len(plain)
        if position != size:
            raise PiecesLost(position)
    except BaseException:
        scratch.remove()
        raise
    return scratch.finish()


def pieces_delete(upload_id) -> None:
    """Delete an upload's pieces (and, on a folder, the folder). Raises storage errors."""
    storage = private_storage()
    for name in _listed(upload_id):
        storage.delete(f"{_folder(upload_id)}/{name}")
    if isinstance(storage, FileSystemStorage):  # S3 has no folders to leave behind
        try:
            os.rmdir(storage.path(_folder(upload_id)))
        except OSError:
            pass  # not there, or a piece written since: the sweep comes back


def uploads_with_pieces() -> list[str]:
    """The names of the uploads that have pieces in storage (for the sweep)."""
    try:
        dirs, _files = private_storage().listdir(PREFIX)
    except FileNotFoundError:
        return []
    return dirs
