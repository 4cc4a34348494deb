"""Photo bytes → a small, upright, metadata-free sRGB JPEG/WebP (Pillow; no network).

Two steps with different costs:

* :func:`inspect` reads only the header (``Image.open`` is lazy): the type from the
  bytes, never from Drive's ``mimeType`` or the file name, and the pixel size, so a
  decompression bomb (20,000 × 20,000 in a few kilobytes) is refused before any
  pixel is decoded. Intake calls it to tell officers about problems early.
* :func:`process` decodes (JPEGs at a reduced DCT scale when that is enough, which
  keeps a 12-megapixel photo well under 150 MB), applies the EXIF orientation,
  converts to sRGB, drops every metadata block (EXIF with GPS, XMP, IPTC, ICC,
  comments), resizes and re-encodes. The same bytes and options always give the
  same output, which is what lets the hash of the source name the hosted copy.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

log = logging.getLogger("bridge.photos")

#: The formats accepted, as Pillow names them, with the label officers see.
ACCEPTED = {"JPEG": "JPG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC"}
#: Output formats: Pillow name, MIME type, file suffix.
OUTPUTS = {"jpeg": ("JPEG", "image/jpeg", ".jpg"), "webp": ("WEBP", "image/webp", ".webp")}
#: Bumped when processing changes in a way that changes the output (so copies are made anew).
RECIPE_VERSION = 1

_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"heif")
_heif_ready = False


def _register_heif() -> None:
    global _heif_ready
    if not _heif_ready:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_ready = True


class PhotoProblem(Exception):
    """A photo that cannot be used; ``code`` says which kind (for the officer's reason)."""

    def __init__(self, code: str, detail: str, **facts: object) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.facts = facts


@dataclass(frozen=True)
class Options:
    """What processing makes (from ``[photos]``)."""

    max_side: int = 1600
    output: str = "jpeg"
    quality: int = 82
    max_megapixels: int = 50

    @property
    def recipe(self) -> str:
        """A short text naming everything that changes the output bytes."""
        return f"v{RECIPE_VERSION}-{self.output}-{self.max_side}-q{self.quality}"


@dataclass(frozen=True)
class Inspection:
    """What the header says: the real type and the pixel size (nothing decoded yet)."""

    kind: str  # a key of ACCEPTED
    width: int
    height: int
    sha256: str
    size: int


@dataclass(frozen=True)
class Processed:
    content: bytes
    mime_type: str
    suffix: str
    width: int
    height: int


def sniff(content: bytes) -> str:
    """The format the bytes are in (a key of :data:`ACCEPTED`), or a short name of what they are instead."""
    head = content[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and (head[8:12] in _HEIF_BRANDS or any(b in content[8:64] for b in _HEIF_BRANDS)):
        return "HEIF"
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head[4:8] == b"ftyp":
        return "video"  # MP4/MOV share the ISO box layout with HEIF
    if head.startswith(b"PK\x03\x04"):
        return "ZIP/Office"
    return "unknown"


def _open(content: bytes, kind: str) -> ImageFile.ImageFile:
    if kind == "HEIF":
        _register_heif()
    try:
        with warnings.catch_warnings():
            # Pillow warns (DecompressionBombWarning) between 1× and 2× its limit; we decide below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(content), formats=[kind])
    except Image.DecompressionBombError as exc:
        raise PhotoProblem("too_many_pixels", f"decompression bomb refused by Pillow: {exc}") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoProblem("unreadable", f"{kind} header cannot be read: {exc}", kind=kind) from exc
    assert isinstance(img, ImageFile.ImageFile)
    return img


def inspect(content: bytes, options: Options) -> Inspection:
    """Type and size from the bytes' header, refusing what cannot be processed safely.

    Raises:
        PhotoProblem: not an accepted image (``not_image``), unreadable, or more pixels than allowed.
    """
    kind = sniff(content)
    if kind not in ACCEPTED:
        raise PhotoProblem("not_image", f"the bytes are {kind}, not an image", kind=kind)
    img = _open(content, kind)
    try:
        width, height = img.size
        if width <= 0 or height <= 0:
            raise PhotoProblem("unreadable", f"{kind} header says {width}x{height}", kind=kind)
        if width * height > options.max_megapixels * 1_000_000:
            raise PhotoProblem(
                "too_many_pixels", f"{width}x{height} is over {options.max_megapixels} megapixels",
                width=width, height=height,
            )
    finally:
        img.close()
    return Inspection(kind, width, height, hashlib.sha256(content).hexdigest(), len(content))


def _to_srgb(img: Image.Image) -> Image.Image:
    """RGB pixels in sRGB: embedded ICC profiles applied, alpha flattened on white."""
    icc = img.info.get("icc_profile")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = img.mode if img.mode in ("RGB", "CMYK") else "RGB"
            if img.mode != mode:
                img = img.convert(mode)
            return ImageCms.profileToProfile(img, src, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError) as exc:
            log.info("photo ICC profile ignored (%s); pixels kept as they are", exc)
    if img.mode == "I;16" or img.mode == "I":
        img = img.point(lambda v: v / 256).convert("L")  # 16-bit grey PNG
    return img.convert("RGB")


def process(content: bytes, options: Options) -> tuple[Inspection, Processed]:
    """Decode, orient, convert, strip, resize and re-encode one photo.

    Raises:
        PhotoProblem: as :func:`inspect`, or the pixels cannot be decoded (a truncated file).
    """
    facts = inspect(content, options)
    img = _open(content, facts.kind)
    try:
        orientation = img.getexif().get(0x0112, 1)
        if facts.kind == "JPEG":
            # Decode at 1/2, 1/4 or 1/8 scale when the result is still at least max_side:
            # less memory and time, and the resize below keeps the quality.
            # draft keeps both sides at least as large as asked, so ask for the final size, not a square.
            scale = min(1.0, options.max_side / max(facts.width, facts.height))
            img.draft("RGB", (max(1, math.ceil(facts.width * scale)), max(1, math.ceil(facts.height * scale))))
        img.load()
        oriented = ImageOps.exif_transpose(img) if orientation != 1 else img
        if oriented is None:  # pragma: no cover - exif_transpose(in_place=False) always returns an image
            oriented = img
        rgb = _to_srgb(oriented)
        rgb.thumbnail((options.max_side, options.max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        # A fresh image carries no info dict: no EXIF, GPS, XMP, ICC or comment reaches the output.
        clean = Image.frombytes("RGB", rgb.size, rgb.tobytes())
        pil_format, mime, suffix = OUTPUTS[options.output]
        out = io.BytesIO()
        if pil_format == "JPEG":
            clean.save(out, "JPEG", quality=options.quality, optimize=True, progressive=True, subsampling="4:2:0")
        else:
            clean.save(out, "WEBP", quality=options.quality, method=4, exif=b"", icc_profile=None)
    except PhotoProblem:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PhotoProblem("unreadable", f"{facts.kind} pixels cannot be decoded: {exc}", kind=facts.kind) from exc
    finally:
        img.close()
    return facts, Processed(out.getvalue(), mime, suffix, clean.width, clean.height)


def copy_key(sha256: str, options: Options) -> str:
    """The name of the processed copy of a source: the same source and recipe → the same key."""
    return hashlib.sha256(f"{sha256}|{options.recipe}".encode()).hexdigest()[:32]


__all__ = ["ACCEPTED", "Inspection", "Options", "PhotoProblem", "Processed", "copy_key", "inspect", "process", "sniff"]
