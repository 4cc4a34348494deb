"""Photo bytes → a small, upright, metadata-free sRGB JPEG/WebP (Pillow; no network).

Two steps with different costs:

* :func:`inspect` reads the header (``Image.open`` is lazy): the type from the
  bytes, never from Drive's ``mimeType`` or the file name, the pixel size and the
  decoded size (pixels × bands × bytes per band × frames), so a decompression bomb
  (20,000 × 20,000 in a few kilobytes, or a 26-byte WebP of 7000 × 7000) is refused
  before any pixel is decoded (issue 18). Intake calls it with ``decode=True`` to
  read the pixels within that budget and tell officers about truncated files early.
* :func:`process` decodes (JPEGs at a reduced DCT scale when that is enough, which
  keeps a 12-megapixel photo well under 150 MB), shrinks first (alpha, palette and
  16-bit pictures flattened strip by strip), applies the EXIF orientation, converts
  to sRGB, drops every metadata block (EXIF with GPS, XMP, IPTC, ICC, comments) and
  re-encodes. The same bytes and options always give the
  same output, which is what lets the hash of the source name the hosted copy.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageFile, UnidentifiedImageError

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
    max_decoded_mb: int = 48

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


#: Bytes one decoded band takes, by Pillow mode (the rest take 1).
_BAND_BYTES = {"I": 4, "F": 4, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
MIB = 1024 * 1024


def _jpeg_target(size: tuple[int, int], options: Options) -> tuple[int, int]:
    """What to ask ``Image.draft`` for: the final size, not a square (draft keeps both sides at least that large)."""
    width, height = size
    scale = min(1.0, options.max_side / max(width, height))
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def _draft_size(img: ImageFile.ImageFile, kind: str, options: Options) -> tuple[int, int]:
    """The size the decoder will produce, nothing decoded yet: a JPEG is decoded at 1/2, 1/4 or 1/8 scale
    when that still covers ``max_side`` (the scale ``JpegImageFile.draft`` picks); other formats at full size."""
    if kind != "JPEG":
        return img.size
    (width, height), (tw, th) = img.size, _jpeg_target(img.size, options)
    most = min(width // tw, height // th)
    scale = next(s for s in (8, 4, 2, 1) if most >= s)
    return (width + scale - 1) // scale, (height + scale - 1) // scale


def decoded_bytes(img: Image.Image, kind: str, size: tuple[int, int]) -> int:
    """Memory the decoded pixels take: pixels × bands × bytes per band, every frame (issue 18).

    A palette image counts as RGBA (processing converts it so); a WebP counts 4 bands whatever
    its mode, because libwebp decodes into an RGBA canvas before Pillow sees a pixel.
    """
    mode = img.mode
    bands = 4 if mode in ("P", "PA") or kind == "WEBP" else Image.getmodebands(mode)
    frames = max(1, int(getattr(img, "n_frames", 1) or 1))
    return size[0] * size[1] * bands * _BAND_BYTES.get(mode, 1) * frames


def _check(content: bytes, options: Options) -> tuple[str, ImageFile.ImageFile, tuple[int, int]]:
    """Open the bytes and refuse, from the header alone, what cannot be processed safely.

    Returns the kind, the opened image (drafted for JPEG) and its size as stored; the caller closes it.
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
        need = decoded_bytes(img, kind, _draft_size(img, kind, options))
        if need > options.max_decoded_mb * MIB:
            frames = max(1, int(getattr(img, "n_frames", 1) or 1))
            raise PhotoProblem(
                "too_much_memory",
                f"{width}x{height} {img.mode} x {frames} frame(s) decodes to {need / MIB:.0f} MiB, over max_decoded_mb {options.max_decoded_mb}",
                width=width, height=height, frames=frames, mb=need / MIB,
            )
    except BaseException:
        img.close()
        raise
    return kind, img, (width, height)


def inspect(content: bytes, options: Options, *, decode: bool = False) -> Inspection:
    """Type and size from the bytes' header, refusing what cannot be processed safely.

    With ``decode``, the pixels are read too (a JPEG at 1/8 scale, the cheapest read of every
    byte), so a truncated or corrupt file is found at intake rather than at publishing; the
    memory budget has been checked first, so this read is bounded.

    Raises:
        PhotoProblem: not an accepted image (``not_image``), unreadable, more pixels than allowed
            (``too_many_pixels``) or more memory than allowed (``too_much_memory``).
    """
    kind, img, (width, height) = _check(content, options)
    try:
        if decode:
            if kind == "JPEG":
                img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            img.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PhotoProblem("unreadable", f"{kind} pixels cannot be decoded: {exc}", kind=kind) from exc
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
            converted = ImageCms.profileToProfile(img, src, ImageCms.createProfile("sRGB"), outputMode="RGB")
            if converted is not None:  # None only when converting in place, which this does not ask for
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError) as exc:
            log.info("photo ICC profile ignored (%s); pixels kept as they are", exc)
    if img.mode == "I;16" or img.mode == "I":
        img = img.point(lambda v: v / 256).convert("L")  # 16-bit grey PNG
    return img.convert("RGB")


#: EXIF orientation → the transpose that makes the picture upright (as ``ImageOps.exif_transpose``).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90,
}
#: Modes resized as they are; the others (alpha, palette, 16-bit, 1-bit) are flattened strip by strip first.
_PLAIN = ("RGB", "L", "CMYK")
_GREY = ("1", "L", "LA", "I", "F")


def _flat(part: Image.Image, grey: bool) -> Image.Image:
    """One strip as RGB (or L): 16-bit scaled to 8, alpha flattened on white, palette expanded."""
    if part.mode.startswith("I;16") or part.mode == "I":
        part = part.point(lambda v: v / 256)
    if part.mode in ("LA", "PA", "RGBA") or (part.mode == "P" and "transparency" in part.info):
        rgba = part.convert("RGBA")
        part = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    return part.convert("L" if grey else "RGB")


def _shrunk_in_strips(img: Image.Image, max_side: int) -> Image.Image:
    """The picture flattened to RGB (or L) and reduced by a whole factor that keeps it at least ``max_side``,
    made a strip of rows at a time: the full-size converted copy (and the premultiplied copy Pillow makes to
    resize RGBA) never exists, so memory stays near the decoded pixels themselves."""
    width, height = img.size
    factor = max(1, max(width, height) // max_side)
    grey = img.mode in _GREY or img.mode.startswith("I;16")
    out = Image.new("L" if grey else "RGB", ((width + factor - 1) // factor, (height + factor - 1) // factor))
    rows = factor * max(1, 256 // factor)  # a whole number of reduced rows per strip
    for top in range(0, height, rows):
        part = _flat(img.crop((0, top, width, min(height, top + rows))), grey)
        out.paste(part.reduce(factor) if factor > 1 else part, (0, top // factor))
    return out


def process(content: bytes, options: Options) -> tuple[Inspection, Processed]:
    """Decode, shrink, orient, convert, strip and re-encode one photo.

    Memory stays near one copy of the decoded pixels (checked against ``max_decoded_mb`` before
    decoding): the photo is shrunk towards ``max_side`` first (alpha, palette and 16-bit pictures
    flattened strip by strip on the way), and only the small picture is turned upright and
    converted to sRGB.

    Raises:
        PhotoProblem: as :func:`inspect`, or the pixels cannot be decoded (a truncated file).
    """
    kind, img, (width, height) = _check(content, options)
    facts = Inspection(kind, width, height, hashlib.sha256(content).hexdigest(), len(content))
    work: Image.Image = img
    try:
        if kind == "JPEG":  # decoded at 1/2, 1/4 or 1/8 scale when that still covers max_side
            img.draft("RGB", _jpeg_target(img.size, options))
        orientation = img.getexif().get(0x0112, 1)
        icc = img.info.get("icc_profile")
        img.load()
        if img.mode not in _PLAIN:
            work = _shrunk_in_strips(img, options.max_side)
            img.close()  # the decoded original is not needed beside its small copy
        work.thumbnail((options.max_side, options.max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if orientation in _UPRIGHT:
            work = work.transpose(_UPRIGHT[orientation])
        if icc:
            work.info["icc_profile"] = icc
        rgb = _to_srgb(work)
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
        work.close()
    return facts, Processed(out.getvalue(), mime, suffix, clean.width, clean.height)


def copy_key(sha256: str, options: Options) -> str:
    """The name of the processed copy of a source: the same source and recipe → the same key."""
    return hashlib.sha256(f"{sha256}|{options.recipe}".encode()).hexdigest()[:32]


def image_size(content: bytes) -> tuple[int, int]:
    """The pixel size of ``content`` when it is a whole image a browser can show (Pillow verifies every byte).

    Raises:
        PhotoProblem: ``unreadable``, with Pillow's words.
    """
    try:
        with Image.open(io.BytesIO(content)) as img:
            img.verify()
            return img.width, img.height
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoProblem("unreadable", str(exc)) from exc


def sample_jpeg() -> bytes:
    """A tiny JPEG (8 × 8, blue): what ``check`` puts in the local photo folder to fetch as a reader would."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 102, 204)).save(out, "JPEG")
    return out.getvalue()


__all__ = ["ACCEPTED", "Inspection", "Options", "PhotoProblem", "Processed", "copy_key", "decoded_bytes", "image_size", "inspect",
           "process", "sample_jpeg", "sniff"]
