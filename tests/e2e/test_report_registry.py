"""The KIM tab as `init` completes it, a hostile registry, and the alert line of each cycle."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bridge.core.model import KIM_HEADERS, KimColumn
from tests.e2e.conftest import Bridge


def test_init_completes_the_registry_with_the_juknis_columns_and_dropdowns(bridge: Bridge) -> None:
    """Officers would lack Tabel 3.1 columns or type free text where the Juknis has a closed list."""
    kim = bridge.sandbox.state.sheet("1MyMeinDemoSheet00000000000000000000000000000", "KIM")
    assert [str(h) for h in kim["rows"][0]] == list(KIM_HEADERS)
    assert kim["rows"][1][0] == "KIM Lasung Batu Bersatu"  # officers' rows untouched
    by_col = {rule["range"]["startColumnIndex"]: rule["rule"] for rule in kim["dataValidation"]}
    lists = {KIM_HEADERS[c]: [v["userEnteredValue"] for v in r["condition"]["values"]]
             for c, r in by_col.items() if r["condition"]["type"] == "ONE_OF_LIST"}
    assert lists[KimColumn.PARTNERSHIP.value] == ["AKTIF", "DITINJAU", "DIHENTIKAN"]
    assert lists[KimColumn.TIPE.value] == ["A", "B"]
    assert lists[KimColumn.FREQUENCY.value] == ["Harian", "Mingguan", "Bulanan", "Tidak tentu"]
    assert len(lists[KimColumn.KECAMATAN.value]) == 8
    numbers = sorted(KIM_HEADERS[c] for c, r in by_col.items() if r["condition"]["type"] == "NUMBER_GREATER_THAN_EQ")
    assert numbers == ["Kekuatan (jangkauan)", "Pengaruh (tanggapan positif)"]


def test_a_hostile_registry_row_never_stops_the_cycle_or_the_report(bridge: Bridge, tmp_path: Any) -> None:
    """One badly typed registry row would stop every KIM's news, or the report."""
    from bridge.commands.report import write_report
    from bridge.core.period import parse_period

    rows = bridge.rows("KIM")
    rows.append([{"formula": "=1/0"}, 42, None, "", "", "bukan tanggal", "31/02/2027", "  ", "", "", "a@@b, ;", "", "",
                 "Z", "", "x@", "", "", "", "", "Setiap saat", "", "", -5, "seribu", "", "kemarin"])
    bridge.sandbox.state.set_sheet_rows("1MyMeinDemoSheet00000000000000000000000000000", "KIM", rows)
    report = bridge.cycle()
    assert report.intake.queued == 8 and report.intake.invalid == 4  # as without the bad row
    deps = bridge.deps()
    try:
        result = write_report(deps, parse_period("2026-11"), tmp_path / "out")
    finally:
        deps.close()
    assert result.tab == "Laporan 2026-11"


def test_each_cycle_logs_the_partnership_alerts_in_one_line(bridge: Bridge, caplog: pytest.LogCaptureFixture) -> None:
    """The service log would hold one line per KIM every five minutes, or no alert at all."""
    with caplog.at_level(logging.INFO, logger="bridge.alerts"):
        bridge.cycle()
    lines = [r.getMessage() for r in caplog.records if r.name == "bridge.alerts"]
    assert lines == [
        "partnership alerts: sk_expired 1 (KIM Panaitan Sejahtera); sk_expiring 2 (KIM Lasung Batu Bersatu, KIM Melati "
        "Mantuyan); dihentikan 1 (KIM Pitap Bersinar); quiet 7 (KIM Batu "
        "Piring, KIM Karet Buntu Karau, KIM Lasung Batu Bersatu, KIM Mantimin Maju, KIM Melati Mantuyan, KIM Panaitan "
        "Sejahtera, KIM Pudak Lestari)"
    ]


def test_init_widens_an_old_13_column_registry_and_keeps_its_rows(sandbox: Any, tmp_path: Any) -> None:
    """An existing KIM tab narrower than the Juknis profile would make init fail (grid limits) or move data."""
    data = sandbox.state.to_json()
    kim = next(s for s in data["spreadsheets"][0]["sheets"] if s["title"] == "KIM")
    kim["rows"] = [row[:13] for row in kim["rows"]]
    kim["columnCount"] = 13
    sandbox.state.replace(data)
    lines = Bridge(sandbox=sandbox, workdir=tmp_path, overrides={}).init()
    assert "  'KIM': added column(s) " + ", ".join(KIM_HEADERS[13:]) in lines
    after = sandbox.state.sheet("1MyMeinDemoSheet00000000000000000000000000000", "KIM")
    assert after["columnCount"] == len(KIM_HEADERS) and [str(h) for h in after["rows"][0]] == list(KIM_HEADERS)
    assert after["rows"][6][:8] == kim["rows"][6][:8]
