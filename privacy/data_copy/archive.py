"""Writing one person's data copy as a ZIP, into a file the caller opened.

The ZIP is written member by member and each file chunk by chunk, into ``target`` (a
temporary file on disk): a copy of many megabytes never sits in memory. Nothing is
written to the database here; the caller records what left (``CopyReport``).
"""

import json
import logging
import re
import zipfile
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from applications.sealed_files import is_readable, plaintext_chunks, verify
from applications.sealing import SealBroken
from privacy.data_copy.contents import (
    BROKEN_FILE,
    PURGED_FILE,
    SEALED_FILE,
    account_record,
    bid_folder,
    bid_record,
    file_entry,
    mail_records,
    own_submissions,
    readme_text,
)

logger = logging.getLogger(__name__)

# Anything but letters, digits, spaces and a few marks becomes "_": a member's name
# cannot climb out of its folder, or carry a control character.
_UNSAFE = re.compile(r"[^\w .,()+-]+")


@dataclass
class CopyReport:
    """What of the person's files went into the copy, and what failed its check."""

    copied: list = field(default_factory=list)
    broken: list = field(default_factory=list)  # (file, what was wrong)


def _safe(name: str, limit: int = 120) -> str:
    cleaned = _UNSAFE.sub("_", name).strip(" .") or "_"
    return cleaned[:limit]


def _unique(name: str, taken: set) -> str:
    """``name``, or ``name (2)``…, not yet in ``taken`` (a file replaced and one waiting
    for Resubmit may carry the same names)."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem} ({n}){dot}{extension}"
    taken.add(candidate)
    return candidate


def _write_json(archive, name: str, data) -> None:
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    archive.writestr(name, text + "\n")


def _write_file(archive, name: str, item) -> None:
    # Stored, not deflated: PDFs, spreadsheets and archives are compressed already, and
    # deflating them again costs the worker time for nothing.
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    with archive.open(info, "w", force_zip64=True) as member:
        for chunk in plaintext_chunks(item):
            member.write(chunk)


def data_copy_write(target, *, user, own_keys: dict[int, bytes]) -> CopyReport:
    """Write ``user``'s data copy into ``target``, an open binary file.

    ``own_keys`` holds, by submission id, the keys the person's browser sent for
    their sealed answers; the worker has none. A store that fails raises one of
    ``core.storage.STORAGE_ERRORS``; the caller discards ``target``.
    """
    report = CopyReport()
    made_at = timezone.now()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        archive.writestr("README.txt", readme_text(user=user, made_at=made_at))
        _write_json(archive, "account.json", account_record(user))
        for submission in own_submissions(user):
            folder = f"bids/{_safe(bid_folder(submission))}"
            taken: set[str] = set()
            entries = []
            files = sorted(submission.files.all(), key=lambda f: (f.document_name, f.pending))
            for item in files:
                entry = file_entry(item)
                entries.append(entry)
                if item.purged_at is not None:
                    entry["in_this_copy"], entry["note"] = None, str(PURGED_FILE)
                    continue
                if not is_readable(item):
                    entry["in_this_copy"], entry["note"] = None, str(SEALED_FILE)
                    continue
                try:
                    # Read whole once and checked before any of it goes in, as a download is.
                    verify(item)
                except SealBroken as exc:
                    logger.error("Data copy: file %s failed its integrity check: %s", item.pk, exc)
                    report.broken.append((item, str(exc)))
                    entry["in_this_copy"], entry["note"] = None, str(BROKEN_FILE)
                    continue
                name = _unique(_safe(f"{item.document_name}__{item.original_name}", 200), taken)
                _write_file(archive, f"{folder}/files/{name}", item)
                entry["in_this_copy"] = f"files/{name}"
                report.copied.append(item)
            record = bid_record(submission, own_key=own_keys.get(submission.pk), files=entries)
            _write_json(archive, f"{folder}/bid.json", record)
        for name, text in mail_records(user):
            archive.writestr(name, text)
    return report
