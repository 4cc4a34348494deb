"""`run`: APScheduler calls the cycle at the configured interval, one instance at a time.

- A lock file next to the ledger makes a second bridge on the same state refuse to start.
- Missed runs are coalesced into one; a cycle never overlaps the previous one.
- SIGTERM / Ctrl-C ask the running cycle to stop after the current item, then exit.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Generic, Iterator, TypeVar

from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bridge.exceptions import AuthError, BridgeError, FatalError

C = TypeVar("C")

log = logging.getLogger("bridge.run")


@contextmanager
def single_instance(state_path: Path) -> Iterator[Path]:
    """Hold an exclusive lock on ``<state>.lock`` for as long as the bridge runs.

    Raises:
        FatalError: another bridge already holds the lock.
    """
    lock_path = state_path.with_name(state_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            raise FatalError(
                f"another mymein-bridge (pid {other}) is already running on {state_path}; "
                "stop it first (systemctl stop mymein-bridge) or use another state_path"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield lock_path
    finally:
        os.close(fd)


class StopFlag:
    """Set by SIGTERM/SIGINT; the cycle checks it between items."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def __call__(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        return self._event.wait(seconds)


class ServiceCycle(Generic[C]):
    """The service's cycle over one set of connections, made once (cached sheet layout, one
    read per quiet cycle) and made again after Google refused the credentials, so that a
    token renewed with `mymein-bridge auth` is picked up without restarting the service."""

    def __init__(self, connect: Callable[[], C], run: Callable[[C], object], close: Callable[[C], None]) -> None:
        self._connect, self._run, self._close = connect, run, close
        self._conn: C | None = None

    def connect(self) -> None:
        """Connect now (at start-up, so that a problem there ends the process with its exit code)."""
        if self._conn is None:
            self._conn = self._connect()

    def __call__(self) -> None:
        self.connect()
        assert self._conn is not None
        try:
            self._run(self._conn)
        except AuthError:
            self.close()  # read the token file again next cycle
            raise

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            self._close(conn)


def run_forever(
    cycle: Callable[[], object],
    *,
    interval_seconds: int,
    stop: StopFlag,
    install_signals: bool = True,
) -> None:
    """Run ``cycle`` now and then every ``interval_seconds`` until ``stop`` is set."""
    scheduler = BlockingScheduler(job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})

    def job() -> None:
        if stop():
            return
        try:
            cycle()
        except FatalError as exc:
            log.error("cycle stopped by a problem a person must fix: %s", exc)
        except BridgeError as exc:
            log.warning("cycle ended early, will try again next interval: %s", exc)
        except Exception:  # one bad cycle must not kill the service
            log.exception("unexpected error in cycle; will try again next interval")
        if stop():
            try:  # a signal may have shut it down already
                scheduler.shutdown(wait=False)
            except SchedulerNotRunningError:
                pass

    def on_signal(signum: int, _frame: object) -> None:
        log.info("received %s: finishing the current item, then exiting", signal.Signals(signum).name)
        stop.set()
        try:
            # wait=True: the running cycle sees the flag, finishes its item, and only then do we exit.
            scheduler.shutdown(wait=True)
        except Exception:  # not running yet / already stopped
            pass

    if install_signals:
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    scheduler.add_job(
        job, IntervalTrigger(seconds=interval_seconds), next_run_time=datetime.now().astimezone(), id="cycle"
    )
    if interval_seconds % 60:
        log.info("scheduler started: one cycle every %d second(s)", interval_seconds)
    else:
        log.info("scheduler started: one cycle every %d minute(s)", interval_seconds // 60)
    scheduler.start()
    log.info("scheduler stopped")
