"""Plain ZIP archives: comments removed, each entry of an accepted type cleaned."""

import io
import zipfile
import zlib

from .images import PICTURE_CLEANERS, _is_picture
from .limits import MetadataUnreadable, _Budget
from .office import _ooxml
from .opendocument import _odf
from .pdf import _pdf
from .zip_entries import _cleaned_by, _zip_rewrite

ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# The cleaner for each kind ``_package_kind`` finds.
PACKAGE_CLEANERS = {"docx": _ooxml, "xlsx": _ooxml, "odt": _odf, "ods": _odf}


def _package_kind(data: bytes) -> str | None:
    """Which ZIP-based type an archive's entry is, by its content: docx, xlsx, odt,
    ods, or None for a plain archive (an archive in an archive: refused on upload)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            names = set(inner.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names:
                mimetype = inner.read("mimetype")[:100].decode("ascii", "replace").strip()
                return ODF_MIMETYPES.get(mimetype)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        return None
    return None


def _zip(source, target, budget: _Budget) -> list[str]:
    def rule(name: str, head: bytes):
        if head.startswith(b"%PDF-"):
            return _cleaned_by(_pdf, budget)
        if picture := _is_picture(head):
            return _cleaned_by(PICTURE_CLEANERS[picture], budget)
        if head.startswith(b"PK\x03\x04"):
            return lambda data: _archive_entry(data, name, budget)
        return None

    return _zip_rewrite(source, target, budget, rule)


def _archive_entry(data: bytes, name: str, budget: _Budget) -> tuple[bytes, list[str]]:
    kind = _package_kind(data)
    if kind is None:
        raise MetadataUnreadable(f"{name[-80:]} is an archive inside the archive")
    return _cleaned_by(PACKAGE_CLEANERS[kind], budget)(data)
