"""Copies of a file without the metadata that names its author (issue 24, item 5).

Under blind review a reviewer reads a bid without its applicant's name, but the bid's
files often carry it themselves: a PDF's Author, a Word document's creator and the
authors of its comments and tracked changes, a photograph's EXIF. ``metadata_strip``
writes a copy of a file with those removed and says what it removed; the original is
never changed (it stays the record, with its SHA-256).

What is removed, by type (the keys of ``tenders.choices.ACCEPTED_FILE_TYPES``, given
as a string: core knows no app):

- **pdf** (pikepdf): the document information dictionary, every XMP packet (the
  catalogue's and any object's ``/Metadata``), and the author (``/T``) of markup
  annotations. The file is written anew, so earlier revisions go with them.
- **docx, xlsx** (zipfile and lxml): ``docProps/core.xml``, ``app.xml`` and
  ``custom.xml`` keep their root element and lose every property (each is optional
  in Open Packaging, so the part stays valid, and no typed value is left blank);
  the authors and initials of comments and tracked changes, Word's list of people,
  Excel's comment authors, persons and shared-workbook user names become "Author";
  Excel's record of the folder it was saved in (``x15ac:absPath``) is removed; the
  pictures in ``media`` folders and embedded Office documents are cleaned in turn.
- **odt, ods**: ``meta.xml`` keeps an empty ``office:meta``; the creators of
  annotations and tracked changes, and author fields, become "Author"; pictures
  are cleaned. ``mimetype`` stays the first entry, stored, as ODF requires.
- **jpg, png** (Pillow): the pixels are saved again with no EXIF (but its
  orientation, so the picture stands the right way up), XMP, IPTC, comments or PNG
  text chunks; the colour profile stays. A JPEG keeps its quantisation tables, so
  the copy loses no visible quality.
- **zip**: the archive's comment and its entries' comments go, every entry of an
  accepted type (found by its content, not its name) is cleaned, one level deep,
  and other entries are copied as they are. Entry names stay: they are how the
  reader tells the files apart, and the staff's copy has them too.

Nothing here trusts the file: an archive is inflated against a budget of real bytes
and the ratio limit that ``applications.archives`` applied when it arrived, and a
picture larger than ``MAX_PIXELS`` is refused before it is decoded. A file that does
not parse as its type raises ``MetadataUnreadable`` (a ``ValueError``: this module
knows nothing of requests or who asked; the caller decides what the reader is told),
never a copy left silently uncleaned.
"""

import os

from .archives import _zip
from .images import _jpeg, _png
from .limits import MetadataUnreadable, _Budget
from .office import _ooxml
from .opendocument import _odf
from .pdf import _pdf

__all__ = ["CLEANERS", "MetadataUnreadable", "metadata_strip"]


def metadata_strip(*, source, target, extension: str, max_expanded_bytes: int) -> list[str]:
    """Write to ``target`` a copy of ``source`` (a path, or a seekable binary stream)
    without the metadata that could name its author, and return what was removed:
    short labels, each once, in the order found ("PDF document information", "XMP",
    "docProps/core.xml"...). An empty list: there was nothing to remove, and the copy
    is still the file saved anew.

    ``extension`` is the file's type, one of ``ACCEPTED_FILE_TYPES``' keys;
    ``target`` a writable binary stream, seekable for the ZIP-based types (so that
    ``mimetype`` is stored as ODF requires). An archive may inflate at most
    ``max_expanded_bytes``, counted as it is read. Raises ``MetadataUnreadable`` for
    a file that cannot be cleaned.
    """
    cleaner = CLEANERS.get(extension.lower().lstrip("."))
    if cleaner is None:
        raise MetadataUnreadable(f"no cleaner for .{extension} files")
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            return _unique(cleaner(stream, target, _Budget(max_expanded_bytes)))
    source.seek(0)
    return _unique(cleaner(source, target, _Budget(max_expanded_bytes)))


def _unique(labels) -> list[str]:
    return list(dict.fromkeys(labels))


CLEANERS = {
    "pdf": _pdf,
    "docx": _ooxml,
    "xlsx": _ooxml,
    "odt": _odf,
    "ods": _odf,
    "zip": _zip,
    "jpg": _jpeg,
    "png": _png,
}
