"""The officers' digest end to end (issue 19): at its time, when items wait, exactly once across kills and a lost ledger."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest

from bridge.core import digest as core_digest
from bridge.cycle import digest
from bridge.sandbox.gmail import outbox
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

from .conftest import Bridge, Killed

OFFICER = "petugas@balangankab.go.id"


def _opts(bridge: Bridge, **more: Any) -> dict[str, Any]:
    url = bridge.sandbox.url.replace("http://", "json://") + "/_sandbox/webhook/grup-petugas"
    return {"notify__digest_to": [OFFICER], "notify__digest_urls": [url], "notify__digest_at": "11:00",
            "notify__digest_wait_hours": 0, **more}


def _digests(bridge: Bridge) -> list[dict[str, Any]]:
    return [m for m in outbox(bridge.sandbox.state) if m["to"] in (OFFICER, "grup-petugas")]


def test_the_daily_digest_goes_at_its_time_once_to_each_recipient(bridge: Bridge) -> None:
    """Officers get the digest at the configured time, once by e-mail and once in the Telegram-like group, and not again that day."""
    opts = _opts(bridge)
    bridge.now = bridge.now.replace(hour=10, minute=50)
    bridge.cycle(**opts)
    bridge.cycle(**opts)
    assert _digests(bridge) == [], "before the 11:00 digest"
    bridge.now = bridge.now.replace(hour=11, minute=1)  # the sheet unchanged since 10:50: the cycle reads it all the same
    assert not bridge.cycle(**opts).unchanged
    box = _digests(bridge)
    assert sorted(m["channel"] for m in box) == ["gmail", "webhook:grup-petugas"]
    mail = next(m for m in box if m["channel"] == "gmail")
    assert mail["subject"] == "Ringkasan harian MY MEIN 23/11/2026 11:01"
    review = bridge.review()
    waiting = [r for r in review if r["Status"] in ("MENUNGGU", "TIDAK VALID")]
    assert f"- MENUNGGU: {sum(r['Status'] == 'MENUNGGU' for r in review)}" in mail["body"]
    assert f"Menunggu keputusan, yang terlama lebih dulu ({len(waiting)}):" in mail["body"]
    first = waiting[0]["ID"]
    assert first in mail["body"]
    assert f"https://docs.google.com/spreadsheets/d/{DEMO_SPREADSHEET_ID}/edit#gid=" in mail["body"] and "&range=A" in mail["body"]
    for _ in range(3):
        bridge.now = bridge.now + timedelta(hours=1)
        bridge.cycle(**opts)
    assert len(_digests(bridge)) == 2
    bridge.now = bridge.now.replace(hour=11, minute=0) + timedelta(days=1)
    bridge.cycle(**opts)
    assert len(_digests(bridge)) == 4


def _received(bridge: Bridge) -> list[Any]:
    from bridge.core.columns import parse_datetime_cell
    from tests.conftest import WITA

    return sorted(parse_datetime_cell(r["Diterima (WITA)"], WITA) for r in bridge.review()
                  if r["Status"] in ("MENUNGGU", "TIDAK VALID"))


def test_items_waiting_too_long_bring_a_reminder_at_most_once_per_wait(bridge: Bridge) -> None:
    """Between daily digests, officers are reminded when items pass the wait, but never every cycle nor twice per wait."""
    opts = _opts(bridge, notify__digest_at="", notify__digest_wait_hours=3)
    bridge.cycle(**opts)
    received = _received(bridge)
    bridge.now = received[-1] + timedelta(minutes=30)  # all but the newest item have waited more than 3 h
    bridge.cycle(**opts)
    mails = [m for m in _digests(bridge) if m["channel"] == "gmail"]
    assert [m["subject"] for m in mails] == [f"Pengingat MY MEIN: {len(received) - 1} berita menunggu lebih dari 3 jam"]
    end = received[-1] + timedelta(hours=10)
    while bridge.now < end:  # the newest passes 3 h 2.5 h later: reminded once the 3 h since the last reminder are over
        bridge.now = bridge.now + timedelta(minutes=20)
        bridge.cycle(**opts)
    mails = [m for m in _digests(bridge) if m["channel"] == "gmail"]
    assert [m["subject"] for m in mails][1:] == [f"Pengingat MY MEIN: {len(received)} berita menunggu lebih dari 3 jam"]
    assert mails[1]["time"] == (received[-1] + timedelta(minutes=30, hours=3)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len([m for m in _digests(bridge) if m["channel"] == "webhook:grup-petugas"]) == 2


def _kill_before_write_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def dying(*args: Any, **kwargs: Any) -> None:
        raise Killed()

    monkeypatch.setattr(digest, "_mark_sent", dying)


@pytest.mark.parametrize("lose_ledger", [False, True])
def test_a_kill_between_send_and_write_back_sends_no_second_digest(bridge: Bridge, monkeypatch: pytest.MonkeyPatch,
                                                                    lose_ledger: bool) -> None:
    """A bridge killed after sending the digest (and its disk wiped) would send officers the same digest again."""
    opts = _opts(bridge)
    bridge.cycle(**opts)
    bridge.now = bridge.now.replace(hour=11, minute=1)
    with monkeypatch.context() as m:
        _kill_before_write_back(m)
        with pytest.raises(Killed):
            bridge.cycle(**opts)
    assert len(_digests(bridge)) == 2
    if lose_ledger:
        bridge.lose_ledger()
    for _ in range(3):
        bridge.now = bridge.now + timedelta(minutes=5)
        bridge.cycle(**opts)
    assert len(_digests(bridge)) == 2
    bridge.now = bridge.now + timedelta(days=1)
    bridge.cycle(**opts)
    assert len(_digests(bridge)) == 4, "the next day's digest still goes"


def test_a_restored_older_ledger_sends_no_second_digest(bridge: Bridge, tmp_path: Any) -> None:
    """A ledger put back from a backup taken before the digest would make the bridge send it again."""
    from .ledger_copies import backup_ledger, restore_ledger

    opts = _opts(bridge)
    bridge.cycle(**opts)
    state = bridge.deps(**opts).settings.state_path
    backup_ledger(state, tmp_path / "backup.sqlite3")
    bridge.now = bridge.now.replace(hour=11, minute=1)
    bridge.cycle(**opts)
    assert len(_digests(bridge)) == 2
    restore_ledger(tmp_path / "backup.sqlite3", state)
    bridge.now = bridge.now + timedelta(minutes=5)
    bridge.cycle(**opts)
    bridge.cycle(**opts)
    assert len(_digests(bridge)) == 2


def test_no_digest_due_costs_no_request(bridge: Bridge) -> None:
    """Turning the digest on must not add a Sheets request to the cycles in which none is due."""
    without, settled = bridge.read_cycle_cost(), bridge.settled_cycle_cost()
    for key, value in _opts(bridge).items():
        section, name = key.split("__")
        bridge.overrides[(section, name)] = value
    bridge.cycle()  # 10:00: the record is read once (none yet) and kept in the ledger
    assert bridge.read_cycle_cost() == without
    assert bridge.settled_cycle_cost() == settled
    bridge.now = bridge.now.replace(hour=11, minute=1)
    bridge.sandbox.reset_stats()
    bridge.cycle()
    assert len(_digests(bridge)) == 2
    cost = {m: e["requests"] for m, e in bridge.stats()["by_method"].items()}
    assert cost["sheets.spreadsheets.developerMetadata.get"] == 1


def test_the_digest_is_off_by_default(bridge: Bridge) -> None:
    """A deployment that sets no digest address gets no digest and no record on the spreadsheet."""
    bridge.cycle()
    bridge.now = bridge.now.replace(hour=23)
    bridge.cycle()
    assert _digests(bridge) == []
    book = bridge.sandbox.state.data
    assert core_digest.KEY not in str(book)


def test_a_digest_due_as_rows_are_queued_counts_them(bridge: Bridge) -> None:
    """A digest sent in the cycle that queued the morning's submissions would tell officers the queue is empty."""
    opts = _opts(bridge, notify__digest_at="10:00")
    bridge.cycle(**opts)
    assert _digests(bridge) == []
    bridge.cycle(**opts)
    mail = next(m for m in _digests(bridge) if m["channel"] == "gmail")
    assert f"Jumlah per status di tab Review ({len(bridge.review())} baris):" in mail["body"]


def test_the_digest_tells_of_the_bridges_last_failure(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """Officers would read 'bekerja normal' in the morning after a night in which the bridge could not read the sheet."""
    from bridge.cycle import pipeline
    from bridge.exceptions import RetriableError

    opts = _opts(bridge)
    bridge.cycle(**opts)
    bridge.now = bridge.now.replace(hour=10, minute=30)

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise RetriableError("Sheets answered 503")

    with monkeypatch.context() as m:
        m.setattr(pipeline, "read_snapshot", unavailable)
        assert bridge.cycle(**opts).skipped
    bridge.now = bridge.now.replace(hour=11, minute=1)
    bridge.cycle(**opts)
    mail = next(m for m in _digests(bridge) if m["channel"] == "gmail")
    assert ("Keadaan sistem: gangguan terakhir 23/11/2026 10:30 WITA, sistem bekerja lagi sejak itu. Gangguannya: Google tidak "
            "dapat dijangkau sementara") in mail["body"]
    assert "Sheets answered 503" not in mail["body"]  # the raw error stays in the journal


def test_the_digest_names_a_lost_share_in_plain_indonesian(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """Officers would read 'developerMetadata.search …: no access (HTTP 403 …)' in English instead of what to do."""
    from bridge.cycle import pipeline
    from bridge.exceptions import FatalError

    opts = _opts(bridge)
    bridge.cycle(**opts)
    bridge.now = bridge.now.replace(hour=10, minute=30)

    def unshared(*args: Any, **kwargs: Any) -> Any:
        raise FatalError("developerMetadata.search SHEET: no access (HTTP 403: The caller does not have permission). Share "
                         "the spreadsheet with the bridge's Google account as Editor.")

    with monkeypatch.context() as m, pytest.raises(FatalError):
        m.setattr(pipeline, "read_snapshot", unshared)
        bridge.cycle(**opts)
    bridge.now = bridge.now.replace(hour=11, minute=1)
    bridge.cycle(**opts)
    mail = next(m for m in _digests(bridge) if m["channel"] == "gmail")
    assert ("Gangguannya: Akun Google bridge tidak dapat membuka spreadsheet (tidak lagi dibagikan kepadanya). Bagikan "
            "spreadsheet ke akun bridge sebagai Editor") in mail["body"]
    assert "HTTP 403" not in mail["body"] and "no access" not in mail["body"]


def test_a_recipient_that_is_down_is_retried_with_backoff_then_given_up(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Telegram group that cannot be reached would be hammered every cycle, or make the e-mail go again with each try."""
    from bridge.adapters.notify import AppriseChannel

    calls: list[str] = []
    real = AppriseChannel.send

    def counting(self: AppriseChannel, message: Any) -> None:
        calls.append(message.key)
        real(self, message)

    monkeypatch.setattr(AppriseChannel, "send", counting)
    opts = _opts(bridge, notify__digest_urls=["json://127.0.0.1:9/down"])
    bridge.cycle(**opts)
    bridge.now = bridge.now.replace(hour=11, minute=1)
    report = bridge.cycle(**opts)
    assert report.notices_due and len(calls) == 1 and len(_digests(bridge)) == 1
    bridge.cycle(**opts)  # within the first wait: not tried again
    assert len(calls) == 1
    for _ in range(40):  # 10 hours, one cycle every 15 minutes
        bridge.now = bridge.now + timedelta(minutes=15)
        bridge.cycle(**opts)
    assert 3 <= len(calls) <= 12, calls
    assert len(_digests(bridge)) == 1, "the e-mail went once"
    tries = len(calls)
    bridge.now = bridge.now + timedelta(hours=3)
    bridge.cycle(**opts)
    assert len(calls) == tries, "given up after 6 h: the record is finished"


def test_a_digest_due_as_rows_are_archived_links_the_right_rows(bridge: Bridge) -> None:
    """A digest sent in the cycle that archived rows above the waiting ones would link officers to the wrong rows."""
    import re

    opts = _opts(bridge, blog__archive_after_days=1)
    bridge.cycle(**opts)
    first = [r["ID"] for r in bridge.review() if r["Status"] == "MENUNGGU"][:2]
    bridge.officer_sets({sid: "DISETUJUI" for sid in first})
    bridge.cycle(**opts)
    assert [r["Status"] for r in bridge.review() if r["ID"] in first] == ["TERBIT", "TERBIT"]
    bridge.now = bridge.now.replace(hour=11, minute=1) + timedelta(days=2)
    report = bridge.cycle(**opts)
    assert report.archived == 2 and _digests(bridge) == []
    bridge.cycle(**opts)
    mail = next(m for m in _digests(bridge) if m["channel"] == "gmail")
    listed = re.findall(r"^- (MM-\d{4}-\d{4}) \|.*\n  https://\S+&range=A(\d+)$", mail["body"], re.MULTILINE)
    rows = {r[0]: n for n, r in enumerate(bridge.rows("Review")[1:], start=2)}
    assert listed and all(rows[sid] == int(row) for sid, row in listed)
