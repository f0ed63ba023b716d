"""PDF (pikepdf): document information, XMP and the authors of annotations."""

import pikepdf

from .labels import ANNOTATION_AUTHORS, NEUTRAL, PDF_INFO, XMP
from .limits import MetadataUnreadable, _Budget

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
