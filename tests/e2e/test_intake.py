"""Intake end to end against the sandbox: every response queued in Review exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bridge.core.model import KimColumn, ReviewColumn, Status
from bridge.cycle.context import PageSizes
from bridge.sandbox.seed import DEMO_RESPONSES_TAB, DEMO_SPREADSHEET_ID

from .conftest import NOW, WITA, Bridge


def _data_rows(b: Bridge) -> list[list[Any]]:
    return [r for r in b.responses()[1:] if any(str(c).strip() for c in r)]


def _flagged_as_edits(b: Bridge) -> list[str]:
    return [r["ID"] for r in b.review() if "Tampaknya suntingan" in r[ReviewColumn.SYSTEM_NOTE.value]]


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
    """A quiet cycle that reads the sheet (the safety net) uses one Sheets request, so the 60/min quota is never at risk."""
    from bridge.cycle.pipeline import run_cycle

    deps = bridge.deps()
    run_cycle(deps)
    with deps.ledger.transaction():
        deps.ledger.state.quiet_until = None  # as when the safety-net read is due
    bridge.sandbox.reset_stats()
    run_cycle(deps)
    assert {m: e["requests"] for m, e in bridge.stats()["by_method"].items()} == {
        "drive.files.get": 1, "sheets.spreadsheets.values.batchGet": 1}
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
    from bridge.cycle.pipeline import run_cycle

    deps = bridge.deps(intake__start="now")
    first_report = run_cycle(deps)
    assert first_report.intake.skipped == 10_000 and first_report.intake.queued == 0
    bridge.sandbox.reset_stats()
    run_cycle(deps)  # unchanged since the first: the change signal only
    assert {m: e["requests"] for m, e in bridge.stats()["by_method"].items()} == {"drive.files.get": 1}
    with deps.ledger.transaction():
        deps.ledger.state.quiet_until = None  # as when the safety-net read is due
    bridge.sandbox.reset_stats()
    run_cycle(deps)
    stats = bridge.stats()
    assert stats["requests"] == 2
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
    assert not _flagged_as_edits(bridge)  # moved rows keep their fingerprints: no false 'edit' flags


def test_a_failed_review_append_is_not_reported_as_a_sort(bridge: Bridge, caplog: pytest.LogCaptureFixture) -> None:
    """After Review refused an append (429), IT staff would read "sorted, deleted or inserted rows"
    in the log and look for an officer who sorted the form's responses; nobody did."""
    import logging

    bridge.cycle()
    rows = bridge.responses()
    new = list(rows[1])
    new[0] = {"datetime": "2026-11-23T10:00:00"}
    new[5] = "Berita yang menunggu Review"
    bridge.set_responses(rows + [new])
    bridge.sandbox.set_faults({"targets": [{"method": "sheets.spreadsheets.values.append", "code": 429, "times": 6}]})
    assert bridge.cycle().intake.queued == 0
    bridge.sandbox.set_faults({})
    with caplog.at_level(logging.WARNING, logger="bridge.intake"):
        report = bridge.cycle()
    assert report.intake.queued == 1
    said = [r.getMessage() for r in caplog.records if "rescanning" in r.getMessage()]
    assert said == [f"responses tab '{DEMO_RESPONSES_TAB}': responses below the watermark were queued by an earlier "
                    "cycle and still wait to be appended to Review: rescanning"]


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
    from bridge.cycle.pipeline import run_cycle

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
        "drive.files.get": 1,  # the change signal (the new responses changed it)
        "sheets.spreadsheets.values.batchGet": 1,
        "sheets.spreadsheets.developerMetadata.search": 1,  # the spreadsheet changed: who writes it now (issue 17)
        "sheets.spreadsheets.batchUpdate": 1,  # the generation raised before the cycle's first write
        "sheets.spreadsheets.values.append": 1,
        "sheets.spreadsheets.values.batchUpdate": 1,  # the Status Bridge tab: its counts changed (issue 19)
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
    row = next(r for r in bridge.review() if r["Status"] == Status.TIDAK_VALID.value and "kesalahan sistem" in r[ReviewColumn.SYSTEM_NOTE.value])
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
    assert not _flagged_as_edits(bridge)  # another sender's response in a deleted row's place is no edit


# --- regressions: lost state, first runs, odd columns, registry and Review tab problems ---


def _lose_ledger(b: Bridge) -> None:
    state_file = b.workdir / "bridge-state.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(state_file) + suffix).unlink(missing_ok=True)


def _response(b: Bridge, when: str, title: str, like_row: int = 1) -> list[Any]:
    """A new form response copied from an existing one (same sender), with its own time and title."""
    row = list(b.responses()[like_row])
    row[0] = {"datetime": when}
    row[5] = title
    return row


def _archive_everything(b: Bridge, now: datetime) -> None:
    """Officers reject every queued row; once they are old enough the next cycle moves them to Arsip."""
    b.officer_sets({r["ID"]: Status.DITOLAK.value for r in b.review()})
    b.cycle()  # the decisions are seen (Diputuskan written; a decision first seen is archived the cycle after)
    b.now = now
    b.cycle()
    assert b.review() == []


def _set_tab(b: Bridge, tab: str, rows: list[list[Any]]) -> None:
    b.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, tab, rows)


def _set_kim(b: Bridge, kim: str, column: KimColumn, value: Any) -> None:
    rows = b.rows("KIM")
    col = [str(h) for h in rows[0]].index(column.value)
    next(r for r in rows[1:] if r[0] == kim)[col] = value
    _set_tab(b, "KIM", rows)


def _note(b: Bridge, desa: str) -> tuple[str, str]:
    row = next(r for r in b.review() if r[ReviewColumn.DESA.value] == desa)
    return row["Status"], row[ReviewColumn.SYSTEM_NOTE.value]


def test_lost_ledger_with_everything_archived_requeues_nothing(bridge: Bridge) -> None:
    """With Review emptied into Arsip, a lost SQLite file neither re-queues history nor reuses its IDs."""
    expected = len(_data_rows(bridge))
    bridge.cycle()
    _archive_everything(bridge, NOW + timedelta(days=60))
    assert len(bridge.rows("Arsip")) - 1 == expected
    _lose_ledger(bridge)
    report = bridge.cycle()
    assert report.intake.rebuilt == expected and report.intake.queued == 0
    bridge.set_responses(bridge.responses() + [_response(bridge, "2026-12-01T09:00:00", "Kiriman sesudah semua diarsipkan")])
    assert bridge.cycle().intake.queued == 1
    assert [r["ID"] for r in bridge.review()] == [f"MM-2026-{expected + 1:04d}"]


def test_start_now_on_an_empty_form_queues_the_first_response(bridge: Bridge) -> None:
    """A new form with no answers yet: the first real response is news, not history."""
    header, first = bridge.responses()[0], _response(bridge, "2026-11-23T09:00:00", "Berita pertama formulir baru")
    bridge.set_responses([header])
    assert bridge.cycle(intake__start="now").intake.skipped == 0
    bridge.set_responses([header, first])
    report = bridge.cycle(intake__start="now")
    assert report.intake.queued == 1 and report.intake.skipped == 0
    assert [r["Judul"] for r in bridge.review()] == ["Berita pertama formulir baru"]


@pytest.mark.parametrize("archived", [False, True])
def test_lost_ledger_with_start_now_keeps_history_out(bridge: Bridge, archived: bool) -> None:
    """start = "now": after the ledger is lost, November history stays out (December news in Review or in Arsip)."""
    history = len(_data_rows(bridge))  # 22-29 November: '22/11/2026' sorts after '01/12/2026' as text
    bridge.cycle(intake__start="now")
    december = [_response(bridge, "2026-12-01T09:00:00", "Berita Desember satu"), _response(bridge, "2026-12-05T09:00:00", "Berita Desember dua")]
    bridge.set_responses(bridge.responses() + december)
    assert bridge.cycle(intake__start="now").intake.queued == 2
    if archived:
        _archive_everything(bridge, datetime(2027, 1, 20, 10, 0, tzinfo=WITA))
    _lose_ledger(bridge)
    report = bridge.cycle(intake__start="now")
    assert report.intake.rebuilt == 2 and report.intake.skipped == history and report.intake.queued == 0
    assert len(bridge.review()) == (0 if archived else 2)


def test_checkbox_column_does_not_turn_blank_rows_into_submissions(bridge: Bridge) -> None:
    """An officer's 'Sudah dibaca' checkbox column (FALSE everywhere, blank rows too) adds no fake TIDAK VALID rows."""
    rows = bridge.responses()
    width = len(rows[0])
    padded = [list(r) + [""] * (width - len(r)) for r in rows[1:]]
    bridge.set_responses([list(rows[0]) + ["Sudah dibaca"]] + [r + [False] for r in padded] + [[""] * width + [False]] * 20)
    report = bridge.cycle()
    assert report.intake.queued == len(padded) and report.intake.invalid == 4  # the seed's four problem rows
    assert report.intake.drift == ["question 'Sudah dibaca' is not used by the bridge"]


def test_recreated_question_is_read_from_its_new_column(bridge: Bridge) -> None:
    """A deleted and re-created 'Judul Berita' question: new titles come from the new column, and the log says so."""
    bridge.cycle()
    rows = bridge.responses()
    width = len(rows[0])
    data = [list(r) + [""] * (width - len(r)) + [""] for r in rows[1:]]
    new = _response(bridge, "2026-11-30T09:00:00", "") + [""] * (width - len(rows[1])) + ["Judul dari pertanyaan baru"]
    bridge.set_responses([list(rows[0]) + ["Judul Berita"]] + data + [new])
    report = bridge.cycle()
    assert report.intake.queued == 1  # the old rows are still known
    assert bridge.review()[-1]["Judul"] == "Judul dari pertanyaan baru"
    assert report.intake.drift == [
        f"question for 'title' is in 2 columns ('Judul Berita' in column 6, 'Judul Berita' in column {width + 1}; "
        "deleted and re-created?): each response is read from the rightmost non-empty one"
    ]


def test_hyphenated_email_question_keeps_the_operator_check(bridge: Bridge) -> None:
    """A form whose e-mail question is titled 'Alamat E-mail' still rejects unregistered senders."""
    rows = bridge.responses()
    header = list(rows[0])
    header[1] = "Alamat E-mail"
    first = list(rows[1])
    first[1] = "penyusup@example.com"
    bridge.set_responses([header, first])
    report = bridge.cycle()
    assert report.intake.drift == []
    status, note = _note(bridge, "Lasung Batu")
    assert status == Status.TIDAK_VALID.value
    assert note.startswith("1. Email 'penyusup@example.com' tidak terdaftar sebagai operator KIM Lasung Batu Bersatu.")


def test_renamed_registry_column_makes_dependent_submissions_invalid(bridge: Bridge) -> None:
    """'Status Kemitraan' renamed to 'Status' in the KIM tab: no submission passes the unchecked status, and it is reported."""
    kim = bridge.rows("KIM")
    kim[0][kim[0].index(KimColumn.PARTNERSHIP.value)] = "Status"
    _set_tab(bridge, "KIM", kim)
    report = bridge.cycle()
    reason = "Kolom 'Status Kemitraan' tidak ada di tab KIM, sehingga status kemitraan tidak bisa diperiksa"
    with_kim = [r for r in bridge.review() if r["KIM"]]
    assert len(with_kim) == 7  # every row but the one from a desa in the wrong kecamatan
    assert all(r["Status"] == Status.TIDAK_VALID.value and reason in r[ReviewColumn.SYSTEM_NOTE.value] for r in with_kim)
    assert report.problems == [
        "registry tab 'KIM' has no column 'Status Kemitraan': submissions whose checks need it are queued TIDAK VALID; "
        "rename the header back or run `mymein-bridge init -c CONFIG`"
    ]


def test_registry_values_that_are_not_clearly_valid_do_not_pass(bridge: Bridge) -> None:
    """An SK expiry typed as '15 Januari 2025' or as unreadable text, or a status like 'Vakum', is not a silent pass."""
    _set_kim(bridge, "KIM Lasung Batu Bersatu", KimColumn.SK_UNTIL, "15 Januari 2025")
    _set_kim(bridge, "KIM Melati Mantuyan", KimColumn.SK_UNTIL, "akhir tahun depan")
    _set_kim(bridge, "KIM Karet Buntu Karau", KimColumn.PARTNERSHIP, "Vakum")
    _set_kim(bridge, "KIM Mantimin Maju", KimColumn.PARTNERSHIP, "aktif")
    bridge.cycle()
    assert _note(bridge, "Lasung Batu") == (
        Status.TIDAK_VALID.value, "1. SK KIM Lasung Batu Bersatu (188.45/012/DISKOMINFO/2025) sudah berakhir pada 15/01/2025. "
        "Setelah SK diperpanjang, perbarui kolom SK Berlaku Sampai di tab KIM."
    )
    assert _note(bridge, "Mantuyan") == (
        Status.TIDAK_VALID.value, "1. SK Berlaku Sampai untuk KIM Melati Mantuyan berisi 'akhir tahun depan', bukan tanggal; "
        "tulis tanggalnya seperti 31/12/2027 atau 31 Desember 2027 di tab KIM."
    )
    assert _note(bridge, "Buntu Karau") == (
        Status.TIDAK_VALID.value, "1. Status Kemitraan KIM Karet Buntu Karau berisi 'VAKUM', yang tidak dikenal; berita hanya diterima dari KIM AKTIF. "
        "Tulis AKTIF, DITINJAU atau DIHENTIKAN di tab KIM."
    )
    assert _note(bridge, "Mantimin")[0] == Status.MENUNGGU.value


@pytest.mark.parametrize(("header", "renamed"), [("Judul", "Judul Berita"), ("Sidik Jari", "")])
def test_missing_review_column_stops_intake_until_init(bridge: Bridge, header: str, renamed: str) -> None:
    """A renamed or deleted Review header stops intake (no half rows); after `init` every response arrives whole."""
    review = bridge.rows("Review")
    review[0][review[0].index(header)] = renamed
    _set_tab(bridge, "Review", review)
    report = bridge.cycle()
    assert report.intake.queued == 0 and bridge.review() == []
    assert f"INTAKE STOPPED: Review tab 'Review' has no column '{header}'" in report.summary()
    assert "mymein-bridge init -c CONFIG" in report.intake.halted
    bridge.init()
    expected = len(_data_rows(bridge))
    assert bridge.cycle().intake.queued == expected
    _assert_each_once(bridge, expected)
    assert all(r[header] for r in bridge.review())


def test_edited_response_is_flagged_as_an_edit_not_merged(bridge: Bridge) -> None:
    """A response edited after submitting (same row, new time) is queued TIDAK VALID, naming the item it edits."""
    expected = len(_data_rows(bridge))
    bridge.cycle()
    rows = bridge.responses()
    edited = list(rows[2])
    edited[0] = {"datetime": "2026-11-23T11:00:00"}
    edited[6] = edited[6] + " (revisi)"
    bridge.set_responses(rows[:2] + [edited] + rows[3:])
    assert bridge.cycle().intake.queued == 0  # the watermark row is unchanged: found by the daily full read
    bridge.now = bridge.now + timedelta(hours=25)
    report = bridge.cycle()
    assert report.intake.queued == 1 and report.intake.invalid == 1
    _assert_each_once(bridge, expected + 1)
    last = bridge.review()[-1]
    assert last["Status"] == Status.TIDAK_VALID.value
    assert last[ReviewColumn.SYSTEM_NOTE.value] == (
        "1. Tampaknya ini suntingan dari kiriman MM-2026-0002 (baris formulir yang sama). Periksa keduanya dan terbitkan salah satu saja."
    )


def test_refused_review_append_does_not_stop_publishing(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """Google refusing the Review append (HTTP 400) leaves the new rows pending; approved news is still published."""
    from bridge.adapters.sheets import SheetsGateway
    from bridge.exceptions import FatalError

    expected = len(_data_rows(bridge))
    bridge.cycle()
    bridge.officer_sets({"MM-2026-0001": Status.DISETUJUI.value})
    bridge.set_responses(bridge.responses() + [_response(bridge, "2026-11-30T09:00:00", "Berita yang tertahan")])
    real = SheetsGateway.append_rows

    def refuse(self: SheetsGateway, *args: Any, **kwargs: Any) -> str:
        raise FatalError("values.append Review: HTTP 400: Your input contains more than the maximum of 50000 characters in a single cell.")

    monkeypatch.setattr(SheetsGateway, "append_rows", refuse)
    report = bridge.cycle()
    assert report.publish.published == 1 and report.intake.queued == 0
    assert report.problems == [
        "Review tab not updated: Google refused the rows; they stay pending: values.append Review: HTTP 400: "
        "Your input contains more than the maximum of 50000 characters in a single cell."
    ]
    monkeypatch.setattr(SheetsGateway, "append_rows", real)
    assert bridge.cycle().intake.queued == 1
    _assert_each_once(bridge, expected + 1)


def _flagged(b: Bridge) -> list[str]:
    return [r["ID"] for r in b.review() if "Tampaknya suntingan" in r[ReviewColumn.SYSTEM_NOTE.value]]


def test_moved_row_is_not_an_edit_when_watermark_is_row_2(bridge: Bridge) -> None:
    """Officer deletes row 2; B moves up to row 2; B's next response lands on row 3 and must not be an 'edit'."""
    rows = bridge.responses()
    header, a, b = rows[0], list(rows[1]), list(rows[2])
    bridge.set_responses([header, a, b])
    assert bridge.cycle().intake.queued == 2
    bridge.set_responses([header, b])  # officer deletes A's row: B is now row 2
    r = bridge.cycle()
    assert r.intake.queued == 0 and r.intake.rescanned
    new: list[Any] = list(b)
    new[0] = {"datetime": "2026-11-23T09:30:00"}
    new[5] = "Berita baru dari operator yang sama, tidak ada hubungannya"
    bridge.set_responses([header, b, new])
    r = bridge.cycle()
    assert r.intake.queued == 1
    assert _flagged(bridge) == []


def test_moved_rows_with_the_watermark_further_down_are_not_edits_either(bridge: Bridge) -> None:
    """The same with the watermark at row 3: a row that only moved is never taken for an edit."""
    rows = bridge.responses()
    header, a, b, c = rows[0], list(rows[1]), list(rows[2]), list(rows[3])
    bridge.set_responses([header, a, b, c])
    assert bridge.cycle().intake.queued == 3
    bridge.set_responses([header, b, c])  # delete A: B at 2, C at 3
    bridge.cycle()
    new: list[Any] = list(c)
    new[0] = {"datetime": "2026-11-23T09:30:00"}
    new[5] = "Berita baru dari operator yang sama, tidak ada hubungannya"
    bridge.set_responses([header, b, c, new])
    assert bridge.cycle().intake.queued == 1
    assert _flagged(bridge) == []


def test_a_full_read_in_pages_finds_rows_beyond_the_grid_size_it_cached(bridge: Bridge) -> None:
    """Responses arriving after the layout was cached would wait for a later cycle (or the safety net) to be queued."""
    from bridge.cycle.pipeline import run_cycle

    bridge.pages = PageSizes(full_read=3)
    rows = bridge.responses()
    bridge.set_responses(rows[:1])  # a new form: no response yet, its grid two rows
    from bridge.sandbox.seed import DEMO_RESPONSES_TAB, DEMO_SPREADSHEET_ID

    bridge.sandbox.state.sheet(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)["rowCount"] = 2
    deps = bridge.deps()
    try:
        assert run_cycle(deps).intake.queued == 0  # caches the layout: a one-row grid
        bridge.set_responses(rows)
        assert run_cycle(deps).intake.queued == len(_data_rows(bridge))
    finally:
        deps.close()
