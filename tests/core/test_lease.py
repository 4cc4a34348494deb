"""The lease and generation rules (bridge.core.lease), on plain data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bridge.core.lease import (
    Holder,
    Record,
    Verdict,
    decide,
    first_record,
    lease_ttl,
    ledger_trusted,
    merge_ids,
    renew_due,
    why_untrusted,
)

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
SERVER = Holder("srv-kominfo", "boot-1", "/var/lib/mymein-bridge/bridge.sqlite3", 812)
LAPTOP = Holder("laptop-it", "boot-9", "/home/it/state/bridge.sqlite3", 4021)
TTL = timedelta(minutes=30)


def _record(holder: Holder = SERVER, gen: int = 7, at: datetime = T0) -> Record:
    return first_record(holder, "a1b2c3", gen, at, {2026: 41})


def test_the_record_survives_its_json_round_trip() -> None:
    """A bridge would not recognise its own lease after writing it, and refuse itself."""
    rec = _record()
    assert Record.parse(rec.to_json()) == rec


def test_a_record_edited_by_hand_is_no_record() -> None:
    """A damaged metadata value would crash every cycle instead of being claimed afresh."""
    assert Record.parse("") is None
    assert Record.parse("{not json") is None
    assert Record.parse('{"host": "x"}') is None
    assert Record.parse(_record().to_json().replace("+00:00", "")) is None  # a time without its zone


def test_the_same_machine_and_ledger_path_is_this_bridge_whatever_its_pid() -> None:
    """After a restart (new pid) the service would wait for its own old lease to expire."""
    restarted = Holder(SERVER.host, SERVER.boot, SERVER.path, 999)
    assert decide(_record(), restarted, T0 + timedelta(minutes=1), TTL).verdict is Verdict.OURS


def test_another_machine_or_ledger_path_is_refused_while_the_lease_lives() -> None:
    """A laptop (or a cloned server with the same host name) would write beside the server."""
    clone = Holder(SERVER.host, "boot-2", SERVER.path, SERVER.pid)
    for other in (LAPTOP, clone, Holder(SERVER.host, SERVER.boot, "/tmp/other.sqlite3")):
        d = decide(_record(), other, T0 + timedelta(minutes=29), TTL)
        assert d.verdict is Verdict.HELD and not d.may_write


def test_an_expired_lease_or_a_take_over_is_claimed() -> None:
    """A standby would never take over from a dead server, and --take-over would not work."""
    assert decide(_record(), LAPTOP, T0 + TTL, TTL).verdict is Verdict.EXPIRED
    d = decide(_record(), LAPTOP, T0 + timedelta(minutes=1), TTL, take_over=True)
    assert d.verdict is Verdict.TAKE_OVER and d.claim
    assert decide(None, LAPTOP, T0, TTL).claim


def test_a_ledger_is_trusted_only_at_the_sheets_generation() -> None:
    """A restored backup or another machine's ledger would be trusted: IDs given twice, items posted twice."""
    rec = _record(gen=7)
    assert ledger_trusted(rec, "a1b2c3", 7)
    assert ledger_trusted(rec, "a1b2c3", 8)  # raised in the ledger, the write never landed
    assert not ledger_trusted(rec, "a1b2c3", 5)  # a backup from two writes ago
    assert not ledger_trusted(rec, "ffffff", 7)  # another ledger
    assert ledger_trusted(None, "anything", 0)  # nothing to compare with yet
    assert "backup" in why_untrusted(rec, "a1b2c3", 5) and "another ledger" in why_untrusted(rec, "ffffff", 7)


def test_renewal_keeps_ids_and_is_due_at_two_thirds() -> None:
    """The record would lower the highest ID given, or a live lease would lapse between heartbeats."""
    rec = _record()
    new = rec.renewed(LAPTOP, "d4e5f6", 8, T0 + timedelta(minutes=5), {2026: 3, 2027: 2})
    assert new.ids == {2026: 41, 2027: 2} and new.holder == LAPTOP and new.gen == 8
    assert not renew_due(rec, T0 + timedelta(minutes=19), TTL)
    assert renew_due(rec, T0 + timedelta(minutes=20), TTL)
    assert merge_ids({2026: 5}, {2026: 9, 2025: 1}) == {2026: 9, 2025: 1}


def test_the_lease_lasts_thirty_minutes_or_five_poll_intervals() -> None:
    """A slow poll interval would let the lease lapse between two cycles of a live bridge."""
    assert lease_ttl(1) == timedelta(minutes=30)
    assert lease_ttl(10) == timedelta(minutes=50)


def test_a_lease_left_by_this_machine_before_a_reboot_is_taken_back_at_once() -> None:
    """After a reboot the service would write nothing for half an hour, waiting out its own lease."""
    rebooted = Holder(SERVER.host, "boot-2", SERVER.path, 400)
    booted = T0 + timedelta(minutes=5)  # the machine came back after the last heartbeat
    d = decide(_record(), rebooted, T0 + timedelta(minutes=6), TTL, booted=booted)
    assert d.verdict is Verdict.EXPIRED and d.claim


def test_a_running_clone_with_the_same_host_name_is_still_refused() -> None:
    """A cloned server that still renews its lease would be written beside."""
    clone = Holder(SERVER.host, "boot-2", SERVER.path, 400)
    booted = T0 - timedelta(hours=2)  # the clone booted before the holder's last heartbeat
    d = decide(_record(), clone, T0 + timedelta(minutes=6), TTL, booted=booted)
    assert d.verdict is Verdict.HELD
