"""The demo shows one item going through coordination before publishing (issue 20)."""

from __future__ import annotations

from pathlib import Path


def test_demo_shows_an_item_through_coordination(tmp_path: Path) -> None:
    """A newcomer would not see that an officer cannot agree for the leadership, nor that SETUJU publishes the item."""
    from bridge.commands.demo import DEMO_COORDINATOR, DEMO_OFFICER, run_demo

    lines: list[str] = []
    assert run_demo(workdir=tmp_path, serve=False, out=lines.append) == 0
    start = next(i for i, line in enumerate(lines) if line.startswith("4b. koordinasi"))
    assert lines[start + 1] == (f"  {DEMO_OFFICER}: Persetujuan Pimpinan → SETUJU ditolak / refused: "
                                "You are trying to edit a protected cell or object")
    assert lines[start + 2] == f"  {DEMO_COORDINATOR}: Persetujuan Pimpinan → SETUJU (diterima / accepted)"
    assert "published 1," in lines[start + 3]
    assert lines[start + 4].startswith("  MM-2026-0001: TERBIT; Diputuskan Oleh: Petugas: PERLU KOORDINASI")
