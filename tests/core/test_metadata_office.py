"""Office Open XML and OpenDocument files cleaned of the metadata that names their
author keep their text, their valid parts and the order ODF requires; a malformed
part is refused."""

import io
import zipfile

import openpyxl
import pytest
from lxml import etree
from PIL import Image

from core.metadata import MetadataUnreadable
from tests.core.metadata_support import (
    BODY,
    OFFICE,
    _entries,
    _package,
    docx_naming,
    odf_naming,
    strip,
    xlsx_naming,
)


def test_a_docx_keeps_its_text_and_valid_parts():
    cleaned, removed = strip(docx_naming(), "docx")

    parts = _entries(cleaned)
    assert set(parts) == set(_entries(docx_naming()))  # nothing dropped, nothing added
    for part, data in parts.items():
        if part.endswith((".xml", ".rels")):
            etree.fromstring(data)  # every part still parses
    document = parts["word/document.xml"].decode()
    assert BODY in document and "and its sample" in document
    assert 'mc:Ignorable="w14"' in document  # prefixes kept: Word reads them by name
    assert 'w:author="Author"' in document
    core = etree.fromstring(parts["docProps/core.xml"])
    assert core.tag.endswith("coreProperties") and len(core) == 0
    assert len(etree.fromstring(parts["docProps/custom.xml"])) == 0
    assert Image.open(io.BytesIO(parts["word/media/image1.jpeg"])).size == (40, 30)
    assert set(removed) == {
        "docProps/core.xml",
        "docProps/app.xml",
        "docProps/custom.xml",
        "authors of comments and tracked changes",
        "EXIF",
        "XMP",
        "IPTC",
        "picture comments",
    }


def test_an_xlsx_still_opens_with_its_cells_and_comment():
    cleaned, removed = strip(xlsx_naming(), "xlsx")

    workbook = openpyxl.load_workbook(io.BytesIO(cleaned))
    cell = workbook.active["A1"]
    assert cell.value == BODY
    assert cell.comment.text == "Check the total"
    assert cell.comment.author == "Author"
    assert "the folder it was saved in" in removed


@pytest.mark.parametrize("kind", ["odt", "ods"])
def test_an_opendocument_keeps_mimetype_first_and_stored_and_its_content(kind):
    cleaned, removed = strip(odf_naming(kind), kind)

    with zipfile.ZipFile(io.BytesIO(cleaned)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert not first.extra
        meta = etree.fromstring(archive.read("meta.xml"))
        content = archive.read("content.xml").decode()
    assert cleaned[30:38] == b"mimetype"  # where ODF readers look for it
    assert len(meta.find(f"{{{OFFICE}}}meta")) == 0
    assert BODY in content and "Check this" in content
    assert {"meta.xml", "authors of comments and tracked changes"} <= set(removed)


# --- What is not cleaned is refused, never passed on ---------------------------------


def test_a_malformed_xml_part_is_refused():
    parts = _entries(docx_naming())
    parts["docProps/core.xml"] = b"<cp:coreProperties><unclosed>"
    with pytest.raises(MetadataUnreadable, match="XML"):
        strip(_package(parts), "docx")
