"""The officers' digest (issue 19): when one is due, and what it says.

Pure: plain rows, alerts and times in; a decision and the template's context out.

Two kinds, each sent at most once per slot:

- ``harian`` (daily): at ``[notify] digest_at`` (WITA) each day; one missed while the bridge was down
  goes late, unless it is more than :data:`CATCH_UP` old (then the next one comes instead);
- ``pengingat`` (reminder): between the daily ones, when an item has waited longer than
  ``digest_wait_hours`` since the last digest of either kind, and no reminder went in the last
  ``digest_wait_hours`` (so it never fires every cycle).

What was sent lives on the spreadsheet (a :class:`DigestRecord` in developer metadata, written
before sending with ``sending`` set and after with the slot recorded), so a lost ledger never sends
a digest twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from bridge.core.model import Status

DAILY = "harian"
REMINDER = "pengingat"
#: Statuses that wait for an officer: the "oldest waiting items".
WAITING = (Status.MENUNGGU, Status.TIDAK_VALID)
#: A daily digest missed for longer than this (the bridge was down) is skipped.
CATCH_UP = timedelta(hours=12)
KEY = "mymein-bridge.digest"
#: A fixed id (ASCII "mmdg"), so two writers cannot both create the record.
METADATA_ID = 0x6D6D6467
TIME_FORMAT = "%d/%m/%Y %H:%M"


def _time(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Sending:
    """A digest whose intent is on the sheet: composed at ``at`` for ``slot``."""

    kind: str
    slot: datetime
    at: datetime

    @property
    def key(self) -> str:
        return f"{self.kind} {self.slot.isoformat()}"


@dataclass(frozen=True)
class DigestRecord:
    """What the spreadsheet says was sent."""

    daily: datetime | None = None  # the last daily slot sent
    reminder: datetime | None = None  # the last reminder sent
    last: datetime | None = None  # when the last digest of either kind was composed
    sending: Sending | None = None  # written before sending, cleared after

    def to_json(self) -> str:
        def iso(t: datetime | None) -> str | None:
            return t.isoformat() if t else None

        sending = None if self.sending is None else {"kind": self.sending.kind, "slot": iso(self.sending.slot), "at": iso(self.sending.at)}
        return json.dumps({"daily": iso(self.daily), "reminder": iso(self.reminder), "last": iso(self.last), "sending": sending},
                          sort_keys=True)

    @classmethod
    def parse(cls, text: str) -> DigestRecord | None:
        """None when there is no record (or it cannot be read: treated as none)."""
        try:
            data = json.loads(text) if text else None
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        raw = data.get("sending")
        sending = None
        if isinstance(raw, dict):
            slot, at = _time(raw.get("slot")), _time(raw.get("at"))
            if raw.get("kind") in (DAILY, REMINDER) and slot and at:
                sending = Sending(str(raw["kind"]), slot, at)
        return cls(_time(data.get("daily")), _time(data.get("reminder")), _time(data.get("last")), sending)

    def begun(self, sending: Sending) -> DigestRecord:
        return DigestRecord(self.daily, self.reminder, self.last, sending)

    def done(self) -> DigestRecord:
        """The record once the digest being sent is out (or given up)."""
        s = self.sending
        if s is None:
            return self
        daily = s.slot if s.kind == DAILY else self.daily
        reminder = s.slot if s.kind == REMINDER else self.reminder
        return DigestRecord(daily, reminder, max(filter(None, (self.last, s.at))), None)


@dataclass(frozen=True)
class DigestRow:
    """One Review row as the digest sees it."""

    id: str
    row: int  # sheet row number (for the link)
    status: Status | None
    received: datetime | None
    kim: str = ""
    desa: str = ""
    kecamatan: str = ""
    title: str = ""
    note: str = ""  # Catatan Sistem (why a row is GAGAL)

    @property
    def waiting(self) -> bool:
        return self.status in WAITING


def parse_at(text: str) -> time | None:
    if not text:
        return None
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def daily_slot(now: datetime, at: time | None) -> datetime | None:
    """The latest daily slot at or before ``now`` (in ``now``'s time zone)."""
    if at is None:
        return None
    today = datetime.combine(now.date(), at, tzinfo=now.tzinfo)
    return today if today <= now else today - timedelta(days=1)


def _crossed(rows: Iterable[DigestRow], now: datetime, limit: timedelta, since: datetime | None) -> list[DigestRow]:
    """Waiting rows that passed ``limit`` after ``since`` (the last digest) and by ``now``."""
    return [r for r in rows if r.waiting and r.received is not None and r.received + limit <= now
            and (since is None or r.received + limit > since)]


def due(record: DigestRecord | None, now: datetime, at: time | None, wait_hours: int, rows: Sequence[DigestRow]) -> Sending | None:
    """The digest to send now, or None. A record with ``sending`` set is finished first (not here)."""
    record = record or DigestRecord()
    if record.sending is not None:
        return None
    slot = daily_slot(now, at)
    if slot is not None and now - slot <= CATCH_UP and (record.daily is None or record.daily < slot):
        return Sending(DAILY, slot, now)
    if wait_hours > 0:
        limit = timedelta(hours=wait_hours)
        if _crossed(rows, now, limit, record.last) and (record.reminder is None or now - record.reminder >= limit):
            return Sending(REMINDER, now.replace(second=0, microsecond=0), now)
    return None


def next_due(record: DigestRecord | None, now: datetime, at: time | None, wait_hours: int, rows: Sequence[DigestRow]) -> datetime | None:
    """The earliest time after ``now`` a digest may become due with these rows (the cycle reads then)."""
    record = record or DigestRecord()
    times: list[datetime] = []
    slot = daily_slot(now, at)
    if slot is not None:
        times.append(slot + timedelta(days=1))
    if wait_hours > 0:
        limit = timedelta(hours=wait_hours)
        earliest = record.reminder + limit if record.reminder else now
        for r in rows:
            if r.waiting and r.received is not None:
                when = max(r.received + limit, earliest)
                if when > now and (record.last is None or r.received + limit > record.last):
                    times.append(when)
    return min(times) if times else None


def waited(since: datetime | None, now: datetime) -> str:
    """'2 hari 3 jam', '5 jam', 'kurang dari 1 jam'."""
    if since is None:
        return "tidak diketahui"
    hours = int((now - since).total_seconds() // 3600)
    if hours < 1:
        return "kurang dari 1 jam"
    days, hours = divmod(hours, 24)
    parts = ([f"{days} hari"] if days else []) + ([f"{hours} jam"] if hours else [])
    return " ".join(parts)


def row_link(spreadsheet_id: str, sheet_id: int | None, row: int) -> str:
    """A link that opens the Review tab at the row."""
    base = f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit"
    return f"{base}#gid={sheet_id}&range=A{row}" if sheet_id is not None else base


@dataclass(frozen=True)
class Health:
    """The bridge's own health as the digest tells it."""

    last_failure: datetime | None = None
    failure: str = ""  # what failed, plain Indonesian with what to do (bridge.core.health.cycle_failed)
    problems: int = 0  # problems in the cycle that sends the digest


@dataclass
class DigestInput:
    sending: Sending
    rows: list[DigestRow]
    spreadsheet_id: str
    sheet_id: int | None
    wait_hours: int
    items: int
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (KIM, what to do), Indonesian
    channel_problems: list[str] = field(default_factory=list)  # Indonesian lines of the KIM tab
    health: Health = field(default_factory=Health)


def context(data: DigestInput) -> dict[str, Any]:
    """The template's variables (see config/templates/digest.txt)."""
    now = data.sending.at
    counts = Counter(r.status for r in data.rows if r.status is not None)
    limit = timedelta(hours=data.wait_hours) if data.wait_hours > 0 else None

    def item(r: DigestRow) -> dict[str, str]:
        return {"id": r.id, "kim": r.kim or "-", "desa": r.desa or "-", "kecamatan": r.kecamatan or "-", "judul": r.title or "(tanpa judul)",
                "status": r.status.value if r.status else "", "lama": waited(r.received, now), "catatan": r.note.splitlines()[0] if r.note else "",
                "tautan": row_link(data.spreadsheet_id, data.sheet_id, r.row)}

    far = datetime.max.replace(tzinfo=now.tzinfo)
    waiting = sorted((r for r in data.rows if r.waiting), key=lambda r: (r.received or far, r.id))
    failed = sorted((r for r in data.rows if r.status == Status.GAGAL), key=lambda r: (r.received or far, r.id))
    overdue = [r for r in waiting if limit is not None and r.received is not None and r.received + limit <= now]
    h = data.health
    return {
        "jenis": data.sending.kind,
        "waktu": now.strftime(TIME_FORMAT),
        "jumlah": [{"status": s.value, "n": counts[s]} for s in Status if counts[s]],
        "total": sum(counts.values()),
        "menunggu": [item(r) for r in waiting[: data.items]],
        "menunggu_total": len(waiting),
        "menunggu_lainnya": max(0, len(waiting) - data.items),
        "batas_jam": data.wait_hours,
        "lewat_batas": len(overdue),
        "gagal": [item(r) for r in failed[: data.items]],
        "gagal_lainnya": max(0, len(failed) - data.items),
        "kemitraan": [{"kim": kim, "pesan": text} for kim, text in data.alerts],
        "kanal": list(data.channel_problems),
        "gangguan_waktu": h.last_failure.strftime(TIME_FORMAT) if h.last_failure else "",
        "gangguan": h.failure,
        "masalah_siklus": h.problems,
        "tab_review": row_link(data.spreadsheet_id, data.sheet_id, 1).rsplit("&", 1)[0],
    }


__all__ = ["CATCH_UP", "DAILY", "DigestInput", "DigestRecord", "DigestRow", "Health", "KEY", "METADATA_ID", "REMINDER", "Sending",
           "WAITING", "context", "daily_slot", "due", "next_due", "parse_at", "row_link", "waited"]
