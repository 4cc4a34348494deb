"""Photos that are not the bridge's to read or too costly to read (issue 18): a bounded number of links per
row, only the form's own uploads, and a bounded memory per photo."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bridge.core.model import ReviewColumn, Status

from .conftest import Bridge
from .photos import add_form_photo, submit

SYSTEM = ReviewColumn.SYSTEM_NOTE.value


def _row(b: Bridge, title: str) -> dict[str, Any]:
    return next(r for r in b.review() if r[ReviewColumn.TITLE.value] == title)


def _drive_calls(b: Bridge) -> dict[str, int]:
    return {m: e["requests"] for m, e in b.stats()["by_method"].items() if m.startswith("drive.")}


@pytest.fixture
def settled(bridge: Bridge) -> Bridge:
    """The demo's own responses are queued; the sandbox's counters start at zero."""
    bridge.cycle()
    bridge.sandbox.reset_stats()
    return bridge


def test_a_thousand_photo_links_cost_no_drive_call_at_intake_or_publishing(settled: Bridge) -> None:
    """One Foto cell with 1,000 links would make 1,000 Drive calls in one intake (and again when approved)."""
    links = [f"https://drive.google.com/open?id=1Seribu{i:04d}xxxxxxxxxxxxxxxxxxxxxxx" for i in range(1000)]
    submit(settled, "Kiriman seribu foto", *links)
    settled.cycle()
    row = _row(settled, "Kiriman seribu foto")
    assert row["Status"] == Status.TIDAK_VALID.value
    assert "Ada 1000 tautan foto; paling banyak 10 foto per berita" in row[SYSTEM]
    assert _drive_calls(settled) == {"drive.files.get": 1}, "only the cycle's change signal"
    settled.sandbox.reset_stats()
    settled.officer_sets({row["ID"]: Status.DISETUJUI.value})  # approved anyway
    settled.cycle()
    row = _row(settled, "Kiriman seribu foto")
    assert row["Status"] == Status.GAGAL.value
    # the Review cell holds what fits in 50,000 characters of the 1,000 links
    assert re.search(r"Kolom Foto berisi \d{3} tautan; paling banyak 10 foto", row[SYSTEM])
    assert _drive_calls(settled) == {"drive.files.get": 1}, "refused before any photo is read"


def test_max_photos_is_the_office_setting(settled: Bridge) -> None:
    """An office that lowers [photos] max_photos would still see rows with more photos queued as MENUNGGU."""
    from tests import images

    links = [add_form_photo(settled, images.jpeg(64 + i, 48), f"foto{i}.jpg") for i in range(3)]
    submit(settled, "Kiriman tiga foto", *links)
    settled.cycle(photos__max_photos=2)
    row = _row(settled, "Kiriman tiga foto")
    assert row["Status"] == Status.TIDAK_VALID.value and "Ada 3 tautan foto; paling banyak 2 foto" in row[SYSTEM]
    assert _drive_calls(settled) == {"drive.files.get": 1}
