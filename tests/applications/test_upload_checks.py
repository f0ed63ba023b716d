"""The building blocks of an upload: a file name made safe, and a file's type told
from its content (the upload flow through the bid form is in test_uploads.py).
"""

import io

import pytest

from applications.uploads import sanitise_filename, sniff_type
from tests.applications.upload_support import nfd
from tests.factories import (
    docx_bytes,
    jpg_bytes,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    xlsx_bytes,
    zip_bytes,
)

# --- The building blocks -------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("proposal.pdf", "proposal.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\win.pdf", "win.pdf"),
        ("C:\\Users\\Wambui\\Documents\\CV.pdf", "CV.pdf"),
        ("bad\x00name\x1f.pdf", "badname.pdf"),
        ("bad\nname\r.pdf", "badname.pdf"),
        ("ripoti\u202efdp.pdf", "ripotifdp.pdf"),
        ("Pendekezo – ripoti ya Nairobi ✓.pdf", "Pendekezo – ripoti ya Nairobi ✓.pdf"),
        (nfd("café.pdf"), "café.pdf"),
        ('say "hello".pdf', "say 'hello'.pdf"),
        ("   many    spaces   .pdf", "many spaces .pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("../..", "file"),
        ("", "file"),
        (None, "file"),
    ],
)
def test_sanitise_filename(given, expected):
    assert sanitise_filename(given) == expected


def test_sanitise_filename_shortens_a_long_name_but_keeps_its_extension():
    name = sanitise_filename("ripoti " * 60 + ".docx")

    assert len(name) <= 150
    assert name.endswith(".docx")
    assert name.startswith("ripoti ripoti")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (pdf_bytes(), "pdf"),
        (docx_bytes(), "docx"),
        (xlsx_bytes(), "xlsx"),
        (odt_bytes(), "odt"),
        (png_bytes(), "png"),
        (jpg_bytes(), "jpg"),
        (zip_bytes({"notes.txt": b"x"}), "zip"),
        (b"PK\x03\x04 but not really a zip file", None),
        (b"plain text, no magic", None),
        (b"", None),
    ],
    ids=["pdf", "docx", "xlsx", "odt", "png", "jpg", "zip", "broken-zip", "text", "empty"],
)
def test_sniff_type_reads_the_content_and_rewinds(content, kind):
    fileobj = io.BytesIO(content)
    fileobj.seek(3 if content else 0)

    assert sniff_type(fileobj) == kind
    assert fileobj.tell() == 0
