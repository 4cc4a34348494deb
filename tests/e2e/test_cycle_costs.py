"""What a reading cycle costs the bridge's own process, by counts (issue 22): a settled Review row is
carried as its brief, its ledger copy is not decoded, and the publish journal is read per step, not per row."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from bridge.adapters.ledger import PublishJournal, Submissions
from bridge.core.model import ReviewColumn, Status
from bridge.cycle.pipeline import run_cycle
from tests.e2e.conftest import Bridge

ID, STATUS = ReviewColumn.ID.value, ReviewColumn.STATUS.value


def _count_ledger(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts, by name: row copies decoded (``copies``), single journal look-ups (``journal``), journal
    reads of many rows (``journal_of``)."""
    counts: Counter[str] = Counter()

    def spy(owner: type, name: str, key: str, size: Any) -> None:
        real = getattr(owner, name)

        def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
            out = real(self, *args, **kwargs)
            counts[key] += size(out)
            return out

        monkeypatch.setattr(owner, name, counting)

    spy(Submissions, "last_rows", "copies", len)
    spy(Submissions, "last_rows_of", "copies", len)
    spy(Submissions, "known", "copies", lambda known: sum(1 for k in known if k.last_row))
    spy(PublishJournal, "entry", "journal", lambda _: 1)
    spy(PublishJournal, "entries_of", "journal_of", lambda _: 1)
    return counts


def _settled_tab(bridge: Bridge) -> list[str]:
    """Review with rows waiting, two published (TERBIT) and one rejected, all seen since: the IDs."""
    bridge.cycle()
    bridge.cycle()
    ids = [r[ID] for r in bridge.review() if r[STATUS] == Status.MENUNGGU.value]
    assert len(ids) >= 4
    bridge.officer_sets({ids[0]: Status.DISETUJUI.value, ids[1]: Status.DISETUJUI.value, ids[2]: Status.DITOLAK.value})
    report = bridge.cycle()
    assert report.publish.published == 2
    bridge.cycle()
    return ids


def _reading_cycle(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """One cycle that reads the sheet though nothing changed (the 15-minute safety net), counted."""
    deps = bridge.deps()
    try:
        with deps.ledger.transaction():
            deps.ledger.state.quiet_until = None
        counts = _count_ledger(monkeypatch)
        report = run_cycle(deps)
        monkeypatch.undo()
    finally:
        deps.close()
    assert not report.unchanged and not report.problems
    assert report.publish.published == 0 and not report.publish.updates
    return counts


def test_a_reading_cycle_decodes_no_copy_of_a_settled_row(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every safety-net read would decode every Review row's ledger copy again (most of its CPU at 10k rows)."""
    _settled_tab(bridge)
    counts = _reading_cycle(bridge, monkeypatch)
    assert counts["copies"] == 0


def test_a_reading_cycle_reads_the_journal_once_per_step_not_once_per_published_row(
    bridge: Bridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each published row would cost about five journal look-ups every reading cycle."""
    _settled_tab(bridge)
    counts = _reading_cycle(bridge, monkeypatch)
    assert counts["journal"] == 0
    # the publish pass, the draft check, archiving, and the next cycle's time (with archiving's due date)
    assert counts["journal_of"] == 4


def test_an_officers_edit_of_a_settled_row_is_still_read_and_acted_on(bridge: Bridge) -> None:
    """A row an officer approves after it settled would be taken from the ledger's brief and not published."""
    ids = _settled_tab(bridge)
    bridge.officer_sets({ids[3]: Status.DISETUJUI.value})
    report = bridge.cycle()
    assert report.publish.published == 1
    assert next(r for r in bridge.review() if r[ID] == ids[3])[STATUS] == Status.TERBIT.value


def test_a_reading_cycle_makes_no_record_of_a_submission_whose_row_is_its_own(
    bridge: Bridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every reading cycle would build a record of every submission in Review to match rows that need none."""
    _settled_tab(bridge)
    records: Counter[str] = Counter()
    for name in ("known", "known_of"):
        real = getattr(Submissions, name)

        def counting(self: Any, *args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            out = _real(self, *args, **kwargs)
            records[_name] += len(out)
            return out

        monkeypatch.setattr(Submissions, name, counting)
    _reading_cycle(bridge, monkeypatch)
    assert records == Counter(), records
