"""PDFs and pictures cleaned of the metadata that names their author still open as
what they are, with their pages and pixels; a PDF that does not open is refused."""

import io

import pikepdf
import pytest
from PIL import Image

from core.metadata import MetadataUnreadable, metadata_strip
from tests.core.metadata_support import BODY, LIMIT, jpeg_naming, pdf_naming, png_naming, strip


def test_a_pdf_loses_its_information_xmp_and_annotation_authors_and_still_opens(tmp_path):
    source = tmp_path / "proposal.pdf"
    source.write_bytes(pdf_naming())
    out = io.BytesIO()

    removed = metadata_strip(source=source, target=out, extension="pdf", max_expanded_bytes=LIMIT)

    assert removed == ["PDF document information", "XMP", "authors of annotations"]
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root
        assert len(pdf.pages) == 1
        assert BODY.encode() in pdf.pages[0].Contents.read_bytes()
        assert str(pdf.pages[0].Annots[0].Contents) == "Check the sample size"


def test_a_jpeg_keeps_its_pixels_size_and_orientation_only():
    original = jpeg_naming(orientation=6)

    cleaned, removed = strip(original, "jpg")

    assert removed == ["EXIF", "XMP", "IPTC", "picture comments"]
    with Image.open(io.BytesIO(cleaned)) as image, Image.open(io.BytesIO(original)) as before:
        assert image.format == "JPEG" and image.size == (40, 30)
        assert dict(image.getexif()) == {0x0112: 6}  # still stands the right way up
        assert "comment" not in image.info and "xmp" not in image.info
        assert image.quantization == before.quantization  # no second loss of quality


def test_a_png_keeps_its_transparency():
    cleaned, removed = strip(png_naming(), "png")

    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.mode == "RGBA" and image.getpixel((0, 0)) == (0, 90, 200, 128)
        assert not image.text
    assert set(removed) == {"EXIF", "XMP", "PNG text chunks"}


# --- What is not cleaned is refused, never passed on ---------------------------------


def test_a_truncated_pdf_is_refused():
    with pytest.raises(MetadataUnreadable):
        strip(pdf_naming()[:200], "pdf")


def test_an_encrypted_pdf_needing_a_password_is_refused():
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_naming())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    with pytest.raises(MetadataUnreadable, match="password"):
        strip(out.getvalue(), "pdf")
