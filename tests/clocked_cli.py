"""The CLI in a child process, on the tests' clock instead of the machine's.

    python -m tests.clocked_cli 2026-11-23T10:00:00+08:00 once -c bridge.toml

Tests that run the bridge as a real process (``run`` as a service, SIGTERM) use this, so a
child decides SK expiry or schedules at the same moment as the sandbox, in any year.

Tests that start many short-lived processes only to SIGKILL them (the crash test) use
:class:`ForkServer` instead: one process imports the bridge once (about a second of CPU
per start, most of the crash test's time), then forks a child per command. Each child is
a real process with its own ledger connection, stdout and exit status, killed by a real
SIGKILL; it only skips the imports, which happen before the first request and so before
any kill point (kill points count sandbox requests, not seconds).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from types import TracebackType

from bridge.cli import main
from bridge.clock import ManualClock

ROOT = Path(__file__).resolve().parents[1]


def _settle_at_once() -> None:
    from bridge.cycle import lease

    lease.SETTLE_SECONDS = 0.0  # a claimed lease settles in no wall time: the child's clock does not move either


def _serve_forks() -> int:
    """The fork server's loop: one JSON request a line on stdin, ``pid`` then the exit status on stdout."""
    # What `once` and `run` import, imported once here so each child starts warm.
    import bridge.adapters.ledger  # noqa: F401
    import bridge.app  # noqa: F401
    import bridge.config  # noqa: F401
    import bridge.cycle.pipeline  # noqa: F401
    import bridge.logs  # noqa: F401
    import bridge.service.scheduler  # noqa: F401
    import bridge.service.startup  # noqa: F401
    from bridge.pysupport import import_google_holding_warning

    import_google_holding_warning()  # as main() does first, so the held warning is the same in each child
    _settle_at_once()
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: its own output file, no stdin, then the command as a fresh process runs it
            out = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.close(out)
            os.close(null)
            return main(request["argv"], clock=ManualClock(datetime.fromisoformat(request["now"])))
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)  # -9 when SIGKILLed, like Popen.returncode
    return 0


class ForkServer:
    """A client of ``python -m tests.clocked_cli --fork-server``: one command at a time, each in a new process."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.clocked_cli", "--fork-server"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
        )
        self._buffer = b""
        self.pid: int | None = None  # the running child's

    def start(self, now: datetime, argv: list[str], log: Path) -> int:
        """Start ``mymein-bridge ARGV`` at ``now``, output appended to ``log``; returns the child's pid."""
        assert self.pid is None, "one command at a time"
        assert self._proc.stdin is not None
        request = {"now": now.isoformat(), "argv": argv, "log": str(log)}
        self._proc.stdin.write((json.dumps(request) + "\n").encode())
        self._proc.stdin.flush()
        line = self._line(timeout=60)
        assert line is not None, "the fork server did not start a child"
        self.pid = int(line)
        return self.pid

    def poll(self, timeout: float = 0.0) -> int | None:
        """The child's exit status (negative: the signal that killed it), or None while it runs."""
        line = self._line(timeout)
        if line is None:
            return None
        self.pid = None
        return int(line)

    def wait(self, timeout: float = 120) -> int:
        code = self.poll(timeout)
        assert code is not None, f"the child did not end within {timeout} s"
        return code

    def kill(self) -> None:
        """SIGKILL the running child and wait for it to be gone."""
        assert self.pid is not None
        with contextlib.suppress(ProcessLookupError):  # it ended (and was reaped) just before
            os.kill(self.pid, signal.SIGKILL)
        self.wait()

    def _line(self, timeout: float) -> str | None:
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                return None
            data = os.read(fd, 4096)
            assert data, "the fork server ended"
            self._buffer += data
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def close(self) -> None:
        if self.pid is not None:
            self.kill()
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.close()
        self._proc.wait(timeout=60)
        self._proc.stdout.close()

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


if __name__ == "__main__":
    if sys.argv[1:] == ["--fork-server"]:
        sys.exit(_serve_forks())
    _settle_at_once()
    sys.exit(main(sys.argv[2:], clock=ManualClock(datetime.fromisoformat(sys.argv[1]))))
