"""Crash test: kill the bridge process at random moments while Google misbehaves.

Each round starts ``mymein-bridge once`` as a real process and SIGKILLs it after a
seeded random delay, while the sandbox fails requests (429/500/503) both before
and *after* applying them (the ambiguous case: the post exists but the bridge
never heard back), and Blogger drops every HTML comment from post content (so
only the second marker is left). Between rounds new responses arrive, an officer
approves what is waiting, deletes a row now and then and clears an ID cell;
halfway through, the local ledger file is lost as well; before that, it is restored
from an older backup (issue 17). A second bridge with a ledger of its own runs
between kills: refused while the server holds the spreadsheet's lease, and twice
taking it over (killed the first time), the server taking it back the next round.
At the end the faults stop and the bridge runs to completion.

Whatever happened in between (counted by fingerprint, since a cleared ID may
legitimately get a new one after the ledger is lost): every approved submission
not deleted before it was published is on the blog exactly once, marked TERBIT
with its link; nothing else is posted; every response is in exactly one place
(Review or Arsip); no ID is used twice; no post carries another item's marker.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bridge.core.model import ReviewColumn, Status
from bridge.core.render import find_markers
from bridge.sandbox.seed import DEMO_BLOG_ID, DEMO_SPREADSHEET_ID
from bridge.sandbox.server import SandboxServer
from tests.clocked_cli import ForkServer

from .conftest import Bridge
from .ledger_copies import backup_ledger, restore_ledger

pytestmark = pytest.mark.slow

ROUNDS = 20
FAULTS = {"rate": 0.15, "after_rate": 0.2, "codes": [429, 500, 503], "latency_ms": 5, "seed": 1}


def _once(forks: ForkServer, config: Path, log: Path, sandbox: SandboxServer, kill_at: int | None = None, *,
          take_over: bool = False) -> int | None:
    """Run one cycle in a real process. With ``kill_at``, SIGKILL it once the sandbox has
    received that many of its requests (counting requests, not seconds, keeps the kill
    points spread over the cycle on a fast or a slow machine). Returns None when killed."""
    start = sandbox.stats()["requests"]
    extra = ["--take-over"] if take_over else []
    forks.start(sandbox.clock(), ["once", "-c", str(config), *extra], log)
    if kill_at is None:
        return forks.wait(timeout=120)
    while (code := forks.poll(timeout=0.001)) is None:
        if sandbox.stats()["requests"] - start >= kill_at:
            forks.kill()
            return None
    return code


def _new_response(template: list, n: int) -> list:
    """Another operator submission, like one typed into the form (unique title and body)."""
    row = list(template)
    row[0] = {"datetime": f"2026-11-23T{8 + n // 60:02d}:{n % 60:02d}:00"}
    row[5] = f"{template[5]} (kabar ke-{n})"
    row[6] = f"{template[6]}\n\nLaporan lanjutan nomor {n} dari operator."
    return row


def _approve_waiting(bridge: Bridge) -> set[str]:
    """The officer approves every MENUNGGU row and retries every GAGAL one; returns their fingerprints."""
    waiting = [
        r for r in bridge.review()
        if r[ReviewColumn.ID.value] and r[ReviewColumn.STATUS.value] in (Status.MENUNGGU.value, Status.GAGAL.value)
    ]
    if waiting:
        bridge.officer_sets({r[ReviewColumn.ID.value]: Status.DISETUJUI.value for r in waiting})
    return {r[ReviewColumn.FINGERPRINT.value] for r in waiting}


def _officer_edits(bridge: Bridge, rng: random.Random, n: int) -> set[str]:
    """Every few rounds an officer deletes a Review row or clears an ID cell. Returns deleted fingerprints."""
    rows = bridge.rows("Review")
    header = [str(h) for h in rows[0]]
    body = [r for r in rows[1:] if r and any(str(c).strip() for c in r)]
    if not body:
        return set()
    victim = rng.choice(body)
    fp_col = header.index(ReviewColumn.FINGERPRINT.value)
    if n % 4 == 1:
        rows.remove(victim)
        bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows)
        return {str(victim[fp_col]) if fp_col < len(victim) else ""} - {""}
    if n % 4 == 3:
        victim[header.index(ReviewColumn.ID.value)] = ""
        bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows)
    return set()


def _tab(bridge: Bridge, tab: str) -> list[dict]:
    rows = bridge.rows(tab)
    header = [str(h) for h in rows[0]]
    return [{h: (r[i] if i < len(r) else "") for i, h in enumerate(header)} for r in rows[1:] if r and any(str(c).strip() for c in r)]


@pytest.fixture
def forks() -> Iterator[ForkServer]:
    """Each cycle a process of its own, forked from one that imported the bridge once."""
    with ForkServer() as server:
        yield server


def test_killing_the_bridge_at_random_never_duplicates_or_loses_a_post(sandbox: SandboxServer, tmp_path: Path,
                                                                       forks: ForkServer) -> None:
    """A power cut or a kill at any moment, with Google failing, would post an item twice or lose one."""
    bridge = Bridge(
        sandbox=sandbox,
        workdir=tmp_path,
        overrides={("blog", "publish_mode"): "live", ("bridge", "retry_wait_ms"): 20, ("bridge", "max_retries"): 4},
    )
    bridge.init()
    log = tmp_path / "bridge.log"
    rng = random.Random(20261123)
    valid_templates = [bridge.responses()[i] for i in (1, 2, 3)]
    approved: set[str] = set()
    deleted: set[str] = set()
    killed = 0

    # Issue 17: a second bridge with a ledger of its own (IT staff's laptop) between kills: refused while
    # the server holds the spreadsheet, then taking it over twice (the server takes it back each time);
    # and the server's ledger restored from an older backup.
    laptop = Bridge(sandbox=sandbox, workdir=tmp_path / "laptop", overrides=dict(bridge.overrides))
    laptop.workdir.mkdir()
    laptop_config = laptop.write_config()
    config = bridge.write_config()
    backup = tmp_path / "backup.sqlite3"
    take_back = False

    sandbox.state.blog(DEMO_BLOG_ID)["stripComments"] = True
    sandbox.set_faults(FAULTS)
    for n in range(ROUNDS):
        bridge.now = bridge.now + timedelta(minutes=2)  # past a take-over's hand-over minute
        if n % 3 != 0:
            rows = bridge.responses()
            rows.append(_new_response(valid_templates[n % len(valid_templates)], n))
            bridge.set_responses(rows)
        if n % 4 != 3:
            approved |= _approve_waiting(bridge)
        deleted |= _officer_edits(bridge, rng, n)
        # up to 45 requests: intake checks each new photo (2 Drive calls), so kills reach every phase
        if _once(forks, config, log, sandbox, kill_at=rng.randint(1, 45), take_over=take_back) is None:
            killed += 1
        take_back = False
        if n == ROUNDS // 2:  # the server's disk is wiped too: the Review tab and the blog must suffice
            bridge.lose_ledger()
        if n == 2:
            backup_ledger(tmp_path / "bridge-state.sqlite3", backup)
        if n == 6:  # a restore of that older backup: its counter is behind IDs already given and posted
            restore_ledger(backup, tmp_path / "bridge-state.sqlite3")
        if n == 4:  # the laptop while the server holds the lease: refused, writes nothing
            sandbox.set_faults({"rate": 0.0})
            assert _once(forks, laptop_config, log, sandbox) == 4, log.read_text(errors="replace")[-2000:]
            sandbox.set_faults(FAULTS)
        if n in (8, 14):  # the laptop takes over (killed at random the first time); the server takes it back
            laptop_killed = _once(forks, laptop_config, log, sandbox, kill_at=rng.randint(5, 60) if n == 8 else None, take_over=True)
            killed += laptop_killed is None
            take_back = True

    sandbox.set_faults({"rate": 0.0})
    for _ in range(3):  # queue the last arrivals, let the officer approve them, publish
        bridge.now = bridge.now + timedelta(minutes=2)
        assert _once(forks, config, log, sandbox, take_over=take_back) == 0, log.read_text(errors="replace")[-4000:]
        take_back = False
        approved |= _approve_waiting(bridge)
    assert _once(forks, config, log, sandbox) == 0, log.read_text(errors="replace")[-4000:]

    assert killed >= ROUNDS // 4, "the test should really interrupt the bridge"
    assert deleted, "the officer really deleted rows"
    assert all("<!--" not in p.get("content", "") for p in bridge.posts() if find_markers(p.get("content", "")))
    review, arsip = _tab(bridge, "Review"), _tab(bridge, "Arsip")
    responses = [r for r in bridge.responses()[1:] if any(str(c).strip() for c in r)]
    fps = [r[ReviewColumn.FINGERPRINT.value] for r in review + arsip]
    assert len(fps) == len(set(fps)) == len(responses), "every response is in exactly one place"
    in_arsip = {r[ReviewColumn.FINGERPRINT.value] for r in arsip}
    in_review = {r[ReviewColumn.FINGERPRINT.value] for r in review}
    # A deletion the bridge saw is recorded in Arsip. One it could not know of is back in Review, never
    # lost: a row deleted before a lost ledger had seen it, or a row whose append the bridge never heard
    # confirmed (killed in between), which is appended again. Either way each response is in one place.
    assert deleted <= in_arsip | in_review, "a deleted row is recorded in Arsip, or back in Review, never lost"
    assert deleted & in_arsip, "deletions the bridge saw are recorded in Arsip"
    ids = [r[ReviewColumn.ID.value] for r in review + arsip]
    assert "" not in ids and len(ids) == len(set(ids)), "every row has an ID, none used twice"

    id_of = {r[ReviewColumn.FINGERPRINT.value]: r[ReviewColumn.ID.value] for r in review + arsip}
    posted: Counter[str] = Counter()
    for post in bridge.posts():
        for m in find_markers(post.get("content", "")):
            assert id_of.get(m.fingerprint) == m.id, ("no post carries another item's marker", m)
            posted[m.fingerprint] += 1
    assert approved, "the officer approved something"
    assert {fp: c for fp, c in posted.items() if c != 1} == {}, "no submission is posted twice"
    assert set(posted) <= approved, "nothing is posted that was not approved"
    by_fp = {r[ReviewColumn.FINGERPRINT.value]: r for r in review}
    assert approved - in_arsip <= set(posted), "every approved submission still in Review is posted"
    for fp in approved - in_arsip:
        row = by_fp[fp]
        assert row[ReviewColumn.STATUS.value] == Status.TERBIT.value, (fp, row[ReviewColumn.SYSTEM_NOTE.value])
        assert row[ReviewColumn.POST_URL.value].startswith("http"), fp
