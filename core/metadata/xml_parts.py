"""XML parts of a package, parsed safely and rewritten: emptied, or naming nobody."""

from collections.abc import Callable

from lxml import etree

from .labels import FOLDER, NEUTRAL, PEOPLE
from .limits import MAX_XML_PART, MetadataUnreadable

# Attributes that hold a person (by local name, whatever the prefix), and what they
# become: Word's w:author/w:initials and w15:person, Excel's persons and shared
# workbooks' user names. Only read in the parts ``_names_people`` lists.
PERSON_ATTRIBUTES = {
    "author": NEUTRAL,
    "initials": "A",
    "userId": "",
    "userName": NEUTRAL,
    "displayName": NEUTRAL,
}
# Elements whose text is a person: Excel's comment authors, ODF's creators and fields.
PERSON_ELEMENTS = {"author": NEUTRAL, "creator": NEUTRAL, "creator-initials": "A"}


def _parse(data: bytes, name: str):
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    if len(data) > MAX_XML_PART:
        raise MetadataUnreadable(f"{name[-80:]} is too large to clean")
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise MetadataUnreadable(f"{name[-80:]} is not well-formed XML: {exc}") from exc


def _serialise(root) -> bytes:
    tree = root.getroottree()
    return etree.tostring(
        tree, xml_declaration=True, encoding="UTF-8", standalone=tree.docinfo.standalone
    )


def _emptied(label: str, *, under=None) -> Callable[[bytes], tuple[bytes, list[str]]]:
    """A part that keeps its root (or its ``under`` element) with no content."""

    def clean(data: bytes) -> tuple[bytes, list[str]]:
        root = _parse(data, label)
        holders = [root] if under is None else list(root.iter(under))
        found = []
        for holder in holders:
            if len(holder) or (holder.text or "").strip():
                found = [label]
            for child in list(holder):
                holder.remove(child)
            holder.text = None
        return _serialise(root), found

    return clean


def _local(name) -> str:
    return etree.QName(name).localname


def _people_renamed(data: bytes, name: str, *, elements: dict) -> tuple[bytes, list[str]]:
    """Every person an XML part names, made neutral; Excel's saved folder removed."""
    root = _parse(data, name)
    found = []
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue  # a comment or processing instruction
        local = _local(element.tag)
        if local == "absPath":
            element.getparent().remove(element)
            found.append(FOLDER)
            continue
        for attribute, value in element.attrib.items():
            neutral = PERSON_ATTRIBUTES.get(_local(attribute))
            if neutral is not None and value != neutral:
                element.set(attribute, neutral)
                found.append(PEOPLE)
        neutral = elements.get(local)
        if neutral is not None and (element.text or "") != neutral and len(element) == 0:
            if (element.text or "").strip():
                found.append(PEOPLE)
            element.text = neutral
    return _serialise(root), found
