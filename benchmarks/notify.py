"""Benchmark: the cost of operator messages (issue 19) per cycle, at 1 and 200 published items.

In one process against the sandbox (Gmail ``users.messages.send`` included): N new responses are
queued, approved and published live, once with ``[notify] operator_messages`` off and once on, and
each cycle's requests (by API method) and wall time are recorded: the cycle that tells N operators
their item arrived, the cycle that publishes N items (and, when on, tells them), and a settled cycle
afterwards (nothing to tell).

    .venv/bin/python -m benchmarks.notify            # N = 1 and 200
    .venv/bin/python -m benchmarks.notify --sizes 5
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.cycle import _templates, responses
from bridge.adapters.retry import RetryPolicy
from bridge.app import build_deps
from bridge.clock import ManualClock
from bridge.commands.prepare import prepare
from bridge.config import load_settings, render_config
from bridge.core.model import ReviewColumn, Status
from bridge.cycle.pipeline import run_cycle
from bridge.sandbox.gmail import outbox
from bridge.sandbox.seed import DEMO_RESPONSES_TAB, DEMO_SPREADSHEET_ID, demo_state
from bridge.sandbox.server import SandboxServer, sandbox_config_values
from bridge.sandbox.state import SandboxState

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))


def _run(n: int, notify: bool) -> dict[str, dict[str, Any]]:
    clock = ManualClock(NOW)
    state = SandboxState.from_json(demo_state())
    header = state.sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)[0]
    fresh = responses(_templates(), 1, n)
    for row in fresh:  # received today, so the messages' age limit lets them through
        row[0] = {"datetime": (NOW - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")}
    state.set_sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB, [header, *fresh])
    out: dict[str, dict[str, Any]] = {}
    with SandboxServer(state, clock=clock) as sandbox, tempfile.TemporaryDirectory() as tmp:
        values = sandbox_config_values(sandbox.url, sandbox.state, tmp)
        values[("blog", "publish_mode")] = "live"
        values[("notify", "operator_messages")] = notify
        path = Path(tmp) / "bridge.toml"
        path.write_text(render_config(values), encoding="utf-8")
        deps = build_deps(load_settings(path, env={}), retry=RetryPolicy(attempts=3, initial=0.001, maximum=0.01), clock=clock)
        try:
            prepare(deps)

            def measured(name: str) -> None:
                with deps.ledger.transaction():
                    deps.ledger.state.quiet_until = None  # each measured cycle reads the sheet
                sandbox.reset_stats()
                start = time.perf_counter()
                run_cycle(deps)
                seconds = time.perf_counter() - start
                by_method = {m: e["requests"] for m, e in sandbox.stats()["by_method"].items()}
                out[name] = {"seconds": seconds, "requests": sum(by_method.values()), "by_method": by_method}
                clock.advance(timedelta(minutes=1))

            run_cycle(deps)  # intake: N rows queued
            clock.advance(timedelta(minutes=1))
            measured("received")
            rows = sandbox.state.sheet_rows(DEMO_SPREADSHEET_ID, "Review")
            col = [str(h) for h in rows[0]].index(ReviewColumn.STATUS.value)
            for row in rows[1:]:
                if row[col] == Status.MENUNGGU.value:
                    row[col] = Status.DISETUJUI.value
            sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows)
            measured("publish")
            measured("settled")
            out["sent"] = {"messages": len(outbox(sandbox.state))}
        finally:
            deps.close()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1, 200])
    args = parser.parse_args(argv)
    print("| items | messages | cycle | requests off → on | Gmail sends | Sheets reads/writes added | seconds off → on |")
    print("|---:|---:|---|---|---:|---|---|")
    for n in args.sizes:
        off, on = _run(n, False), _run(n, True)
        for name in ("received", "publish", "settled"):
            a, b = off[name], on[name]
            sends = b["by_method"].get("gmail.users.messages.send", 0)
            get = b["by_method"].get("sheets.spreadsheets.values.batchGet", 0) - a["by_method"].get("sheets.spreadsheets.values.batchGet", 0)
            put = b["by_method"].get("sheets.spreadsheets.values.batchUpdate", 0) - a["by_method"].get("sheets.spreadsheets.values.batchUpdate", 0)
            print(f"| {n} | {on['sent']['messages']} | {name} | {a['requests']} → {b['requests']} | {sends} | +{get} / +{put} "
                  f"| {a['seconds']:.2f} → {b['seconds']:.2f} |")


if __name__ == "__main__":
    main()
