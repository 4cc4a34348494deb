"""When the officers' digest is due, and what it says (pure, plain data)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bridge.core.digest import (
    DAILY,
    REMINDER,
    DigestInput,
    DigestRecord,
    DigestRow,
    Health,
    Sending,
    context,
    due,
    next_due,
    waited,
)
from bridge.core.model import Status
from tests.conftest import WITA

NOW = datetime(2026, 12, 3, 7, 30, tzinfo=WITA)
AT = time(7, 30)


def _row(n: int, status: Status, hours_ago: float) -> DigestRow:
    return DigestRow(f"MM-2026-{n:04d}", n + 1, status, NOW - timedelta(hours=hours_ago), "KIM A", "Desa", "Kec", f"Judul {n}")


def test_the_daily_digest_is_due_once_per_slot() -> None:
    """Officers would get the morning digest late, twice, or a day's old one after a long outage."""
    assert due(None, NOW, AT, 0, []) == Sending(DAILY, NOW, NOW)
    assert due(None, NOW - timedelta(minutes=1), AT, 0, []) is None  # yesterday's slot is 24 h old: skipped
    sent = DigestRecord(daily=NOW, last=NOW)
    assert due(sent, NOW + timedelta(hours=5), AT, 0, []) is None
    late = NOW + timedelta(days=1, hours=2)
    assert due(sent, late, AT, 0, []) == Sending(DAILY, NOW + timedelta(days=1), late)
    assert due(DigestRecord(sending=Sending(DAILY, NOW, NOW)), late, AT, 0, []) is None, "one being sent is finished first"


def test_a_reminder_comes_when_items_pass_the_wait_and_not_again_within_it() -> None:
    """A reminder every cycle would flood the officers; none at all would hide items left waiting."""
    rows = [_row(1, Status.MENUNGGU, 30), _row(2, Status.MENUNGGU, 1), _row(3, Status.TERBIT, 100)]
    later = NOW + timedelta(hours=1)
    record = DigestRecord(daily=NOW, last=NOW)  # the 07:30 digest went
    assert due(record, later, AT, 24, rows) is None, "item 1 had passed 24 h before the last digest"
    rows.append(_row(4, Status.TIDAK_VALID, 23.5))  # passes 24 h at 08:00
    reminder = due(record, later, AT, 24, rows)
    assert reminder is not None and reminder.kind == REMINDER
    after = record.begun(reminder).done()
    assert due(after, later + timedelta(minutes=1), AT, 24, rows + [_row(5, Status.MENUNGGU, 23.9)]) is None, "within 24 h of a reminder"
    assert next_due(after, later, AT, 24, rows + [_row(5, Status.MENUNGGU, 23.9)]) == NOW + timedelta(days=1)


def test_the_digest_lists_counts_oldest_first_with_links_and_health() -> None:
    """Officers would have to search the sheet for the items that waited longest, or miss GAGAL rows."""
    rows = [_row(1, Status.MENUNGGU, 2), _row(2, Status.TIDAK_VALID, 50), _row(3, Status.GAGAL, 5), _row(4, Status.TERBIT, 9)]
    c = context(DigestInput(Sending(DAILY, NOW, NOW), rows, "SHEET", 77, 24, 1, alerts=[("KIM A", "SK berakhir")],
                            health=Health(NOW - timedelta(hours=3), "HTTP 503", 0)))
    assert sorted((j["status"], j["n"]) for j in c["jumlah"]) == [("GAGAL", 1), ("MENUNGGU", 1), ("TERBIT", 1), ("TIDAK VALID", 1)]
    assert [m["id"] for m in c["menunggu"]] == ["MM-2026-0002"] and c["menunggu_lainnya"] == 1 and c["lewat_batas"] == 1
    assert c["menunggu"][0]["lama"] == "2 hari 2 jam"
    assert c["menunggu"][0]["tautan"] == "https://docs.google.com/spreadsheets/d/SHEET/edit#gid=77&range=A3"
    assert [g["id"] for g in c["gagal"]] == ["MM-2026-0003"]
    assert c["gangguan_waktu"] == "03/12/2026 04:30" and c["kemitraan"] == [{"kim": "KIM A", "pesan": "SK berakhir"}]


def test_waiting_times_read_naturally() -> None:
    """A wait shown as raw hours ('50 jam') or a negative number would confuse officers."""
    assert waited(NOW - timedelta(hours=50), NOW) == "2 hari 2 jam"
    assert waited(NOW - timedelta(hours=48), NOW) == "2 hari"
    assert waited(NOW - timedelta(minutes=20), NOW) == "kurang dari 1 jam"
    assert waited(NOW + timedelta(hours=1), NOW) == "kurang dari 1 jam"


def test_the_record_survives_its_own_text() -> None:
    """A record the bridge cannot read back would make it send every digest again."""
    record = DigestRecord(NOW, NOW + timedelta(hours=2), NOW, Sending(REMINDER, NOW, NOW + timedelta(seconds=5)))
    assert DigestRecord.parse(record.to_json()) == record
    assert DigestRecord.parse("not json") is None and DigestRecord.parse("") is None
