"""Issue 17: exactly once when the ledger lies — a restored backup, a second bridge, a take-over.

The sandbox is shared; a second bridge is a second workdir (its own config and ledger), as IT
staff testing on a laptop while the server runs, or a replacement server started early.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bridge.core.model import ReviewColumn, Status
from bridge.core.render import find_markers
from bridge.cycle.pipeline import CycleReport, run_cycle
from bridge.exceptions import BridgeError
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

from .conftest import Bridge
from .ledger_copies import backup_ledger, restore_ledger

ID, FP, STATUS, LINK = (ReviewColumn.ID.value, ReviewColumn.FINGERPRINT.value, ReviewColumn.STATUS.value,
                        ReviewColumn.POST_URL.value)


def _second(bridge: Bridge, tmp_path: Path, name: str = "laptop") -> Bridge:
    """Another bridge on the same spreadsheet and blog, with a ledger of its own."""
    workdir = tmp_path / name
    workdir.mkdir()
    return Bridge(sandbox=bridge.sandbox, workdir=workdir, overrides=dict(bridge.overrides))


def _ledger(b: Bridge) -> Path:
    return b.workdir / "bridge-state.sqlite3"


def _add_responses(bridge: Bridge, n: int, start: int) -> None:
    rows = bridge.responses()
    template = rows[1]
    for k in range(start, start + n):
        row = list(template)
        row[0] = {"datetime": f"2026-11-23T{8 + k // 60:02d}:{k % 60:02d}:00"}
        row[5] = f"{template[5]} (kabar ke-{k})"
        row[6] = f"{template[6]}\n\nLaporan lanjutan nomor {k}."
        rows.append(row)
    bridge.set_responses(rows)


def _approve_waiting(bridge: Bridge) -> None:
    waiting = [r[ID] for r in bridge.review() if r[ID] and r[STATUS] == Status.MENUNGGU.value]
    if waiting:
        bridge.officer_sets({sid: Status.DISETUJUI.value for sid in waiting})


def _assert_exactly_once(bridge: Bridge) -> None:
    """0 duplicate posts, 0 duplicate IDs, 0 duplicate Review rows, 0 lost responses, every marker its row's."""
    review = [r for r in bridge.review() if any(str(v).strip() for v in r.values())]
    ids = [r[ID] for r in review]
    fps = [r[FP] for r in review]
    responses = [r for r in bridge.responses()[1:] if any(str(c).strip() for c in r)]
    assert "" not in ids and [i for i, c in Counter(ids).items() if c > 1] == [], "no ID used twice"
    assert [f for f, c in Counter(fps).items() if c > 1] == [], "no response queued twice"
    assert len(fps) == len(responses), "every response is in Review, none lost"
    id_of = {r[FP]: r[ID] for r in review}
    posted: Counter[str] = Counter()
    for post in bridge.posts():
        for m in find_markers(post.get("content", "")):
            assert id_of.get(m.fingerprint) == m.id, ("a post carries another item's ID", m)
            posted[m.fingerprint] += 1
    assert {f: c for f, c in posted.items() if c > 1} == {}, "nothing posted twice"
    for r in review:
        if r[STATUS] == Status.TERBIT.value:
            assert posted[r[FP]] == 1, ("a TERBIT row whose text is on no post", r[ID])
            assert str(r[LINK]).startswith("http"), r[ID]


def test_a_ledger_restored_from_an_older_backup_reuses_no_published_id(bridge: Bridge, tmp_path: Path) -> None:
    """After restoring last night's backup, a new response would take a published item's ID: one item posted twice, another marked TERBIT unpublished."""
    bridge.cycle()  # the demo responses queued
    backup = tmp_path / "backup.sqlite3"
    backup_ledger(_ledger(bridge), backup)  # last night's backup
    _add_responses(bridge, 2, start=1)
    bridge.cycle()
    _approve_waiting(bridge)
    assert bridge.cycle().publish.published >= 2
    published = {r[ID]: r[FP] for r in bridge.review() if r[STATUS] == Status.TERBIT.value}

    restore_ledger(backup, _ledger(bridge))  # the disk failed; IT restores the backup and starts the service
    _add_responses(bridge, 2, start=3)
    report = bridge.cycle()
    _approve_waiting(bridge)
    bridge.cycle()
    bridge.cycle()

    _assert_exactly_once(bridge)
    assert any("not trusted" in line for line in report.lease), "said once, in the cycle that found it"
    now = {r[ID]: r[FP] for r in bridge.review()}
    assert all(now[sid] == fp for sid, fp in published.items()), "a published item keeps its ID and its row"


def test_a_second_bridge_taking_turns_writes_nothing_and_says_who_holds_it(bridge: Bridge, tmp_path: Path) -> None:
    """IT staff testing on a laptop while the server runs would post items twice and queue every response twice."""
    laptop = _second(bridge, tmp_path)
    bridge.cycle()
    refused: list[BaseException] = []
    for n in range(4):
        _add_responses(bridge, 2, start=10 + 2 * n)
        _approve_waiting(bridge)
        bridge.cycle()
        _approve_waiting(bridge)
        before = bridge.stats()["by_method"]
        try:
            laptop.cycle()
        except BridgeError as exc:
            refused.append(exc)
        after = bridge.stats()["by_method"]
        writes = [m for m in after if any(w in m for w in ("append", "batchUpdate", "insert", "patch", "publish"))
                  and after[m]["requests"] != before.get(m, {}).get("requests", 0)]
        assert writes == [], f"the laptop wrote {writes}"
    bridge.cycle()
    bridge.cycle()

    _assert_exactly_once(bridge)
    assert len(refused) == 4
    message = str(refused[0])
    assert str(_ledger(bridge).resolve()) in message and "--take-over" in message


def test_two_bridges_running_at_the_same_time_publish_each_item_once(bridge: Bridge, tmp_path: Path) -> None:
    """A replacement server started before the old one is stopped would post most items twice."""
    laptop = _second(bridge, tmp_path, "replacement")
    outcomes: list[str] = []

    def run(b: Bridge, barrier: threading.Barrier) -> None:
        barrier.wait()
        try:
            b.cycle()
            outcomes.append("ran")
        except BridgeError as exc:
            outcomes.append(type(exc).__name__)

    for n in range(4):
        _add_responses(bridge, 2, start=20 + 2 * n)
        _approve_waiting(bridge)
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=run, args=(b, barrier)) for b in (bridge, laptop)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    holder = bridge if _holds(bridge) else laptop
    for _ in range(3):
        _approve_waiting(bridge)
        holder.cycle()

    _assert_exactly_once(bridge)
    assert outcomes.count("LeaseHeldError") >= 4, outcomes  # one of the two wrote nothing each round


def _holds(b: Bridge) -> bool:
    try:
        b.cycle()
        return True
    except BridgeError:
        return False


def test_take_over_moves_the_service_and_the_old_bridge_stops_writing(bridge: Bridge, tmp_path: Path) -> None:
    """Moving the service to a new server would either be impossible or publish items twice."""
    new = _second(bridge, tmp_path, "new-server")
    bridge.cycle()
    _approve_waiting(bridge)
    assert bridge.cycle().publish.published >= 1
    _add_responses(bridge, 2, start=40)
    bridge.cycle()
    _approve_waiting(bridge)

    deps = new.deps()
    deps.take_over = True
    try:
        first = run_cycle(deps)
    finally:
        deps.close()
    assert first.intake.rebuilt > 0, "its own ledger is not the sheet's: rebuilt from Review, Arsip and the blog"
    assert first.publish.published == 0 and first.publish.retry_later == 2, "no new post during the hand-over"
    with pytest.raises(BridgeError, match="new-server"):
        bridge.cycle()  # the old server sees the take-over and writes nothing

    bridge.now = bridge.now + timedelta(minutes=2)
    new.sandbox.reset_stats()
    after = new.cycle()
    assert after.publish.published == 2
    assert new.stats()["by_method"]["blogger.posts.list"]["requests"] >= 1, "the blog is scanned before inserting"
    _assert_exactly_once(bridge)


def test_run_stands_by_and_takes_over_when_the_lease_expires(bridge: Bridge, tmp_path: Path) -> None:
    """A standby server would either publish twice beside the live one or never take over when it dies."""
    standby = _second(bridge, tmp_path, "standby")
    bridge.cycle()
    deps = standby.deps()
    deps.standby = True
    try:
        waiting = run_cycle(deps)
        assert waiting.standby and "standing by" in waiting.summary()
        bridge.sandbox.reset_stats()
        assert run_cycle(deps).standby
        assert _costs(bridge) == {"drive.files.get": 1}, "a standby costs one Drive call while nothing changes"
        bridge.now = bridge.now + timedelta(minutes=31)  # the server died: no heartbeat for longer than the lease
        took: CycleReport = run_cycle(deps)
        assert not took.standby and not took.problems
    finally:
        deps.close()
    _approve_waiting(bridge)
    bridge.now = bridge.now + timedelta(minutes=2)
    assert standby.cycle().publish.published >= 1
    _assert_exactly_once(bridge)


def _costs(bridge: Bridge) -> dict[str, int]:
    return {m: e["requests"] for m, e in bridge.stats()["by_method"].items()}


def test_an_idle_bridge_renews_its_lease_rarely_and_its_write_is_not_an_edit(bridge: Bridge) -> None:
    """The heartbeat would make every idle minute cost Sheets requests, or let a live bridge's lease lapse."""
    bridge.cycle()
    deps = bridge.deps()
    try:
        run_cycle(deps)
        bridge.sandbox.reset_stats()
        for _ in range(40):
            bridge.now = bridge.now + timedelta(minutes=1)
            run_cycle(deps)
        costs = _costs(bridge)
    finally:
        deps.close()
    # the safety net's reads (minutes 15 and 30) move the Status Bridge tab's time on (issue 19): one RAW
    # write each, after the generation write that renews the lease, so no separate heartbeat is due (it
    # would come when two thirds of the 30-minute lease are gone: minute 50); the process's first read
    # fetches the layout it then keeps
    assert costs == {"drive.files.get": 40, "sheets.spreadsheets.batchUpdate": 2,
                     "sheets.spreadsheets.values.batchGet": 2, "sheets.spreadsheets.get": 1,
                     "sheets.spreadsheets.values.batchUpdate": 2}


def test_once_refuses_with_exit_4_and_take_over_moves_it(bridge: Bridge, tmp_path: Path, capsys: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A second `once` would write beside the service, or give IT staff no way to move the service."""
    from bridge import cli
    from bridge.cycle import lease

    monkeypatch.setattr(lease, "SETTLE_SECONDS", 0.0)
    laptop = _second(bridge, tmp_path)
    bridge.cycle()
    config = laptop.write_config()
    assert cli.main(["once", "-c", str(config)], clock=bridge.clock) == cli.EXIT_FATAL
    err = capsys.readouterr().err
    assert "another mymein-bridge writes this spreadsheet" in err and "--take-over" in err
    assert cli.main(["once", "-c", str(config), "--take-over"], clock=bridge.clock) == cli.EXIT_OK
    _assert_exactly_once(bridge)


def test_check_says_who_holds_the_lease_and_that_the_ledger_is_not_the_sheets(bridge: Bridge, tmp_path: Path,
                                                                                 capsys: Any) -> None:
    """IT staff would not learn from `check` that another machine writes the spreadsheet, or that this ledger is stale."""
    from bridge import cli

    laptop = _second(bridge, tmp_path)
    bridge.cycle()
    cli.main(["check", "-c", str(bridge.write_config())], clock=bridge.clock)
    out = capsys.readouterr().out
    assert "OK   spreadsheet lease: held by this bridge" in out
    assert "OK   local ledger is the one that wrote the spreadsheet last" in out
    cli.main(["check", "-c", str(laptop.write_config())], clock=bridge.clock)
    out = capsys.readouterr().out
    assert "WARN spreadsheet lease: another mymein-bridge writes this spreadsheet: host " in out
    assert str(_ledger(bridge).resolve()) in out
    assert "WARN local ledger not trusted: the spreadsheet was last written with another ledger" in out


def test_the_lock_message_no_longer_suggests_a_second_ledger(tmp_path: Path) -> None:
    """The lock message told IT staff to 'use another state_path': two ledgers on one spreadsheet post items twice."""
    from bridge.exceptions import FatalError
    from bridge.service.scheduler import single_instance

    state = tmp_path / "bridge.sqlite3"
    with single_instance(state), pytest.raises(FatalError) as caught, single_instance(state):
        pass
    assert "state_path" not in str(caught.value) and "only one bridge may write a spreadsheet" in str(caught.value)


def test_a_take_over_during_a_cycle_stops_the_old_bridges_next_insert(bridge: Bridge, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The old server, mid-cycle when the new one took over, would insert posts the new one also inserts."""
    from bridge.cycle import publish
    from bridge.exceptions import LeaseHeldError

    new = _second(bridge, tmp_path, "new-server")
    bridge.cycle()
    _approve_waiting(bridge)
    real = publish.check_drafts

    def taken_over_meanwhile(deps: Any, rows: Any, result: Any) -> None:
        monkeypatch.setattr(publish, "check_drafts", real)  # once, in the old server's cycle
        took = new.deps()
        took.take_over = True
        try:
            run_cycle(took)  # claims, rebuilds, and waits out the hand-over before publishing
        finally:
            took.close()
        bridge.now = bridge.now + timedelta(seconds=31)  # the old server's last look is now 30 s old
        real(deps, rows, result)

    monkeypatch.setattr(publish, "check_drafts", taken_over_meanwhile)
    posts_before = len(bridge.posts())
    with pytest.raises(LeaseHeldError, match="taken over during this cycle"):
        bridge.cycle()
    assert len(bridge.posts()) == posts_before, "the old server inserted nothing after the take-over"

    bridge.now = bridge.now + timedelta(minutes=2)
    assert new.cycle().publish.published >= 1
    _assert_exactly_once(bridge)


def test_new_ids_go_above_review_and_the_records_highest_whatever_the_counter_says(bridge: Bridge) -> None:
    """A ledger whose counter is behind (however it got there) would give a new response an ID already in Review or Arsip."""
    bridge.cycle()
    review = bridge.review()
    top = max(r[ID] for r in review)
    bridge.sandbox.state.set_sheet_rows(  # an officer deletes the newest row: it is recorded in Arsip
        DEMO_SPREADSHEET_ID, "Review",
        [row for row in bridge.rows("Review") if not row or row[0] != top])
    bridge.cycle()
    assert top in {r[0] for r in bridge.rows("Arsip")[1:] if r}
    with sqlite3.connect(_ledger(bridge)) as db:  # the counter falls behind
        db.execute("UPDATE id_counters SET last = 1")
    _add_responses(bridge, 1, start=50)
    bridge.cycle()
    newest = max(r[ID] for r in bridge.review())
    assert newest > top, (newest, top)
    _assert_exactly_once_ids(bridge)


def _assert_exactly_once_ids(bridge: Bridge) -> None:
    ids = [r[0] for tab in ("Review", "Arsip") for r in bridge.rows(tab)[1:] if r and r[0]]
    assert [i for i, c in Counter(ids).items() if c > 1] == [], "no ID used twice across Review and Arsip"


def test_a_dry_run_may_look_while_another_bridge_holds_the_spreadsheet(bridge: Bridge, tmp_path: Path,
                                                                       capsys: Any) -> None:
    """`once --dry-run` on a laptop would be refused, though README promises it may look at any time."""
    from bridge import cli

    laptop = _second(bridge, tmp_path)
    bridge.cycle()
    before = len(bridge.rows("Review"))
    assert cli.main(["once", "-c", str(laptop.write_config()), "--dry-run"], clock=bridge.clock) in (cli.EXIT_OK,
                                                                                                    cli.EXIT_PROBLEMS)
    out = capsys.readouterr().out
    assert "DRY RUN" in out and "note: a real run would write nothing: another mymein-bridge writes" in out
    assert len(bridge.rows("Review")) == before and not _ledger(laptop).exists()


def test_two_first_claims_at_the_same_moment_cannot_both_win(bridge: Bridge, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Two new bridges both finding no record would both create one and both write the spreadsheet."""
    from bridge.cycle import lease
    from bridge.exceptions import LeaseHeldError

    laptop = _second(bridge, tmp_path)
    bridge.cycle()  # the server creates the record
    real = lease.read_record
    looks = {"n": 0}

    def read_before_the_server_wrote(deps: Any) -> Any:
        looks["n"] += 1
        return None if looks["n"] == 1 else real(deps)  # the laptop's first look came before the server's create

    monkeypatch.setattr(lease, "read_record", read_before_the_server_wrote)
    with pytest.raises(LeaseHeldError, match="at the same moment"):
        laptop.cycle()
    assert len([r for r in bridge.rows("Review")[1:] if r]) == len(bridge.responses()) - 1, "the laptop queued nothing"


def test_a_claim_read_back_as_anothers_backs_off(bridge: Bridge, tmp_path: Path) -> None:
    """Two bridges taking over at the same moment would both write: the one whose claim was overwritten must stop."""
    from bridge.exceptions import LeaseHeldError

    laptop = _second(bridge, tmp_path)
    bridge.cycle()
    _add_responses(bridge, 1, start=60)
    deps = laptop.deps()
    deps.take_over = True

    def server_takes_it_back_meanwhile(seconds: float) -> None:
        server = bridge.deps()
        server.take_over = True
        try:
            run_cycle(server)
        finally:
            server.close()

    deps.sleep = server_takes_it_back_meanwhile
    try:
        with pytest.raises(LeaseHeldError, match="backs off"):
            run_cycle(deps)
    finally:
        deps.close()
    bridge.now = bridge.now + timedelta(minutes=2)
    _approve_waiting(bridge)
    bridge.cycle()
    _assert_exactly_once(bridge)


def test_a_bridge_that_hung_past_a_take_over_appends_nothing(bridge: Bridge, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that froze mid-cycle while the standby took over would append every new response to Review a second time."""
    from bridge.cycle import pipeline
    from bridge.exceptions import LeaseHeldError

    new = _second(bridge, tmp_path, "standby")
    bridge.cycle()
    _add_responses(bridge, 2, start=70)
    real = pipeline.run_intake

    def frozen_then_resumed(deps: Any, snap: Any, result: Any) -> None:
        monkeypatch.setattr(pipeline, "run_intake", real)  # once, in the old server's cycle
        bridge.now = bridge.now + timedelta(minutes=31)  # frozen longer than its lease
        took = new.deps()
        took.standby = True
        try:
            assert not run_cycle(took).standby  # the standby takes over and queues the two responses
        finally:
            took.close()
        real(deps, snap, result)

    monkeypatch.setattr(pipeline, "run_intake", frozen_then_resumed)
    with pytest.raises(LeaseHeldError, match="taken over during this cycle"):
        bridge.cycle()
    _assert_exactly_once(bridge)
