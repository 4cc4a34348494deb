"""Crash test: kill the bridge process at random moments while Google misbehaves.

Each round starts ``mymein-bridge once`` as a real process and SIGKILLs it after a
seeded random delay, while the sandbox fails requests (429/500/503) both before
and *after* applying them (the ambiguous case: the post exists but the bridge
never heard back). Between rounds new responses arrive and an officer approves
what is waiting; halfway through, the local ledger file is lost as well. At the
end the faults stop and the bridge runs to completion.

Whatever happened in between, every approved submission must be on the blog
exactly once, marked TERBIT with its link, and every response queued once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bridge.core.model import ReviewColumn, Status
from bridge.core.render import find_marker_ids
from bridge.sandbox.server import SandboxServer

from .conftest import Bridge

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 20
FAULTS = {"rate": 0.15, "after_rate": 0.2, "codes": [429, 500, 503], "latency_ms": 5, "seed": 1}


def _once(config: Path, log: Path, sandbox: SandboxServer, kill_at: int | None = None) -> int | None:
    """Run one cycle in a real process. With ``kill_at``, SIGKILL it once the sandbox has
    received that many of its requests (counting requests, not seconds, keeps the kill
    points spread over the cycle on a fast or a slow machine). Returns None when killed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = sandbox.stats()["requests"]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.clocked_cli", sandbox.clock().isoformat(), "once", "-c", str(config)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=ROOT,
        )
        if kill_at is None:
            return proc.wait(timeout=120)
        while proc.poll() is None:
            if sandbox.stats()["requests"] - start >= kill_at:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return None
            time.sleep(0.001)
        return proc.returncode


def _new_response(template: list, n: int) -> list:
    """Another operator submission, like one typed into the form (unique title and body)."""
    row = list(template)
    row[0] = {"datetime": f"2026-11-23T{8 + n // 60:02d}:{n % 60:02d}:00"}
    row[5] = f"{template[5]} (kabar ke-{n})"
    row[6] = f"{template[6]}\n\nLaporan lanjutan nomor {n} dari operator."
    return row


def _approve_waiting(bridge: Bridge) -> set[str]:
    """The officer approves every MENUNGGU row and retries every GAGAL one."""
    todo = {
        r[ReviewColumn.ID.value]: Status.DISETUJUI.value
        for r in bridge.review()
        if r[ReviewColumn.STATUS.value] in (Status.MENUNGGU.value, Status.GAGAL.value)
    }
    if todo:
        bridge.officer_sets(todo)
    return set(todo)


def test_killing_the_bridge_at_random_never_duplicates_or_loses_a_post(sandbox: SandboxServer, tmp_path: Path) -> None:
    bridge = Bridge(
        sandbox=sandbox,
        workdir=tmp_path,
        overrides={("blog", "publish_mode"): "live", ("bridge", "retry_wait_ms"): 20, ("bridge", "max_retries"): 4},
    )
    bridge.init()
    config = bridge.write_config()
    log = tmp_path / "bridge.log"
    rng = random.Random(20261123)
    valid_templates = [bridge.responses()[i] for i in (1, 2, 3)]
    approved: set[str] = set()
    killed = 0

    sandbox.set_faults(FAULTS)
    for n in range(ROUNDS):
        if n % 3 != 0:
            rows = bridge.responses()
            rows.append(_new_response(valid_templates[n % len(valid_templates)], n))
            bridge.set_responses(rows)
        if n % 4 != 3:
            approved |= _approve_waiting(bridge)
        if _once(config, log, sandbox, kill_at=rng.randint(1, 15)) is None:
            killed += 1
        if n == ROUNDS // 2:  # the server's disk is wiped too: the Review tab and the blog must suffice
            bridge.lose_ledger()

    sandbox.set_faults({"rate": 0.0})
    for _ in range(3):  # queue the last arrivals, let the officer approve them, publish
        assert _once(config, log, sandbox) == 0, log.read_text(errors="replace")[-4000:]
        approved |= _approve_waiting(bridge)
    assert _once(config, log, sandbox) == 0, log.read_text(errors="replace")[-4000:]

    assert killed >= ROUNDS // 4, "the test should really interrupt the bridge"
    review = bridge.review()
    ids = [r[ReviewColumn.ID.value] for r in review]
    responses = bridge.responses()[1:]
    assert len(ids) == len(set(ids)) == len(responses), "every response is queued exactly once"
    fingerprints = [r[ReviewColumn.FINGERPRINT.value] for r in review]
    assert len(fingerprints) == len(set(fingerprints))

    posted = Counter(sid for post in bridge.posts() for sid in find_marker_ids(post.get("content", "")))
    assert approved, "the officer approved something"
    assert {sid: c for sid, c in posted.items() if c != 1} == {}, "no submission is posted twice"
    assert set(posted) == approved, "every approved submission is posted, and nothing else"
    by_id = {r[ReviewColumn.ID.value]: r for r in review}
    for sid in approved:
        row = by_id[sid]
        assert row[ReviewColumn.STATUS.value] == Status.TERBIT.value, (sid, row[ReviewColumn.SYSTEM_NOTE.value])
        assert row[ReviewColumn.POST_URL.value].startswith("http"), sid
