"""One writer per spreadsheet, and a ledger the sheet vouches for: the rules, as pure functions.

The bridge keeps one record in the Review spreadsheet's developer metadata (SPREADSHEET location,
key :data:`KEY`): who writes this spreadsheet now (the *lease*: machine, process, ledger path,
heartbeat time) and which ledger wrote it last (the *generation*: the ledger's random id and a
counter raised before each cycle's first write), with the highest submission ID given so far.

* A bridge whose ledger is not the one the record names (another machine's, or a new file), or is
  behind it (a backup restored: its counter is lower), treats its ledger as lost and rebuilds it
  from the sheet and the blog: :func:`ledger_trusted`.
* A bridge finding the lease held by another machine or another ledger path, with a heartbeat
  younger than :func:`lease_ttl`, does not write: :func:`decide`.
* New IDs are allocated above the record's ``ids``, whatever the local counter says.

Google has no compare-and-swap for metadata values, so a claim is written, left to settle a few
seconds, and read back (see :mod:`bridge.cycle.lease` for the window that remains).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum

#: The developer metadata key of the record (one per spreadsheet).
KEY = "mymein-bridge.lease"
#: The record's fixed metadata id: Google refuses (400) a second createDeveloperMetadata with an id
#: already taken, so two bridges creating the first record at the same moment cannot both succeed.
#: ("myme" in ASCII; a positive int32 as the schema asks.)
METADATA_ID = 0x6D796D65
#: The shortest lease: a shorter one needs a heartbeat write more often than the 15-minute safety-net
#: read (renewing at 2/3 of it keeps an idle bridge at about 3 writes an hour).
MIN_TTL = timedelta(minutes=30)
#: ... or this many poll intervals, when longer.
TTL_POLLS = 5


def lease_ttl(poll_interval_minutes: int) -> timedelta:
    """How long a lease lasts after its last heartbeat."""
    return max(MIN_TTL, timedelta(minutes=TTL_POLLS * max(1, poll_interval_minutes)))


@dataclass(frozen=True)
class Holder:
    """A bridge process as the record names it. One machine runs one bridge per ledger path (the
    lock file next to the ledger), so machine + path say whether the record is this bridge's own."""

    host: str
    boot: str  # the kernel's boot id: a cloned machine with the same host name is another machine
    path: str  # the ledger file, resolved
    pid: int = 0

    def same_place(self, other: Holder) -> bool:
        return (self.host, self.boot, self.path) == (other.host, other.boot, other.path)

    def describe(self) -> str:
        return f"host {self.host or '?'} (pid {self.pid or '?'}, ledger {self.path or '?'})"


@dataclass(frozen=True)
class Record:
    """The record as stored (JSON in the metadata value)."""

    holder: Holder
    ledger: str  # the random id of the ledger that wrote last
    gen: int  # raised before each cycle's first write
    heartbeat: datetime
    ids: dict[int, int] = field(default_factory=dict)  # year → highest number given

    def to_json(self) -> str:
        return json.dumps({
            "host": self.holder.host, "boot": self.holder.boot, "path": self.holder.path, "pid": self.holder.pid,
            "ledger": self.ledger, "gen": self.gen, "heartbeat": self.heartbeat.isoformat(),
            "ids": {str(y): n for y, n in sorted(self.ids.items())},
        }, sort_keys=True, separators=(",", ":"))

    @classmethod
    def parse(cls, text: str) -> Record | None:
        """The record, or None when the value is not one (empty, edited by hand, another version)."""
        try:
            data = json.loads(text)
            holder = Holder(str(data["host"]), str(data.get("boot", "")), str(data["path"]), int(data.get("pid", 0)))
            beat = datetime.fromisoformat(str(data["heartbeat"]))
            if beat.tzinfo is None:
                return None
            ids = {int(y): int(n) for y, n in dict(data.get("ids", {})).items()}
            return cls(holder, str(data["ledger"]), int(data["gen"]), beat, ids)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def expires(self, ttl: timedelta) -> datetime:
        return self.heartbeat + ttl

    def renewed(self, holder: Holder, ledger: str, gen: int, now: datetime, ids: dict[int, int]) -> Record:
        """The next record: this holder, this ledger at ``gen``, heartbeat now, IDs never lowered."""
        return replace(self, holder=holder, ledger=ledger, gen=gen, heartbeat=now, ids=merge_ids(self.ids, ids))


def first_record(holder: Holder, ledger: str, gen: int, now: datetime, ids: dict[int, int]) -> Record:
    return Record(holder, ledger, gen, now, dict(ids))


def merge_ids(*tops: dict[int, int]) -> dict[int, int]:
    """The highest number per year across several maps."""
    out: dict[int, int] = {}
    for top in tops:
        for year, n in top.items():
            out[year] = max(out.get(year, 0), n)
    return out


class Verdict(Enum):
    FREE = "free"  # no record yet: claim it
    OURS = "ours"  # this machine and ledger path hold it: go on
    EXPIRED = "expired"  # another holder stopped renewing it: claim it
    TAKE_OVER = "take-over"  # another holder's live lease, taken over by request (--take-over)
    HELD = "held"  # another holder's live lease: do not write


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    record: Record | None

    @property
    def may_write(self) -> bool:
        return self.verdict is not Verdict.HELD

    @property
    def claim(self) -> bool:
        """The record must name this bridge before it writes (and be read back)."""
        return self.verdict in (Verdict.FREE, Verdict.EXPIRED, Verdict.TAKE_OVER)


def decide(
    record: Record | None, me: Holder, now: datetime, ttl: timedelta, *,
    take_over: bool = False, booted: datetime | None = None,
) -> Decision:
    """Whether this bridge may write the spreadsheet the record is on.

    ``booted`` is when this machine started. A lease held by this host name and ledger path under
    another boot id, last renewed before that moment, was held by this machine before a reboot (no
    process of that boot can be alive): it is taken back at once, so a rebooted server does not wait
    out its own lease. A clone with the same host name that still runs renews after our boot, and
    is refused as before.
    """
    if record is None:
        return Decision(Verdict.FREE, None)
    if record.holder.same_place(me):
        return Decision(Verdict.OURS, record)
    if booted is not None and previous_boot(record, me, booted):
        return Decision(Verdict.EXPIRED, record)
    if now >= record.expires(ttl):
        return Decision(Verdict.EXPIRED, record)
    return Decision(Verdict.TAKE_OVER if take_over else Verdict.HELD, record)


def previous_boot(record: Record, me: Holder, booted: datetime) -> bool:
    """The record names this machine and ledger path before its last reboot."""
    h = record.holder
    return (h.host, h.path) == (me.host, me.path) and h.boot != me.boot and record.heartbeat <= booted


def ledger_trusted(record: Record | None, ledger: str, gen: int) -> bool:
    """True when the local ledger is the one that wrote the spreadsheet last, and not behind it.

    ``gen`` is the counter the ledger wrote (or was about to write: it is raised in the ledger
    first), so the record holds ``gen`` or, when the write never landed, ``gen - 1``. No record:
    nothing to compare with (the first bridge on this spreadsheet, or one from before records).
    """
    if record is None:
        return True
    return record.ledger == ledger and record.gen in (gen, gen - 1)


def renew_due(record: Record, now: datetime, ttl: timedelta) -> bool:
    """A heartbeat is due: two thirds of the lease are gone (so it never lapses between renewals)."""
    return now - record.heartbeat >= ttl * 2 / 3


def why_untrusted(record: Record, ledger: str, gen: int) -> str:
    """Why the local ledger was not trusted, in words for the log and ``check``."""
    if record.ledger != ledger:
        return (f"the spreadsheet was last written with another ledger ({record.holder.describe()}, "
                f"ledger id {record.ledger}), not this one (id {ledger or 'none yet'}): another bridge wrote it since, "
                "or this file is a backup or copy of an older ledger")
    if record.gen > gen:
        return (f"this ledger is older than the spreadsheet (generation {gen}, the spreadsheet is at {record.gen}): "
                "a backup restored, or a copy of an older file")
    return f"the spreadsheet's generation {record.gen} does not follow this ledger's {gen}"


__all__ = [
    "KEY", "METADATA_ID", "MIN_TTL", "Decision", "Holder", "Record", "Verdict", "decide", "first_record",
    "lease_ttl", "ledger_trusted", "previous_boot", "merge_ids", "renew_due", "why_untrusted",
]
