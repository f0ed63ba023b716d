"""Looking inside ZIP-based uploads (DOCX, XLSX, ODT, ODS, ZIP) without trusting them.

A ZIP file says how large its entries are, and may lie. So every entry is
inflated here, in small chunks, against a budget of real bytes: an archive
that would expand past ``ARCHIVE_MAX_UNCOMPRESSED_MB``, or an entry that
expands more than ``MAX_RATIO`` times once past 1 MB, is refused as a
possible decompression bomb before it reaches a reviewer's computer. Nothing
is ever held whole in memory, and no entry is read past what its check needs.

Archives inside archives are refused, with one exception: Office documents
keep embedded objects (a chart's workbook in a DOCX) in their ``embeddings``
folder. Those are inspected in turn, with the same budget, and may not
contain archives themselves.
"""

import zipfile
import zlib

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import Refused

CHUNK = 64 * 1024
MAX_ENTRIES = 10_000
MAX_RATIO = 100
RATIO_APPLIES_ABOVE = 1024 * 1024
EMBEDDING_FOLDERS = ("word/embeddings/", "xl/embeddings/", "ppt/embeddings/")
ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")
ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
NOT_AN_ARCHIVE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, KeyError)


class _Budget:
    """Real bytes inflated so far, across the archive and what it embeds."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0


def archive_kind(fileobj, *, label: str) -> str | None:
    """The kind of ZIP-based file ``fileobj`` is ("docx", "xlsx", "odt", "ods" or
    "zip"), or None if it is not a readable ZIP. Refuses, with a message for
    the applicant, an archive that could harm whoever opens it."""
    limit = settings.ARCHIVE_MAX_UNCOMPRESSED_MB * 1024 * 1024
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            _inspect(archive, label=label, budget=_Budget(limit), embedded=False)
            kind = _kind(archive, names)
    except NOT_AN_ARCHIVE:
        kind = None
    except RuntimeError as error:  # an encrypted entry: nothing can be checked
        if "encrypted" not in str(error) and "password" not in str(error):
            raise
        raise Refused(
            _("%(doc)s: the file is protected with a password; send it without one.")
            % {"doc": label}
        ) from error
    fileobj.seek(0)
    return kind


def _kind(archive, names: set[str]) -> str:
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names:
        with archive.open("mimetype") as entry:
            mimetype = entry.read(100).decode("ascii", "replace").strip()
        if mimetype in ODF_MIMETYPES:
            return ODF_MIMETYPES[mimetype]
    return "zip"


def _inspect(archive, *, label: str, budget: _Budget, embedded: bool) -> None:
    entries = [info for info in archive.infolist() if not info.is_dir()]
    if len(entries) > MAX_ENTRIES:
        raise Refused(
            _("%(doc)s: the archive holds more than %(n)s files; send fewer.")
            % {"doc": label, "n": f"{MAX_ENTRIES:,}"}
        )
    if sum(info.file_size for info in entries) + budget.used > budget.limit:
        raise _too_large(label, budget)
    for info in entries:
        head = _inflate(archive, info, label=label, budget=budget)
        if head.startswith(ARCHIVE_MAGIC):
            if embedded or not info.filename.startswith(EMBEDDING_FOLDERS):
                raise Refused(
                    _(
                        "%(doc)s: the file contains another archive (%(name)s). "
                        "Send its documents directly, not packed inside each other."
                    )
                    % {"doc": label, "name": info.filename[-80:]}
                )
            _inspect_embedded(archive, info, label=label, budget=budget)


def _inflate(archive, info, *, label: str, budget: _Budget) -> bytes:
    """Read one entry through, counting real bytes; return its first bytes."""
    head = b""
    size = 0
    with archive.open(info) as entry:
        while chunk := entry.read(CHUNK):
            if not head:
                head = chunk[:8]
            size += len(chunk)
            budget.used += len(chunk)
            if budget.used > budget.limit:
                raise _too_large(label, budget)
            if size > RATIO_APPLIES_ABOVE and size > MAX_RATIO * max(info.compress_size, 1):
                raise Refused(
                    _(
                        "%(doc)s: part of the file (%(name)s) expands more than %(ratio)s "
                        "times, as decompression bombs do, so it was refused."
                    )
                    % {"doc": label, "name": info.filename[-80:], "ratio": MAX_RATIO}
                )
    return head


def _inspect_embedded(archive, info, *, label: str, budget: _Budget) -> None:
    """An Office document's embedded package: the same checks, one level down."""
    with archive.open(info) as entry:
        try:
            with zipfile.ZipFile(entry) as inner:
                _inspect(inner, label=label, budget=budget, embedded=True)
        except NOT_AN_ARCHIVE:
            return  # not a ZIP (a gzip stream, say): its bytes were already bounded


def _too_large(label: str, budget: _Budget) -> Refused:
    return Refused(
        _(
            "%(doc)s: the file would expand to more than %(limit)s MB when opened, as "
            "decompression bombs do, so it was refused. Send it in smaller parts."
        )
        % {"doc": label, "limit": budget.limit // (1024 * 1024)}
    )
