"""Intake end to end against the sandbox: every response queued in Review exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bridge.core.model import ReviewColumn, Status

from .conftest import Bridge


def _data_rows(b: Bridge) -> list[list[Any]]:
    return [r for r in b.responses()[1:] if any(str(c).strip() for c in r)]


def _assert_each_once(b: Bridge, expected: int) -> None:
    review = b.review()
    ids = [r["ID"] for r in review]
    fps = [r[ReviewColumn.FINGERPRINT.value] for r in review]
    assert len(review) == expected
    assert len(set(ids)) == len(ids), Counter(ids)
    assert len(set(fps)) == len(fps), Counter(fps)


def test_first_cycle_queues_every_response_once(bridge: Bridge) -> None:
    """Officers find each form response once in Review, with a status and a reason."""
    expected = len(_data_rows(bridge))
    report = bridge.cycle()
    assert report.intake.queued == expected
    _assert_each_once(bridge, expected)
    statuses = {r["Status"] for r in bridge.review()}
    assert statuses <= {Status.MENUNGGU.value, Status.TIDAK_VALID.value}
    assert Status.TIDAK_VALID.value in statuses and Status.MENUNGGU.value in statuses
    for row in bridge.review():
        assert row[ReviewColumn.SYSTEM_NOTE.value]
        if row["Status"] == Status.TIDAK_VALID.value:
            assert row[ReviewColumn.SYSTEM_NOTE.value].startswith("1. ")
    assert bridge.cycle().intake.queued == 0
    _assert_each_once(bridge, expected)


def test_review_rows_show_wita_and_official_names(bridge: Bridge) -> None:
    """Received times are WITA (dd/mm/yyyy) and 'Batumandi' is stored as the official 'Batu Mandi'."""
    bridge.cycle()
    review = bridge.review()
    assert all(len(str(r[ReviewColumn.RECEIVED.value])) == 19 and str(r[ReviewColumn.RECEIVED.value])[2] == "/" for r in review)
    kecamatan = {r[ReviewColumn.KECAMATAN.value] for r in review}
    assert "Batumandi" not in kecamatan


def test_formula_text_stays_text(bridge: Bridge) -> None:
    """A title like =HYPERLINK(...) appears as text in Review, never as a live formula."""
    bridge.cycle()
    cells = [c for row in bridge.rows("Review") for c in row]
    assert not any(isinstance(c, dict) and "formula" in c for c in cells)
    assert any(isinstance(c, str) and c.startswith("=") for c in cells)


def test_nothing_new_costs_one_sheets_read(bridge: Bridge) -> None:
    """A quiet cycle uses one Sheets request, so the 60/min quota is never at risk."""
    deps = bridge.deps()
    from bridge.pipeline import run_cycle

    run_cycle(deps)
    bridge.sandbox.reset_stats()
    run_cycle(deps)
    assert bridge.stats()["by_method"] == {"sheets.spreadsheets.values.batchGet": {"requests": 1, "bytes": bridge.stats()["bytes"]}}
    deps.close()


def test_ten_thousand_rows_nothing_new_one_read(bridge: Bridge) -> None:
    """With 10,000 old responses and nothing new, a cycle is still one small Sheets read."""
    header, first = bridge.responses()[0], _data_rows(bridge)[0]
    rows = [header]
    for i in range(10_000):
        row = list(first)
        row[0] = {"datetime": f"2026-0{1 + i % 9}-1{i % 9}T0{i % 10}:{i % 60:02d}:{(i // 60) % 60:02d}"}
        row[5] = f"Kabar desa nomor {i}"
        rows.append(row)
    bridge.set_responses(rows)
    from bridge.pipeline import run_cycle

    deps = bridge.deps(intake__start="now")
    first_report = run_cycle(deps)
    assert first_report.intake.skipped == 10_000 and first_report.intake.queued == 0
    bridge.sandbox.reset_stats()
    run_cycle(deps)
    stats = bridge.stats()
    assert stats["requests"] == 1
    assert stats["by_method"]["sheets.spreadsheets.values.batchGet"]["requests"] == 1
    assert stats["bytes"] < 20_000
    deps.close()


def test_new_rows_after_start_now_are_queued(bridge: Bridge) -> None:
    """start = "now" leaves history out but queues what arrives afterwards."""
    history = len(_data_rows(bridge))
    assert bridge.cycle(intake__start="now").intake.skipped == history
    rows = bridge.responses()
    new = list(rows[1])
    new[0] = {"datetime": "2026-11-23T09:00:00"}
    new[5] = "Berita baru setelah bridge berjalan"
    bridge.set_responses(rows + [new])
    report = bridge.cycle(intake__start="now")
    assert report.intake.queued == 1
    _assert_each_once(bridge, 1)


def test_restart_and_lost_ledger_queue_nothing_twice(bridge: Bridge) -> None:
    """A restart, or losing the SQLite file, never duplicates Review rows."""
    expected = len(_data_rows(bridge))
    bridge.cycle()
    bridge.cycle()  # restart: fresh process, same ledger
    state_file = Path(bridge.workdir / "bridge-state.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        Path(str(state_file) + suffix).unlink(missing_ok=True)
    report = bridge.cycle()
    assert report.intake.rebuilt == expected
    assert report.intake.queued == 0
    _assert_each_once(bridge, expected)
    rows = bridge.responses()
    new = list(rows[1])
    new[0] = {"datetime": "2026-11-23T09:30:00"}
    new[5] = "Kiriman sesudah berkas status hilang"
    bridge.set_responses(rows + [new])
    assert bridge.cycle().intake.queued == 1
    _assert_each_once(bridge, expected + 1)


def test_sorted_and_deleted_rows_trigger_rescan(bridge: Bridge) -> None:
    """Sorting or deleting responses does not skip or repeat any submission."""
    expected = len(_data_rows(bridge))
    bridge.cycle()
    rows = bridge.responses()
    header, data = rows[0], rows[1:]
    new = list(data[0])
    new[0] = {"datetime": "2026-11-23T08:00:00"}
    new[5] = "Berita terselip setelah diurutkan"
    data = sorted(data + [new], key=lambda r: str(r[4]))  # an officer sorts by operator name
    bridge.set_responses([header] + data)
    report = bridge.cycle()
    assert report.intake.rescanned
    assert report.intake.queued == 1
    bridge.set_responses([header] + data[2:])  # two rows deleted
    newer = list(data[0])
    newer[0] = {"datetime": "2026-11-23T09:45:00"}
    newer[5] = "Berita sesudah baris dihapus"
    bridge.set_responses([header] + data[2:] + [newer])
    assert bridge.cycle().intake.queued == 1
    _assert_each_once(bridge, expected + 2)


def test_header_variants(bridge: Bridge) -> None:
    """Reordered, renamed (English) and extra questions still map by header; nothing shifts."""
    rows = bridge.responses()
    header = [str(h) for h in rows[0]]
    english = {"Stempel waktu": "Timestamp", "Alamat email": "Email Address", "Judul Berita": "News Title", "Isi Berita": "News Body"}
    order = list(reversed(range(len(header))))
    new_header = [english.get(header[i], header[i]) for i in order] + ["Pertanyaan Baru"]
    new_rows = [new_header] + [[(r[i] if i < len(r) else "") for i in order] + ["x"] for r in rows[1:]]
    bridge.set_responses(new_rows)
    report = bridge.cycle()
    assert report.intake.queued == len(_data_rows(bridge))
    titles = {r["Judul"] for r in bridge.review()}
    original_titles = {str(r[header.index("Judul Berita")]).strip() for r in rows[1:] if len(r) > 5}
    assert len(titles & original_titles) >= len(original_titles) - 1  # one hostile title is cleaned


def test_missing_required_question_stops_intake_then_recovers(bridge: Bridge) -> None:
    """A deleted 'Judul Berita' question stops intake with its name; fixing it resumes without loss."""
    rows = bridge.responses()
    header = [str(h) for h in rows[0]]
    broken = list(rows[0])
    broken[header.index("Judul Berita")] = "Catatan"
    bridge.set_responses([broken] + rows[1:])
    report = bridge.cycle()
    assert "title" in report.intake.halted and "Judul Berita" in report.intake.halted
    assert report.intake.queued == 0
    assert bridge.review() == []
    bridge.set_responses(rows)
    assert bridge.cycle().intake.queued == len(_data_rows(bridge))


@pytest.mark.parametrize("locale", ["in_ID", "en_US"])
def test_locale_does_not_change_times(sandbox: Any, tmp_path: Path, locale: str) -> None:
    """An English-locale sheet gives the same WITA times as an Indonesian one (values, not strings)."""
    from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

    from .conftest import Bridge as B

    sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)["locale"] = locale
    b = B(sandbox=sandbox, workdir=tmp_path, overrides={})
    b.init()
    b.cycle()
    first = b.responses()[1][0]
    day, clock = first["datetime"].split("T")
    y, m, d = day.split("-")
    received = {r[ReviewColumn.RECEIVED.value] for r in b.review()}
    assert f"{d}/{m}/{y} {clock[:8]}" in received


def test_daily_full_scan_finds_rows_hidden_above_the_watermark(bridge: Bridge) -> None:
    """A response slipped above an unmoved last row (sort + delete) is still queued within a day."""
    from datetime import timedelta

    expected = len(_data_rows(bridge))
    bridge.cycle()
    rows = bridge.responses()
    hidden = list(rows[1])
    hidden[0] = {"datetime": "2026-11-23T07:00:00"}
    hidden[5] = "Berita yang terselip di tengah"
    # The officer deletes row 2 and a new response lands at row 2: the last row has not moved.
    bridge.set_responses([rows[0], hidden] + rows[2:])
    bridge.cycle()
    bridge.now = bridge.now + timedelta(hours=25)
    bridge.cycle()
    titles = [r["Judul"] for r in bridge.review()]
    assert titles.count("Berita yang terselip di tengah") == 1
    _assert_each_once(bridge, expected + 1)


def _add_responses(b: Bridge, count: int, hour: int) -> None:
    rows = b.responses()
    for i in range(count):
        row = list(rows[1])
        row[0] = {"datetime": f"2026-11-23T{hour:02d}:{i // 60:02d}:{i % 60:02d}"}
        row[5] = f"Kabar ke-{i} pukul {hour}"
        rows.append(row)
    b.set_responses(rows)


def test_sheets_calls_do_not_grow_with_rows(bridge: Bridge) -> None:
    """Queuing 1 or 40 new responses costs the same Sheets calls: one read, one write."""
    from bridge.pipeline import run_cycle

    deps = bridge.deps()
    try:
        run_cycle(deps)
        counts = []
        for n, hour in ((1, 5), (40, 6)):
            _add_responses(bridge, n, hour)
            bridge.sandbox.reset_stats()
            assert run_cycle(deps).intake.queued == n
            counts.append({m: v["requests"] for m, v in bridge.stats()["by_method"].items()})
    finally:
        deps.close()
    assert counts[0] == counts[1] == {
        "sheets.spreadsheets.values.batchGet": 1,
        "sheets.spreadsheets.values.append": 1,
    }


def test_a_crashing_rule_does_not_lose_the_row(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a bug in a validation rule queues the row (TIDAK VALID, with the error) and the cycle goes on."""
    from bridge.core import validate

    real = validate.validate

    def flaky(response: Any, **kwargs: Any) -> Any:
        if response.row_number == 3:
            raise ValueError("boom")
        return real(response, **kwargs)

    monkeypatch.setattr(validate, "validate", flaky)
    expected = len(_data_rows(bridge))
    assert bridge.cycle().intake.queued == expected
    row = next(r for r in bridge.review() if r["Status"] == Status.TIDAK_VALID.value and "galat sistem" in r[ReviewColumn.SYSTEM_NOTE.value])
    assert row["Judul"]


def test_deleted_rows_shrinking_the_grid(bridge: Bridge) -> None:
    """Deleting response rows (the grid shrinks below the last processed row) does not stall intake."""
    from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

    expected = len(_data_rows(bridge))
    bridge.cycle()
    sheet = bridge.sandbox.state.sheet(DEMO_SPREADSHEET_ID, "Jawaban Formulir 1")
    sheet["rowCount"] = 5  # as if an officer deleted every row below 5
    rows = bridge.responses()[:5]
    bridge.set_responses(rows)
    new = list(rows[1])
    new[0] = {"datetime": "2026-11-23T09:59:00"}
    new[5] = "Kiriman setelah baris dihapus"
    bridge.set_responses(rows[:4] + [new])
    report = bridge.cycle()
    assert report.intake.queued == 1
    _assert_each_once(bridge, expected + 1)
