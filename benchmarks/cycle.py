"""Benchmark: what one cycle costs in Sheets/Blogger/Drive requests, bytes and seconds.

Runs on the in-process sandbox (no Google), so the seconds are the bridge's own
work plus loopback HTTP; the request and byte counts are what Google would see.

    .venv/bin/python -m benchmarks.cycle              # 10,000-row history
    .venv/bin/python -m benchmarks.cycle --rows 2000 --review 500 --publish 10

Scenarios:
  history   a responses tab with --rows old rows, first run with start = now
  quiet     nothing new (median of 5 cycles)
  new-1     one new response
  new-100   a hundred new responses at once
  backfill  --review responses queued in one cycle (start = backfill), i.e. a Review tab that size
  quiet-R   nothing new while the Review tab holds those rows (read every cycle)
  publish   --publish approved rows published with photos in one cycle
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from bridge.adapters.retry import RetryPolicy
from bridge.app import build_deps
from bridge.config import load_settings, render_config
from bridge.core.model import ReviewColumn, Status
from bridge.pipeline import CycleReport, run_cycle
from bridge.prepare import prepare
from bridge.sandbox.seed import DEMO_RESPONSES_TAB, DEMO_SPREADSHEET_ID, demo_state
from bridge.sandbox.server import SandboxServer, sandbox_config_values
from bridge.sandbox.state import SandboxState

VALID_ROWS = (1, 2, 3, 4)  # seed rows from villages with an active KIM


class Bench:
    def __init__(self, server: SandboxServer, workdir: Path) -> None:
        self.server = server
        self.workdir = workdir
        self.counter = 0
        self.templates = [server.state.sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)[i] for i in VALID_ROWS]

    def config(self, **values: Any) -> Path:
        cfg = sandbox_config_values(self.server.url, self.server.state, self.workdir)
        cfg[("blog", "publish_mode")] = "live"
        for key, value in values.items():
            section, name = key.split("__")
            cfg[(section, name)] = value
        path = self.workdir / "bench.toml"
        path.write_text(render_config(cfg), encoding="utf-8")
        return path

    def start(self, **values: Any) -> None:
        """Connect like `run` does: once, then every cycle reuses the connections."""
        self.deps = build_deps(load_settings(self.config(**values), env={}), retry=RetryPolicy(attempts=1))
        prepare(self.deps)

    def cycle(self) -> tuple[CycleReport, float, dict[str, Any]]:
        self.server.reset_stats()
        start = time.perf_counter()
        report = run_cycle(self.deps)
        return report, time.perf_counter() - start, self.server.stats()

    def responses(self, count: int) -> list[list[Any]]:
        rows = []
        for _ in range(count):
            self.counter += 1
            n = self.counter
            row = list(self.templates[n % len(self.templates)])
            row[0] = {"datetime": f"2026-{1 + n % 11:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:{(n // 60) % 60:02d}"}
            row[5] = f"{row[5]} (kabar nomor {n})"
            row[6] = f"{row[6]}\n\nLaporan nomor {n}."
            rows.append(row)
        return rows

    def add_responses(self, count: int) -> None:
        rows = self.server.state.sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)
        self.server.state.set_sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB, rows + self.responses(count))

    def approve(self, count: int) -> None:
        rows = self.server.state.sheet_rows(DEMO_SPREADSHEET_ID, "Review")
        status = [str(h) for h in rows[0]].index(ReviewColumn.STATUS.value)
        for row in rows[1:]:
            if count and row[status] == Status.MENUNGGU.value:
                row[status] = Status.DISETUJUI.value
                count -= 1
        self.server.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows)


def _line(name: str, seconds: float, stats: dict[str, Any], what: str) -> str:
    sheets = sum(v["requests"] for k, v in stats["by_method"].items() if k.startswith("sheets."))
    return (
        f"{name:<10} {seconds * 1000:9.0f} ms {stats['requests']:6d} req {sheets:6d} sheets "
        f"{stats['bytes'] / 1024:9.1f} KiB  {what}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000, help="old responses already in the tab")
    parser.add_argument("--review", type=int, default=1_000, help="responses queued in the backfill scenario")
    parser.add_argument("--publish", type=int, default=20, help="approved rows published in one cycle")
    args = parser.parse_args(argv)
    out: Callable[[str], None] = print

    with tempfile.TemporaryDirectory() as tmp, SandboxServer(SandboxState.from_json(demo_state())) as server:
        bench = Bench(server, Path(tmp))
        header = server.state.sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)[0]
        server.state.set_sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB, [header] + bench.responses(args.rows))
        bench.start(intake__start="now")
        out(f"{'scenario':<10} {'time':>12} {'requests':>10} {'sheets':>13} {'response bytes':>14}")
        report, secs, stats = bench.cycle()
        out(_line("history", secs, stats, f"{report.intake.skipped} old rows recorded, none queued"))
        runs = [bench.cycle() for _ in range(5)]
        secs = statistics.median(r[1] for r in runs)
        out(_line("quiet", secs, runs[-1][2], f"median of 5; {args.rows} rows in the tab"))
        bench.add_responses(1)
        report, secs, stats = bench.cycle()
        out(_line("new-1", secs, stats, f"queued {report.intake.queued}"))
        bench.add_responses(100)
        report, secs, stats = bench.cycle()
        out(_line("new-100", secs, stats, f"queued {report.intake.queued}"))
        bench.deps.close()

    with tempfile.TemporaryDirectory() as tmp, SandboxServer(SandboxState.from_json(demo_state())) as server:
        bench = Bench(server, Path(tmp))
        header = server.state.sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)[0]
        server.state.set_sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB, [header] + bench.responses(args.review))
        bench.start()
        report, secs, stats = bench.cycle()
        out(_line("backfill", secs, stats, f"queued {report.intake.queued}"))
        runs = [bench.cycle() for _ in range(5)]
        secs = statistics.median(r[1] for r in runs)
        out(_line(f"quiet-{args.review}", secs, runs[-1][2], f"median of 5; Review tab has {args.review} rows"))
        bench.approve(args.publish)
        report, secs, stats = bench.cycle()
        out(_line("publish", secs, stats, f"published {report.publish.published} with photos"))
        for method, entry in sorted(stats["by_method"].items()):
            out(f"{'':<10} {'':>12} {entry['requests']:6d} {method}")
        bench.deps.close()

if __name__ == "__main__":
    main()
