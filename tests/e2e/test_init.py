"""`init` prepares the officers' spreadsheet, and running it again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.core.model import KIM_HEADERS, REVIEW_HEADERS, Status
from bridge.exceptions import SchemaError
from bridge.sandbox.seed import BRIDGE_ACCOUNT, DEMO_SPREADSHEET_ID
from bridge.sandbox.server import SandboxServer

from .conftest import Bridge


def _sheet(sandbox: SandboxServer, title: str) -> dict:
    return sandbox.state.sheet(DEMO_SPREADSHEET_ID, title)


def test_init_creates_tabs_dropdown_and_protection(sandbox: SandboxServer, tmp_path: Path) -> None:
    """Officers get a Review tab with Indonesian headers, a Status dropdown and protected bridge columns."""
    b = Bridge(sandbox=sandbox, workdir=tmp_path, overrides={("sheets", "officers"): ["petugas@balangankab.go.id"]})
    lines = b.init()
    assert "created tab 'Review'" in lines and "created tab 'Arsip'" in lines
    assert "found tab 'KIM'" in lines  # the demo seed already has a registry
    assert b.rows("Review")[0] == list(REVIEW_HEADERS)
    assert b.rows("Arsip")[0] == list(REVIEW_HEADERS)
    review = _sheet(sandbox, "Review")
    assert review["frozenRowCount"] == 1
    rules = review["dataValidation"]
    values = [v["userEnteredValue"] for r in rules for v in r["rule"]["condition"]["values"]]
    assert values == [s.value for s in Status]
    protected = review["protectedRanges"]
    # Google keeps the account that adds a protection among its editors (the bridge itself).
    assert protected and all(p["editors"]["users"] == ["petugas@balangankab.go.id", BRIDGE_ACCOUNT] for p in protected)
    covered = {c for p in protected for c in range(p["range"]["startColumnIndex"], p["range"]["endColumnIndex"])}
    officer_cols = {
        REVIEW_HEADERS.index(h)
        for h in ("Kecamatan", "Desa/Kelurahan", "KIM", "Judul", "Isi", "Foto", "Status", "Catatan Petugas", "Jadwal Terbit (WITA)",
                  "Pesan untuk Operator")
    }
    coordinators_col = {REVIEW_HEADERS.index("Persetujuan Pimpinan")}  # issue 20: protected apart, for the coordinators
    assert covered == set(range(len(REVIEW_HEADERS))) - officer_cols - coordinators_col


def test_init_twice_changes_nothing(sandbox: SandboxServer, tmp_path: Path) -> None:
    """Running init again (e.g. after an upgrade) adds nothing twice."""
    b = Bridge(sandbox=sandbox, workdir=tmp_path, overrides={})
    b.init()
    before = sandbox.state.to_json()
    lines = b.init()
    assert "found tab 'Review'" in lines and "protection already present on 'Review'" in lines
    after = sandbox.state.to_json()
    assert [s["title"] for s in after["spreadsheets"][0]["sheets"]] == [s["title"] for s in before["spreadsheets"][0]["sheets"]]
    assert len(_sheet(sandbox, "Review")["protectedRanges"]) == len(
        next(s for s in before["spreadsheets"][0]["sheets"] if s["title"] == "Review")["protectedRanges"]
    )


def test_init_restores_missing_columns(sandbox: SandboxServer, tmp_path: Path) -> None:
    """If an officer deletes a bridge column header, init puts it back at the end."""
    b = Bridge(sandbox=sandbox, workdir=tmp_path, overrides={})
    b.init()
    rows = b.rows("Review")
    rows[0] = [h for h in rows[0] if h != "Sidik Jari"]
    sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows)
    lines = b.init()
    assert "  'Review': added column(s) Sidik Jari" in lines
    assert b.rows("Review")[0][-1] == "Sidik Jari"


def test_init_refuses_a_form_without_required_questions(sandbox: SandboxServer, tmp_path: Path) -> None:
    """Pointing the bridge at the wrong tab names the missing questions instead of creating tabs."""
    b = Bridge(sandbox=sandbox, workdir=tmp_path, overrides={})
    rows = b.responses()
    rows[0] = ["Kolom A" if str(h) in ("Judul Berita", "Isi Berita") else h for h in rows[0]]
    b.set_responses(rows)
    with pytest.raises(SchemaError, match="required question") as info:
        b.init()
    assert "title" in str(info.value) and "body" in str(info.value)
    assert "Review" not in [s["title"] for s in sandbox.state.to_json()["spreadsheets"][0]["sheets"]]


def test_registry_headers_match_the_juknis_profile(sandbox: SandboxServer, tmp_path: Path) -> None:
    """The KIM tab carries the partnership fields officers maintain (SK, Nomor Induk, status)."""
    b = Bridge(sandbox=sandbox, workdir=tmp_path, overrides={})
    b.init()
    assert [str(h) for h in b.rows("KIM")[0]][: len(KIM_HEADERS)] == list(KIM_HEADERS)
