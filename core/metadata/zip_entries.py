"""ZIP-based files copied entry by entry, each inflated against the budget."""

import io
import zipfile
import zlib
from collections.abc import Callable, Iterator

from .labels import ARCHIVE_COMMENT, ENTRY_COMMENTS
from .limits import CHUNK, MAX_ENTRIES, MAX_RATIO, RATIO_APPLIES_ABOVE, MetadataUnreadable, _Budget

MEDIA_FOLDERS = ("word/media/", "xl/media/", "docProps/thumbnail", "Pictures/", "Thumbnails/")


def _inflated(archive, info, budget: _Budget) -> Iterator[bytes]:
    """An entry's bytes as they are inflated, counted against the budget and the ratio
    a decompression bomb gives itself away by."""
    size = 0
    try:
        with archive.open(info) as entry:
            while chunk := entry.read(CHUNK):
                size += len(chunk)
                budget.spend(len(chunk))
                if size > RATIO_APPLIES_ABOVE and size > MAX_RATIO * max(info.compress_size, 1):
                    raise MetadataUnreadable(
                        f"{info.filename[-80:]} expands more than {MAX_RATIO} times"
                    )
                yield chunk
    except RuntimeError as exc:  # zipfile's word for an encrypted entry
        raise MetadataUnreadable("the archive is protected with a password") from exc


def _read(archive, info, budget: _Budget) -> bytes:
    """An entry whole, to be cleaned in memory: bounded by the budget."""
    return b"".join(_inflated(archive, info, budget))


def _head(archive, info) -> bytes:
    try:
        with archive.open(info) as entry:
            return entry.read(8)
    except RuntimeError as exc:
        raise MetadataUnreadable("the archive is protected with a password") from exc


def _fresh_info(info) -> zipfile.ZipInfo:
    """The entry's name, date and permissions, and nothing else: no comment, and no
    extra fields (which can hold the owner's user and group ids)."""
    fresh = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    fresh.external_attr = info.external_attr
    fresh.compress_type = zipfile.ZIP_STORED if info.compress_type == 0 else zipfile.ZIP_DEFLATED
    return fresh


# A rule for one entry: given its name and head, a function from its bytes to the
# cleaned bytes and what was removed; or None to copy it as it is.
EntryRule = Callable[[str, bytes], Callable[[bytes], tuple[bytes, list[str]]] | None]


def _zip_rewrite(source, target, budget: _Budget, rule: EntryRule, *, first=()) -> list[str]:
    """Copy a ZIP-based file entry by entry, each through ``rule``; the names in
    ``first`` go first, stored (ODF's ``mimetype``)."""
    removed = []
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise MetadataUnreadable(f"the archive holds more than {MAX_ENTRIES:,} files")
            if budget.used + sum(i.file_size for i in entries) > budget.limit:
                budget.spend(sum(i.file_size for i in entries))  # says how much is allowed
            if archive.comment:
                removed.append(ARCHIVE_COMMENT)
            if any(i.comment for i in entries):
                removed.append(ENTRY_COMMENTS)
            ordered = [i for i in entries if i.filename in first] + [
                i for i in entries if i.filename not in first
            ]
            with zipfile.ZipFile(target, "w") as out:
                for info in ordered:
                    fresh = _fresh_info(info)
                    if info.filename in first:
                        fresh.compress_type = zipfile.ZIP_STORED
                    if info.is_dir():
                        out.writestr(fresh, b"")
                        continue
                    clean = rule(info.filename, _head(archive, info))
                    if clean is None:
                        with out.open(fresh, "w", force_zip64=info.file_size > 2**31) as copy:
                            for chunk in _inflated(archive, info, budget):
                                copy.write(chunk)
                        continue
                    data, found = clean(_read(archive, info, budget))
                    removed += found
                    out.writestr(fresh, data)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, KeyError) as exc:
        raise MetadataUnreadable(f"the archive does not open: {exc}") from exc
    return removed


def _has_entry(source, name: str) -> bool:
    try:
        with zipfile.ZipFile(source) as archive:
            found = name in archive.NameToInfo
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise MetadataUnreadable(f"the archive does not open: {exc}") from exc
    source.seek(0)
    return found


def _cleaned_by(cleaner: Callable, budget: _Budget) -> Callable[[bytes], tuple[bytes, list[str]]]:
    """An entry cleaned by another type's cleaner. Given the cleaner itself, not its
    type's name: the table of every cleaner (``CLEANERS``) imports this module."""

    def clean(data: bytes) -> tuple[bytes, list[str]]:
        out = io.BytesIO()
        found = cleaner(io.BytesIO(data), out, budget)
        return out.getvalue(), found

    return clean
