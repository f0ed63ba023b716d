"""What was removed, as the reader is told, and what a person's name becomes."""

from django.utils.translation import gettext_noop

# What was removed, as the reader is told (gettext at display: CleanCopy.removed_labels).
PDF_INFO = gettext_noop("PDF document information")
XMP = "XMP"
ANNOTATION_AUTHORS = gettext_noop("authors of annotations")
OOXML_PROPERTIES = ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml")
PEOPLE = gettext_noop("authors of comments and tracked changes")
FOLDER = gettext_noop("the folder it was saved in")
ODF_META = "meta.xml"
EXIF = "EXIF"
IPTC = "IPTC"
IMAGE_COMMENTS = gettext_noop("picture comments")
PNG_TEXT = gettext_noop("PNG text chunks")
ARCHIVE_COMMENT = gettext_noop("archive comment")
ENTRY_COMMENTS = gettext_noop("comments on the archive's files")

NEUTRAL = "Author"
