"""Office Open XML (docx, xlsx): properties, people, pictures and embedded documents."""

import io

from .images import PICTURE_CLEANERS, _is_picture
from .labels import NEUTRAL, OOXML_PROPERTIES
from .limits import MetadataUnreadable, _Budget
from .xml_parts import _emptied, _people_renamed
from .zip_entries import MEDIA_FOLDERS, _cleaned_by, _has_entry, _zip_rewrite

PEOPLE_MARKERS = (b"author", b"initials", b"userId", b"userName", b"displayName", b"absPath")
EMBEDDINGS = ("word/embeddings/", "xl/embeddings/")


def _names_people(name: str) -> bool:
    """OOXML parts that can name the authors of comments and changes."""
    folder, _slash, leaf = name.rpartition("/")
    if folder in ("word", "word/glossary"):
        return leaf.endswith(".xml")
    if folder == "xl":
        return leaf == "workbook.xml" or leaf.startswith("comments") and leaf.endswith(".xml")
    # Excel's comment authors (openpyxl writes them in xl/comments/), persons, threaded
    # comments and shared workbooks' revision logs.
    people = ("xl/comments", "xl/persons", "xl/threadedComments", "xl/revisions")
    return folder in people and leaf.endswith(".xml")


def _ooxml(source, target, budget: _Budget, *, embedded: bool = False) -> list[str]:
    def rule(name: str, head: bytes):
        if name in OOXML_PROPERTIES:
            return _emptied(name)
        if _names_people(name):
            return lambda data: (
                _people_renamed(data, name, elements={"author": NEUTRAL})
                if any(marker in data for marker in PEOPLE_MARKERS)
                else (data, [])
            )
        if name.startswith(MEDIA_FOLDERS) and _is_picture(head):
            return _cleaned_by(PICTURE_CLEANERS[_is_picture(head)], budget)
        if name.startswith(EMBEDDINGS) and head.startswith(b"PK\x03\x04"):
            if embedded:
                raise MetadataUnreadable("an embedded document embeds another")
            return _embedded_package(budget)
        return None

    if not _has_entry(source, "[Content_Types].xml"):
        raise MetadataUnreadable("the file is not an Office Open XML package")
    return _zip_rewrite(source, target, budget, rule)


def _embedded_package(budget: _Budget):
    """An Office document embedded in another (a chart's workbook): cleaned the same
    way, one level down; any other embedded archive is copied as it is."""

    def clean(data: bytes) -> tuple[bytes, list[str]]:
        if not _has_entry(io.BytesIO(data), "[Content_Types].xml"):
            return data, []
        out = io.BytesIO()
        found = _ooxml(io.BytesIO(data), out, budget, embedded=True)
        return out.getvalue(), found

    return clean
