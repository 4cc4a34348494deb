"""Test photos made with Pillow: phone-like JPEGs (EXIF orientation, GPS), PNG, WebP, HEIC, bombs, impostors."""

from __future__ import annotations

import io
import random

from PIL import ExifTags, Image, ImageDraw

#: Where the operator stood (Paringin, Balangan), as a phone writes it.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "S",
    ExifTags.GPS.GPSLatitude: (2.0, 19.0, 30.5),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (115.0, 28.0, 12.25),
}
MARK = (255, 0, 0)
BASE = (30, 120, 200)


def scene(width: int = 400, height: int = 300) -> Image.Image:
    """A blue picture with a red square in its top-left corner (as stored, before orientation)."""
    img = Image.new("RGB", (width, height), BASE)
    ImageDraw.Draw(img).rectangle((0, 0, width // 5, height // 5), fill=MARK)
    return img


def phone_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SandboxPhone"
    exif[ExifTags.Base.Model] = "KIM-1"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = dict(GPS)
    return exif


def jpeg(width: int = 400, height: int = 300, *, orientation: int = 1, gps: bool = True, quality: int = 90) -> bytes:
    """A phone JPEG: EXIF with the given orientation, maker and (by default) GPS, plus an XMP-like comment."""
    out = io.BytesIO()
    exif = phone_exif(orientation) if gps else Image.Exif()
    scene(width, height).save(out, "JPEG", quality=quality, exif=exif, comment=b"operator at home")
    return out.getvalue()


def noisy_jpeg(width: int, height: int, *, seed: int = 1, quality: int = 92) -> bytes:
    """A JPEG that compresses badly (random blocks, like a detailed photo), so it is large in bytes."""
    rnd = random.Random(seed)
    small = Image.frombytes("RGB", (width // 8, height // 8), rnd.randbytes((width // 8) * (height // 8) * 3))
    img = small.resize((width, height), Image.Resampling.NEAREST)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, exif=phone_exif(1))
    return out.getvalue()


def png(width: int = 320, height: int = 240, *, alpha: bool = True) -> bytes:
    img = scene(width, height).convert("RGBA" if alpha else "RGB")
    if alpha:
        img.putpixel((width - 1, height - 1), (0, 0, 0, 0))
    out = io.BytesIO()
    img.save(out, "PNG", exif=phone_exif(1))
    return out.getvalue()


def webp(width: int = 320, height: int = 240) -> bytes:
    out = io.BytesIO()
    scene(width, height).save(out, "WEBP", quality=90, exif=phone_exif(1))
    return out.getvalue()


def heic(width: int = 320, height: int = 240, *, orientation: int = 1) -> bytes:
    """An iPhone-style HEIC (pillow-heif), with EXIF and GPS; the orientation becomes HEIF's own rotation (irot)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    scene(width, height).save(out, "HEIF", quality=90, exif=phone_exif(orientation).tobytes())
    return out.getvalue()


def pdf() -> bytes:
    """A small PDF, as an operator might attach by mistake (its name will say .jpg)."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def jpeg_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A few hundred bytes whose header claims ``width`` × ``height`` pixels (1.2 GB decoded at 20,000²)."""
    data = bytearray(jpeg(16, 16, gps=False))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 7] = height.to_bytes(2, "big")
    data[sof + 7 : sof + 9] = width.to_bytes(2, "big")
    return bytes(data)


def webp_bomb(width: int = 7000, height: int = 7000) -> bytes:
    """A 26-byte lossless WebP whose header claims ``width`` × ``height`` pixels (196 MB as an RGBA canvas)."""
    import struct

    bits = (width - 1) | ((height - 1) << 14) | (1 << 28)  # 14-bit sides, alpha used, version 0
    vp8l = b"\x2f" + struct.pack("<I", bits) + b"\x00"
    chunk = b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def png_bomb(width: int = 7000, height: int = 7000) -> bytes:
    """A valid RGBA PNG of ``width`` × ``height`` transparent pixels: about 190 kB, 196 MB decoded.

    Compressed row by row, so making it never holds the decoded pixels.
    """
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    packer = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (width * 4)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def animated_webp(width: int = 1000, height: int = 1000, frames: int = 30) -> bytes:
    """An animated WebP: each frame is small to store, the whole animation large to decode."""
    pictures = [scene(width, height).rotate(i * 12) for i in range(frames)]
    out = io.BytesIO()
    pictures[0].save(out, "WEBP", save_all=True, append_images=pictures[1:], quality=50, method=0)
    return out.getvalue()


def truncated_jpeg() -> bytes:
    """A phone JPEG cut off halfway, as an upload interrupted by a weak signal."""
    data = jpeg(640, 480)
    return data[: len(data) // 2]
