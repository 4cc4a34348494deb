"""Benchmark: a ledger rebuild (after the local ledger was lost) from N Review rows and P posts.

No sandbox: the rows and the posts are plain data, as the cycle hands them to
``bridge.cycle.intake.rebuild_ledger`` after reading Review, Arsip and the blog. Each size runs in
a fresh child process; CPU time is the child's (``time.process_time``), peak RSS its ``ru_maxrss``.

    .venv/bin/python -m benchmarks.rebuild                       # 10k rows with 5,000 posts, and 0 posts
    .venv/bin/python -m benchmarks.rebuild --rows 10000 20000 --posts 5000 10000

Half the rows are approved (the first ``posts`` of them have a post); one row in 50 has its ID
cell cleared, one in 70 its fingerprint cell (the post's marker tells them back).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")


def _rows_and_posts(rows: int, posts: int) -> tuple[list[Any], list[Any]]:
    from bridge.core.identity import BlogPost
    from bridge.core.model import ReviewColumn, ReviewRow
    from bridge.core.render import Marker

    review, blog = [], []
    for n in range(1, rows + 1):
        sid, fp = f"MM-2026-{n:05d}", f"{n:08x}-1"
        review.append(ReviewRow(n + 1, {
            ReviewColumn.ID: "" if n % 50 == 0 else sid,
            ReviewColumn.FINGERPRINT: "" if n % 70 == 0 else fp,
            ReviewColumn.STATUS: "DISETUJUI" if n <= max(posts, rows // 2) else "MENUNGGU",
            ReviewColumn.RECEIVED: f"{1 + n % 28:02d}/{1 + n % 11:02d}/2026 09:00:00",
            ReviewColumn.OPERATOR: f"Operator {n % 40}", ReviewColumn.EMAIL: f"op{n % 40}@desa.id",
            ReviewColumn.TITLE: f"Kabar nomor {n}", ReviewColumn.BODY: f"Isi laporan nomor {n}. " * 10,
        }))
        if n <= posts:
            blog.append(BlogPost(f"post{n}", f"https://blog.example/{n}", "LIVE", "2026-11-20T02:00:00Z",
                                 "2026-11-20T02:00:00Z", f"Kabar nomor {n}", ("Juai",), frozenset({Marker(sid, fp)})))
    return review, blog


def _child(conn: Any, rows: int, posts: int) -> None:
    from bridge.adapters.ledger import Ledger
    from bridge.cycle.intake import rebuild_ledger

    review, blog = _rows_and_posts(rows, posts)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger(Path(tmp) / "ledger.db")
        deps = SimpleNamespace(ledger=ledger, settings=SimpleNamespace(tz=WITA), now=lambda: None)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        count = rebuild_ledger(deps, review, (), blog)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        done = len(ledger.journal.entries("done"))
        ledger.close()
    conn.send({"rows": rows, "posts": posts, "count": count, "done": done, "cpu": cpu, "wall": wall,
               "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def measure(rows: int, posts: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")  # a fresh interpreter: its peak RSS is this rebuild's alone
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(child, rows, posts))
    proc.start()
    out = parent.recv()
    proc.join()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000])
    parser.add_argument("--posts", type=int, nargs="*", default=[5_000, 0])
    args = parser.parse_args(argv)
    print("| Review rows | posts | submissions | posts linked | CPU s | wall s | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|")
    for rows in args.rows:
        for posts in args.posts:
            m = measure(rows, posts)
            print(f"| {m['rows']:,} | {m['posts']:,} | {m['count']:,} | {m['done']:,} | {m['cpu']:.2f} | {m['wall']:.2f} "
                  f"| {m['rss']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
