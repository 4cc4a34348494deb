"""The CLI in a child process, on the tests' clock instead of the machine's.

    python -m tests.clocked_cli 2026-11-23T10:00:00+08:00 once -c bridge.toml

Tests that run the bridge as a real process (the crash test) use this, so a child
decides SK expiry or schedules at the same moment as the sandbox, in any year.
"""

from __future__ import annotations

import sys
from datetime import datetime

from bridge.cli import main
from bridge.clock import ManualClock

if __name__ == "__main__":
    from bridge.cycle import lease

    lease.SETTLE_SECONDS = 0.0  # a claimed lease settles in no wall time: the child's clock does not move either
    sys.exit(main(sys.argv[2:], clock=ManualClock(datetime.fromisoformat(sys.argv[1]))))
