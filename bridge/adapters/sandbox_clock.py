"""The sandbox's clock, for a bridge run against it (``[google] sandbox_clock = true``).

A soak runs ``mymein-bridge run`` as systemd starts it, in its own process, and moves the
sandbox's clock (``POST /_sandbox/clock``) to live through days in minutes: scheduled posts
going live, rows getting old enough for Arsip, a clock jumping back. The bridge must see the
same time, so it asks the sandbox (``GET /_sandbox/clock``) for its offset from the machine's
clock, at most once a second. Sandbox only: against Google the bridge keeps the machine's clock.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import requests

from bridge.clock import system_clock

log = logging.getLogger("bridge.clock")


class SandboxClock:
    """The machine's time plus the sandbox's offset, asked again when older than ``refresh`` seconds.

    When the sandbox does not answer, the last offset is kept (its Google calls fail anyway).
    """

    def __init__(self, endpoint: str, *, refresh: float = 1.0, session: requests.Session | None = None) -> None:
        self.url = endpoint.rstrip("/") + "/_sandbox/clock"
        self.refresh = refresh
        self.session = session or requests.Session()
        self.offset = timedelta(0)
        self._asked = float("-inf")

    def __call__(self) -> datetime:
        if time.monotonic() - self._asked >= self.refresh:
            self._asked = time.monotonic()
            try:
                answer = self.session.get(self.url, timeout=5)
                answer.raise_for_status()
                offset = timedelta(seconds=float(answer.json()["offset_seconds"]))
            except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
                log.debug("sandbox clock not read (%s); keeping offset %s", exc, self.offset)
            else:
                if abs((offset - self.offset).total_seconds()) > 1:
                    log.info("sandbox clock moved by %s", offset - self.offset)
                self.offset = offset
        return system_clock() + self.offset

    def close(self) -> None:
        self.session.close()


__all__ = ["SandboxClock"]
