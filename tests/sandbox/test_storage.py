"""The sandbox's storage: copy-on-write writes, the spreadsheet's Drive version, and the journal."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import gspread
import pytest

from bridge.adapters.drive import DriveGateway, FileVersion
from bridge.clock import ManualClock
from bridge.sandbox import state as state_module
from bridge.sandbox.seed import DEMO_REGISTRY_TAB, DEMO_RESPONSES_TAB, DEMO_SPREADSHEET_ID, demo_state
from bridge.sandbox.server import SandboxServer
from bridge.sandbox.state import JOURNAL_KEY, SandboxState, drive_time

from . import helpers
from .helpers import call

SS = DEMO_SPREADSHEET_ID
TAB = f"'{DEMO_RESPONSES_TAB}'"


def _rows(sandbox: SandboxServer, title: str = DEMO_RESPONSES_TAB) -> list[list[Any]]:
    return sandbox.state.sheet(SS, title)["rows"]


def _version(drive: Any) -> dict[str, Any]:
    return drive.files().get(fileId=SS, fields="version,modifiedTime").execute()


def test_a_write_copies_only_the_rows_it_changes(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """A write to one row of a big tab would cost a copy of the whole spreadsheet (0.4 s at 100k rows)."""
    before = list(_rows(sandbox))
    registry = list(_rows(sandbox, DEMO_REGISTRY_TAB))
    gc.open_by_key(SS).worksheet(DEMO_RESPONSES_TAB).update([["diubah"]], "B3", raw=True)
    after = _rows(sandbox)
    assert [i for i, (old, new) in enumerate(zip(before, after, strict=True)) if old is not new] == [2]
    assert after[2][1] == "diubah" and before[2][1] != "diubah"
    assert all(old is new for old, new in zip(registry, _rows(sandbox, DEMO_REGISTRY_TAB), strict=True))


def test_a_failed_batch_leaves_every_row_as_it_was(sandbox: SandboxServer) -> None:
    """Half of a failed batch would stay written, though Google applies a batch all-or-nothing."""
    before = sandbox.state.sheet_rows(SS, DEMO_RESPONSES_TAB)
    body = {"valueInputOption": "RAW", "data": [{"range": f"{TAB}!B2", "values": [["setengah"]]},
                                                 {"range": f"{TAB}!A5000", "values": [["di luar grid"]]}]}
    assert call(sandbox.url, "POST", f"/v4/spreadsheets/{SS}/values:batchUpdate", json=body).status_code == 400
    sheet_id = sandbox.state.sheet(SS, DEMO_RESPONSES_TAB)["sheetId"]
    batch = {"requests": [
        {"deleteDimension": {"range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 2}}},
        {"deleteSheet": {"sheetId": 987654}},
    ]}
    assert call(sandbox.url, "POST", f"/v4/spreadsheets/{SS}:batchUpdate", json=batch).status_code == 400
    assert sandbox.state.sheet_rows(SS, DEMO_RESPONSES_TAB) == before


def test_the_spreadsheet_version_moves_on_every_write_and_only_then(
    sandbox: SandboxServer, gc: gspread.Client, drive: Any, clock: ManualClock
) -> None:
    """The change signal would miss an officer's edit (or fire on reads), so an idle cycle could skip work."""
    start = _version(drive)
    ws = gc.open_by_key(SS).worksheet(DEMO_RESPONSES_TAB)
    ws.get_all_values()
    assert _version(drive) == start
    clock.advance(timedelta(minutes=1))
    ws.update([["x"]], "Z2", raw=True)
    first = _version(drive)
    assert int(first["version"]) == int(start["version"]) + 1
    assert first["modifiedTime"] == drive_time(clock())
    clock.advance(timedelta(seconds=30))
    rows = sandbox.state.sheet_rows(SS, DEMO_RESPONSES_TAB)
    sandbox.state.set_sheet_rows(SS, DEMO_RESPONSES_TAB, rows + [["respons baru"]])  # a form submission
    second = _version(drive)
    assert int(second["version"]) == int(first["version"]) + 1
    assert second["modifiedTime"] == drive_time(clock()) != first["modifiedTime"]
    assert drive.files().get(fileId=SS, fields="mimeType").execute() == {
        "mimeType": "application/vnd.google-apps.spreadsheet"}


def test_file_version_is_one_small_request(
    sandbox: SandboxServer, drive: Any, gc: gspread.Client, clock: ManualClock
) -> None:
    """Asking whether the spreadsheet changed would cost more than reading it."""
    gateway = DriveGateway(drive)
    sandbox.reset_stats()
    seen = gateway.file_version(SS)
    stats = sandbox.stats()
    assert stats["requests"] == 1 and list(stats["by_method"]) == ["drive.files.get"]
    assert stats["bytes"] < 200
    gc.open_by_key(SS).worksheet(DEMO_RESPONSES_TAB).update([["y"]], "Z3", raw=True)
    assert gateway.file_version(SS) == FileVersion(seen.version + 1, drive_time(clock()))


def test_writes_are_journaled_and_a_crash_loses_nothing_acknowledged(tmp_path: Path, clock: ManualClock) -> None:
    """Each write would rewrite the whole state file (1 s at 100k rows), or a crash would leave it unreadable."""
    path = tmp_path / "sandbox.json"
    sb = SandboxServer(SandboxState.from_json(demo_state()), port=0, state_path=str(path), clock=clock)
    token = sb.api_token  # issued before start, so the saved snapshot holds it
    helpers.TOKENS[sb.start().url] = token
    try:
        snapshot = path.read_text(encoding="utf-8")
        for n in range(3):
            resp = call(sb.url, "PUT", f"/v4/spreadsheets/{SS}/values/{TAB}!B{n + 2}",
                        params={"valueInputOption": "RAW"}, json={"values": [[f"tulis {n}"]]})
            assert resp.status_code == 200
        assert path.read_text(encoding="utf-8") == snapshot  # the snapshot was not rewritten
        journal = Path(f"{path}.journal")
        assert len(journal.read_text(encoding="utf-8").splitlines()) == 3
        with journal.open("a", encoding="utf-8") as fh:
            fh.write('{"gen": "torn')  # the sandbox killed mid-append
        crashed = SandboxState.load(path)  # as if the process had died here
        assert crashed.sheet_rows(SS, DEMO_RESPONSES_TAB) == sb.state.sheet_rows(SS, DEMO_RESPONSES_TAB)
        assert crashed.to_json() == sb.state.to_json()
        assert JOURNAL_KEY not in crashed.to_json()
    finally:
        sb.stop()
    assert not Path(f"{path}.journal").exists()  # a clean stop folds the journal into the file
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["spreadsheets"][0]["sheets"][0]["rows"][3][1] == "tulis 2"


def test_a_new_tab_or_a_long_journal_rewrites_the_state_file(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tab added by `init`, or weeks of writes, would be lost or replayed slower on every start."""
    monkeypatch.setattr(state_module, "JOURNAL_MIN_COMPACT", 0)  # compact once the journal outgrows the file
    path = tmp_path / "sandbox.json"
    sb = SandboxServer(SandboxState.from_json(demo_state()), port=0, state_path=str(path), clock=clock)
    token = sb.api_token  # issued before start, so the saved snapshot holds it
    helpers.TOKENS[sb.start().url] = token
    try:
        add = {"requests": [{"addSheet": {"properties": {"title": "Review"}}}]}
        assert call(sb.url, "POST", f"/v4/spreadsheets/{SS}:batchUpdate", json=add).status_code == 200
        assert not Path(f"{path}.journal").exists()  # saved whole, not journaled
        assert "Review" in [s["title"] for s in json.loads(path.read_text(encoding="utf-8"))["spreadsheets"][0]["sheets"]]
        before = json.loads(path.read_text(encoding="utf-8"))[JOURNAL_KEY]
        big = ["x" * 45_000] * 5  # one journal line larger than the whole state file (cells under 50,000)
        for n, row in enumerate([big, ["baris 1"], ["baris 2"]]):
            resp = call(sb.url, "PUT", f"/v4/spreadsheets/{SS}/values/Review!A{n + 1}",
                        params={"valueInputOption": "RAW"}, json={"values": [row]})
            assert resp.status_code == 200
        assert json.loads(path.read_text(encoding="utf-8"))[JOURNAL_KEY] != before  # folded into a new snapshot
        assert SandboxState.load(path).sheet_rows(SS, "Review") == [big, ["baris 1"], ["baris 2"]]
    finally:
        sb.stop()
