"""The report's waiting times to a decision (issue 19) through the sandbox: per KIM, overall, and older rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bridge.core.model import ReviewColumn
from bridge.sandbox.seed_report import QUARTER_SPREADSHEET_ID

from .test_report import TAB, Quarter, quarter

__all__ = ["quarter"]


def _csv(path: Path) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return {r[1] if len(r) > 12 else r[0]: r for r in rows}


def test_per_kim_and_overall_waiting_times_with_older_rows_not_recorded(quarter: Quarter, tmp_path: Path) -> None:
    """Officers could not say how long a KIM's news waits for a decision, or would see a guessed time for older rows."""
    review = quarter.rows("Review")
    header = [str(h) for h in review[0]]
    decided, rid = header.index(ReviewColumn.DECIDED.value), header.index(ReviewColumn.ID.value)
    for row in review[1:]:
        if row[rid] == "MM-2026-0010":  # Panaitan's only decided row loses its time: an older row
            row[decided] = ""
    quarter.sandbox.state.set_sheet_rows(QUARTER_SPREADSHEET_ID, "Review", review)
    result = quarter.report(tmp_path / "out")
    kim = _csv(tmp_path / "out" / "ringkasan-kim.csv")
    assert kim["KIM"][8:10] == ["Median jam kirim-keputusan", "Persentil 90 jam kirim-keputusan"]
    assert kim["KIM Lasung Batu Bersatu"][8:10] == ["11.0", "23.5"]  # 1, 11 and 23.5 hours; row 1 has no time
    assert kim["KIM Panaitan Sejahtera"][8:10] == ["tidak tercatat", "tidak tercatat"]
    assert kim["KIM Pitap Bersinar"][8:10] == ["-", "-"]  # nothing decided
    kec = _csv(tmp_path / "out" / "ringkasan-kecamatan.csv")
    assert kec["Jumlah"][7:9] == ["11.0", "48.0"]
    assert result.report.waiting.unrecorded == 5 and len(result.report.waiting.hours) == 6
    tab = [str(c) for r in quarter.rows(TAB) for c in r]
    assert "tidak tercatat" in tab
    assert any("5 dari 11 kiriman yang sudah diputuskan tidak tercatat waktu keputusannya" in c for c in tab)
