"""Issue 17: the Review, Arsip and KIM tabs are found by identity, and a layout change is never read as deletions."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.core.model import ReviewColumn
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

from .conftest import Bridge

ID = ReviewColumn.ID.value


def _more_responses(b: Bridge, n: int) -> None:
    """``n`` more form responses, copies of the first with their own time and title."""
    rows = b.responses()
    for i in range(n):
        row = list(rows[1])
        row[0] = {"datetime": f"2026-11-22T11:{i:02d}:00"}
        row[5] = f"Kegiatan tambahan nomor {i + 1}"
        rows.append(row)
    b.set_responses(rows)


def _tab(b: Bridge, tab: str) -> list[dict[str, Any]]:
    rows = b.rows(tab)
    if not rows:
        return []
    header = [str(h) for h in rows[0]]
    return [{h: (r[i] if i < len(r) else "") for i, h in enumerate(header)} for r in rows[1:] if any(str(c).strip() for c in r)]


def _set(b: Bridge, tab: str, rows: list[list[Any]]) -> None:
    b.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, tab, rows)


# --- 3. a layout change is never read as deletions ---------------------------------------------------


def test_many_rows_vanishing_at_once_are_not_recorded_as_deleted(bridge: Bridge, caplog: pytest.LogCaptureFixture) -> None:
    """Every waiting row cut from Review at once (a layout change, not officers' deletions) would be
    retired to Arsip as "deleted by an officer" and never published; instead nothing is recorded, the
    cycle says why, and once the rows are back it goes on as usual."""
    _more_responses(bridge, 12)
    bridge.cycle()
    rows = bridge.rows("Review")
    waiting = len(_tab(bridge, "Review"))
    assert waiting > 12
    _set(bridge, "Review", [rows[0]])
    with caplog.at_level("WARNING"):
        report = bridge.cycle()
    assert report.deleted == 0
    assert _tab(bridge, "Arsip") == []
    assert any(f"{waiting} of {waiting} rows with IDs vanished from the Review tab 'Review'" in p for p in report.problems)
    assert any("none of them is recorded as deleted" in r.getMessage() for r in caplog.records)
    _set(bridge, "Review", rows)  # Undo
    again = bridge.cycle()
    assert again.deleted == 0 and again.problems == [] and again.intake.queued == 0
    assert len(_tab(bridge, "Review")) == waiting
    gone = {r[ID] for r in _tab(bridge, "Review")[:2]}
    _set(bridge, "Review", [rows[0]] + [r for r in rows[1:] if r[0] not in gone])
    assert bridge.cycle().deleted == 2, "a few rows deleted by officers are still recorded"
    assert {r[ID] for r in _tab(bridge, "Arsip")} == gone


# --- 2. tabs found by identity, not by name ----------------------------------------------------------


def _rename(b: Bridge, old: str, new: str) -> None:
    """An officer renames a tab in Google Sheets (its sheetId, and the tag on it, stay)."""
    with b.sandbox.state.lock:
        ss = b.sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)
        next(s for s in ss["sheets"] if s["title"] == old)["title"] = new
        b.sandbox.state.touch(ss)


def _titles(b: Bridge) -> list[str]:
    return [s["title"] for s in b.sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)["sheets"]]


def test_a_renamed_review_tab_is_followed_by_its_identity(bridge: Bridge, caplog: pytest.LogCaptureFixture,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Officers rename Review: `check` and `once` said "run init", init made a fresh empty Review, and the
    next cycle recorded every waiting row in Arsip as deleted by an officer. Now the bridge follows the
    tab under its new name, says so once, init makes no second Review, and approvals there still publish."""
    from bridge.cli import EXIT_OK, main
    from bridge.core.model import Status
    from bridge.cycle.pipeline import run_cycle

    service = bridge.deps()  # a running service: the old name is in its cached layout
    run_cycle(service)
    waiting = {r[ID] for r in _tab(bridge, "Review")}
    _rename(bridge, "Review", "Antrian Petugas")
    with caplog.at_level("INFO"):
        report = run_cycle(service)
        again = run_cycle(service)
    service.close()
    assert report.problems == [] and report.deleted == 0 and again.deleted == 0
    renamed = [r.getMessage() for r in caplog.records if "is now called 'Antrian Petugas'" in r.getMessage()]
    assert renamed == ["the Review tab 'Review' is now called 'Antrian Petugas': the bridge follows it by its identity "
                       f"(sheetId {next(s['sheetId'] for s in bridge.sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)['sheets'] if s['title'] == 'Antrian Petugas')}); "
                       "no change to the config is needed"]
    assert main(["check", "-c", str(bridge.write_config())], clock=bridge.clock) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert ("WARN tab 'Antrian Petugas' present: the Review tab, configured as 'Review' and renamed since; the bridge "
            "finds it by its identity and follows it (the config may keep 'Review', or say 'Antrian Petugas')") in out
    lines = bridge.init()
    assert "Review" not in _titles(bridge)
    assert any(line.startswith("found tab 'Antrian Petugas' (the Review tab") for line in lines)
    first = bridge.cycle()
    assert first.deleted == 0 and _tab(bridge, "Arsip") == []
    assert {r[ID] for r in _tab(bridge, "Antrian Petugas")} == waiting
    rows = bridge.rows("Antrian Petugas")
    header = [str(h) for h in rows[0]]
    at = header.index(ReviewColumn.STATUS.value)
    target = next(r for r in rows[1:] if r[at] == Status.MENUNGGU.value)
    target[at] = Status.DISETUJUI.value
    _set(bridge, "Antrian Petugas", rows)
    assert bridge.cycle().publish.published == 1
    row = next(r for r in _tab(bridge, "Antrian Petugas") if r[ID] == target[0])
    assert row[ReviewColumn.STATUS.value] == Status.TERBIT.value


def test_a_title_row_above_the_review_headers_is_explained_and_init_changes_nothing(
        bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """A title row inserted above Review's headers: check and once said "run init", init wrote headers
    beside the title, and the next cycle recorded every waiting row as deleted. Now both say where the
    headers are and what to do, init refuses to write headers beside a title, and nothing is recorded."""
    from bridge.cli import EXIT_FATAL, EXIT_OK, EXIT_PROBLEMS, main
    from bridge.exceptions import SchemaError

    bridge.cycle()
    rows = bridge.rows("Review")
    _set(bridge, "Review", [["ANTRIAN KIRIMAN KIM BALANGAN"], *rows])
    config = str(bridge.write_config())
    explained = ("Review tab 'Review': the headers ('ID' and 'Status' among them) are on row 2, not row 1; row 1 holds "
                 "'ANTRIAN KIRIMAN KIM BALANGAN'. The bridge reads its headers from row 1 only. Delete row 1 above the "
                 "headers")
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_FATAL
    err = capsys.readouterr().err
    assert explained in err and "run `mymein-bridge init" not in err
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_PROBLEMS
    out = capsys.readouterr().out
    assert f"FAIL {explained}" in out and "run `mymein-bridge init" not in out
    with pytest.raises(SchemaError, match="init changed no headers"):
        bridge.init()
    assert bridge.rows("Review")[:2] == [["ANTRIAN KIRIMAN KIM BALANGAN"], rows[0]]
    _set(bridge, "Review", rows)  # the officer deletes the title row
    report = bridge.cycle()
    assert report.deleted == 0 and report.problems == [] and _tab(bridge, "Arsip") == []
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_OK


# --- 4. a deleted Arsip is made again from the ledger ---------------------------------------------------


def _delete_tab(b: Bridge, title: str) -> None:
    """An officer deletes a tab (Google deletes the developer metadata on it too)."""
    deps = b.deps()
    try:
        sheet_id = deps.sheets.info(DEMO_SPREADSHEET_ID).tabs[title].sheet_id
        deps.sheets.batch_update(DEMO_SPREADSHEET_ID, [{"deleteSheet": {"sheetId": sheet_id}}])
    finally:
        deps.close()


def test_a_deleted_arsip_is_made_again_with_every_row_the_ledger_keeps(bridge: Bridge, caplog: pytest.LogCaptureFixture,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """The Arsip tab deleted: archived rows were gone, the cycle reported nothing and exited 0, and init
    made an empty Arsip although the ledger still knew every row. Now check and the cycle report the
    missing tab, and the cycle (or init) makes it again, tagged, with every archived and deleted row."""
    from datetime import timedelta

    from bridge.cli import EXIT_OK, main
    from bridge.core.model import Status

    bridge.cycle()
    review = _tab(bridge, "Review")
    gone = review[0][ID]
    _set(bridge, "Review", [r for r in bridge.rows("Review") if not r or r[0] != gone])
    assert bridge.cycle().deleted == 1
    bridge.officer_sets({r[ID]: Status.DITOLAK.value for r in review[1:]})
    bridge.cycle()  # the decisions are seen (Diputuskan written; a decision first seen is archived the cycle after)
    bridge.now = bridge.now + timedelta(days=40)
    assert bridge.cycle().archived > 0
    before = {r[ID]: r for r in _tab(bridge, "Arsip")}
    assert gone in before and len(before) > 2
    _delete_tab(bridge, "Arsip")
    assert main(["check", "-c", str(bridge.write_config())], clock=bridge.clock) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert (f"WARN tab 'Arsip' (Arsip) missing in 'MY MEIN - Kiriman Berita KIM (Jawaban)' (deleted?): the next cycle "
            f"makes it again with the {len(before)} archived or deleted row(s) the local ledger keeps") in out
    with caplog.at_level("WARNING"):
        report = bridge.cycle()
    said = (f"the Arsip tab 'Arsip' was missing (deleted?): made again with the {len(before)} archived or deleted row(s) "
            "the local ledger still keeps")
    logged = [r.getMessage() for r in caplog.records] + capsys.readouterr().err.splitlines()  # `check` set up the CLI's log
    assert said in report.problems and any(line.endswith(said) for line in logged)
    after = {r[ID]: r for r in _tab(bridge, "Arsip")}
    assert set(after) == set(before)
    assert after[gone][ReviewColumn.SYSTEM_NOTE.value] == before[gone][ReviewColumn.SYSTEM_NOTE.value]
    for sid, row in before.items():
        assert after[sid][ReviewColumn.STATUS.value] == row[ReviewColumn.STATUS.value]
        assert after[sid][ReviewColumn.FINGERPRINT.value] == row[ReviewColumn.FINGERPRINT.value]
    assert bridge.cycle().problems == [], "made once"
    _delete_tab(bridge, "Arsip")
    lines = bridge.init()
    assert f"  'Arsip': {len(before)} archived or deleted row(s) written back from the local ledger" in lines
    assert {r[ID] for r in _tab(bridge, "Arsip")} == set(before)
    assert bridge.cycle().problems == []


def test_an_existing_deployment_gets_its_tabs_tagged_once_then_follows_a_rename(bridge: Bridge) -> None:
    """Tabs made before issue 17 carry no tag: the first cycle tags them in one request (not one every
    cycle), and a rename after that is followed like any other."""
    from bridge.core.lease import KEY as LEASE_KEY
    from bridge.cycle.pipeline import run_cycle

    bridge.sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID).pop("developerMetadata", None)  # an older init
    deps = bridge.deps()
    try:
        bridge.sandbox.reset_stats()
        run_cycle(deps)
        first = bridge.stats()["by_method"]["sheets.spreadsheets.batchUpdate"]["requests"]
        tags = sorted(m["metadataValue"] for m in bridge.sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)["developerMetadata"]
                      if m["metadataKey"] != LEASE_KEY)  # the one-writer lease record lives beside the tags
        assert tags == ["arsip", "kim", "review", "status"]  # status: the Status Bridge tab (issue 19)
        with deps.ledger.transaction():
            deps.ledger.state.quiet_until = None  # the next cycle reads the sheet
        bridge.sandbox.reset_stats()
        run_cycle(deps)
        methods = bridge.stats()["by_method"]
        assert "sheets.spreadsheets.values.batchGet" in methods and "sheets.spreadsheets.batchUpdate" not in methods
    finally:
        deps.close()
    assert first == 4  # the tags in one request; the lease claimed, its generation raised before the append; the Status Bridge tab made
    _rename(bridge, "KIM", "Daftar KIM")
    report = bridge.cycle()
    assert report.problems == [] and report.alerts, "the registry is read from the renamed tab"


def test_a_dry_run_with_arsip_deleted_says_so_and_makes_nothing(bridge: Bridge) -> None:
    """`once --dry-run` would make the Arsip tab again, a write the dry run promised not to make."""
    from bridge.cycle.pipeline import run_cycle

    bridge.cycle()
    _delete_tab(bridge, "Arsip")
    deps = bridge.deps()
    deps.dry_run = True
    try:
        report = run_cycle(deps)
    finally:
        deps.close()
    assert "Arsip" not in _titles(bridge)
    assert "the Arsip tab 'Arsip' is missing: a real cycle makes it again with 0 row(s) from the ledger" in report.problems


def test_init_making_a_new_review_warns_of_the_submissions_the_old_one_held(bridge: Bridge) -> None:
    """A deleted Review tab remade by init gave no hint that its waiting rows would next be taken as deleted."""
    bridge.cycle()
    waiting = len(_tab(bridge, "Review"))
    _delete_tab(bridge, "Review")
    lines = bridge.init()
    assert "created tab 'Review'" in lines
    assert any(line.startswith(f"WARNING: the local ledger knows {waiting} submission(s) that were in the old Review tab")
               for line in lines)


def test_a_renamed_kim_tab_is_named_kim_in_check(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """After the KIM tab is renamed, `check` spoke of "the Kim tab", a name no officer uses."""
    from bridge.cli import main

    bridge.cycle()
    _rename(bridge, "KIM", "Daftar KIM")
    main(["check", "-c", str(bridge.write_config())], clock=bridge.clock)
    out = capsys.readouterr().out
    assert "the KIM tab, configured as 'KIM'" in out and "Kim tab" not in out


def test_a_title_row_above_the_kim_headers_stops_intake_instead_of_rejecting_every_response(bridge: Bridge) -> None:
    """A title row inserted above the KIM tab's headers made every new response TIDAK VALID ("no column
    'Nama KIM'") and told IT staff to run init; now intake waits, says which row holds the headers, and
    queues the responses normally once the title row is gone."""
    bridge.cycle()
    kim = bridge.rows("KIM")
    _set(bridge, "KIM", [["DAFTAR KIM KABUPATEN BALANGAN"], *kim])
    _more_responses(bridge, 1)
    report = bridge.cycle()
    assert report.intake.queued == 0 and report.intake.invalid == 0
    assert report.intake.halted.startswith("KIM tab 'KIM': the headers ('Nama KIM' among them) are on row 2, not row 1")
    assert "run `mymein-bridge init" not in report.intake.halted
    _set(bridge, "KIM", kim)
    again = bridge.cycle()
    assert again.intake.queued == 1 and again.intake.invalid == 0


def test_check_fails_on_a_title_row_above_the_kim_headers(bridge: Bridge) -> None:
    """`check` said "KIM registry: 0 KIM, no problems found" and "All good." with the KIM headers moved to row 2."""
    from bridge.commands.check import run_check
    from bridge.config import load_settings

    bridge.cycle()
    _set(bridge, "KIM", [["DAFTAR KIM KABUPATEN BALANGAN"], *bridge.rows("KIM")])
    lines, _ = run_check(load_settings(bridge.write_config(), env={}), clock=bridge.clock)
    assert any(line.startswith("FAIL KIM tab 'KIM': the headers ('Nama KIM' among them) are on row 2") for line in lines)
    assert "All good." not in lines
