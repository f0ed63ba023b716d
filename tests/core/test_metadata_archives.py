"""A ZIP archive cleaned of its comments and of its documents' metadata keeps its
entries' names; one that inflates past its budget or ratio, or holds another
archive, is refused."""

import io
import zipfile

import pikepdf
import pytest

from core.metadata import MetadataUnreadable, metadata_strip
from tests.core.metadata_support import NAME, strip, zip_naming


def test_a_zip_cleans_its_documents_and_loses_its_comments_but_keeps_names():
    cleaned, removed = strip(zip_naming(), "zip")

    with zipfile.ZipFile(io.BytesIO(cleaned)) as archive:
        assert archive.comment == b""
        assert all(not info.comment for info in archive.infolist())
        assert archive.namelist() == [
            "Proposal/technical.docx",
            "Proposal/cv.pdf",
            "Proposal/readme.txt",
        ]
        assert archive.read("Proposal/readme.txt") == b"Two documents for the panel."
        with pikepdf.open(io.BytesIO(archive.read("Proposal/cv.pdf"))) as pdf:
            assert len(pdf.pages) == 1
    assert {"archive comment", "comments on the archive's files"} <= set(removed)
    assert {"docProps/core.xml", "PDF document information"} <= set(removed)


# --- What is not cleaned is refused, never passed on ---------------------------------


def test_an_archive_past_the_budget_is_refused_as_it_inflates():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("filler.txt", b"\0" * (3 * 1024 * 1024))
    with pytest.raises(MetadataUnreadable, match="expands"):
        metadata_strip(
            source=io.BytesIO(out.getvalue()),
            target=io.BytesIO(),
            extension="zip",
            max_expanded_bytes=2 * 1024 * 1024,
        )


def test_an_entry_that_expands_like_a_bomb_is_refused_by_its_ratio():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"\0" * (4 * 1024 * 1024))
    assert len(out.getvalue()) * 100 < 4 * 1024 * 1024  # it is a bomb by its ratio
    with pytest.raises(MetadataUnreadable, match="expands more than"):
        strip(out.getvalue(), "zip")


def test_an_archive_inside_the_archive_is_refused():
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("deeper.txt", NAME)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("nested.zip", inner.getvalue())
    with pytest.raises(MetadataUnreadable, match="archive inside"):
        strip(out.getvalue(), "zip")
