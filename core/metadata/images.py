"""Pictures (Pillow): JPEG and PNG saved again without their metadata."""

from PIL import Image

from .labels import EXIF, IMAGE_COMMENTS, IPTC, PNG_TEXT, XMP
from .limits import MAX_PIXELS, MetadataUnreadable, _Budget


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


def _is_picture(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


# The cleaner for each kind ``_is_picture`` finds.
PICTURE_CLEANERS = {"jpg": _jpeg, "png": _png}
