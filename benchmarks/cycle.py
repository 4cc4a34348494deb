"""Benchmark: the bridge's cycles side by side with a naive poller, in requests, bytes, seconds and memory.

Runs on the sandbox (no Google), in three processes: the sandbox, the bridge, and a naive
poller written here (gspread, the whole responses and Review tabs every cycle, new rows
appended to a tab of its own). Requests and bytes are what Google would see (response
bytes); wall time includes the sandbox's serving; CPU time and peak RSS are the client
process's own (peak RSS per scenario: Linux ``clear_refs`` resets the high-water mark).

    .venv/bin/python -m benchmarks.cycle --quick              # 1k/10k rows, Review 0/1k, backfill 10k (minutes)
    .venv/bin/python -m benchmarks.cycle                      # 1k/10k/100k rows, Review 0/1k/10k, backfill 10k/100k
    .venv/bin/python -m benchmarks.cycle --markdown out.md    # also write the tables as Markdown

Scenarios per (responses rows, Review rows): ``idle`` (median of 3 cycles with nothing new: the
change signal says unchanged), ``idle-read`` (the same, but the 15-minute safety-net read is due:
Review through its ID and Status columns), ``read-whole`` (the same when the 6-hourly whole read of
Review is due),
``new-1``/``new-50``/``new-500`` (that many new responses), ``full-scan`` (the daily re-read);
with ``--first-run`` also ``first-run`` (the bridge's first cycle with ``start = now``: history
recorded, nothing queued); then ``backfill`` (the first cycle with ``start = backfill``), and with ``--publish N`` the
bridge publishing N approved rows with photos in one cycle. The naive poller's idle cycle
is its full scan. "per day" = cycles at the default interval: one full scan, a whole read of Review
every 6 hours, a safety-net read every 15 minutes, the rest unchanged.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# No sandbox import at the top: the clients start as fresh interpreters that import this module
# (the "spawn" start method), and a real `run` never imports the sandbox (see _spawn).

VALID_ROWS = (1, 2, 3, 4)  # seed rows from villages with an active KIM
NAIVE_TAB = "Naive"
FULL = {"rows": (1_000, 10_000, 100_000), "review": (0, 1_000, 10_000), "backfill": (10_000, 100_000)}
QUICK = {"rows": (1_000, 10_000), "review": (0, 1_000), "backfill": (10_000,)}


# -- the responses a form would write ------------------------------------------------------------

def responses(templates: list[list[Any]], first: int, count: int) -> list[list[Any]]:
    """``count`` distinct, valid responses numbered from ``first`` (≈364-character bodies)."""
    rows = []
    for n in range(first, first + count):
        row = list(templates[n % len(templates)])
        row[0] = {"datetime": f"2026-{1 + n % 11:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:{(n // 60) % 60:02d}"}
        row[5] = f"{row[5]} (kabar nomor {n})"
        row[6] = f"{row[6]}\n\nLaporan nomor {n}."
        rows.append(row)
    return rows


def _templates() -> list[list[Any]]:
    from bridge.sandbox.seed import DEMO_RESPONSES_TAB, DEMO_SPREADSHEET_ID, demo_state
    from bridge.sandbox.state import SandboxState

    rows = SandboxState.from_json(demo_state()).sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)
    return [rows[i] for i in VALID_ROWS]


# -- process 1: the sandbox ---------------------------------------------------------------------

def _sandbox_main(conn: Connection, rows: int) -> None:
    from bridge.sandbox.seed import DEMO_RESPONSES_TAB, DEMO_SPREADSHEET_ID, demo_state
    from bridge.sandbox.server import SandboxServer
    from bridge.sandbox.state import SandboxState

    state = SandboxState.from_json(demo_state())
    header = state.sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)[0]
    templates = _templates()
    state.set_sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB, [header] + responses(templates, 1, rows))
    made = rows
    with SandboxServer(state) as server:
        # the clients present a token this sandbox issued; the naive poller opens the form's spreadsheet
        conn.send((server.url, server.api_token, DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB))
        while True:
            cmd, arg = conn.recv()
            if cmd == "add":  # a form submission: appended like Forms does (not a counted API call)
                with state.lock:
                    sheet = state.sheet(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)
                    sheet["rows"].extend(responses(templates, made + 1, arg))
                    sheet["rowCount"] = max(sheet["rowCount"], len(sheet["rows"]))
                    state.touch(state.spreadsheet(DEMO_SPREADSHEET_ID))
                made += arg
                conn.send(made)
            elif cmd == "approve":  # an officer approves `arg` waiting rows in Review
                from bridge.core.model import ReviewColumn, Status

                rows = state.sheet_rows(DEMO_SPREADSHEET_ID, "Review")
                status = [str(h) for h in rows[0]].index(ReviewColumn.STATUS.value)
                left = arg
                for row in rows[1:]:
                    if left and len(row) > status and row[status] == Status.MENUNGGU.value:
                        row[status] = Status.DISETUJUI.value
                        left -= 1
                state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows)
                conn.send(arg - left)
            elif cmd == "reset":
                server.reset_stats()
                conn.send(None)
            elif cmd == "stats":
                conn.send(server.stats())
            else:
                conn.send(None)
                return


# -- processes 2 and 3: the clients --------------------------------------------------------------

def _peak_reset() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _peak_mib() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measured(fn: Any) -> dict[str, Any]:
    _peak_reset()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    info = fn()
    return {"wall": time.perf_counter() - wall0, "cpu": time.process_time() - cpu0, "rss": _peak_mib(), "info": info}


def bridge_config(target: tuple[str, ...], workdir: Path, start: str) -> Path:
    """The bridge's config file for the sandbox at ``url`` (written by the harness: the bridge's process
    imports no sandbox module, as a real `run` does not)."""
    from bridge.config import render_config
    from bridge.sandbox.seed import demo_state
    from bridge.sandbox.server import sandbox_config_values, write_token_file
    from bridge.sandbox.state import SandboxState

    url, token = target[:2]
    cfg = sandbox_config_values(url, SandboxState.from_json(demo_state()), workdir)
    write_token_file(Path(cfg[("google", "token")]), token)  # the sandbox process's token, not this copy's
    cfg[("blog", "publish_mode")] = "live"
    cfg[("intake", "start")] = start
    path = workdir / f"bench-{start}.toml"
    path.write_text(render_config(cfg), encoding="utf-8")
    return path


class BridgeClient:
    """The bridge as `run` uses it: connected once, then one cycle after another."""

    def __init__(self, config: Path) -> None:
        from bridge.adapters.retry import RetryPolicy
        from bridge.app import build_deps
        from bridge.commands.prepare import prepare
        from bridge.config import load_settings
        from bridge.cycle.release import keep_started

        self.deps = build_deps(load_settings(config, env={}), retry=RetryPolicy(attempts=1))
        prepare(self.deps)
        keep_started()  # as `run` does once it has connected

    def cycle(self, mode: str = "") -> str:
        """``mode``: "" as `run` does; "read": the safety net is due (reads though nothing changed);
        "read-whole": the same when the 6-hourly whole read of Review is due too; "full-scan"."""
        from bridge.cycle.pipeline import run_cycle

        if mode == "full-scan":
            self.deps.ledger.state.last_full_scan = None
        if mode in ("read", "read-whole"):
            self.deps.ledger.state.quiet_until = None
        if mode == "read-whole":
            self.deps.ledger.state.review_read_whole = None
        report = run_cycle(self.deps)
        if report.unchanged:
            return "unchanged: no Sheets read"
        return f"queued {report.intake.queued}, read {report.intake.read_rows} rows"


class NaiveClient:
    """The naive poller: every cycle, both whole tabs through gspread; new rows appended to its tab."""

    def __init__(self, target: tuple[str, ...], start: str) -> None:
        from bridge.adapters.auth import sandbox_credentials
        from bridge.adapters.clients import sheets_client

        url, token, spreadsheet_id, responses_tab = target
        self.gc = sheets_client(sandbox_credentials(token), url)
        sh = self.gc.open_by_key(spreadsheet_id)
        titles = [ws.title for ws in sh.worksheets()]
        self.out = sh.worksheet(NAIVE_TAB) if NAIVE_TAB in titles else sh.add_worksheet(NAIVE_TAB, 10, 10)
        self.responses = sh.worksheet(responses_tab)
        self.review = sh.worksheet("Review") if "Review" in titles else sh.add_worksheet("Review", 10, 10)
        self.seen: set[tuple[str, ...]] = set()
        if start == "now":
            self.seen = {tuple(r) for r in self.responses.get_all_values()[1:]}

    def cycle(self, mode: str = "") -> str:
        rows = self.responses.get_all_values()[1:]
        review = self.review.get_all_values()
        new = [r for r in rows if tuple(r) not in self.seen]
        if new:
            self.out.append_rows([[r[0], r[5], r[6][:100]] for r in new], value_input_option="RAW")
            self.seen.update(tuple(r) for r in new)
        return f"queued {len(new)}, read {len(rows)} + {len(review) - 1 if review else 0} rows"


def _client_main(conn: Connection, kind: str, target: tuple[str, ...], setup: str) -> None:
    """A client's process: ``setup`` is the bridge's config file, or the naive poller's start."""
    client = BridgeClient(Path(setup)) if kind == "bridge" else NaiveClient(target, setup)
    conn.send("ready")
    while True:
        cmd, arg = conn.recv()
        if cmd == "cycle":
            conn.send(_measured(partial(client.cycle, str(arg or ""))))
        else:
            conn.send(None)
            return


# -- the harness ---------------------------------------------------------------------------------

@dataclass
class Proc:
    conn: Connection
    proc: Any

    def ask(self, cmd: str, arg: Any = None) -> Any:
        self.conn.send((cmd, arg))
        return _recv(self)

    def stop(self) -> None:
        with contextlib.suppress(EOFError, OSError):
            self.ask("stop")
        self.proc.join(timeout=30)


def _recv(p: Proc) -> Any:
    """The answer, or an error as soon as the process died (its traceback is on stderr)."""
    while not p.conn.poll(0.5):
        if not p.proc.is_alive():
            raise RuntimeError(f"benchmark process {p.proc.pid} died (exit code {p.proc.exitcode})")
    return p.conn.recv()


def _spawn(target: Any, *args: Any, clean: bool = False) -> tuple[Proc, Any]:
    """A process running ``target``; ``clean``: a fresh interpreter ("spawn"), not a copy of this one.

    The clients start clean: a forked copy of this process would carry its imports (the sandbox's
    modules, which a real `run` never loads) and its heap into the measured process."""
    ctx = mp.get_context("spawn" if clean else "fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=target, args=(child, *args), daemon=True)
    proc.start()
    p = Proc(parent, proc)
    return p, _recv(p)


def _client(kind: str, target: tuple[str, ...], workdir: str, start: str) -> Proc:
    """The bridge's or the naive poller's process, started clean (the bridge's config written here)."""
    setup = str(bridge_config(target, Path(workdir), start)) if kind == "bridge" else start
    return _spawn(_client_main, kind, target, setup, clean=True)[0]


@dataclass
class Row:
    scenario: str
    rows: int
    review: int
    result: dict[str, dict[str, Any]] = field(default_factory=dict)  # "bridge"/"naive" → measurement


def _measure(sandbox: Proc, client: Proc, mode: str = "") -> dict[str, Any]:
    sandbox.ask("reset")
    m = client.ask("cycle", mode)
    stats = sandbox.ask("stats")
    m["requests"] = stats["requests"]
    m["bytes"] = stats["bytes"]
    m["methods"] = {k: v["requests"] for k, v in sorted(stats["by_method"].items())}
    return m


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(runs[-1])
    for key in ("wall", "cpu", "rss", "requests", "bytes"):
        out[key] = statistics.median(r[key] for r in runs)
    return out


def run_config(rows: int, review: int, out: list[Row], log: Any, first_run: bool = False,
               only: frozenset[str] = frozenset()) -> None:
    """Responses tab of ``rows`` rows of which ``review`` sit in Review; every scenario for both clients.

    ``first_run``: also report the bridge's first run (history recorded, nothing queued) as ``first-run``.
    ``only``: just these scenarios (all when empty); the naive poller's cycle is measured with any of them.
    """

    def want(name: str) -> bool:
        return not only or name in only

    with tempfile.TemporaryDirectory() as tmp:
        sandbox, target = _spawn(_sandbox_main, rows - review)
        try:
            bridge = _client("bridge", target, tmp, "now")
            first = _measure(sandbox, bridge)  # the first run: history recorded, nothing queued
            if first_run:
                row = Row("first-run", rows - review, 0)
                row.result["bridge"] = first
                out.append(row)
                log(row)
            if review:
                sandbox.ask("add", review)
                bridge.ask("cycle")  # Review now holds `review` rows
            naive = _client("naive", target, tmp, "now")
            try:
                for _ in range(1):  # warm both (connections, caches) before measuring
                    bridge.ask("cycle"), naive.ask("cycle")
                idle = Row("idle", rows, review)
                idle.result["bridge"] = _median([_measure(sandbox, bridge) for _ in range(3)])
                idle.result["naive"] = _median([_measure(sandbox, naive) for _ in range(3)])
                if want("idle"):
                    out.append(idle)
                    log(idle)
                # An idle cycle that reads (the 15-minute safety net, or an edit with nothing to do)
                # and the same every 6 hours, when Review is read whole (REVIEW_WHOLE_EVERY)
                for name, mode in (("idle-read", "read"), ("read-whole", "read-whole")):
                    if want(name):
                        row = Row(name, rows, review)
                        row.result["bridge"] = _median([_measure(sandbox, bridge, mode) for _ in range(3)])
                        row.result["naive"] = idle.result["naive"]
                        out.append(row)
                        log(row)
                for k in (1, 50, 500):
                    if not want(f"new-{k}"):
                        continue
                    sandbox.ask("add", k)
                    row = Row(f"new-{k}", rows, review)
                    row.result["bridge"] = _measure(sandbox, bridge)
                    row.result["naive"] = _measure(sandbox, naive)
                    out.append(row)
                    log(row)
                if want("full-scan"):
                    scan = Row("full-scan", rows, review)
                    scan.result["bridge"] = _measure(sandbox, bridge, "full-scan")
                    scan.result["naive"] = _measure(sandbox, naive, "full-scan")
                    out.append(scan)
                    log(scan)
            finally:
                naive.stop()
                bridge.stop()
        finally:
            sandbox.stop()


def run_backfill(rows: int, out: list[Row], log: Any) -> None:
    """The first cycle with ``start = backfill``: every one of ``rows`` responses queued."""
    for kind in ("bridge", "naive"):
        with tempfile.TemporaryDirectory() as tmp:
            sandbox, target = _spawn(_sandbox_main, rows)
            try:
                client = _client(kind, target, tmp, "backfill")
                try:
                    m = _measure(sandbox, client)
                finally:
                    client.stop()
            finally:
                sandbox.stop()
        if kind == "bridge":
            row = Row("backfill", rows, 0)
            out.append(row)
        row.result[kind] = m
    log(row)


def run_publish(count: int, out: list[Row], log: Any) -> None:
    """``count`` approved rows published with photos in one cycle (the bridge only: the naive poller does not publish)."""
    with tempfile.TemporaryDirectory() as tmp:
        sandbox, target = _spawn(_sandbox_main, 0)
        try:
            client = _client("bridge", target, tmp, "backfill")
            try:
                client.ask("cycle")
                sandbox.ask("add", count)
                client.ask("cycle")
                sandbox.ask("approve", count)
                row = Row(f"publish-{count}", count, count)
                row.result["bridge"] = _measure(sandbox, client)
            finally:
                client.stop()
        finally:
            sandbox.stop()
    out.append(row)
    log(row)


# -- reporting -----------------------------------------------------------------------------------

def _ratio(naive: float, bridge: float) -> str:
    if bridge <= 0:
        return "∞" if naive > 0 else "1×"
    r = naive / bridge
    return f"{r:,.0f}×" if r >= 10 else f"{r:.2f}×" if r >= 0.1 else f"{r:.2g}×"


def _cells(m: dict[str, Any]) -> list[str]:
    return [f"{m['requests']:.0f}", f"{m['bytes'] / 1024:,.1f}", f"{m['wall'] * 1000:,.0f}", f"{m['cpu'] * 1000:,.0f}",
            f"{m['rss']:,.0f}"]


HEAD = ("| scenario | rows | Review | bridge req | KiB | wall ms | CPU ms | RSS MiB | naive req | KiB | wall ms | CPU ms "
        "| RSS MiB | × req | × bytes | × wall | × CPU | × RSS |")


def table(rows: list[Row]) -> list[str]:
    lines = [HEAD, "|" + "|".join(["---"] * (HEAD.count("|") - 1)) + "|"]
    for r in rows:
        b, n = r.result["bridge"], r.result.get("naive")
        ratios = [_ratio(n[k], b[k]) for k in ("requests", "bytes", "wall", "cpu", "rss")] if n else ["—"] * 5
        naive = _cells(n) if n else ["—"] * 5
        lines.append("| " + " | ".join([r.scenario, f"{r.rows:,}", f"{r.review:,}", *_cells(b), *naive, *ratios]) + " |")
    return lines


def per_day(rows: list[Row], interval_minutes: int) -> list[str]:
    """Requests and bytes per day at the interval (naive: every cycle a full scan).

    Bridge: one full scan, a whole read of Review every ``REVIEW_WHOLE_EVERY`` (the ``read-whole``
    cost; the full scan is one of them), a safety-net read every ``SAFETY_READ_EVERY`` (the
    ``idle-read`` cost; the others are among them), every other cycle unchanged (the ``idle`` cost).
    Officers' edits add reads like ``idle-read``.
    """
    from bridge.cycle.pipeline import SAFETY_READ_EVERY
    from bridge.cycle.snapshot import REVIEW_WHOLE_EVERY

    cycles = 24 * 60 // interval_minutes
    wholes = int(24 * 3600 // REVIEW_WHOLE_EVERY.total_seconds()) - 1
    reads = min(cycles - 1, int(24 * 60 // (SAFETY_READ_EVERY.total_seconds() / 60)) - 1) - wholes
    lines = ["| rows | Review | bridge req/day | bridge MiB/day | naive req/day | naive MiB/day | × req | × bytes |",
             "|---|---|---|---|---|---|---|---|"]
    by = {(r.rows, r.review, r.scenario): r for r in rows}
    for (n, rv, sc), idle in by.items():
        if sc != "idle" or (n, rv, "full-scan") not in by:
            continue
        scan = by[(n, rv, "full-scan")]
        read = by.get((n, rv, "idle-read"), idle)
        whole = by.get((n, rv, "read-whole"), read)

        # a day of cycles: so many of each kind, each costing what its measured run cost
        mix = ((cycles - 1 - reads - wholes, idle), (reads, read), (wholes, whole), (1, scan))
        b_req, b_bytes = (sum(times * r.result["bridge"][key] for times, r in mix) for key in ("requests", "bytes"))
        n_req = cycles * idle.result["naive"]["requests"]
        n_bytes = cycles * idle.result["naive"]["bytes"]
        lines.append(f"| {n:,} | {rv:,} | {b_req:,.0f} | {b_bytes / 2**20:,.1f} | {n_req:,.0f} | {n_bytes / 2**20:,.1f} "
                     f"| {_ratio(n_req, b_req)} | {_ratio(n_bytes, b_bytes)} |")
    return lines


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> None:
    from bridge.config import load_settings  # noqa: F401 - import errors show before any process starts

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes: " + str(QUICK))
    parser.add_argument("--rows", type=int, nargs="*", help="responses-tab sizes (overrides the size set)")
    parser.add_argument("--review", type=int, nargs="*", help="Review-tab sizes (overrides the size set)")
    parser.add_argument("--backfill", type=int, nargs="*", help="backfill sizes (overrides the size set; none: skip)")
    parser.add_argument("--publish", type=int, default=0, help="also publish this many approved rows with photos "
                        "in one cycle (the bridge only)")
    parser.add_argument("--interval", type=int, default=None, help="minutes between cycles for the per-day cost "
                        "(default: the bridge's default interval)")
    parser.add_argument("--first-run", action="store_true", help="also report each size's first run "
                        "(start = now: history recorded, nothing queued; the bridge only)")
    parser.add_argument("--only", nargs="*", default=[], help="only these scenarios (idle, idle-read, read-whole, "
                        "new-1, new-50, new-500, full-scan; the first run and backfill follow their own options)")
    parser.add_argument("--markdown", type=Path, help="write the tables to this Markdown file too")
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    for key in ("rows", "review", "backfill"):
        if getattr(args, key) is not None:
            sizes[key] = tuple(getattr(args, key))
    interval = args.interval or _default_interval()

    results: list[Row] = []
    started = time.perf_counter()

    def log(row: Row) -> None:
        b, n = row.result.get("bridge"), row.result.get("naive")
        parts = [f"{row.scenario:<10} rows {row.rows:>7,} review {row.review:>6,}"]
        for name, m in (("bridge", b), ("naive", n)):
            if m:
                parts.append(f"{name} {m['requests']:.0f} req {m['bytes'] / 1024:,.1f} KiB {m['wall'] * 1000:,.0f} ms "
                             f"cpu {m['cpu'] * 1000:,.0f} ms rss {m['rss']:,.0f} MiB ({m['info']}; {m.get('methods', {})})")
        print(" | ".join(parts), flush=True)

    for n in sizes["rows"]:
        for rv in sizes["review"]:
            if rv <= n:
                run_config(n, rv, results, log, first_run=args.first_run, only=frozenset(args.only))
    for n in sizes["backfill"]:
        run_backfill(n, results, log)
    if args.publish:
        run_publish(args.publish, results, log)

    text = [f"Command: `{' '.join(['.venv/bin/python -m benchmarks.cycle', *(argv if argv is not None else sys.argv[1:])])}`",
            f"Machine: {machine()}", f"Run time: {time.perf_counter() - started:,.0f} s", "",
            "Per cycle (× = naive ÷ bridge: how many times less the bridge costs):", "", *table(results), "",
            f"Per day at the default interval ({interval} min: {24 * 60 // interval} cycles: one a full scan, Review read whole every 6 hours, a safety-net read every 15 min, the rest unchanged):", "",
            *per_day(results, interval)]
    print("\n" + "\n".join(text))
    if args.markdown:
        args.markdown.write_text("\n".join(text) + "\n", encoding="utf-8")


def _default_interval() -> int:
    from bridge.config import SPECS

    return int(next(s.default for s in SPECS if (s.section, s.key) == ("bridge", "poll_interval_minutes")))


if __name__ == "__main__":
    main()
