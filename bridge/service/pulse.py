"""`run`'s pulse in the journal (issue 19): one line when the bridge stops working, one when it
recovers, and one alive line an hour, so a quiet journal means a dead service, not a healthy one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bridge.clock import Clock

log = logging.getLogger("bridge.service")

ALIVE_EVERY = timedelta(hours=1)
WITA = ZoneInfo("Asia/Makassar")


class Pulse:
    """Fed each cycle's outcome by the scheduler; logs changes of health, and an alive line hourly."""

    def __init__(self, clock: Clock, alert: Callable[[str, str], None] | None = None,
                 tz: tzinfo = WITA) -> None:
        self.clock = clock
        self.tz = tz  # the alerts' times are WITA, whatever zone the clock gives (system_clock: UTC)
        #: tells IT (subject, body) on the first failure and on recovery, never every cycle (issue 19)
        self.alert = alert
        self.failing_since: datetime | None = None
        self.failed = 0  # cycles failed in a row
        self.last_good: datetime | None = None
        self.hour_start: datetime | None = None
        self.hour_cycles = 0
        self.hour_failed = 0

    def record(self, problem: str | None) -> None:
        """One cycle ended: ``problem`` is why it could not do its work, None when it did."""
        now = self.clock()
        if problem is not None:
            if self.failing_since is None:
                self.failing_since = now
                log.error("bridge not working since %s: %s", now.isoformat(timespec="seconds"), problem)
                self._tell("MY MEIN bridge tidak bekerja", f"Sejak {self._wita(now)}, siklus bridge gagal:\n{problem}\n\n"
                           "Periksa dengan `mymein-bridge check -c CONFIG` dan jurnal `journalctl -u mymein-bridge`. "
                           "Pesan berikutnya dikirim saat bridge bekerja lagi.")
            self.failed += 1
        else:
            if self.failing_since is not None:
                log.info("bridge recovered at %s after %d failed cycle(s) since %s", now.isoformat(timespec="seconds"),
                         self.failed, self.failing_since.isoformat(timespec="seconds"))
                self._tell("MY MEIN bridge bekerja lagi", f"Bridge bekerja lagi sejak {self._wita(now)}, setelah "
                           f"{self.failed} siklus gagal sejak {self._wita(self.failing_since)}.")
            self.failing_since, self.failed, self.last_good = None, 0, now
        if self.hour_start is None:
            self.hour_start = now
        self.hour_cycles += 1
        self.hour_failed += problem is not None
        if now - self.hour_start >= ALIVE_EVERY:
            last = self.last_good.isoformat(timespec="seconds") if self.last_good else "none yet"
            log.info("alive: %d cycle(s) since %s, %d failed; last good cycle %s", self.hour_cycles,
                     self.hour_start.isoformat(timespec="seconds"), self.hour_failed, last)
            self.hour_start, self.hour_cycles, self.hour_failed = now, 0, 0

    def _wita(self, when: datetime) -> str:
        return f"{when.astimezone(self.tz):%d/%m/%Y %H:%M} WITA"

    def _tell(self, subject: str, body: str) -> None:
        if self.alert is None:
            return
        try:
            self.alert(subject, body)
        except Exception as exc:  # noqa: BLE001 - an alert that cannot go must not stop the service
            log.warning("IT alert '%s' not sent: %s", subject, exc)


__all__ = ["Pulse", "ALIVE_EVERY"]
