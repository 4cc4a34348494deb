"""Benchmark: `mymein-bridge report` on big Review and Arsip tabs, in requests, seconds and peak memory.

Two processes: the sandbox, holding the report quarter (bridge/sandbox/seed_report.py) with its
Review and Arsip tabs grown to N rows together (half each, received over January to September 2026,
each with a ≈360-character Isi like a real submission), and the client, a fresh Python running
`mymein-bridge report --period 2026-09 --out DIR` (the tab, the PDF, the workbook and the CSV files)
as IT staff would. Peak RSS is the client's whole process (``VmHWM``: the interpreter and every
library included); the service's target is 150 MiB.

    .venv/bin/python -m benchmarks.report                       # 10k, 50k and 100k rows
    .venv/bin/python -m benchmarks.report --rows 10000 --period 2026
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROWS = (10_000, 50_000, 100_000)
BODY = ("Warga desa bergotong royong membersihkan saluran irigasi sepanjang dua kilometer agar air sampai ke sawah "
        "menjelang musim tanam. Kegiatan dipimpin kepala desa dan diikuti kelompok tani, karang taruna dan ibu-ibu PKK. "
        "Selain saluran, warga juga memperbaiki pintu air dan menanam pohon di tepi jalan desa. ")


def _grown(rows: list[list[Any]], count: int, first: int) -> list[list[Any]]:
    """``count`` rows copied from the tab's own rows, each with its own ID, title, link and time."""
    header, body = rows[0], [r for r in rows[1:] if any(str(c).strip() for c in r)]
    col = {str(h): i for i, h in enumerate(header)}
    out = []
    for n in range(first, first + count):
        row = list(body[n % len(body)])
        row += [""] * (len(header) - len(row))
        month, day, hour = 1 + n % 9, 1 + n % 28, 8 + n % 10
        row[col["ID"]] = f"MM-2026-{n:06d}"
        row[col["Diterima (WITA)"]] = f"{day:02d}/{month:02d}/2026 {hour:02d}:00"
        row[col["Judul"]] = f"Kabar desa nomor {n}"
        row[col["Isi"]] = BODY + f"Laporan nomor {n}."
        if str(row[col["Tautan Post"]]).startswith("https://"):
            row[col["Tautan Post"]] = f"https://kimbalangan.blogspot.com/2026/{month:02d}/kabar-{n}.html"
            row[col["Waktu Terbit (WITA)"]] = f"{day:02d}/{month:02d}/2026 {hour + 1:02d}:00"
        out.append(row)
    return [header, *out]


def _sandbox_main(conn: Connection, rows: int, workdir: str) -> None:
    from bridge.config import render_config
    from bridge.sandbox.seed_report import QUARTER_SPREADSHEET_ID, quarter_state
    from bridge.sandbox.server import SandboxServer, sandbox_config_values
    from bridge.sandbox.state import SandboxState

    state = SandboxState.from_json(quarter_state())
    for n, tab in enumerate(("Review", "Arsip")):
        half = rows // 2 if n == 0 else rows - rows // 2
        state.set_sheet_rows(QUARTER_SPREADSHEET_ID, tab, _grown(state.sheet_rows(QUARTER_SPREADSHEET_ID, tab), half,
                                                                 1 + n * (rows // 2)))
    with SandboxServer(state) as server:
        cfg = Path(workdir) / "bridge.toml"
        cfg.write_text(render_config(sandbox_config_values(server.url, state, workdir)), encoding="utf-8")
        server.reset_stats()
        conn.send(str(cfg))
        while True:
            cmd = conn.recv()
            if cmd == "stats":
                conn.send(server.stats())
            else:
                conn.send(None)
                return


def _peak_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _client_main(conn: Connection, cfg: str, period: str, out: str) -> None:
    from bridge.cli import main
    from bridge.clock import ManualClock
    from bridge.sandbox.seed_report import QUARTER_NOW

    wall0, cpu0 = time.perf_counter(), time.process_time()
    code = main(["report", "-c", cfg, "--period", period, "--out", out, "--allow-future"], clock=ManualClock(QUARTER_NOW))
    conn.send({"code": code, "wall": time.perf_counter() - wall0, "cpu": time.process_time() - cpu0, "rss": _peak_mib()})


def measure(rows: int, period: str) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        parent, child = ctx.Pipe()
        sandbox = ctx.Process(target=_sandbox_main, args=(child, rows, tmp))
        sandbox.start()
        cfg = parent.recv()
        mine, theirs = ctx.Pipe()
        client = ctx.Process(target=_client_main, args=(theirs, cfg, period, str(Path(tmp) / "out")))
        client.start()
        result = mine.recv()
        client.join()
        parent.send("stats")
        stats = parent.recv()
        parent.send("stop")
        parent.recv()
        sandbox.join()
    result["requests"] = stats["requests"]
    result["methods"] = {m: e["requests"] for m, e in stats["by_method"].items()}
    return result


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, action="append", help="Review + Arsip rows (repeatable; default 10k, 50k, 100k)")
    p.add_argument("--period", default="2026-09")
    args = p.parse_args(argv)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}; period {args.period}")
    print("| Review + Arsip rows | Sheets requests | all requests | wall s | CPU s | peak RSS MiB |")
    print("|---|---|---|---|---|---|")
    for rows in args.rows or ROWS:
        r = measure(rows, args.period)
        assert r["code"] == 0, r
        sheets = sum(n for m, n in r["methods"].items() if m.startswith("sheets."))
        print(f"| {rows:,} | {sheets} | {r['requests']} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['rss']:.0f} |", flush=True)
        print(f"<!-- {r['methods']} -->", flush=True)


if __name__ == "__main__":
    main()
