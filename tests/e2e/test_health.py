"""The Status Bridge tab (issue 19) through the sandbox: officers see at a glance whether the bridge
works, what is wrong and what to do; it costs an exact, small number of requests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bridge.core.health import TIME_EVERY
from bridge.core.model import Status
from bridge.cycle.pipeline import run_cycle
from bridge.cycle.tabs import TAB_KEY
from bridge.sandbox import strict
from bridge.sandbox.seed import BRIDGE_ACCOUNT, DEMO_SPREADSHEET_ID

from .conftest import Bridge
from .test_questions import FOTO, _add_response, _edit_header, _rename

TAB = "Status Bridge"


def _status(bridge: Bridge, tab: str = TAB) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in bridge.rows(tab) if len(r) > 1}


def _costs(bridge: Bridge) -> dict[str, int]:
    return {m: e["requests"] for m, e in bridge.stats()["by_method"].items()}


def test_the_first_cycle_makes_a_tagged_protected_tab_saying_ok_and_what_waits(bridge: Bridge) -> None:
    """Officers could not tell from the sheet whether the bridge runs, or could type over what it shows."""
    bridge.cycle()
    shown = _status(bridge)
    assert shown["Keadaan"] == "OK"
    assert shown["Diperbarui (WITA)"] == "23/11/2026 10:00"
    assert shown["Keterangan"] == "Bridge bekerja normal; tidak ada yang perlu dilakukan."
    assert shown["Menunggu keputusan petugas"] == "8 (MENUNGGU 4, TIDAK VALID 4)"
    assert shown["Terbit terakhir"] == "-" and shown["GAGAL terbit"] == "0"
    ss = bridge.sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)
    sheet = next(s for s in ss["sheets"] if s["title"] == TAB)
    assert [m["metadataValue"] for m in ss["developerMetadata"]
            if m["metadataKey"] == TAB_KEY and m["location"].get("sheetId") == sheet["sheetId"]] == ["status"]
    (pr,) = sheet["protectedRanges"]
    assert pr["range"] == {"sheetId": sheet["sheetId"]} and not pr["warningOnly"]
    assert strict.may_edit(ss, pr, BRIDGE_ACCOUNT, bridge.sandbox.state)
    assert not strict.may_edit(ss, pr, "petugas1@example.go.id", bridge.sandbox.state)


def test_a_publish_and_a_decision_show_at_once(bridge: Bridge) -> None:
    """Officers would see yesterday's counts and no trace of the news that just went live."""
    bridge.cycle()
    waiting = [r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value]
    bridge.now = bridge.now + timedelta(minutes=3)
    bridge.officer_sets({waiting[0]: Status.DISETUJUI.value, waiting[1]: Status.DITOLAK.value})
    assert bridge.cycle().publish.published == 1
    shown = _status(bridge)
    title = next(r["Judul"] for r in bridge.review() if r["ID"] == waiting[0])
    assert shown["Terbit terakhir"] == f"23/11/2026 10:03 WITA: {title} ({waiting[0]})"
    assert shown["Menunggu keputusan petugas"] == "6 (MENUNGGU 2, TIDAK VALID 4)"
    assert shown["Diperbarui (WITA)"] == "23/11/2026 10:03"


def test_a_renamed_question_shows_the_problem_and_what_to_do_then_recovery(bridge: Bridge) -> None:
    """With intake stopped, officers would see OK (or nothing) while new submissions piled up unseen."""
    bridge.cycle()
    _edit_header(bridge, _rename(FOTO, "Foto Kegiatan"))
    _add_response(bridge, "Kerja bakti sesudah pertanyaan foto diganti", 9)
    bridge.now = bridge.now + timedelta(minutes=1)
    assert bridge.cycle().intake.halted
    shown = _status(bridge)
    assert shown["Keadaan"] == "ADA MASALAH"
    assert shown["Keterangan"].startswith(
        "1. Kiriman baru belum dimasukkan ke Review karena sebuah pertanyaan di Google Form diganti namanya atau dihapus. "
        "Tidak ada kiriman yang hilang: semuanya menunggu. Kembalikan nama pertanyaan di formulir")
    assert "'Foto Berita' -> 'Foto Kegiatan'" in shown["Keterangan"]
    _edit_header(bridge, _rename("Foto Kegiatan", FOTO))  # an officer renames the question back
    bridge.now = bridge.now + timedelta(minutes=1)
    assert bridge.cycle().intake.queued == 1
    shown = _status(bridge)
    assert shown["Keadaan"] == "OK" and shown["Diperbarui (WITA)"] == "23/11/2026 10:02"
    assert shown["Menunggu keputusan petugas"] == "9 (MENUNGGU 5, TIDAK VALID 4)"


def test_a_renamed_tab_is_followed_and_a_deleted_one_made_again(bridge: Bridge) -> None:
    """An officer renaming the tab would get a second one beside it; deleting it would end the status for good."""
    bridge.cycle()
    ss = bridge.sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)
    next(s for s in ss["sheets"] if s["title"] == TAB)["title"] = "Kesehatan Sistem"
    bridge.now = bridge.now + TIME_EVERY
    bridge.cycle()
    titles = [s["title"] for s in ss["sheets"]]
    assert TAB not in titles and _status(bridge, "Kesehatan Sistem")["Diperbarui (WITA)"] == "23/11/2026 10:15"
    ss["sheets"] = [s for s in ss["sheets"] if s["title"] != "Kesehatan Sistem"]
    ss["developerMetadata"] = [m for m in ss["developerMetadata"] if m.get("metadataValue") != "status"]
    bridge.now = bridge.now + TIME_EVERY  # (edited in the sandbox's state, unseen by Drive: the safety-net read)
    bridge.cycle()
    assert _status(bridge)["Diperbarui (WITA)"] == "23/11/2026 10:30"


def test_an_idle_hour_costs_six_requests_more_and_a_change_one(bridge: Bridge) -> None:
    """The status would eat the 60-requests-a-minute quota: written every cycle instead of on change and each 15 minutes."""

    def idle_hour(**options: Any) -> dict[str, int]:
        deps = bridge.deps(**options)
        try:
            run_cycle(deps)
            bridge.sandbox.reset_stats()
            for _ in range(60):
                bridge.now = bridge.now + timedelta(minutes=1)
                run_cycle(deps)
        finally:
            deps.close()
        return _costs(bridge)

    bridge.cycle()
    off = idle_hour(sheets__status_tab="")
    on = idle_hour()
    # off: 60 change signals, 4 safety-net reads (the process's first one fetches the layout it keeps),
    # 2 lease heartbeats (when two thirds of an idle 30-minute lease are gone): 67 requests
    assert off == {"drive.files.get": 60, "sheets.spreadsheets.get": 1, "sheets.spreadsheets.values.batchGet": 4,
                   "sheets.spreadsheets.batchUpdate": 2}
    # on: each safety-net read also writes the tab's time (every 15 minutes), after the lease's generation
    # write that every writing cycle makes (it renews the lease, so no heartbeat is due): 73 requests
    assert on == {"drive.files.get": 60, "sheets.spreadsheets.get": 1, "sheets.spreadsheets.values.batchGet": 4,
                  "sheets.spreadsheets.batchUpdate": 4, "sheets.spreadsheets.values.batchUpdate": 4}

    # A cycle that changes what the tab says (an approval published) writes it once, in the same cycle.
    waiting = [r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value]
    costs = {}
    for options in ({"sheets__status_tab": ""}, {}):
        bridge.officer_sets({waiting.pop(): Status.DISETUJUI.value})
        bridge.now = bridge.now + timedelta(minutes=1)
        deps = bridge.deps(**options)
        try:
            bridge.sandbox.reset_stats()
            assert run_cycle(deps).publish.published == 1
            costs[bool(options)] = _costs(bridge)
        finally:
            deps.close()
    with_tab, without = costs[False], costs[True]
    assert {k: v - without.get(k, 0) for k, v in with_tab.items() if v != without.get(k, 0)} == {
        "sheets.spreadsheets.values.batchUpdate": 1}


def test_init_makes_the_tab_saying_no_cycle_yet_and_a_dry_run_writes_nothing(bridge: Bridge) -> None:
    """Officers would read OK before the service ever ran; `once --dry-run`, promising nothing written, would write it."""
    shown = _status(bridge)  # the fixture ran `init`
    assert shown["Keadaan"] == "ADA MASALAH"
    assert shown["Keterangan"].startswith("1. Bridge belum menjalankan siklus sejak `init`.")
    before = bridge.rows(TAB)
    deps = bridge.deps()
    deps.dry_run = True
    try:
        run_cycle(deps)
    finally:
        deps.close()
    assert bridge.rows(TAB) == before
    sid = DEMO_SPREADSHEET_ID
    assert sum(s["title"] == TAB for s in bridge.sandbox.state.spreadsheet(sid)["sheets"]) == 1
    bridge.init()  # init again: found by its tag, not made twice
    assert sum(s["title"] == TAB for s in bridge.sandbox.state.spreadsheet(sid)["sheets"]) == 1


def test_blogger_s_daily_limit_shows_until_when_publishing_waits(bridge: Bridge) -> None:
    """Officers would see approved news not going out and no word that it resumes by itself tomorrow."""
    from tests.conftest import WITA

    bridge.cycle()
    deps = bridge.deps()
    try:
        with deps.ledger.transaction():  # as after Blogger refused a post for today (bridge.cycle.blogger_pause)
            deps.ledger.state.blogger_paused_until = bridge.now.replace(day=24, hour=0, tzinfo=WITA)
    finally:
        deps.close()
    bridge.now = bridge.now + TIME_EVERY
    bridge.cycle()
    shown = _status(bridge)
    assert shown["Keadaan"] == "ADA MASALAH"
    assert shown["Keterangan"] == ("1. Blogger menolak posting baru untuk hari ini (batas harian tercapai). Penerbitan "
                                   "dilanjutkan otomatis 24/11/2026 pukul 00:00 WITA; tidak perlu tindakan, Status baris "
                                   "tidak perlu diubah.")
    bridge.now = bridge.now.replace(day=24, hour=0, minute=1)
    bridge.cycle()
    assert _status(bridge)["Keadaan"] == "OK"


def test_message_failures_are_named_with_what_to_do(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """Officers would read only 'Siklus terakhir mencatat 2 masalah lain' when neither operators nor they get messages."""
    from bridge.adapters.notify import GmailChannel
    from bridge.exceptions import AuthError

    def refused(self: GmailChannel, message: Any) -> None:
        raise AuthError("Gmail refused the grant (invalid_grant)")

    monkeypatch.setattr(GmailChannel, "send", refused)
    opts = {"notify__operator_messages": True, "notify__digest_to": ["petugas@balangankab.go.id"], "notify__digest_at": "10:00"}
    bridge.cycle(**opts)
    bridge.now = bridge.now + timedelta(minutes=5)
    report = bridge.cycle(**opts)
    assert any(p.startswith("operator messages stopped") for p in report.problems)
    bridge.now = bridge.now + timedelta(days=1, minutes=5)  # the digest gives up on its address after a day of tries
    report = bridge.cycle(**opts)
    shown = _status(bridge)["Keterangan"]
    assert "Pesan ke operator gagal terkirim (1): periksa [notify] channel" in shown
    assert "Ringkasan untuk petugas gagal terkirim (1): periksa alamat [notify] digest_to" in shown
    assert "masalah lain" not in shown and "invalid_grant" not in shown
