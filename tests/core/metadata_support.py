"""Files of every accepted type that name their author in every metadata field the
type has, and the means to look for the name in every form a reader's tools show:
the builders of the test_metadata*.py files.

The builders here are also used by tests/applications/test_clean_copies.py."""

import io
import zipfile

import openpyxl
import pikepdf
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from PIL import Image, PngImagePlugin

from core.metadata import metadata_strip

NAME = "Wanjiru Otieno Consulting"
BODY = "Our methodology for the survey"
LIMIT = 50 * 1024 * 1024


# --- Files that name their author everywhere ----------------------------------------


def pdf_naming(name: str = NAME) -> bytes:
    """A one-page PDF: document information, XMP and an annotation's author name
    ``name``; written uncompressed, so the name is in its raw bytes."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    page.Contents = pdf.make_stream(f"BT /F1 12 Tf 72 770 Td ({BODY}) Tj ET".encode())
    page.Annots = pdf.make_indirect(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Text,
                Rect=[10, 10, 30, 30],
                T=name,
                Contents="Check the sample size",
            )
        ]
    )
    for key in ("Author", "Creator", "Producer", "Title", "Subject", "Keywords"):
        pdf.docinfo[f"/{key}"] = name
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:creator"] = [name]
        meta["xmp:CreatorTool"] = name
        meta["pdf:Producer"] = name
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def jpeg_naming(name: str = NAME, *, orientation: int = 1) -> bytes:
    """A JPEG with EXIF (Artist, Copyright, description, XPAuthor), XMP, IPTC By-line
    (APP13) and a comment, each naming ``name``."""
    image = Image.new("RGB", (40, 30), (200, 120, 40))
    exif = Image.Exif()
    exif[0x013B] = name  # Artist
    exif[0x8298] = name  # Copyright
    exif[0x010E] = name  # ImageDescription
    exif[0x9C9D] = name.encode("utf-16-le") + b"\0\0"  # XPAuthor
    if orientation != 1:
        exif[0x0112] = orientation
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator>{name}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()
    byline = name.encode()
    iptc = b"\x1c\x02\x50" + len(byline).to_bytes(2, "big") + byline
    resource = b"8BIM\x04\x04\x00\x00" + len(iptc).to_bytes(4, "big") + iptc
    if len(iptc) % 2:
        resource += b"\0"
    app13 = b"Photoshop 3.0\x00" + resource
    extra = b"\xff\xed" + (len(app13) + 2).to_bytes(2, "big") + app13
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, xmp=xmp, comment=name.encode(), extra=extra)
    return out.getvalue()


def png_naming(name: str = NAME) -> bytes:
    """A PNG with tEXt, iTXt, zTXt, XMP (iTXt) and eXIf chunks naming ``name``."""
    image = Image.new("RGBA", (20, 10), (0, 90, 200, 128))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", name)
    info.add_itxt("Description", name)
    info.add_text("Copyright", name, zip=True)
    info.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta><dc:creator>{name}</dc:creator></x:xmpmeta>")
    exif = Image.Exif()
    exif[0x013B] = name
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif)
    return out.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="jpeg" ContentType="image/jpeg"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def core_xml(name: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{name}</dc:title><dc:subject>{name}</dc:subject>"
        f"<dc:creator>{name}</dc:creator><cp:keywords>{name}</cp:keywords>"
        f"<dc:description>{name}</dc:description>"
        f"<cp:lastModifiedBy>{name}</cp:lastModifiedBy>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-05T10:00:00Z</dcterms:created>'
        "</cp:coreProperties>"
    )


def app_xml(name: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>Microsoft Office Word</Application>'
        f"<Company>{name}</Company><Manager>{name}</Manager><Pages>1</Pages></Properties>"
    )


def custom_xml(name: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
        '2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" '
        f'pid="2" name="Owner"><vt:lpwstr>{name}</vt:lpwstr></property></Properties>'
    )


def docx_naming(name: str = NAME) -> bytes:
    """A DOCX naming ``name`` in its core, app and custom properties, as the author of
    a comment, of an insertion and a deletion, in Word's people list, and in the EXIF
    of the picture it holds."""
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/'
        'markup-compatibility/2006" xmlns:w14="http://schemas.microsoft.com/office/word/'
        '2010/wordml" mc:Ignorable="w14"><w:body>'
        f"<w:p><w:r><w:t>{BODY}</w:t></w:r>"
        f'<w:ins w:id="1" w:author="{name}" w:date="2026-01-05T10:00:00Z">'
        "<w:r><w:t> and its sample</w:t></w:r></w:ins>"
        f'<w:del w:id="2" w:author="{name}" w:date="2026-01-05T10:00:00Z">'
        "<w:r><w:delText> old text</w:delText></w:r></w:del>"
        '<w:commentRangeStart w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>'
        "</w:p></w:body></w:document>"
    )
    comments = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="{name}" w:initials="WO">'
        "<w:p><w:r><w:t>Check this</w:t></w:r></w:p></w:comment></w:comments>"
    )
    people = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
        f'<w15:person w15:author="{name}"><w15:presenceInfo w15:providerId="AD" '
        f'w15:userId="{name}@example.org"/></w15:person></w15:people>'
    )
    return _package(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": RELS,
            "word/document.xml": document,
            "word/comments.xml": comments,
            "word/people.xml": people,
            "word/media/image1.jpeg": jpeg_naming(name),
            "docProps/core.xml": core_xml(name),
            "docProps/app.xml": app_xml(name),
            "docProps/custom.xml": custom_xml(name),
        }
    )


def xlsx_naming(name: str = NAME) -> bytes:
    """An XLSX (openpyxl) naming ``name`` in its core, app and custom properties, as a
    comment's author, and in the folder Excel says it was saved in."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = BODY
    sheet["A1"].comment = Comment("Check the total", name)
    for field in ("creator", "lastModifiedBy", "title", "subject", "keywords", "description"):
        setattr(workbook.properties, field, name)
    workbook.custom_doc_props.append(StringProperty(name="Owner", value=name))
    made = io.BytesIO()
    workbook.save(made)
    parts = _entries(made.getvalue())
    parts["docProps/app.xml"] = app_xml(name).encode()
    book = parts["xl/workbook.xml"].decode()
    path = (
        '<x15ac:absPath xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/'
        f'2010/11/ac" url="C:\\Users\\{name}\\Documents\\"/>'
    )
    head, _sep, rest = book.partition("<workbookPr")
    parts["xl/workbook.xml"] = (head + path + "<workbookPr" + rest).encode()
    return _package(parts)


OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
ODF_NAMESPACES = (
    f'xmlns:office="{OFFICE}" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
)


def odf_naming(kind: str = "odt", name: str = NAME) -> bytes:
    """An ODT or ODS naming ``name`` in every field of its meta.xml, as the creator of
    an annotation and of a tracked change, and in an author field."""
    mimetype = f"application/vnd.oasis.opendocument.{'text' if kind == 'odt' else 'spreadsheet'}"
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ODF_NAMESPACES} '
        'office:version="1.3"><office:meta>'
        f"<meta:initial-creator>{name}</meta:initial-creator><dc:creator>{name}</dc:creator>"
        f"<dc:title>{name}</dc:title><dc:subject>{name}</dc:subject>"
        f"<meta:keyword>{name}</meta:keyword><dc:description>{name}</dc:description>"
        f"<meta:printed-by>{name}</meta:printed-by>"
        f'<meta:user-defined meta:name="Owner">{name}</meta:user-defined>'
        "<meta:generator>LibreOffice</meta:generator></office:meta></office:document-meta>"
    )
    annotation = (
        f"<office:annotation><dc:creator>{name}</dc:creator>"
        "<meta:creator-initials>WO</meta:creator-initials>"
        "<text:p>Check this</text:p></office:annotation>"
    )
    changes = (
        '<text:tracked-changes><text:changed-region text:id="c1"><text:deletion>'
        f"<office:change-info><dc:creator>{name}</dc:creator>"
        "<dc:date>2026-01-05T10:00:00</dc:date></office:change-info>"
        "</text:deletion></text:changed-region></text:tracked-changes>"
    )
    if kind == "odt":
        body = (
            f"<office:text>{changes}<text:p>{BODY}{annotation}"
            f"<text:author-name>{name}</text:author-name></text:p></office:text>"
        )
    else:
        body = (
            '<office:spreadsheet><table:table table:name="Budget"><table:table-row>'
            f"<table:table-cell>{annotation}<text:p>{BODY}</text:p></table:table-cell>"
            "</table:table-row></table:table></office:spreadsheet>"
        )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NAMESPACES} '
        f'office:version="1.3"><office:body>{body}</office:body></office:document-content>'
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {ODF_NAMESPACES} '
        'office:version="1.3"/>'
    )
    return _package(
        {
            "mimetype": mimetype,
            "META-INF/manifest.xml": manifest,
            "content.xml": content,
            "styles.xml": styles,
            "meta.xml": meta,
            "Pictures/photo.png": png_naming(name),
        },
        stored=("mimetype",),
    )


def zip_naming(name: str = NAME) -> bytes:
    """A ZIP holding a DOCX and a PDF that name ``name``, with a comment on the archive
    and on an entry naming them too."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.comment = f"Packed by {name}".encode()
        entry = zipfile.ZipInfo("Proposal/technical.docx", date_time=(2026, 1, 5, 10, 0, 0))
        entry.comment = f"From {name}".encode()
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, docx_naming(name))
        archive.writestr("Proposal/cv.pdf", pdf_naming(name))
        archive.writestr("Proposal/readme.txt", "Two documents for the panel.")
    return out.getvalue()


def _package(parts: dict, *, stored=()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for part, data in parts.items():
            method = zipfile.ZIP_STORED if part in stored else zipfile.ZIP_DEFLATED
            archive.writestr(part, data, compress_type=method)
    return out.getvalue()


def _entries(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


BUILDERS = {
    "pdf": pdf_naming,
    "docx": docx_naming,
    "xlsx": xlsx_naming,
    "odt": lambda name=NAME: odf_naming("odt", name),
    "ods": lambda name=NAME: odf_naming("ods", name),
    "jpg": jpeg_naming,
    "png": png_naming,
    "zip": zip_naming,
}


# --- Looking for the name everywhere ----------------------------------------------


def readable_views(data: bytes) -> list[bytes]:
    """``data`` and every form in which a reader's tools would show what it holds: each
    entry of an archive (and of archives inside it), each PDF stream decompressed, each
    PNG text chunk inflated."""
    views = [data]
    if data.startswith(b"PK\x03\x04"):
        for entry in _entries(data).values():
            views += readable_views(entry)
    elif data.startswith(b"%PDF-"):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    views.append(obj.read_bytes())
                if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream | pikepdf.Array):
                    views.append(repr(obj).encode())
            views.append(repr(pdf.docinfo).encode())
    elif data.startswith(b"\x89PNG"):
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            views += [str(v).encode() for v in {**image.info, **image.text}.values()]
    return views


def names(data: bytes, name: str = NAME) -> bool:
    """Whether ``name`` is anywhere in ``data``, in UTF-8 or UTF-16 (XPAuthor)."""
    needles = [name.encode(), name.encode("utf-16-le"), name.encode("utf-16-be")]
    return any(needle in view for view in readable_views(data) for needle in needles)


def strip(data: bytes, extension: str) -> tuple[bytes, list[str]]:
    out = io.BytesIO()
    removed = metadata_strip(
        source=io.BytesIO(data), target=out, extension=extension, max_expanded_bytes=LIMIT
    )
    return out.getvalue(), removed
