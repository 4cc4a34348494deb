"""Photo processing (Pillow, no network): type from the bytes, bombs refused undecoded, upright, no metadata, small."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms, ImageFile

from bridge.photos import process as P
from bridge.photos.process import Options, PhotoProblem
from tests import images

OPTS = Options()


def _open(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def _red(rgb: tuple[int, ...]) -> bool:
    return rgb[0] > 200 and rgb[1] < 60 and rgb[2] < 60


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records any pixel decoding (ImageFile.load) that happens during the test."""
    decoded: list[str] = []
    original = ImageFile.ImageFile.load

    def spy(self: ImageFile.ImageFile) -> object:
        decoded.append(f"{self.format} {self.size}")
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return decoded


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_phone_photo_comes_out_upright(orientation: int) -> None:
    """A photo taken with the phone turned would be shown sideways or upside down on the website."""
    _, out = P.process(images.jpeg(400, 300, orientation=orientation), OPTS)
    img = _open(out.content)
    upright = images.scene(400, 300)
    upright = {3: upright.rotate(180), 6: upright.rotate(-90, expand=True), 8: upright.rotate(90, expand=True)}[orientation]
    assert img.size == upright.size == (out.width, out.height)
    for corner in ((2, 2), (img.width - 3, 2), (2, img.height - 3), (img.width - 3, img.height - 3)):
        assert _red(img.getpixel(corner)) == _red(upright.getpixel(corner)), corner


def test_iphone_heic_turned_sideways_comes_out_upright_once() -> None:
    """An iPhone photo would be rotated twice (HEIF rotation plus EXIF orientation), or not at all."""
    _, out = P.process(images.heic(400, 300, orientation=6), OPTS)
    img = _open(out.content).convert("RGB")
    assert img.size == (300, 400)
    assert _red(img.getpixel((img.width - 3, 2))) and not _red(img.getpixel((2, 2)))


def test_no_exif_gps_comment_or_icc_survives() -> None:
    """Anyone saving a photo from the website could read where the operator stood (EXIF GPS)."""
    source = images.jpeg(orientation=6)
    assert b"Exif\x00\x00" in source and b"operator at home" in source
    _, out = P.process(source, OPTS)
    img = _open(out.content)
    assert not img.getexif()
    assert "exif" not in img.info and "icc_profile" not in img.info and "comment" not in img.info
    assert b"Exif" not in out.content and b"SandboxPhone" not in out.content and b"operator at home" not in out.content
    assert b"http://ns.adobe.com/xap" not in out.content  # no XMP either


@pytest.mark.parametrize(("maker", "kind"), [(images.png, "PNG"), (images.webp, "WEBP"), (images.heic, "HEIF"), (images.jpeg, "JPEG")])
def test_png_webp_heic_and_jpeg_become_clean_jpegs(maker: object, kind: str) -> None:
    """iPhone (HEIC), screenshot (PNG) or WebP photos would be refused or published with their metadata."""
    data = maker()  # type: ignore[operator]
    facts, out = P.process(data, OPTS)
    assert facts.kind == kind
    img = _open(out.content)
    assert img.format == "JPEG" and img.mode == "RGB" and out.mime_type == "image/jpeg"
    assert not img.getexif()
    assert _red(img.getpixel((2, 2)))


def test_transparent_png_is_flattened_on_white() -> None:
    """A transparent logo would show black where it should be see-through."""
    img = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    _, out = P.process(buf.getvalue(), OPTS)
    assert min(_open(out.content).getpixel((25, 25))) > 245


def test_embedded_colour_profile_is_applied_then_dropped() -> None:
    """A photo with a colour profile would keep a metadata block, or lose its colours when the profile is dropped."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    buf = io.BytesIO()
    images.scene().save(buf, "JPEG", icc_profile=srgb.tobytes())
    assert "icc_profile" in Image.open(io.BytesIO(buf.getvalue())).info
    _, out = P.process(buf.getvalue(), OPTS)
    img = _open(out.content)
    assert "icc_profile" not in img.info and _red(img.getpixel((2, 2)))


def test_large_photo_is_resized_to_the_longest_side_and_webp_can_be_chosen() -> None:
    """Village readers on mobile data would wait for a 4,000-pixel photo; offices may prefer WebP."""
    source = images.noisy_jpeg(4000, 3000)
    facts, out = P.process(source, OPTS)
    assert (facts.width, facts.height) == (4000, 3000)
    assert (out.width, out.height) == (1600, 1200)
    assert len(out.content) < len(source) / 2  # random noise: the worst case for JPEG
    _, small = P.process(source, Options(max_side=800, output="webp", quality=75))
    img = _open(small.content)
    assert img.format == "WEBP" and img.size == (800, 600) and small.suffix == ".webp"
    assert not img.getexif()


def test_small_photo_is_not_enlarged() -> None:
    """A small photo blown up to 1600 px would look blurred and weigh more."""
    _, out = P.process(images.jpeg(400, 300), OPTS)
    assert (out.width, out.height) == (400, 300)


def test_pdf_named_jpg_is_refused_by_its_bytes() -> None:
    """A PDF renamed .jpg (Drive would call it image/jpeg) would be published as a broken image."""
    with pytest.raises(PhotoProblem) as exc:
        P.inspect(images.pdf(), OPTS)
    assert exc.value.code == "not_image" and exc.value.facts["kind"] == "PDF"


@pytest.mark.parametrize(("data", "kind"), [(b"GIF89a....", "GIF"), (b"PK\x03\x04docx", "ZIP/Office"), (b"\x00\x00\x00\x18ftypmp42", "video"), (b"hello", "unknown")])
def test_other_files_are_named_for_the_officer(data: bytes, kind: str) -> None:
    """An officer told only 'bad file' would not know to ask for a photo instead of a video or a document."""
    assert P.sniff(data) == kind
    with pytest.raises(PhotoProblem) as exc:
        P.inspect(data, OPTS)
    assert exc.value.code == "not_image"


@pytest.mark.parametrize("side", [20_000, 12_000, 8_000])
def test_decompression_bombs_are_refused_before_any_pixel_is_decoded(side: int, no_decoding: list[str]) -> None:
    """A tiny file claiming 20,000 × 20,000 pixels would make the bridge allocate 1.2 GB and be killed."""
    bomb = images.jpeg_bomb(side, side)
    assert len(bomb) < 2000
    for step in (P.inspect, P.process):
        with pytest.raises(PhotoProblem) as exc:
            step(bomb, OPTS)
        assert exc.value.code == "too_many_pixels"
    assert no_decoding == []


def test_truncated_photo_is_unreadable_not_a_crash() -> None:
    """A half-uploaded photo would crash the cycle instead of being explained to the officer."""
    data = images.noisy_jpeg(800, 600)
    with pytest.raises(PhotoProblem) as exc:
        P.process(data[: len(data) // 3] + b"\x00" * 10, OPTS)
    assert exc.value.code == "unreadable"


def test_copy_key_follows_the_bytes_and_the_recipe() -> None:
    """The same photo would be uploaded again after a restart, or a changed size setting ignored."""
    sha = "a" * 64
    assert P.copy_key(sha, OPTS) == P.copy_key(sha, Options())
    assert P.copy_key(sha, OPTS) != P.copy_key("b" * 64, OPTS)
    assert P.copy_key(sha, OPTS) != P.copy_key(sha, Options(max_side=1200))
    assert P.copy_key(sha, OPTS) != P.copy_key(sha, Options(output="webp"))


def test_processing_is_deterministic() -> None:
    """Two cycles processing the same photo would produce different files (and so duplicates)."""
    data = images.jpeg(orientation=6)
    assert P.process(data, OPTS)[1].content == P.process(data, OPTS)[1].content


HOSTILE = {
    "webp 7000x7000 in 26 bytes": (images.webp_bomb, 187, 1),
    "RGBA png 7000x7000": (images.png_bomb, 187, 1),
    "animated webp, 30 frames of 1000x1000": (images.animated_webp, 114, 30),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_tiny_files_that_decode_huge_are_refused_before_decoding(name: str, no_decoding: list[str]) -> None:
    """A 26-byte WebP or a 190 kB PNG of 7000 x 7000 (under 50 megapixels) made the bridge peak near 1 GB while
    processing it, so the server ran out of memory (issue 18)."""
    make, mib, frames = HOSTILE[name]
    data = make()
    for step in (P.inspect, P.process):
        with pytest.raises(PhotoProblem) as exc:
            step(data, OPTS)
        assert exc.value.code == "too_much_memory"
        assert round(float(exc.value.facts["mb"])) == mib and exc.value.facts["frames"] == frames  # type: ignore[arg-type]
    assert no_decoding == []


def test_the_budget_counts_a_jpeg_at_the_scale_it_is_decoded() -> None:
    """A 50-megapixel camera JPEG (150 MB at full size) would be refused, though it is decoded at 1/4 scale (9 MB)."""
    header_only = images.jpeg_bomb(8660, 5773)
    assert P.inspect(header_only, Options(max_decoded_mb=10)).width == 8660
    with pytest.raises(PhotoProblem) as small:
        P.inspect(header_only, Options(max_side=8000, max_decoded_mb=64))  # full scale: 143 MiB
    assert small.value.code == "too_much_memory"


def test_decoded_size_is_pixels_bands_bytes_and_frames() -> None:
    """The memory budget would let 16-bit or palette images through at a quarter of their real cost."""
    assert P.decoded_bytes(Image.new("RGB", (10, 10)), "PNG", (10, 10)) == 300
    assert P.decoded_bytes(Image.new("I;16", (10, 10)), "PNG", (10, 10)) == 200
    assert P.decoded_bytes(Image.new("P", (10, 10)), "PNG", (10, 10)) == 400, "processed as RGBA"
    assert P.decoded_bytes(Image.new("RGB", (10, 10)), "WEBP", (10, 10)) == 400, "libwebp's RGBA canvas"


def test_a_truncated_photo_is_found_when_decoding_at_intake() -> None:
    """A half-uploaded photo would pass intake as MENUNGGU and only fail (GAGAL) once an officer approved it."""
    data = images.truncated_jpeg()
    assert P.inspect(data, OPTS).width == 640, "the header alone looks fine"
    with pytest.raises(PhotoProblem) as exc:
        P.inspect(data, OPTS, decode=True)
    assert exc.value.code == "unreadable" and "truncated" in exc.value.detail


@pytest.mark.parametrize("mode", ["P", "LA", "I;16", "1", "CMYK"])
def test_every_mode_is_shrunk_then_made_rgb(mode: str) -> None:
    """Palette, grey-alpha, 16-bit or CMYK photos would fail, or be resized by nearest pixel and look jagged."""
    img = images.scene(600, 450).convert("RGBA" if mode == "LA" else "RGB")
    img = img.convert(mode) if mode != "I;16" else img.convert("L").convert("I").point(lambda v: v * 256).convert("I;16")
    out = io.BytesIO()
    img.save(out, "TIFF" if mode == "CMYK" else "PNG") if mode != "CMYK" else img.save(out, "JPEG")
    _, done = P.process(out.getvalue(), Options(max_side=400))
    assert (done.width, done.height) == (400, 300)
    assert _open(done.content).mode == "RGB"


def test_a_whole_image_gives_its_size_and_a_cut_one_is_unreadable() -> None:
    """`check` would call a broken hosted photo fine, or a good one broken, and officers see broken images on the website."""
    data = images.noisy_jpeg(320, 200)
    assert P.image_size(data) == (320, 200)
    with pytest.raises(PhotoProblem) as exc:
        P.image_size(b"<html>login</html>")
    assert exc.value.code == "unreadable"


def test_the_sample_photo_check_writes_is_a_small_jpeg() -> None:
    """`check` would write something readers' browsers cannot show, and blame the office's web server for it."""
    data = P.sample_jpeg()
    assert P.sniff(data) == "JPEG"
    assert P.image_size(data) == (8, 8)
