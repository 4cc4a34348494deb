"""Invisible-only titles and bodies (issue 18): TIDAK VALID with a reason, and never published blank."""

from __future__ import annotations

from bridge.core.model import ReviewColumn, Status

from .conftest import Bridge

SYSTEM = ReviewColumn.SYSTEM_NOTE.value
#: U+2800 BRAILLE PATTERN BLANK, U+3164 HANGUL FILLER, U+00AD SOFT HYPHEN, tag characters "Berita".
BLANK_TITLE = "\u2800\u2800 \u3164 \u00ad\U000e0042\U000e0065\U000e0072\U000e0069\U000e0074\U000e0061"


def test_a_title_of_invisible_characters_is_not_valid_and_is_not_published_blank(bridge: Bridge) -> None:
    """A title of Braille blanks, Hangul fillers, soft hyphens and tag characters would wait as MENUNGGU and,
    once approved, publish a post with a blank title."""
    rows = bridge.responses()
    row = list(rows[1])
    row[0] = {"datetime": "2026-11-23T09:00:00"}
    row[5] = BLANK_TITLE
    row[6] = "Warga desa bergotong royong membersihkan saluran irigasi bersama perangkat desa pada hari Minggu pagi."
    bridge.set_responses(rows + [row])
    bridge.cycle()
    (queued,) = [r for r in bridge.review() if r[ReviewColumn.TITLE.value] == BLANK_TITLE]
    assert queued["Status"] == Status.TIDAK_VALID.value
    assert "Judul hanya berisi karakter yang tidak terlihat (U+2800, U+3164, U+00AD, …)" in queued[SYSTEM]
    posts_before = len(bridge.posts())
    bridge.officer_sets({queued["ID"]: Status.DISETUJUI.value})  # approved without looking
    bridge.cycle()
    (after,) = [r for r in bridge.review() if r["ID"] == queued["ID"]]
    assert after["Status"] == Status.GAGAL.value and "tidak terlihat" in after[SYSTEM]
    assert len(bridge.posts()) == posts_before
