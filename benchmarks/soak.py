"""Soak: `mymein-bridge run`, exactly as systemd starts it, against the sandbox, through N minutes
of faults, kills, ledger losses, clock jumps and officers' and operators' actions; then checks,
from the sandbox alone, that nothing is lost, doubled, contradicted or published that must not be.

    .venv/bin/python -m benchmarks.soak --minutes 60                  # the issue's soak
    .venv/bin/python -m benchmarks.soak --minutes 5 --seed 7          # a quick one

What runs:
* the sandbox in this process, on its own movable clock; the bridge as a child process
  (``mymein-bridge run -c soak.toml``) with ``[google] sandbox_clock = true`` (it follows that clock)
  and ``[bridge] poll_interval_seconds`` (default 5), everything else as `init` writes it, publishing live;
* faults: ``--fault-rate`` of all Google calls fail (429/500/503; a quarter of them after the
  change was applied), plus a targeted fault every minute (the next row-deleting batchUpdate, Review
  append, photo upload or post insert fails, before or after applying);
* kills: SIGTERM, SIGKILL, and SIGKILL right after a write, at random (``--kill-every`` seconds on average),
  except in the last ``--steady`` minutes, where one process runs on to show RSS and open files stay flat;
* the ledger: ``--ledger-losses`` times deleted, and as often put back from an older copy;
* the clock: jumps forward by hours to weeks (rows get old enough for Arsip, scheduled posts go
  live), now and then back by hours;
* officers approve, reject, withdraw, re-approve, edit and re-approve, delete rows and sort
  Review; operators send new responses.

Then 60 s of calm (no faults, no actions), SIGTERM, and the checks. Exit status 1 when any
invariant is broken (each is printed), 0 otherwise.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.cycle import _templates, machine, responses
from bridge.config import render_config
from bridge.core.model import ReviewColumn, Status
from bridge.core.render import find_marker_ids
from bridge.sandbox.seed import DEMO_BLOG_ID, DEMO_RESPONSES_TAB, DEMO_SPREADSHEET_ID, demo_state
from bridge.sandbox.server import SandboxServer, sandbox_config_values
from bridge.sandbox.state import SandboxState

#: Google calls that change something: a kill "right after a write" waits for one of these.
WRITES = frozenset({
    "sheets.spreadsheets.values.append", "sheets.spreadsheets.values.batchUpdate", "sheets.spreadsheets.batchUpdate",
    "sheets.spreadsheets.values.update", "blogger.posts.insert", "blogger.posts.update", "blogger.posts.patch",
    "blogger.posts.publish", "blogger.posts.revert", "drive.files.create", "drive.permissions.create",
})
TARGETS = (
    {"method": "sheets.spreadsheets.batchUpdate", "contains": "deleteDimension", "code": 429, "when": "before"},
    {"method": "sheets.spreadsheets.batchUpdate", "contains": "deleteDimension", "code": 500, "when": "after"},
    {"method": "sheets.spreadsheets.values.append", "code": 429, "when": "before"},
    {"method": "sheets.spreadsheets.values.append", "code": 503, "when": "after"},
    {"method": "drive.files.create", "code": 500, "when": "after"},
    {"method": "blogger.posts.insert", "code": 500, "when": "after"},
    {"method": "sheets.spreadsheets.values.batchUpdate", "code": 503, "when": "after"},
)
S = ReviewColumn


@dataclass
class Tally:
    """What the soak did, for the summary."""

    events: Counter[str] = field(default_factory=Counter)
    refused: set[str] = field(default_factory=set)  # DITOLAK before ever being approved
    deleted_unapproved: set[str] = field(default_factory=set)  # row deleted before ever being approved
    approved: set[str] = field(default_factory=set)
    exits: Counter[str] = field(default_factory=Counter)
    samples: dict[int, list[tuple[float, int, int]]] = field(default_factory=dict)  # pid -> (t, rss KiB, fds)


class Bridge:
    """The bridge as a child process, restarted after every kill."""

    def __init__(self, config: Path, log: Path, tally: Tally) -> None:
        script = Path(sys.executable).with_name("mymein-bridge")
        self.argv = [str(script)] if script.exists() else [sys.executable, "-m", "bridge.cli"]
        self.config, self.log, self.tally = config, log, tally
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0

    def start(self) -> None:
        with open(self.log, "ab") as out:
            out.write(f"\n===== start {time.strftime('%H:%M:%S')} =====\n".encode())
            out.flush()
            self.proc = subprocess.Popen([*self.argv, "run", "-c", str(self.config)], stdout=out, stderr=subprocess.STDOUT,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.started = time.monotonic()
        self.tally.events["starts"] += 1

    def stop(self, sig: signal.Signals, why: str) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(sig)
        try:
            code = proc.wait(timeout=180)
        except subprocess.TimeoutExpired:
            self.tally.exits["hung after SIGTERM, killed"] += 1
            proc.kill()
            code = proc.wait()
        self.tally.exits[f"{why}: exit {code}"] += 1
        self.proc = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def sample(self) -> None:
        if not self.alive():
            return
        assert self.proc is not None
        pid = self.proc.pid
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            rss = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            fds = len(os.listdir(f"/proc/{pid}/fd"))
        except (OSError, StopIteration, ValueError):
            return
        self.tally.samples.setdefault(pid, []).append((time.monotonic() - self.started, rss, fds))


class Officers:
    """Officers and operators acting on the sandbox's tabs directly, as people in the Sheets UI do."""

    def __init__(self, state: SandboxState, rng: random.Random, tally: Tally) -> None:
        self.state, self.rng, self.tally = state, rng, tally
        self.templates = _templates()
        self.sent = 0

    def submit(self) -> None:
        (row,) = responses(self.templates, 50_000 + self.sent, 1)
        self.sent += 1
        with self.state.lock:
            rows = self.state.sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)
            self.state.set_sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB, rows + [row])
        self.tally.events["operator: new response"] += 1

    def act(self) -> None:
        with self.state.lock:
            rows = self.state.sheet_rows(DEMO_SPREADSHEET_ID, "Review")
            if len(rows) < 2:
                return
            header = [str(h) for h in rows[0]]
            col = {c: header.index(c.value) for c in S if c.value in header}

            def cell(r: list[Any], c: ReviewColumn) -> str:
                return str(r[col[c]]) if col[c] < len(r) else ""

            def put(r: list[Any], c: ReviewColumn, value: str) -> None:
                r.extend([""] * (col[c] + 1 - len(r)))
                r[col[c]] = value

            body = [r for r in rows[1:] if any(str(v).strip() for v in r)]
            by_status: dict[str, list[list[Any]]] = {}
            for r in body:
                by_status.setdefault(cell(r, S.STATUS), []).append(r)
            action = self.rng.choices(
                ["approve", "reject", "withdraw", "reapprove", "retry", "edit", "delete", "sort"],
                weights=[30, 8, 8, 6, 4, 5, 5, 4])[0]
            pick = lambda *statuses: [r for s in statuses for r in by_status.get(s, [])]  # noqa: E731
            chosen: list[Any] | None = None
            if action == "approve" and (cands := pick(Status.MENUNGGU, Status.TIDAK_VALID)):
                chosen = self.rng.choice(cands)
                put(chosen, S.STATUS, Status.DISETUJUI)
                self.tally.approved.add(cell(chosen, S.ID))
            elif action == "reject" and (cands := pick(Status.MENUNGGU, Status.TIDAK_VALID)):
                chosen = self.rng.choice(cands)
                put(chosen, S.STATUS, Status.DITOLAK)
                if cell(chosen, S.ID) not in self.tally.approved:
                    self.tally.refused.add(cell(chosen, S.ID))
            elif action == "withdraw" and (cands := pick(Status.TERBIT)):
                chosen = self.rng.choice(cands)
                put(chosen, S.STATUS, Status.DITARIK)
            elif (action == "reapprove" and (cands := pick(Status.DITARIK))) or (
                action == "retry" and (cands := pick(Status.GAGAL))
            ):
                chosen = self.rng.choice(cands)
                put(chosen, S.STATUS, Status.DISETUJUI)
            elif action == "edit" and (cands := pick(Status.TERBIT)):
                chosen = self.rng.choice(cands)
                put(chosen, S.TITLE, cell(chosen, S.TITLE) + " (diperbarui)")
                put(chosen, S.STATUS, Status.DISETUJUI)
            elif action == "delete":
                chosen = self.rng.choice(body)
                sid = cell(chosen, S.ID)
                if cell(chosen, S.STATUS) in (Status.MENUNGGU, Status.TIDAK_VALID, Status.DITOLAK) and sid not in self.tally.approved:
                    self.tally.deleted_unapproved.add(sid)
                body.remove(chosen)
            elif action == "sort":
                key = self.rng.choice([S.TITLE, S.KECAMATAN, S.STATUS, S.RECEIVED])
                body.sort(key=lambda r: cell(r, key), reverse=self.rng.random() < 0.5)
                chosen = body[0] if body else None
            if chosen is None:
                return
            self.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", [rows[0], *body])
        self.tally.events[f"officer: {action}"] += 1


def _ledger_files(ledger: Path) -> list[Path]:
    return [p for p in ledger.parent.glob(ledger.name + "*") if not p.name.endswith(".lock")]


def _backup(ledger: Path, to: Path) -> bool:
    """A consistent copy of the live ledger (SQLite's online backup), as a nightly backup makes."""
    if not ledger.exists():
        return False
    to.unlink(missing_ok=True)
    src, dst = sqlite3.connect(ledger), sqlite3.connect(to)
    try:
        src.backup(dst)
    except sqlite3.Error:
        return False
    finally:
        src.close()
        dst.close()
    return True


def check(state: SandboxState, tally: Tally, log: Path, seeded: set[str]) -> tuple[list[str], dict[str, int]]:
    """The invariants, from the sandbox's state and the bridge's log; returns (broken, counts)."""
    broken: list[str] = []

    def table(tab: str) -> list[dict[str, str]]:
        rows = state.sheet_rows(DEMO_SPREADSHEET_ID, tab)
        header = [str(h) for h in rows[0]]
        return [{h: str(r[i]) if i < len(r) else "" for i, h in enumerate(header)} for r in rows[1:] if any(str(v).strip() for v in r)]

    review, arsip = table("Review"), table("Arsip")
    answers = [r for r in state.sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)[1:] if any(str(v).strip() for v in r)]
    ids_r, ids_a = Counter(r[S.ID] for r in review), Counter(r[S.ID] for r in arsip)
    for name, ids in (("Review", ids_r), ("Arsip", ids_a)):
        broken += [f"{sid} is {n} times in {name}" for sid, n in ids.items() if n > 1]
    broken += [f"{sid} is in both Review and Arsip" for sid in set(ids_r) & set(ids_a)]
    fps = Counter(r[S.FINGERPRINT] for r in (*review, *arsip))
    broken += [f"fingerprint {fp} is on {n} rows" for fp, n in fps.items() if n > 1]
    if len(review) + len(arsip) != len(answers):
        broken.append(f"{len(answers)} responses but {len(review)} Review + {len(arsip)} Arsip rows")
    rows = {r[S.ID]: r for r in (*review, *arsip)}
    posts = [p for p in state.posts(DEMO_BLOG_ID) if p["id"] not in seeded]  # the demo blog's own posts are no items
    per_id: dict[str, list[dict[str, Any]]] = {}
    for post in posts:
        ids = find_marker_ids(str(post.get("content", "")))
        if len(ids) != 1:
            broken.append(f"post {post['id']} carries {len(ids)} submission markers")
        for sid in ids:
            per_id.setdefault(sid, []).append(post)
    live = lambda p: p.get("status") in ("LIVE", "SCHEDULED")  # noqa: E731
    for sid, ps in per_id.items():
        if len(ps) > 1:
            broken.append(f"{sid} has {len(ps)} posts ({', '.join(p['status'] for p in ps)})")
        if sid not in rows:
            broken.append(f"post of {sid} has no row in Review or Arsip")
    for sid, row in rows.items():
        status = row[S.STATUS]
        mine = per_id.get(sid, [])
        if status == Status.TERBIT and sum(map(live, mine)) != 1:
            broken.append(f"{sid} is TERBIT in {'Review' if sid in ids_r else 'Arsip'} with {sum(map(live, mine))} live posts")
        if status != Status.TERBIT and any(map(live, mine)):
            broken.append(f"{sid} is {status or 'empty'} but its post is live")
        if status == Status.DITARIK and any(p.get("status") != "DRAFT" for p in mine):
            broken.append(f"{sid} was withdrawn but its post is not a draft")
        if not status:
            broken.append(f"{sid} has no status")
        if status in (Status.TIDAK_VALID, Status.GAGAL) and not row[S.SYSTEM_NOTE].strip():
            broken.append(f"{sid} is {status} without a reason")
    for sid in sorted(tally.refused | tally.deleted_unapproved):
        if per_id.get(sid):
            broken.append(f"{sid} was refused or deleted before approval, yet has a post")
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    if "Traceback" in text:
        broken.append(f"{text.count('Traceback')} tracebacks in {log}")
    counts = {
        "responses": len(answers), "review rows": len(review), "arsip rows": len(arsip),
        "TERBIT": sum(r[S.STATUS] == Status.TERBIT for r in rows.values()),
        "DITARIK": sum(r[S.STATUS] == Status.DITARIK for r in rows.values()),
        "DITOLAK": sum(r[S.STATUS] == Status.DITOLAK for r in rows.values()),
        "GAGAL": sum(r[S.STATUS] == Status.GAGAL for r in rows.values()),
        "posts": len(posts), "live posts": sum(map(live, posts)),
        "deleted rows recorded in Arsip": sum("Baris dihapus dari Review" in r[S.SYSTEM_NOTE] for r in arsip),
        "log lines": text.count("\n"), "ERROR lines": text.count(" ERROR "), "WARNING lines": text.count(" WARNING "),
    }
    return broken, counts


def flat(tally: Tally, min_age: float) -> tuple[list[str], list[str]]:
    """RSS and open files of each bridge process that lived ``min_age`` seconds: from 30 s in to its end."""
    broken, lines = [], []
    for pid, samples in tally.samples.items():
        if not samples or samples[-1][0] < min_age:
            continue
        early = [s for s in samples if s[0] >= 30][:5] or samples[:5]
        late = samples[-5:]
        rss0, rss1 = max(s[1] for s in early), max(s[1] for s in late)
        fd0, fd1 = max(s[2] for s in early), max(s[2] for s in late)
        lines.append(f"pid {pid}: {samples[-1][0] / 60:.1f} min, RSS {rss0 / 1024:.1f} → {rss1 / 1024:.1f} MiB, "
                     f"open files {fd0} → {fd1}")
        if rss1 > rss0 * 1.25 + 8 * 1024:
            broken.append(f"bridge pid {pid}: RSS grew from {rss0 / 1024:.1f} to {rss1 / 1024:.1f} MiB")
        if fd1 > fd0 + 5:
            broken.append(f"bridge pid {pid}: open files grew from {fd0} to {fd1}")
    return broken, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10, help="length of the chaos (default 10), then 60 s of calm")
    parser.add_argument("--fault-rate", type=float, default=0.15, help="share of Google calls that fail (default 0.15)")
    parser.add_argument("--kill-every", type=float, default=90, help="seconds between kills, on average (default 90)")
    parser.add_argument("--ledger-losses", type=int, default=2, help="ledger deletions, and as many restores of an old copy (default 2)")
    parser.add_argument("--interval", type=int, default=5, help="[bridge] poll_interval_seconds (default 5)")
    parser.add_argument("--steady", type=float, default=None,
                        help="last minutes of the chaos without kills or ledger events, so one process lives long enough "
                             "to show whether RSS and open files stay flat (default: a sixth of --minutes, at most 10)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random, printed)")
    parser.add_argument("--dir", default="", help="keep the config, ledger and the bridge's log here (default: a temp dir)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    tally = Tally()
    workdir = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="mymein-soak-"))
    workdir.mkdir(parents=True, exist_ok=True)
    state = SandboxState.from_json(demo_state())
    seeded = {p["id"] for p in state.posts(DEMO_BLOG_ID)}
    began = time.monotonic()
    with SandboxServer(state) as server:
        wrote = threading.Event()
        real_count = server.count

        def counting(method_id: str, nbytes: int) -> None:
            real_count(method_id, nbytes)
            if method_id in WRITES:
                wrote.set()

        server.count = counting  # type: ignore[method-assign]
        values = sandbox_config_values(server.url, state, workdir)
        values.update({("blog", "publish_mode"): "live", ("google", "sandbox_clock"): True,
                       ("bridge", "poll_interval_seconds"): args.interval})
        config = workdir / "soak.toml"
        config.write_text(render_config(values), encoding="utf-8")
        ledger = Path(values[("bridge", "state_path")])
        log = workdir / "bridge.log"
        log.unlink(missing_ok=True)
        bridge = Bridge(config, log, tally)
        subprocess.run([*bridge.argv, "init", "-c", str(config)], check=True, capture_output=True)
        server.set_faults({"rate": args.fault_rate * 0.75, "after_rate": args.fault_rate * 0.25, "codes": [429, 500, 503], "seed": seed})
        officers = Officers(state, rng, tally)
        bridge.start()
        end = time.monotonic() + args.minutes * 60
        span = args.minutes * 60
        steady = 60 * (args.steady if args.steady is not None else min(10.0, args.minutes / 6))
        stormy = span - steady  # kills and ledger events only before this
        losses = sorted(rng.uniform(0.1, 0.9) * stormy for _ in range(args.ledger_losses))
        restores = sorted(rng.uniform(0.1, 0.9) * stormy for _ in range(args.ledger_losses))
        backup_at = [t * 0.5 for t in restores]
        backups: list[Path] = []
        next_kill = time.monotonic() + rng.expovariate(1 / args.kill_every)
        next_target = time.monotonic() + 60
        next_jump = time.monotonic() + rng.uniform(60, 180)
        print(f"soak: {args.minutes} min, seed {seed}, faults {args.fault_rate:.0%}, work dir {workdir}", flush=True)
        last_note = time.monotonic()
        while time.monotonic() < end:
            now = time.monotonic()
            t = now - (end - span)
            bridge.sample()
            if not bridge.alive():
                if bridge.proc is not None:
                    code = bridge.proc.wait()
                    tally.exits[f"died on its own: exit {code}"] += 1
                    bridge.proc = None
                bridge.start()
            if rng.random() < 0.1:
                officers.submit()
            if rng.random() < 0.25:
                officers.act()
            if backup_at and t >= backup_at[0]:
                backup_at.pop(0)
                copy = workdir / f"ledger-backup-{len(backups)}.sqlite3"
                if _backup(ledger, copy):
                    backups.append(copy)
                    tally.events["ledger: backup taken"] += 1
            if losses and t >= losses[0]:
                losses.pop(0)
                bridge.stop(signal.SIGKILL, "SIGKILL before losing the ledger")
                for p in _ledger_files(ledger):
                    p.unlink()
                tally.events["ledger: lost"] += 1
                bridge.start()
            if restores and t >= restores[0] and backups:
                restores.pop(0)
                bridge.stop(signal.SIGKILL, "SIGKILL before restoring an old ledger")
                for p in _ledger_files(ledger):
                    p.unlink()
                shutil.copyfile(backups.pop(0), ledger)
                tally.events["ledger: old copy restored"] += 1
                bridge.start()
            if now >= next_target:
                next_target = now + 60
                target = dict(rng.choice(TARGETS))
                server.add_target(target)
                tally.events[f"targeted fault: {target['method']} {target['code']} {target['when']}"] += 1
            if now >= next_jump:
                next_jump = now + rng.uniform(60, 180)
                if rng.random() < 0.2:
                    server.move_clock({"advance_seconds": -rng.uniform(1, 6) * 3600})
                    tally.events["clock: back by hours"] += 1
                else:
                    server.move_clock({"advance_seconds": rng.choice([3600 * 6, 86400, 86400 * 3, 86400 * 12])})
                    tally.events["clock: forward"] += 1
            if now >= next_kill and bridge.alive() and t < stormy:
                next_kill = now + rng.expovariate(1 / args.kill_every)
                kind = rng.choice(["SIGTERM", "SIGKILL", "SIGKILL after a write"])
                if kind == "SIGKILL after a write":
                    wrote.clear()
                    if wrote.wait(timeout=3 * args.interval + 30):
                        bridge.stop(signal.SIGKILL, kind)
                    else:
                        bridge.stop(signal.SIGKILL, "SIGKILL (no write came)")
                else:
                    bridge.stop(signal.SIGTERM if kind == "SIGTERM" else signal.SIGKILL, kind)
                tally.events[f"kill: {kind}"] += 1
                time.sleep(rng.uniform(0, 2))
                bridge.start()
            if now - last_note > 60:
                last_note = now
                print(f"  {t / 60:5.1f} min: {sum(v for k, v in tally.events.items() if k.startswith('kill'))} kills, "
                      f"{len(state.posts(DEMO_BLOG_ID))} posts, {tally.events['starts']} starts", flush=True)
            time.sleep(1.0)
        # calm: no faults, no people; the bridge catches up, then stops as systemd stops it
        server.set_faults({})
        if not bridge.alive():
            bridge.start()
        calm = time.monotonic() + max(60, 6 * args.interval)
        while time.monotonic() < calm:
            bridge.sample()
            time.sleep(1.0)
        bridge.stop(signal.SIGTERM, "SIGTERM at the end")
        stats = server.stats()
    broken, counts = check(state, tally, log, seeded)
    grew, lines = flat(tally, min_age=120)
    broken += grew
    if any(k.startswith("hung") or "died on its own" in k for k in tally.exits):
        broken.append("a bridge process hung or died on its own: " + ", ".join(k for k in tally.exits if "hung" in k or "died" in k))
    kills = sum(v for k, v in tally.events.items() if k.startswith("kill"))
    print(f"\nsoak done in {(time.monotonic() - began) / 60:.1f} min (seed {seed}; {machine()})")
    print(f"Google calls: {stats['requests']}; kills: {kills}; bridge starts: {tally.events['starts']}")
    for name, n in sorted(tally.events.items()):
        print(f"  {name}: {n}")
    print("exits:")
    for name, n in sorted(tally.exits.items()):
        print(f"  {name}: {n}")
    print("counts:")
    for name, n in counts.items():
        print(f"  {name}: {n}")
    print(f"  refused before approval: {len(tally.refused)}; deleted before approval: {len(tally.deleted_unapproved)}")
    print("memory and open files (processes that lived 2 min or more):")
    for line in lines:
        print(f"  {line}")
    if broken:
        print(f"\n{len(broken)} BROKEN INVARIANTS:")
        for line in broken:
            print(f"  - {line}")
        return 1
    print("\nall invariants hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
