"""The cycle context: everything one cycle touches, built by the wiring (``bridge.app.build_deps``).

It lives in ``cycle/`` so the steps of a cycle depend on it and not on the wiring that builds it
(no module in ``bridge/cycle`` imports ``bridge.app``). Tests build it with the sandbox or fakes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bridge.adapters.blogger import BloggerGateway
from bridge.adapters.drive import DriveGateway
from bridge.adapters.google_time import GoogleTime
from bridge.adapters.ledger import Ledger
from bridge.adapters.sheets import SheetsGateway
from bridge.clock import Clock
from bridge.config import Settings
from bridge.core.wilayah import WilayahIndex


@dataclass(frozen=True)
class PageSizes:
    """Rows per request where a cycle walks a whole tab: memory stays bounded by a page at any tab
    size (issue 13). Tests pass small ones to see several pages of the demo's few rows."""

    #: responses rows per request when the whole tab is read (the daily full scan, a first run, a rescan)
    full_read: int = 5_000
    #: pending rows per Review append (a backfill's 100k rows are not one request, nor all in memory at once)
    append: int = 5_000
    #: Review rows per request when Review is read whole (pages checked against its ID column, issue 22)
    review_read: int = 5_000


@dataclass
class CycleContext:
    """Everything one cycle touches. Tests build it with the sandbox or fakes."""

    settings: Settings
    sheets: SheetsGateway
    blogger: BloggerGateway
    drive: DriveGateway
    ledger: Ledger
    wilayah: WilayahIndex
    template: str
    clock: Clock
    should_stop: Callable[[], bool] = field(default=lambda: False)
    dry_run: bool = False
    #: take the spreadsheet's lease from another bridge at the next cycle (``--take-over``)
    take_over: bool = False
    #: `run`: while another bridge holds the lease, wait and take over when it expires (else refuse)
    standby: bool = False
    #: waits a claimed lease settles before it is read back (tests pass one that waits no wall time)
    sleep: Callable[[float], None] = field(default=time.sleep)
    google_time: GoogleTime | None = None  # Google's clock, from its answers' Date headers
    #: The settings as loaded, when ``settings`` names the tabs as the sheet has them now (a tab
    #: renamed by officers is followed by its identity: bridge.cycle.tabs.follow_tabs).
    configured: Settings | None = None
    notifier: Any = None  # operator messages' channel (bridge.adapters.notify), None = off (issue 19)
    officer_channel: Any = None  # the officers' digest to [notify] digest_to, None = no digest_to (issue 19)
    pages: PageSizes = field(default_factory=PageSizes)

    def close(self) -> None:
        """Release connections and the ledger (a finished `once`, or a test's fresh process)."""
        self.ledger.close()
        self.sheets.client.http_client.session.close()
        services = (self.blogger.service, self.drive.service, self.drive.upload_service, getattr(self.notifier, "service", None),
                    getattr(self.officer_channel, "service", None))
        for service in {id(s): s for s in services if s is not None}.values():
            close = getattr(service, "close", None)
            if close is not None:
                close()

    def now(self) -> datetime:
        """Current time in the bridge's time zone (WITA)."""
        return self.clock().astimezone(self.settings.tz)

    def google_now(self) -> datetime:
        """Google's time now (WITA): what Blogger compares a schedule with. The server's clock when
        no answer has told Google's time yet."""
        now = self.google_time.now() if self.google_time is not None else self.clock()
        return now.astimezone(self.settings.tz)
