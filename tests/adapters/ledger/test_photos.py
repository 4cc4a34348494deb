"""Photo sources and their hosted copies: an intent before the upload, hosted after."""

from __future__ import annotations

from pathlib import Path

from bridge.adapters.ledger import PHOTO_HOSTED, PHOTO_INTENT, Ledger, PhotoCopy, PhotoSource


def test_a_source_is_read_once_and_a_copy_goes_from_intent_to_hosted(tmp_path: Path) -> None:
    """A photo would be downloaded and checked again each cycle, or uploaded twice after a crash mid-upload."""
    path = tmp_path / "s.sqlite3"
    source = PhotoSource("drive-1", "ab" * 32, "jpeg", 4000, 3000, 2_000_000)
    intent = PhotoCopy("key-1", "drive", "ab" * 32, PHOTO_INTENT)
    with Ledger(path) as ledger:
        assert ledger.photos.source("drive-1") is None and ledger.photos.copy("key-1", "drive") is None
        ledger.photos.record_source(source)
        ledger.photos.record_copy(intent)
        assert ledger.photos.copies() == [] and ledger.photos.copies(PHOTO_INTENT) == [intent]
    hosted = PhotoCopy("key-1", "drive", "ab" * 32, PHOTO_HOSTED, "file-9", "https://x/y.jpg", 1600, 1200, 300_000)
    with Ledger(path) as ledger:
        assert ledger.photos.source("drive-1") == source
        ledger.photos.record_copy(hosted)
        assert ledger.photos.copy("key-1", "drive") == hosted and ledger.photos.copy("key-1", "local") is None
        assert ledger.photos.copies() == [hosted]
