"""`run`: APScheduler calls the cycle at the configured interval, one instance at a time.

- A lock file next to the ledger makes a second bridge on the same state refuse to start.
- Missed runs are coalesced into one; a cycle never overlaps the previous one.
- SIGTERM / Ctrl-C ask the running cycle to stop after the current item, then exit.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Generic, TypeVar

from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bridge.exceptions import AuthError, BridgeError, FatalError, LedgerError
from bridge.service.pulse import Pulse

C = TypeVar("C")

log = logging.getLogger("bridge.run")


def lock_path_of(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + ".lock")


def _user() -> str:
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # no name for this uid (a container)
        return str(os.geteuid())


def ledger_files_problem(state_path: Path, user: str = "") -> str:
    """Why this user cannot use the ledger's files (empty when it can), with the one ``chown`` that fixes it.

    A command run with ``sudo`` (``sudo mymein-bridge once``) leaves the ledger, its -wal/-shm and
    its lock file to root; the service's user then cannot open them. The lock file used to be
    missed: ``run`` died with PermissionError, exit 1, restarted by systemd every 30 s (issue 18).
    """
    user = user or _user()
    files = [f for f in (state_path, Path(f"{state_path}-wal"), Path(f"{state_path}-shm"), lock_path_of(state_path))
             if f.exists()]
    refused = [f for f in files if not os.access(f, os.R_OK | os.W_OK)]
    if not refused:
        return ""
    names = " and ".join(("the ledger's lock file " if f == lock_path_of(state_path) else "the ledger ") + str(f)
                          for f in refused)
    return (f"{names} {'is' if len(refused) == 1 else 'are'} not readable and writable by user {user} (a command run "
            f"with sudo leaves them to root): sudo chown {user}: {' '.join(str(f) for f in files)}")


@contextmanager
def single_instance(state_path: Path) -> Iterator[Path]:
    """Hold an exclusive lock on ``<state>.lock`` for as long as the bridge runs.

    Raises:
        FatalError: another bridge already holds the lock.
        LedgerError: this user cannot open the lock file (exit 2: a person must chown it).
    """
    lock_path = lock_path_of(state_path)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except PermissionError as exc:
        problem = ledger_files_problem(state_path) or (
            f"the ledger's lock file {lock_path} cannot be opened by user {_user()} ({exc.strerror}): "
            f"sudo chown {_user()}: {state_path} {lock_path}")
        raise LedgerError(problem) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            # Not "use another state_path": two ledgers on one spreadsheet is the setup that published
            # items twice (issue 17); the spreadsheet's lease now stops the second, but say the right thing.
            raise FatalError(
                f"another mymein-bridge (pid {other}) is already running on {state_path}; only one bridge may "
                "write a spreadsheet. Stop it first (sudo systemctl stop mymein-bridge), or wait for it to finish; "
                "`once --dry-run` may look at any time"
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

    def __call__(self) -> object:
        self.connect()
        assert self._conn is not None
        try:
            return self._run(self._conn)
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
    pulse: Pulse | None = None,
) -> None:
    """Run ``cycle`` now and then every ``interval_seconds`` until ``stop`` is set; ``pulse`` hears
    each cycle's outcome (a cycle that raised, or one that could not read the spreadsheet, failed)."""
    scheduler = BlockingScheduler(job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})

    def job() -> None:
        if stop():
            return
        problem: str | None = None
        try:
            result = cycle()
            if getattr(result, "skipped", False):
                problems = getattr(result, "problems", None) or ["the spreadsheet could not be read"]
                problem = str(problems[0])
        except FatalError as exc:
            log.error("cycle stopped by a problem a person must fix: %s", exc)
            problem = str(exc)
        except BridgeError as exc:
            log.warning("cycle ended early, will try again next interval: %s", exc)
            problem = str(exc)
        except Exception as exc:  # one bad cycle must not kill the service
            log.exception("unexpected error in cycle; will try again next interval")
            problem = f"unexpected error: {exc!r}"
        if pulse is not None:
            pulse.record(problem)
        if stop():
            with contextlib.suppress(SchedulerNotRunningError):  # a signal may have shut it down already
                scheduler.shutdown(wait=False)

    def on_signal(signum: int, _frame: object) -> None:
        log.info("received %s: finishing the current item, then exiting", signal.Signals(signum).name)
        stop.set()
        # wait=True: the running cycle sees the flag, finishes its item, and only then do we exit.
        # Any failure (not running yet, already stopped) is ignored: a signal handler must not raise
        # into whatever the main thread was doing.
        with contextlib.suppress(Exception):
            scheduler.shutdown(wait=True)

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
