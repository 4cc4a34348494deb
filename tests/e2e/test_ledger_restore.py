"""A ledger put back from an older copy (found by the soak, issue 23): no ID is given twice."""

from __future__ import annotations

import shutil
from collections import Counter

from .conftest import Bridge
from .ledger_copies import backup_ledger


def _respond(b: Bridge, title: str, minute: int) -> None:
    rows = b.responses()
    new = list(rows[1])
    new[0] = {"datetime": f"2026-11-23T11:{minute:02d}:00"}
    new[5] = title
    b.set_responses(rows + [new])


def test_a_ledger_restored_from_an_older_copy_gives_no_id_twice(bridge: Bridge) -> None:
    """After IT staff restore last night's ledger, new items got the IDs of items queued since:
    two rows with one ID, and officers' decisions landing on the wrong item."""
    bridge.cycle()
    ledger = bridge.workdir / "bridge-state.sqlite3"
    backup_ledger(ledger, bridge.workdir / "old.sqlite3")
    _respond(bridge, "Berita sesudah salinan", 1)
    bridge.cycle()
    bridge.lose_ledger()
    shutil.copyfile(bridge.workdir / "old.sqlite3", ledger)
    _respond(bridge, "Berita sesudah pemulihan", 2)
    bridge.cycle()
    bridge.cycle()
    ids = Counter(r["ID"] for r in bridge.review())
    assert [i for i, n in ids.items() if n > 1] == []
    titles = {r["Judul"] for r in bridge.review()}
    assert {"Berita sesudah salinan", "Berita sesudah pemulihan"} <= titles


def test_a_restored_ledger_does_not_queue_again_what_was_refused_and_archived_since(bridge: Bridge) -> None:
    """A response queued, refused and archived after last night's copy came back as a new MENUNGGU
    row after the restore, and an officer approving it would have published a refused item."""
    from datetime import timedelta

    from bridge.core.model import Status

    bridge.cycle()
    ledger = bridge.workdir / "bridge-state.sqlite3"
    backup_ledger(ledger, bridge.workdir / "old.sqlite3")
    _respond(bridge, "Berita yang ditolak", 1)
    _respond(bridge, "Berita yang menunggu", 2)
    bridge.cycle()
    refused = next(r["ID"] for r in bridge.review() if r["Judul"] == "Berita yang ditolak")
    bridge.officer_sets({refused: Status.DITOLAK.value})
    bridge.cycle()
    bridge.now = bridge.now + timedelta(days=31)
    bridge.cycle()
    assert refused not in {r["ID"] for r in bridge.review()}  # archived
    bridge.lose_ledger()
    shutil.copyfile(bridge.workdir / "old.sqlite3", ledger)
    bridge.cycle()
    bridge.cycle()
    titles = Counter(r["Judul"] for r in bridge.review())
    assert titles["Berita yang ditolak"] == 0 and titles["Berita yang menunggu"] == 1


def test_a_restored_ledger_updates_the_post_published_since_instead_of_a_second_one(bridge: Bridge) -> None:
    """An item published after last night's copy, edited and approved again after the restore, was
    published a second time: two live posts of one news item."""
    from bridge.core.model import ReviewColumn, Status

    bridge.cycle()
    ledger = bridge.workdir / "bridge-state.sqlite3"
    _respond(bridge, "Berita terbit sesudah salinan", 1)
    _respond(bridge, "Berita yang menunggu", 2)
    bridge.cycle()
    backup_ledger(ledger, bridge.workdir / "old.sqlite3")  # knows both, as MENUNGGU
    sid = next(r["ID"] for r in bridge.review() if r["Judul"] == "Berita terbit sesudah salinan")
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle()
    _respond(bridge, "Berita sesudah itu", 3)
    bridge.cycle()  # an ID the old copy never gave: the restore can be told
    bridge.lose_ledger()
    shutil.copyfile(bridge.workdir / "old.sqlite3", ledger)
    bridge.cycle()
    bridge.set_cell(sid, ReviewColumn.TITLE, "Berita terbit sesudah salinan (diperbarui)")
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle()
    from bridge.core.render import find_marker_ids

    mine = [p for p in bridge.posts() if sid in find_marker_ids(str(p.get("content", "")))]
    assert [p["status"] for p in mine] == ["LIVE"]
    assert mine[0]["title"] == "Berita terbit sesudah salinan (diperbarui)"
