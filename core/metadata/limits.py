"""The limits a file is cleaned within, and the error for one that cannot be cleaned."""

CHUNK = 64 * 1024
# The limits applications.archives applies to an upload: the same ones here, since the
# copy inflates what the upload check inflated, and no more.
MAX_ENTRIES = 10_000
MAX_RATIO = 100
RATIO_APPLIES_ABOVE = 1024 * 1024
# An XML part is rewritten in memory; a part this large is not a real document's.
MAX_XML_PART = 64 * 1024 * 1024
# Pillow's own warning threshold (about 89 million pixels) with a margin: a picture
# beyond it is a decompression bomb sooner than a scan.
MAX_PIXELS = 100_000_000


class MetadataUnreadable(ValueError):
    """The file does not parse as its type (or is protected, or too large to inflate),
    so no copy was made. The message says why, in English, for the log."""


class _Budget:
    """Real bytes inflated so far, across an archive and what is cleaned inside it."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    def spend(self, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise MetadataUnreadable(
                f"it expands to more than {self.limit // (1024 * 1024)} MB when opened"
            )
