"""Copies that name nobody (issue 24, item 5): a file of every accepted type, with its
author's name in every metadata field the type has, comes out of ``metadata_strip``
with the name nowhere in its bytes (nor in any entry of an archive, nor in any stream
of a PDF), and still opens as what it is.

Each type's own checks (the file still opens as what it is, what it keeps) are in
test_metadata_pdf_and_images.py, test_metadata_office.py and
test_metadata_archives.py; the builders in metadata_support.py."""

import pytest

from core.metadata import MetadataUnreadable
from tests.core.metadata_support import BUILDERS, names, strip

# --- Every type, every field ------------------------------------------------------


@pytest.mark.parametrize("extension", sorted(BUILDERS))
def test_a_cleaned_copy_names_nobody_where_the_original_did(extension):
    original = BUILDERS[extension]()

    cleaned, removed = strip(original, extension)

    assert names(original), "the test file must name its author to begin with"
    assert not names(cleaned)
    assert removed
    assert cleaned != original


# --- What is not cleaned is refused, never passed on ---------------------------------


@pytest.mark.parametrize("extension", sorted(BUILDERS))
def test_a_file_that_is_not_its_type_is_refused(extension):
    with pytest.raises(MetadataUnreadable):
        strip(b"%PDF-1.4 this is not really anything at all" * 10, extension)


def test_an_unknown_type_is_refused():
    with pytest.raises(MetadataUnreadable):
        strip(b"hello", "exe")
