"""What ``[photos]`` allows and what officers read about a photo: plain data in, decisions and words out."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bridge.config import Settings, load_settings
from bridge.exceptions import PublishError
from bridge.photos import rules
from bridge.photos.process import Options, PhotoProblem

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
LINK = "https://drive.google.com/open?id=1UpAbcdefghijklmnopqrstu"


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(ROOT / "config" / "bridge.example.toml", env={})


def _photos(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, photos=replace(settings.photos, **changes))


def test_processing_options_follow_the_photos_section(settings: Settings) -> None:
    """A changed [photos] max_side, format or quality would be ignored: photos published at the old size."""
    s = _photos(settings, max_side=1200, format="webp", quality=70, max_megapixels=30, max_decoded_mb=64)
    assert rules.options(s) == Options(max_side=1200, output="webp", quality=70, max_megapixels=30, max_decoded_mb=64)


def test_a_file_over_the_download_limit_is_never_used(settings: Settings) -> None:
    """A 60 MB file would be downloaded (memory, quota), or a photo within the limits refused."""
    s = _photos(settings, download_max_mb=50, over_limit="downscale")
    assert rules.size_problem(50 * MB, s) is None
    problem = rules.size_problem(50 * MB + 1, s)
    assert problem is not None and (problem.code, problem.facts["limit"]) == ("too_big", 50)


def test_over_photo_max_mb_is_refused_only_when_the_office_says_so(settings: Settings) -> None:
    """A large phone photo would be refused though [photos] over_limit says publish it smaller (or the reverse)."""
    big = settings.photo_max_mb * MB + 1
    assert rules.size_problem(big, _photos(settings, over_limit="downscale")) is None
    problem = rules.size_problem(big, _photos(settings, over_limit="refuse"))
    assert problem is not None and (problem.code, problem.facts["limit"]) == ("too_big", settings.photo_max_mb)


def test_foto_cell_links_are_split_on_commas_and_lines() -> None:
    """A second photo would be lost, or two links read as one broken link."""
    assert rules.photo_links(f" {LINK}a ,\n{LINK}b,, ") == [f"{LINK}a", f"{LINK}b"]
    assert rules.photo_links("") == []


def test_too_many_links_are_refused_before_any_is_read() -> None:
    """An edited Foto cell of a thousand links would cost a thousand Drive calls before being refused."""
    rules.check_count([LINK] * 10, 10, "MM-1")
    with pytest.raises(PublishError) as exc:
        rules.check_count([LINK] * 11, 10, "MM-1")
    assert exc.value.reason_id.startswith("Kolom Foto berisi 11 tautan; paling banyak 10 foto per berita.")
    assert exc.value.submission_id == "MM-1"


def test_a_link_that_is_not_drive_is_named_in_the_reason() -> None:
    """An officer would see GAGAL without knowing which link to fix."""
    assert rules.drive_file(1, LINK, "MM-1") == "1UpAbcdefghijklmnopqrstu"
    with pytest.raises(PublishError) as exc:
        rules.drive_file(2, "https://example.com/foto.jpg", "MM-1")
    assert exc.value.reason_id == f"Tautan foto ke-2 bukan tautan Google Drive (https://example.com/foto.jpg). {rules.NEXT_STEP}"


def test_the_note_after_publishing_lists_where_the_photos_are() -> None:
    """Officers would not find the published copies (or see an empty 'Foto terbit:' line)."""
    assert rules.photo_note([]) == ""
    assert rules.photo_note([rules.PublishedPhoto("https://x/1.jpg")]) == "Foto terbit: https://x/1.jpg"
    two = [rules.PublishedPhoto("https://x/1.jpg"), rules.PublishedPhoto("https://x/2.jpg")]
    assert rules.photo_note(two) == "Foto terbit: https://x/1.jpg ; https://x/2.jpg"


def test_a_refusal_says_which_photo_and_what_to_do(settings: Settings) -> None:
    """An officer would read a bare error instead of which photo failed and how to go on."""
    problem = PhotoProblem("not_image", "the bytes are PDF", kind="PDF")
    err = rules.refusal(problem, 2, "surat  undangan.pdf", settings, "MM-7")
    assert err.reason_id == (
        "Foto ke-2 (surat undangan.pdf) bukan gambar, melainkan file PDF (yang diterima: JPG, PNG, WebP, HEIC). "
        + rules.NEXT_STEP
    )
    assert err.reason_en == "photo 2 (surat undangan.pdf): the bytes are PDF"
    assert err.submission_id == "MM-7"
