"""End-to-end fixtures: the real clients against an in-process sandbox seeded with demo data."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bridge.adapters.retry import RetryPolicy
from bridge.app import build_deps
from bridge.clock import ManualClock
from bridge.commands.prepare import prepare
from bridge.config import load_settings, render_config
from bridge.core.model import REVIEW_HEADERS, ReviewColumn
from bridge.cycle.context import CycleContext, PageSizes
from bridge.cycle.pipeline import CycleReport, run_cycle
from bridge.sandbox.seed import DEMO_BLOG_ID, DEMO_RESPONSES_TAB, DEMO_SPREADSHEET_ID, demo_state
from bridge.sandbox.server import SandboxServer, sandbox_config_values
from bridge.sandbox.state import SandboxState
from tests.conftest import TEST_NOW, WITA

NOW = TEST_NOW


@dataclass
class Bridge:
    """A sandbox plus a way to build the bridge against it, as often as a test needs."""

    sandbox: SandboxServer
    workdir: Path
    overrides: dict[tuple[str, str], Any]
    #: rows per request of whole-tab reads and Review appends in every context deps() builds
    pages: PageSizes = PageSizes()

    @property
    def clock(self) -> ManualClock:
        """The sandbox's clock, which the bridge shares: one time for both sides."""
        clock = self.sandbox.clock
        assert isinstance(clock, ManualClock), "tests run the sandbox on a ManualClock"
        return clock

    @property
    def now(self) -> datetime:
        return self.clock()

    @now.setter
    def now(self, when: datetime) -> None:
        self.clock.set(when)

    @property
    def config_path(self) -> Path:
        return self.workdir / "bridge.toml"

    def write_config(self, **overrides: Any) -> Path:
        values = sandbox_config_values(self.sandbox.url, self.sandbox.state, self.workdir)
        values.update(self.overrides)
        for key, value in overrides.items():
            section, name = key.split("__")
            values[(section, name)] = value
        self.config_path.write_text(render_config(values), encoding="utf-8")
        return self.config_path

    def deps(self, **overrides: Any) -> CycleContext:
        """Fresh CycleContext, like a restarted process (the ledger file is reopened)."""
        settings = load_settings(self.write_config(**overrides), env={})
        deps = build_deps(settings, retry=RetryPolicy(attempts=6, initial=0.001, maximum=0.01), clock=self.clock,
                          pages=self.pages)
        deps.sleep = lambda seconds: None  # a claimed lease "settles" in no wall time (the clock is the test's)
        return deps

    def cycle(self, **overrides: Any) -> CycleReport:
        deps = self.deps(**overrides)
        try:
            return run_cycle(deps)
        finally:
            deps.close()

    def init(self) -> list[str]:
        deps = self.deps()
        try:
            return prepare(deps)
        finally:
            deps.close()

    def settled_cycle_cost(self) -> dict[str, int]:
        """Requests by API method of a cycle after two others on the same connections (like `run`)."""
        deps = self.deps()
        try:
            run_cycle(deps)
            run_cycle(deps)
            self.sandbox.reset_stats()
            run_cycle(deps)
        finally:
            deps.close()
        return {method: entry["requests"] for method, entry in self.stats()["by_method"].items()}

    def read_cycle_cost(self) -> dict[str, int]:
        """Requests by API method of a settled cycle that reads the sheet (as the safety net makes it do)."""
        deps = self.deps()

        def read_next() -> None:
            with deps.ledger.transaction():
                deps.ledger.state.quiet_until = None

        try:
            read_next()  # the process's first read caches the layout, as `run` does
            run_cycle(deps)
            run_cycle(deps)
            read_next()
            self.sandbox.reset_stats()
            run_cycle(deps)
        finally:
            deps.close()
        return {method: entry["requests"] for method, entry in self.stats()["by_method"].items()}

    def lose_ledger(self) -> None:
        """The server's disk is wiped: the local ledger file is gone."""
        for stale in self.workdir.glob("bridge-state.sqlite3*"):
            stale.unlink()

    # --- looking at the sandbox like an officer or a reader would ---

    def rows(self, tab: str) -> list[list[Any]]:
        return self.sandbox.state.sheet_rows(DEMO_SPREADSHEET_ID, tab)

    def review(self) -> list[dict[str, Any]]:
        rows = self.rows("Review")
        header = [str(h) for h in rows[0]]
        return [{h: (r[i] if i < len(r) else "") for i, h in enumerate(header)} for r in rows[1:]]

    def responses(self) -> list[list[Any]]:
        return self.rows(DEMO_RESPONSES_TAB)

    def set_responses(self, rows: list[list[Any]]) -> None:
        self.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB, rows)

    def officer_sets(self, status_by_id: dict[str, Any], column: ReviewColumn = ReviewColumn.STATUS) -> None:
        """An officer edits cells in the Review tab: text, or a sandbox cell such as
        ``{"datetime": ...}`` (a typed date) or ``{"formula": ...}`` (what the sheet made of it)."""
        rows = self.rows("Review")
        col = [str(h) for h in rows[0]].index(column.value)
        for row in rows[1:]:
            if row and row[0] in status_by_id:
                row.extend([""] * (col + 1 - len(row)))
                row[col] = status_by_id[row[0]]
        self.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows)

    def set_cell(self, sid: str, column: ReviewColumn, value: Any) -> None:
        """An officer edits one cell of a submission's Review row, wherever its ID and the column are now."""
        rows = self.rows("Review")
        header = [str(h) for h in rows[0]]
        at, col = header.index(ReviewColumn.ID.value), header.index(column.value)
        for row in rows[1:]:
            if len(row) > at and row[at] == sid:
                row.extend([""] * (col + 1 - len(row)))
                row[col] = value
        self.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows)

    def posts(self) -> list[dict[str, Any]]:
        return self.sandbox.state.posts(DEMO_BLOG_ID)

    def stats(self) -> dict[str, Any]:
        return self.sandbox.stats()


class Killed(BaseException):
    """The process dies here (SIGKILL): nothing after this line runs, no handler catches it."""


def die_on_call(monkeypatch: pytest.MonkeyPatch, owner: type, name: str, *, call: int = 1) -> None:
    """The ``call``-th call of ``owner.name`` kills the bridge; earlier calls run as usual."""
    real = getattr(owner, name)
    calls = {"n": 0}

    def dying(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == call:
            raise Killed()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, dying)


def cycle_killed_after_insert(deps: CycleContext) -> None:
    """One cycle that dies right after ``posts.insert`` (a power cut before the ledger records the post);
    ``deps`` is closed after it, as the dead process's would be."""
    def crash(*a: object, **k: object) -> None:
        raise Killed()  # the process dies: nothing catches it

    deps.ledger.journal.record_done = crash  # type: ignore[method-assign]
    with pytest.raises(Killed):
        run_cycle(deps)
    deps.close()


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[SandboxServer]:
    state = SandboxState.from_json(demo_state())
    if os.environ.get("MYMEIN_TEST_STRIP_COMMENTS") == "1":  # rehearse the worst case: Blogger drops HTML comments
        for blog in state.data["blogs"]:
            blog["stripComments"] = True
    with SandboxServer(state, clock=clock) as server:
        yield server


@dataclass(frozen=True)
class _Prepared:
    """What `init` made of one starting point: the sandbox's state and request counts, and the files
    it left in the bridge's folder (the ledger). The same start gives the same result: `init` reads
    nothing but the sandbox, the config and the clock (tests/e2e/test_init.py runs it for real)."""

    start: dict[str, Any]
    now: datetime
    overrides: dict[tuple[str, str], Any]
    pages: PageSizes
    state: dict[str, Any]
    stats: dict[str, Any]
    files: dict[str, bytes]

    def fits(self, b: Bridge) -> bool:
        with b.sandbox.state.lock:
            return (self.now, self.overrides, self.pages) == (b.now, b.overrides, b.pages) and self.start == b.sandbox.state.data

    def restore(self, b: Bridge) -> None:
        b.sandbox.state.replace(self.state)
        with b.sandbox._lock:  # the request counts `init` left, as a real `init` leaves them
            b.sandbox._stats = copy.deepcopy(self.stats)
        for name, content in self.files.items():
            (b.workdir / name).write_bytes(content)
        b.write_config()  # this sandbox's address, not the one `init` ran against


_PREPARED: list[_Prepared] = []  # per worker process; one entry in practice (the demo at NOW)


def prepared(b: Bridge) -> Bridge:
    """``b`` as `init` leaves it. `init` runs once per worker for each starting point; the other tests
    start from a copy of what it made (about 50 ms of CPU saved for each of 400 tests, issue 22)."""
    for done in _PREPARED:
        if done.fits(b):
            done.restore(b)
            return b
    start, now = b.sandbox.state.to_json(), b.now
    b.init()
    files = {p.name: p.read_bytes() for p in b.workdir.iterdir() if p.is_file() and p.name != b.config_path.name}
    _PREPARED.append(_Prepared(start, now, dict(b.overrides), b.pages, b.sandbox.state.to_json(), b.stats(), files))
    return b


@pytest.fixture
def bridge(sandbox: SandboxServer, tmp_path: Path) -> Bridge:
    """The demo sandbox with Review/KIM/Arsip tabs prepared by `init`, publishing live."""
    return prepared(Bridge(sandbox=sandbox, workdir=tmp_path, overrides={("blog", "publish_mode"): "live"}))


__all__ = ["Bridge", "Killed", "die_on_call", "REVIEW_HEADERS", "NOW", "WITA"]
