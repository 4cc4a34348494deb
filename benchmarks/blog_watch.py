"""Benchmark: what watching the blog costs (issue 17), on a blog of 5,000 posts.

In one process, against the sandbox on a ManualClock: a blog holding ``--posts`` older posts (one
every 5 hours back from now, 2% of them drafts), the demo's valid responses approved and published
by the bridge, then ``--hours`` of cycles one minute apart. Counted: Blogger requests per
10-minute window of the watch, the requests of a cycle with no check due, and, for comparison,
what one naive reconciliation costs (every post of every status, with bodies, 100 a page: what
``BloggerGateway.posts`` reads for a rebuild).

    .venv/bin/python -m benchmarks.blog_watch            # 5,000 posts, one hour
    .venv/bin/python -m benchmarks.blog_watch --posts 20000 --hours 2
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bridge.adapters.retry import RetryPolicy
from bridge.app import build_deps
from bridge.clock import ManualClock
from bridge.commands.prepare import prepare
from bridge.config import load_settings, render_config
from bridge.core.model import ReviewColumn, Status
from bridge.cycle.pipeline import run_cycle
from bridge.sandbox.seed import DEMO_BLOG_ID, DEMO_SPREADSHEET_ID, demo_state
from bridge.sandbox.server import SandboxServer, sandbox_config_values
from bridge.sandbox.state import SandboxState

WITA = ZoneInfo("Asia/Makassar")
START = datetime(2026, 11, 23, 10, 0, tzinfo=WITA)


def _old_posts(count: int, now: datetime) -> list[dict[str, object]]:
    out = []
    for n in range(count):
        when = (now - timedelta(hours=5 * (count - n))).replace(microsecond=0)
        status = "DRAFT" if n % 50 == 0 else "LIVE"
        post: dict[str, object] = {
            "kind": "blogger#post", "id": str(2_000_000_000_000_000_000 + n), "blog": {"id": DEMO_BLOG_ID},
            "published": when.isoformat(), "updated": when.isoformat(), "title": f"Kabar lama nomor {n}",
            "content": f"<p>Kabar lama nomor {n} dari desa.</p>" * 20, "labels": ["KIM Balangan"], "status": status,
        }
        if status == "LIVE":
            post["url"] = f"https://kimbalangan.blogspot.com/{when.year}/{when.month:02d}/kabar-lama-{n}.html"
        out.append(post)
    return out


def _blogger_requests(sandbox: SandboxServer) -> Counter[str]:
    return Counter({m: e["requests"] for m, e in sandbox.stats()["by_method"].items() if m.startswith("blogger.")})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=5_000)
    parser.add_argument("--hours", type=int, default=1)
    args = parser.parse_args(argv)

    clock = ManualClock(START)
    state = SandboxState.from_json(demo_state())
    state.blog(DEMO_BLOG_ID)["posts"][:0] = _old_posts(args.posts, START)
    with SandboxServer(state, clock=clock) as sandbox, tempfile.TemporaryDirectory() as tmp:
        cfg = sandbox_config_values(sandbox.url, sandbox.state, Path(tmp))
        cfg[("blog", "publish_mode")] = "live"
        path = Path(tmp) / "bench.toml"
        path.write_text(render_config(cfg), encoding="utf-8")
        deps = build_deps(load_settings(path, env={}), retry=RetryPolicy(attempts=1), clock=clock)
        try:
            prepare(deps)
            run_cycle(deps)  # queues the demo responses
            rows = sandbox.state.sheet_rows(DEMO_SPREADSHEET_ID, "Review")
            status_col = [str(h) for h in rows[0]].index(ReviewColumn.STATUS.value)
            for row in rows[1:]:
                if row[status_col] == Status.MENUNGGU.value:
                    row[status_col] = Status.DISETUJUI.value
            sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows)
            published = run_cycle(deps).publish.published
            run_cycle(deps)
            windows: list[Counter[str]] = []
            idle: list[Counter[str]] = []
            window: Counter[str] = Counter()
            for minute in range(1, 60 * args.hours + 1):
                clock.advance(timedelta(minutes=1))
                sandbox.reset_stats()
                report = run_cycle(deps)
                spent = _blogger_requests(sandbox)
                window += spent
                if report.unchanged:
                    idle.append(Counter({m: e["requests"] for m, e in sandbox.stats()["by_method"].items()}))
                if minute % 10 == 0:
                    windows.append(window)
                    window = Counter()
            sandbox.reset_stats()
            deps.blogger.posts()
            naive = sum(_blogger_requests(sandbox).values())
        finally:
            deps.close()
    per_window = [sum(w.values()) for w in windows]
    print(f"blog: {args.posts} older posts + {published} published by the bridge (live mode)")
    print(f"Blogger requests per 10-minute window over {args.hours} h: {per_window} (max {max(per_window)})")
    print(f"  by method, all windows: {dict(sum(windows, Counter()))}")
    idle_costs = {tuple(sorted(c.items())) for c in idle}
    print(f"cycles with no check due: {len(idle)} of {60 * args.hours}, each costing {[dict(c) for c in idle_costs]}")
    print(f"naive reconciliation (every post, every status, bodies, 100 a page): {naive} requests each time")


if __name__ == "__main__":
    main()
