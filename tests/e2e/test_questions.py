"""Issue 17: a form question renamed, removed, added or moved never re-queues history, and a needed
question that no longer maps stops intake loudly with the exact fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bridge.adapters.retry import RetryPolicy
from bridge.app import build_deps
from bridge.cli import EXIT_CONFIG, EXIT_PROBLEMS, main
from bridge.config import load_settings
from bridge.core import watermark
from bridge.core.model import ReviewColumn, Status
from bridge.cycle.pipeline import CycleReport, run_cycle

from .conftest import Bridge

FOTO, EMAIL = "Foto Berita", "Alamat email"


def _cycle_with_aliases(b: Bridge, aliases: str) -> CycleReport:
    """One cycle with lines under [sheets.aliases] in the config (as IT staff would add them)."""
    path = b.write_config()
    path.write_text(path.read_text(encoding="utf-8") + "\n[sheets.aliases]\n" + aliases + "\n", encoding="utf-8")
    deps = build_deps(load_settings(path, env={}), retry=RetryPolicy(attempts=6, initial=0.001, maximum=0.01), clock=b.clock)
    try:
        return run_cycle(deps)
    finally:
        deps.close()


def _data_rows(b: Bridge) -> list[list[Any]]:
    return [r for r in b.responses()[1:] if any(str(c).strip() for c in r)]


def _flagged_as_edits(b: Bridge) -> list[str]:
    return [r["ID"] for r in b.review() if "Tampaknya suntingan" in r[ReviewColumn.SYSTEM_NOTE.value]]


def _edit_header(b: Bridge, change: Callable[[list[str], list[list[Any]]], tuple[list[str], list[list[Any]]]]) -> None:
    rows = b.responses()
    header, data = change([str(h) for h in rows[0]], [list(r) for r in rows[1:]])
    b.set_responses([header] + data)


def _rename(old: str, new: str) -> Callable[[list[str], list[list[Any]]], tuple[list[str], list[list[Any]]]]:
    def change(header: list[str], data: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
        return [new if h == old else h for h in header], data
    return change


def _delete(name: str) -> Callable[[list[str], list[list[Any]]], tuple[list[str], list[list[Any]]]]:
    def change(header: list[str], data: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
        at = header.index(name)
        return header[:at] + header[at + 1:], [r[:at] + r[at + 1:] for r in data]
    return change


def _add_response(b: Bridge, title: str, hour: int) -> None:
    """A new response, copied from the first one with a new time and title, in the tab's current layout."""
    rows = b.responses()
    header = [str(h) for h in rows[0]]
    new = list(rows[1]) + [""] * (len(header) - len(rows[1]))
    new[0] = {"datetime": f"2026-11-23T{hour:02d}:00:00"}
    new[header.index("Judul Berita")] = title
    b.set_responses(rows + [new])


def _row_titled(b: Bridge, title: str) -> dict[str, Any]:
    (row,) = [r for r in b.review() if r["Judul"] == title]
    return row


def test_renamed_photo_question_stops_intake_until_an_alias_maps_it(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """A photo question renamed 'Foto Berita' → 'Foto Kegiatan' re-queues no history, queues nothing without its
    photo, `once` exits 2 and `check` FAILs naming the fix; with the alias line the new response comes with its photo."""
    queued = bridge.cycle().intake.queued
    assert queued == len(_data_rows(bridge))
    _edit_header(bridge, _rename(FOTO, "Foto Kegiatan"))
    _add_response(bridge, "Kerja bakti sesudah pertanyaan foto diganti", 9)

    report = bridge.cycle()
    assert report.intake.halted_config and report.intake.queued == 0
    fix = 'photo = ["Foto Kegiatan"]'
    assert "'Foto Berita' -> 'Foto Kegiatan'" in report.intake.halted and fix in report.intake.halted
    assert len(bridge.review()) == queued and _flagged_as_edits(bridge) == []

    config = str(bridge.write_config())
    capsys.readouterr()
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_CONFIG
    assert fix in capsys.readouterr().out
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_PROBLEMS
    fails = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
    assert len(fails) == 1 and fix in fails[0] and "Foto Berita" in fails[0]
    assert len(bridge.review()) == queued

    report = _cycle_with_aliases(bridge, fix)
    assert not report.intake.halted and report.intake.queued == 1
    assert len(bridge.review()) == queued + 1 and _flagged_as_edits(bridge) == []
    new = _row_titled(bridge, "Kerja bakti sesudah pertanyaan foto diganti")
    assert new[ReviewColumn.PHOTOS.value] == str(bridge.responses()[1][7])


def test_photo_question_dropped_on_purpose(bridge: Bridge) -> None:
    """A form that no longer asks for a photo (its column deleted) goes on once the config says `photo = []`,
    and no earlier response is queued again."""
    queued = bridge.cycle().intake.queued
    _edit_header(bridge, _delete(FOTO))
    assert bridge.cycle().intake.halted_config
    report = _cycle_with_aliases(bridge, "photo = []")
    assert not report.intake.halted and report.intake.queued == 0
    assert len(bridge.review()) == queued and _flagged_as_edits(bridge) == []


def test_deleted_email_question_requeues_nothing(bridge: Bridge) -> None:
    """Deleting the e-mail column brings back no earlier response as a new TIDAK VALID 'edit'; new ones still queue."""
    queued = bridge.cycle().intake.queued
    _edit_header(bridge, _delete(EMAIL))
    report = bridge.cycle()
    assert not report.intake.halted and report.intake.queued == 0
    assert len(bridge.review()) == queued and _flagged_as_edits(bridge) == []
    _add_response(bridge, "Berita sesudah email dihapus", 10)
    assert bridge.cycle().intake.queued == 1
    assert len(bridge.review()) == queued + 1 and _flagged_as_edits(bridge) == []


def test_added_and_moved_questions_requeue_nothing(bridge: Bridge) -> None:
    """A new question, and questions moved to other columns, leave every earlier response where it is."""
    queued = bridge.cycle().intake.queued

    def shuffle(header: list[str], data: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
        order = [0, 7, 2, 3, 4, 1, 6, 5]
        cells = [r + [""] * (8 - len(r)) for r in data]
        return [header[i] for i in order] + ["Nomor HP"], [[r[i] for i in order] + ["0812"] for r in cells]

    _edit_header(bridge, shuffle)
    report = bridge.cycle()
    assert not report.intake.halted and report.intake.queued == 0
    assert len(bridge.review()) == queued and _flagged_as_edits(bridge) == []


def _under_legacy_fingerprints(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bridge as it was before issue 17: fingerprints hashed the e-mail and photo links too."""
    monkeypatch.setattr(watermark, "fingerprint", watermark.legacy_fingerprint)


def _as_before_the_upgrade(b: Bridge) -> None:
    """The ledger as an earlier version left it: it never noted a fingerprint scheme."""
    deps = b.deps()
    try:
        with deps.ledger.transaction():
            deps.ledger.state.fingerprint_scheme = 0
    finally:
        deps.close()


def test_upgrade_requeues_no_history_even_when_the_email_column_goes(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the upgrade, responses queued under the old fingerprints stay known: none comes back, also when the
    e-mail column is deleted afterwards, and an approval publishes once."""
    with monkeypatch.context() as old:
        _under_legacy_fingerprints(old)
        queued = bridge.cycle().intake.queued
        bridge.cycle()
    _as_before_the_upgrade(bridge)
    legacy_fps = {r[ReviewColumn.FINGERPRINT.value] for r in bridge.review()}

    report = bridge.cycle()  # the upgraded bridge's first cycle reads every response
    assert report.intake.queued == 0 and len(bridge.review()) == queued
    _edit_header(bridge, _delete(EMAIL))
    report = bridge.cycle()
    assert not report.intake.halted and report.intake.queued == 0
    assert len(bridge.review()) == queued and _flagged_as_edits(bridge) == []
    assert {r[ReviewColumn.FINGERPRINT.value] for r in bridge.review()} == legacy_fps

    menunggu = next(r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value)
    bridge.officer_sets({menunggu: Status.DISETUJUI.value})
    posts = len(bridge.posts())
    assert bridge.cycle().publish.published == 1
    assert bridge.cycle().publish.published == 0 and len(bridge.posts()) == posts + 1


def test_upgrade_then_lost_ledger_requeues_no_history(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ledger lost after the upgrade is rebuilt from Review's old fingerprints: nothing is queued twice."""
    with monkeypatch.context() as old:
        _under_legacy_fingerprints(old)
        queued = bridge.cycle().intake.queued
    bridge.lose_ledger()
    report = bridge.cycle()
    assert report.intake.rebuilt == queued and report.intake.queued == 0
    _add_response(bridge, "Berita sesudah pemutakhiran", 11)
    assert bridge.cycle().intake.queued == 1
    assert len(bridge.review()) == queued + 1 and _flagged_as_edits(bridge) == []


def test_renamed_photo_question_stops_intake_after_a_lost_ledger_too(bridge: Bridge) -> None:
    """With the ledger lost, Review's photos tell the form had a photo question: a renamed one still stops intake."""
    queued = bridge.cycle().intake.queued
    bridge.lose_ledger()
    _edit_header(bridge, _rename(FOTO, "Foto Kegiatan"))
    report = bridge.cycle()
    assert report.intake.halted_config and 'photo = ["Foto Kegiatan"]' in report.intake.halted
    assert len(bridge.review()) == queued
