"""OpenDocument (odt, ods): meta.xml, the creators of annotations and changes, pictures."""

from .images import PICTURE_CLEANERS, _is_picture
from .labels import NEUTRAL, ODF_META
from .limits import MetadataUnreadable, _Budget
from .xml_parts import PERSON_ELEMENTS, _emptied, _people_renamed
from .zip_entries import MEDIA_FOLDERS, _cleaned_by, _has_entry, _zip_rewrite

ODF_PERSON_FIELDS = {"author-name": NEUTRAL, "author-initials": "A", "initial-creator": NEUTRAL}
ODF_MARKERS = (b"creator", b"author-name", b"author-initials")


def _odf(source, target, budget: _Budget) -> list[str]:
    people = {**PERSON_ELEMENTS, **ODF_PERSON_FIELDS}
    people.pop("author")

    def rule(name: str, head: bytes):
        if name == "meta.xml":
            return _emptied(
                ODF_META, under="{urn:oasis:names:tc:opendocument:xmlns:office:1.0}meta"
            )
        if name in ("content.xml", "styles.xml"):
            return lambda data: (
                _people_renamed(data, name, elements=people)
                if any(marker in data for marker in ODF_MARKERS)
                else (data, [])
            )
        if name.startswith(MEDIA_FOLDERS) and _is_picture(head):
            return _cleaned_by(PICTURE_CLEANERS[_is_picture(head)], budget)
        return None

    if not _has_entry(source, "META-INF/manifest.xml"):
        raise MetadataUnreadable("the file is not an OpenDocument package")
    return _zip_rewrite(source, target, budget, rule, first=("mimetype",))
