"""Checking and storing uploaded files.

A file is judged by its content, not its name: the extension must be one the
requirement accepts *and* the first bytes must say the same thing. Files are
read in chunks from Django's temporary upload file, never whole into memory.
"""

import hashlib
import os
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from applications.archives import archive_kind
from applications.models.submissions import new_object_name
from applications.sealed_files import BLOCKS, STREAM, binding, store_scratch, store_sealed
from core.errors import Refused, StorageUnavailable
from core.storage import STORAGE_ERRORS, delete_quietly, private_storage
from tenders.choices import ACCEPTED_FILE_TYPES

CHUNK = 1024 * 1024
MAX_NAME_LENGTH = 150


@dataclass
class StagedFile:
    object_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    call_key_id: int | None = None
    sealed_key: bytes | None = None
    sealed_format: str = ""


# Characters that draw nothing, though Unicode calls them letters or spaces: a
# name made only of them looks blank in a list of files.
INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e", "\u034f"}
MAX_EXTENSION_LENGTH = 16


def sanitise_filename(name: str) -> str:
    """A display name safe to show and to put in a header.

    Drops any path (both separators), control and format characters, and
    leading dots; normalises Unicode; keeps the extension when shortening,
    unless the "extension" is itself too long to be one. A name that would
    show as blank becomes "file" (with its extension).
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.replace('"', "'").strip().lstrip(".").strip()
    name = " ".join(name.split())
    stem, ext = os.path.splitext(name)
    if len(ext) > MAX_EXTENSION_LENGTH:
        stem, ext = name, ""
    if not "".join(ch for ch in stem if ch not in INVISIBLE).strip(" ."):
        stem = "file"
    if len(stem) + len(ext) > MAX_NAME_LENGTH:
        stem = stem[: MAX_NAME_LENGTH - len(ext)]
    return stem + ext


def sizes_to_compare(size: int, limit_bytes: int) -> tuple[str, str]:
    """A file's size and the limit, shown so that they differ visibly:
    ("10.04 MB", "10 MB"), never ("10.0 MB", "10 MB"); in bytes if it comes to that."""
    limit = f"{limit_bytes / 1048576:g}"
    for places in (1, 2, 3):
        shown = f"{size / 1048576:.{places}f}"
        if shown.rstrip("0").rstrip(".") != limit:
            return f"{shown} MB", f"{limit} MB"
    return f"{size:,} bytes", f"{limit_bytes:,} bytes ({limit} MB)"


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def sniff_type(fileobj, *, label: str = "") -> str | None:
    """The file type its content shows, as one of ACCEPTED_FILE_TYPES' keys, or None.

    A ZIP-based file is looked through entry by entry (``applications.archives``),
    which refuses archive bombs and nested archives with a message naming ``label``.
    """
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpg"
    elif head.startswith(b"PK\x03\x04"):
        kind = archive_kind(fileobj, label=label or _("The file"))
    fileobj.seek(0)
    return kind


def check_upload(uploaded, *, accepted: list[str], max_bytes: int, label: str) -> str:
    """Check an upload against a requirement; return its sanitised display name."""
    name = sanitise_filename(uploaded.name)
    size = uploaded.size or 0
    if size == 0:
        raise Refused(_("%(doc)s: the file is empty.") % {"doc": label})
    if size > max_bytes:
        shown, limit = sizes_to_compare(size, max_bytes)
        raise Refused(
            _("%(doc)s: the file is %(size)s; the limit is %(limit)s.")
            % {"doc": label, "size": shown, "limit": limit}
        )
    ext = extension_of(name)
    accepted_list = ", ".join(t.upper() for t in accepted)
    if ext not in accepted:
        raise Refused(
            _("%(doc)s: a .%(ext)s file is not accepted; send %(types)s.")
            % {"doc": label, "ext": ext or "?", "types": accepted_list}
        )
    found = sniff_type(uploaded, label=label)
    if found != ext:
        raise Refused(
            _("%(doc)s: the file is named .%(ext)s but its content is not a %(type)s file.")
            % {"doc": label, "ext": ext, "type": ext.upper()}
        )
    return name


def store_upload(
    uploaded, *, call_id: int, display_name: str, call_key=None, submission_id=None
) -> StagedFile:
    """Hash and write an upload to private storage under a new UUID name: encrypted to
    ``call_key`` (``applications.sealed_files``), or as it is for a call published before
    calls were keyed."""
    sha256 = getattr(uploaded, "sha256_hex", None)  # hashed as it arrived (core.uploadhandler)
    if sha256 is None:
        digest = hashlib.sha256()
        uploaded.seek(0)
        for chunk in uploaded.chunks(CHUNK):
            digest.update(chunk)
        sha256 = digest.hexdigest()
    uploaded.seek(0)
    content_type = ACCEPTED_FILE_TYPES[extension_of(display_name)]
    # Stored and served as what the content is, not what the browser claimed.
    uploaded.content_type = content_type
    sealed_key, sealed_format = None, STREAM
    scratch = getattr(uploaded, "scratch", None)
    try:
        if call_key is None:
            object_name = private_storage().save(new_object_name(call_id), uploaded)
        elif scratch is not None and scratch.key_private:  # encrypted once, written once
            object_name, sealed_key = store_scratch(
                scratch,
                object_name=new_object_name(call_id),
                call_public_key=call_key.public_key,
                bound_to=binding(submission_id, sha256),
            )
            sealed_format = BLOCKS
        else:
            object_name, sealed_key = store_sealed(
                uploaded,
                object_name=new_object_name(call_id),
                call_public_key=call_key.public_key,
                bound_to=binding(submission_id, sha256),
            )
    except STORAGE_ERRORS as exc:
        raise StorageUnavailable(
            _(
                "We could not store your files just now, so nothing was saved. Please try again "
                "in a few minutes."
            )
        ) from exc
    return StagedFile(
        object_name=object_name,
        original_name=display_name,
        content_type=content_type,
        size=uploaded.size,
        sha256=sha256,
        call_key_id=getattr(call_key, "pk", None),
        sealed_key=sealed_key,
        sealed_format=sealed_format,
    )


def discard_staged(staged: list[StagedFile]) -> None:
    delete_quietly([item.object_name for item in staged], what="staged upload")
