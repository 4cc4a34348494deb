"""The Laporan tab's batchUpdate, checked where the sandbox is kinder than Google (it ignores merges)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bridge.commands.report_sheet import layout
from bridge.config import load_settings
from bridge.core.period import parse_period
from bridge.core.report import build_report
from tests.conftest import WITA, report_rules

KEC = ["Juai", "Halong", "Awayan", "Batu Mandi", "Lampihong", "Paringin", "Paringin Selatan", "Tebing Tinggi"]


def _cells(rng: dict[str, Any]) -> set[tuple[int, int]]:
    return {(r, c) for r in range(rng["startRowIndex"], rng["endRowIndex"])
            for c in range(rng["startColumnIndex"], rng["endColumnIndex"])}


def test_an_empty_report_has_no_overlapping_merges(tmp_path: Any) -> None:
    """Google refuses a batchUpdate whose merges overlap: a month without news could never be reported."""
    cfg = tmp_path / "b.toml"
    cfg.write_text('[sheets]\nspreadsheet_id = "x"\n[blog]\nblog_id = "1"\n', encoding="utf-8")
    report = build_report(parse_period("2026-11"), [], [], [], {}, None, KEC, report_rules())
    requests, values = layout(report, "Laporan 2026-11", 5, datetime(2026, 12, 1, 7, tzinfo=WITA), load_settings(cfg, env={}))
    seen: set[tuple[int, int]] = set()
    for req in requests:
        if "mergeCells" in req:
            cells = _cells(req["mergeCells"]["range"])
            assert not cells & seen, req
            seen |= cells
    assert [next(iter(r)) for r in requests[:3]] == ["deleteSheet", "addSheet", "addProtectedRange"]
    assert values[8][0] == "No" and values[9][0] == "(tidak ada data dalam periode ini)"
