"""Google's clock beside the server's: every answer from Google carries a ``Date`` header.

A server whose clock runs hours fast would publish a post scheduled two hours ahead at once
(issue 17). Each Google answer's ``Date`` (RFC 9110 section 6.6.1: the time the origin server
produced the message, one-second resolution) is noted here; scheduling decisions use
:meth:`GoogleTime.now`, and ``check`` and each cycle report a skew over :data:`SKEW_LIMIT`.
"""

from __future__ import annotations

import email.utils
import logging
from datetime import datetime, timedelta
from typing import Any

from bridge.clock import Clock

log = logging.getLogger("bridge.clock")

#: A difference this large between the server's clock and Google's is reported (log, `check`).
SKEW_LIMIT = timedelta(minutes=2)
#: Below this the difference is the header's one-second resolution and the network: ignored.
NOISE = timedelta(seconds=2)
#: How often a lasting skew is logged again by a running service.
WARN_EVERY = timedelta(hours=1)


class GoogleTime:
    """The offset of Google's clock from the server's, as the last ``Date`` header showed it."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.offset: timedelta | None = None  # Google's time minus the server's
        self._warned_at: datetime | None = None

    def observe(self, header: Any) -> None:
        """Note one answer's ``Date`` header (ignored when absent or unreadable)."""
        if not header:
            return
        try:
            when = email.utils.parsedate_to_datetime(str(header))
        except (TypeError, ValueError, IndexError):
            return
        if when.tzinfo is None:
            return
        self.offset = when - self.clock()

    @property
    def skew(self) -> timedelta | None:
        """How far the server's clock is ahead of Google's (negative: behind); None before any answer."""
        return None if self.offset is None else -self.offset

    def skewed(self) -> bool:
        """True when the server's clock is off by more than :data:`SKEW_LIMIT`."""
        skew = self.skew
        return skew is not None and abs(skew) > SKEW_LIMIT

    def now(self) -> datetime:
        """Google's time now: the server's clock corrected by the last offset seen (beyond the noise)."""
        now = self.clock()
        if self.offset is not None and abs(self.offset) >= NOISE:
            return now + self.offset
        return now

    def describe(self) -> str:
        """The skew in words, for the log and `check`."""
        skew = self.skew
        if skew is None:
            return "Google's time not seen yet"
        seconds = int(skew.total_seconds())
        way = "ahead of" if seconds >= 0 else "behind"
        return f"this server's clock is {abs(seconds) // 60} min {abs(seconds) % 60} s {way} Google's"

    def warn_if_skewed(self) -> bool:
        """Log a skew over the limit (at most once per :data:`WARN_EVERY`); True when skewed."""
        if not self.skewed():
            return False
        now = self.clock()
        if self._warned_at is None or now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            log.warning("%s (more than %d minutes): fix the server's time (timedatectl set-ntp true); "
                        "until then schedules follow Google's time", self.describe(), int(SKEW_LIMIT.total_seconds() // 60))
        return True


__all__ = ["GoogleTime", "SKEW_LIMIT"]
