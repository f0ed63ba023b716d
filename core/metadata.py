"""Copies of a file without the metadata that names its author (issue 24, item 5).

Under blind review a reviewer reads a bid without its applicant's name, but the bid's
files often carry it themselves: a PDF's Author, a Word document's creator and the
authors of its comments and tracked changes, a photograph's EXIF. ``metadata_strip``
writes a copy of a file with those removed and says what it removed; the original is
never changed (it stays the record, with its SHA-256).

What is removed, by type (the keys of ``tenders.choices.ACCEPTED_FILE_TYPES``, given
as a string: core knows no app):

- **pdf** (pikepdf): the document information dictionary, every XMP packet (the
  catalogue's and any object's ``/Metadata``), and the author (``/T``) of markup
  annotations. The file is written anew, so earlier revisions go with them.
- **docx, xlsx** (zipfile and lxml): ``docProps/core.xml``, ``app.xml`` and
  ``custom.xml`` keep their root element and lose every property (each is optional
  in Open Packaging, so the part stays valid, and no typed value is left blank);
  the authors and initials of comments and tracked changes, Word's list of people,
  Excel's comment authors, persons and shared-workbook user names become "Author";
  Excel's record of the folder it was saved in (``x15ac:absPath``) is removed; the
  pictures in ``media`` folders and embedded Office documents are cleaned in turn.
- **odt, ods**: ``meta.xml`` keeps an empty ``office:meta``; the creators of
  annotations and tracked changes, and author fields, become "Author"; pictures
  are cleaned. ``mimetype`` stays the first entry, stored, as ODF requires.
- **jpg, png** (Pillow): the pixels are saved again with no EXIF (but its
  orientation, so the picture stands the right way up), XMP, IPTC, comments or PNG
  text chunks; the colour profile stays. A JPEG keeps its quantisation tables, so
  the copy loses no visible quality.
- **zip**: the archive's comment and its entries' comments go, every entry of an
  accepted type (found by its content, not its name) is cleaned, one level deep,
  and other entries are copied as they are. Entry names stay: they are how the
  reader tells the files apart, and the staff's copy has them too.

Nothing here trusts the file: an archive is inflated against a budget of real bytes
and the ratio limit that ``applications.archives`` applied when it arrived, and a
picture larger than ``MAX_PIXELS`` is refused before it is decoded. A file that does
not parse as its type raises ``MetadataUnreadable`` (a ``ValueError``: this module
knows nothing of requests or who asked; the caller decides what the reader is told),
never a copy left silently uncleaned.
"""

import io
import os
import zipfile
import zlib
from collections.abc import Callable, Iterator

import pikepdf
from django.utils.translation import gettext_noop
from lxml import etree
from PIL import Image

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
ODF_PERSON_FIELDS = {"author-name": NEUTRAL, "author-initials": "A", "initial-creator": NEUTRAL}
PEOPLE_MARKERS = (b"author", b"initials", b"userId", b"userName", b"displayName", b"absPath")
ODF_MARKERS = (b"creator", b"author-name", b"author-initials")
MEDIA_FOLDERS = ("word/media/", "xl/media/", "docProps/thumbnail", "Pictures/", "Thumbnails/")
EMBEDDINGS = ("word/embeddings/", "xl/embeddings/")
ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
MARKUP_ANNOTATIONS = {
    "/Text",
    "/FreeText",
    "/Line",
    "/Square",
    "/Circle",
    "/Polygon",
    "/PolyLine",
    "/Highlight",
    "/Underline",
    "/Squiggly",
    "/StrikeOut",
    "/Stamp",
    "/Caret",
    "/Ink",
    "/FileAttachment",
    "/Sound",
    "/Redact",
    "/Popup",
}


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


def metadata_strip(*, source, target, extension: str, max_expanded_bytes: int) -> list[str]:
    """Write to ``target`` a copy of ``source`` (a path, or a seekable binary stream)
    without the metadata that could name its author, and return what was removed:
    short labels, each once, in the order found ("PDF document information", "XMP",
    "docProps/core.xml"...). An empty list: there was nothing to remove, and the copy
    is still the file saved anew.

    ``extension`` is the file's type, one of ``ACCEPTED_FILE_TYPES``' keys;
    ``target`` a writable binary stream, seekable for the ZIP-based types (so that
    ``mimetype`` is stored as ODF requires). An archive may inflate at most
    ``max_expanded_bytes``, counted as it is read. Raises ``MetadataUnreadable`` for
    a file that cannot be cleaned.
    """
    cleaner = CLEANERS.get(extension.lower().lstrip("."))
    if cleaner is None:
        raise MetadataUnreadable(f"no cleaner for .{extension} files")
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            return _unique(cleaner(stream, target, _Budget(max_expanded_bytes)))
    source.seek(0)
    return _unique(cleaner(source, target, _Budget(max_expanded_bytes)))


def _unique(labels) -> list[str]:
    return list(dict.fromkeys(labels))


# --- PDF ---------------------------------------------------------------------------


def _pdf(source, target, budget: _Budget) -> list[str]:
    removed = []
    try:
        with pikepdf.open(source) as pdf:
            info = pdf.trailer.get("/Info")
            if info is not None:
                if len(info.keys()):
                    removed.append(PDF_INFO)
                del pdf.trailer["/Info"]
            for obj in pdf.objects:
                if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                    continue
                if "/Metadata" in obj:
                    del obj["/Metadata"]
                    removed.append(XMP)
            for page in pdf.pages:  # an annotation may be direct, inside the page's list
                for annotation in page.obj.get("/Annots", []):
                    if not isinstance(annotation, pikepdf.Dictionary):
                        continue
                    if annotation.get("/Subtype") in MARKUP_ANNOTATIONS and "/T" in annotation:
                        if str(annotation["/T"]) != NEUTRAL:
                            removed.append(ANNOTATION_AUTHORS)
                        annotation["/T"] = pikepdf.String(NEUTRAL)
            # Stream data is copied as it is (never decoded: no inflating, no bombs);
            # the PDF/A claim goes with the XMP that carried it.
            pdf.save(
                target,
                preserve_pdfa=False,
                fix_metadata_version=False,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
            )
    except pikepdf.PasswordError as exc:
        raise MetadataUnreadable("the PDF is protected with a password") from exc
    except (pikepdf.PdfError, pikepdf.DataDecodingError, OSError, ValueError) as exc:
        raise MetadataUnreadable(f"the PDF does not open: {exc}") from exc
    return removed


# --- Pictures ----------------------------------------------------------------------


def _jpeg(source, target, budget: _Budget) -> list[str]:
    return _picture(source, target, formats={"JPEG"})


def _png(source, target, budget: _Budget) -> list[str]:
    return _picture(source, target, formats={"PNG"})


def _picture(source, target, *, formats: set[str]) -> list[str]:
    try:
        with Image.open(source, formats=sorted(formats)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise MetadataUnreadable(f"the picture has more than {MAX_PIXELS:,} pixels")
            image.load()  # PNG's text chunks after the pixels are read with them
            removed = _picture_metadata(image)
            if image.format == "PNG":
                _png_save(image, target)
            else:
                _jpeg_save(image, target)
    except MetadataUnreadable:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise MetadataUnreadable(f"the picture does not open: {exc}") from exc
    return removed


def _picture_metadata(image) -> list[str]:
    info = image.info
    markers = {marker for marker, _data in getattr(image, "applist", [])}
    found = []
    if "exif" in info:
        found.append(EXIF)
    if "xmp" in info or any(
        marker == "APP1" and data.startswith(b"http://ns.adobe.com/xap")
        for marker, data in getattr(image, "applist", [])
    ):
        found.append(XMP)
    if "APP13" in markers or "photoshop" in info:
        found.append(IPTC)
    if "comment" in info or "COM" in markers:
        found.append(IMAGE_COMMENTS)
    if image.format == "PNG" and set(getattr(image, "text", {})) - {"XML:com.adobe.xmp"}:
        found.append(PNG_TEXT)
    return found


def _orientation_only(image) -> bytes:
    """EXIF with nothing but the orientation, when it turns the picture: without it the
    copy would show a portrait photograph on its side."""
    orientation = image.getexif().get(0x0112)
    if not orientation or orientation == 1:
        return b""
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def _jpeg_save(image, target) -> None:
    params = {
        "exif": _orientation_only(image),
        "comment": b"",  # Pillow keeps the original's comment unless told otherwise
        "icc_profile": image.info.get("icc_profile"),
        "progressive": bool(image.info.get("progressive")),
    }
    if image.format == "JPEG":  # the same tables: no second loss of quality
        params.update(quality="keep", subsampling="keep")
    else:
        params.update(quality=95)
    if "dpi" in image.info:
        params["dpi"] = image.info["dpi"]
    image.save(target, "JPEG", **params)


def _png_save(image, target) -> None:
    # Pillow writes text chunks and eXIf only when given them; the colour profile and
    # transparency it carries over itself.
    params = {}
    if "dpi" in image.info:
        params["dpi"] = image.info["dpi"]
    exif = _orientation_only(image)
    if exif:
        params["exif"] = exif
    if getattr(image, "is_animated", False):
        params["save_all"] = True
    image.save(target, "PNG", **params)


# --- ZIP-based files ---------------------------------------------------------------


def _inflated(archive, info, budget: _Budget) -> Iterator[bytes]:
    """An entry's bytes as they are inflated, counted against the budget and the ratio
    a decompression bomb gives itself away by."""
    size = 0
    try:
        with archive.open(info) as entry:
            while chunk := entry.read(CHUNK):
                size += len(chunk)
                budget.spend(len(chunk))
                if size > RATIO_APPLIES_ABOVE and size > MAX_RATIO * max(info.compress_size, 1):
                    raise MetadataUnreadable(
                        f"{info.filename[-80:]} expands more than {MAX_RATIO} times"
                    )
                yield chunk
    except RuntimeError as exc:  # zipfile's word for an encrypted entry
        raise MetadataUnreadable("the archive is protected with a password") from exc


def _read(archive, info, budget: _Budget) -> bytes:
    """An entry whole, to be cleaned in memory: bounded by the budget."""
    return b"".join(_inflated(archive, info, budget))


def _head(archive, info) -> bytes:
    try:
        with archive.open(info) as entry:
            return entry.read(8)
    except RuntimeError as exc:
        raise MetadataUnreadable("the archive is protected with a password") from exc


def _fresh_info(info) -> zipfile.ZipInfo:
    """The entry's name, date and permissions, and nothing else: no comment, and no
    extra fields (which can hold the owner's user and group ids)."""
    fresh = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    fresh.external_attr = info.external_attr
    fresh.compress_type = zipfile.ZIP_STORED if info.compress_type == 0 else zipfile.ZIP_DEFLATED
    return fresh


# A rule for one entry: given its name and head, a function from its bytes to the
# cleaned bytes and what was removed; or None to copy it as it is.
EntryRule = Callable[[str, bytes], Callable[[bytes], tuple[bytes, list[str]]] | None]


def _zip_rewrite(source, target, budget: _Budget, rule: EntryRule, *, first=()) -> list[str]:
    """Copy a ZIP-based file entry by entry, each through ``rule``; the names in
    ``first`` go first, stored (ODF's ``mimetype``)."""
    removed = []
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise MetadataUnreadable(f"the archive holds more than {MAX_ENTRIES:,} files")
            if budget.used + sum(i.file_size for i in entries) > budget.limit:
                budget.spend(sum(i.file_size for i in entries))  # says how much is allowed
            if archive.comment:
                removed.append(ARCHIVE_COMMENT)
            if any(i.comment for i in entries):
                removed.append(ENTRY_COMMENTS)
            ordered = [i for i in entries if i.filename in first] + [
                i for i in entries if i.filename not in first
            ]
            with zipfile.ZipFile(target, "w") as out:
                for info in ordered:
                    fresh = _fresh_info(info)
                    if info.filename in first:
                        fresh.compress_type = zipfile.ZIP_STORED
                    if info.is_dir():
                        out.writestr(fresh, b"")
                        continue
                    clean = rule(info.filename, _head(archive, info))
                    if clean is None:
                        with out.open(fresh, "w", force_zip64=info.file_size > 2**31) as copy:
                            for chunk in _inflated(archive, info, budget):
                                copy.write(chunk)
                        continue
                    data, found = clean(_read(archive, info, budget))
                    removed += found
                    out.writestr(fresh, data)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, KeyError) as exc:
        raise MetadataUnreadable(f"the archive does not open: {exc}") from exc
    return removed


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


def _is_picture(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def _cleaned_by(kind: str, budget: _Budget) -> Callable[[bytes], tuple[bytes, list[str]]]:
    def clean(data: bytes) -> tuple[bytes, list[str]]:
        out = io.BytesIO()
        found = CLEANERS[kind](io.BytesIO(data), out, budget)
        return out.getvalue(), found

    return clean


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
            return _cleaned_by(_is_picture(head), budget)
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
            return _cleaned_by(_is_picture(head), budget)
        return None

    if not _has_entry(source, "META-INF/manifest.xml"):
        raise MetadataUnreadable("the file is not an OpenDocument package")
    return _zip_rewrite(source, target, budget, rule, first=("mimetype",))


def _has_entry(source, name: str) -> bool:
    try:
        with zipfile.ZipFile(source) as archive:
            found = name in archive.NameToInfo
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise MetadataUnreadable(f"the archive does not open: {exc}") from exc
    source.seek(0)
    return found


def _package_kind(data: bytes) -> str | None:
    """Which ZIP-based type an archive's entry is, by its content: docx, xlsx, odt,
    ods, or None for a plain archive (an archive in an archive: refused on upload)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            names = set(inner.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names:
                mimetype = inner.read("mimetype")[:100].decode("ascii", "replace").strip()
                return ODF_MIMETYPES.get(mimetype)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        return None
    return None


def _zip(source, target, budget: _Budget) -> list[str]:
    def rule(name: str, head: bytes):
        if head.startswith(b"%PDF-"):
            return _cleaned_by("pdf", budget)
        if picture := _is_picture(head):
            return _cleaned_by(picture, budget)
        if head.startswith(b"PK\x03\x04"):
            return lambda data: _archive_entry(data, name, budget)
        return None

    return _zip_rewrite(source, target, budget, rule)


def _archive_entry(data: bytes, name: str, budget: _Budget) -> tuple[bytes, list[str]]:
    kind = _package_kind(data)
    if kind is None:
        raise MetadataUnreadable(f"{name[-80:]} is an archive inside the archive")
    return _cleaned_by(kind, budget)(data)


CLEANERS = {
    "pdf": _pdf,
    "docx": _ooxml,
    "xlsx": _ooxml,
    "odt": _odf,
    "ods": _odf,
    "zip": _zip,
    "jpg": _jpeg,
    "png": _png,
}
