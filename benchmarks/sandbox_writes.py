"""Benchmark: what one sandbox write costs at a given tab size, now and the way it was (issue 13).

    .venv/bin/python -m benchmarks.sandbox_writes              # 100,000-row responses tab
    .venv/bin/python -m benchmarks.sandbox_writes --rows 10000

"copy-whole" re-enacts the landed sandbox before issue 13: a deep copy of the whole
spreadsheet per write, and with ``--state FILE`` the whole state file rewritten after it.
"now" is the copy-on-write path (rows copied only when written) and the row journal.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.cycle import _templates, responses
from bridge.sandbox import sheets
from bridge.sandbox.common import Ctx
from bridge.sandbox.seed import DEMO_RESPONSES_TAB, DEMO_SPREADSHEET_ID, demo_state
from bridge.sandbox.state import SandboxState

TAB = f"'{DEMO_RESPONSES_TAB}'"


def _ctx(state: SandboxState, params: dict[str, Any], body: dict[str, Any]) -> Ctx:
    return Ctx(state, "sheets.spreadsheets.values.update", {"spreadsheetId": DEMO_SPREADSHEET_ID, **params}, body, b"", {},
               "http://127.0.0.1", False)


def _ms(fn: Callable[[], Any], times: int = 7) -> float:
    runs = []
    for _ in range(times):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    state = SandboxState.from_json(demo_state())
    header = state.sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)[0]
    state.set_sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB, [header] + responses(_templates(), 1, args.rows))
    update = _ctx(state, {"range": f"{TAB}!B2", "valueInputOption": "RAW"}, {"values": [["diubah"]]})
    append = _ctx(state, {"range": f"{TAB}!A1", "valueInputOption": "RAW"}, {"values": [["baru", "baris"]]})

    write_now = _ms(lambda: sheets.values_update(update))
    append_now = _ms(lambda: sheets.values_append(append))
    copy_whole = _ms(lambda: copy.deepcopy(state.spreadsheet(DEMO_SPREADSHEET_ID)), 3)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sandbox.json"
        state.journaling = True
        state.save(path)
        persist_now = _ms(lambda: (sheets.values_update(update), state.persist(path)))
        save_whole = _ms(lambda: state.save(path), 3)
    print(f"Responses tab of {args.rows:,} rows; median ms per write")
    print("| write | copy-whole (before) | now | × |\n|---|---|---|---|")
    print(f"| values.update, 1 cell | {copy_whole + write_now:,.1f} | {write_now:,.2f} | {(copy_whole + write_now) / write_now:,.0f}× |")
    print(f"| values.append, 1 row | {copy_whole + append_now:,.1f} | {append_now:,.2f} | {(copy_whole + append_now) / append_now:,.0f}× |")
    print(f"| values.update with --state FILE | {copy_whole + write_now + save_whole:,.1f} | {persist_now:,.2f} | "
          f"{(copy_whole + write_now + save_whole) / persist_now:,.0f}× |")


if __name__ == "__main__":
    main()
