"""Fingerprints and the new-rows decision, on plain data: no response missed, none queued twice."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bridge.core import watermark as wm
from bridge.core.model import FormResponse
from bridge.core.watermark import Watermark, assign_fingerprints, decide, decide_full
from tests.core.conftest import make_response


def sheet(*titles: str) -> list[FormResponse]:
    """A responses tab: one response per title, rows 2..n+1, distinct timestamps."""
    return [make_response(row_number=i + 2, title=t, raw_timestamp=f"{46090 + i / 100}") for i, t in enumerate(titles)]


def renumber(rows: list[FormResponse]) -> list[FormResponse]:
    return [replace(r, row_number=i + 2) for i, r in enumerate(rows)]


class Intake:
    """A tiny stand-in for the pipeline: known set + watermark, one cycle at a time."""

    def __init__(self) -> None:
        self.known: set[str] = set()
        self.mark: Watermark | None = None
        self.queued: list[str] = []
        self.rescans = 0

    def cycle(self, tab: list[FormResponse]) -> list[str]:
        if self.mark is not None:
            window = [r for r in tab if r.row_number >= wm.start_row(self.mark)]
            decision = decide(window, self.mark, self.known)
            if decision.rescan_needed:
                self.rescans += 1
                decision = decide_full(tab, self.known)
        else:
            decision = decide_full(tab, self.known)
        titles = [r.title for r, _ in decision.new]
        self.known |= {fp for _, fp in decision.new}
        self.queued += titles
        if decision.next_watermark is not None:
            self.mark = decision.next_watermark
        return titles


def test_fingerprint_is_stable_and_ignores_row_position() -> None:
    """Sorting the responses tab would make every response look new again."""
    r = make_response()
    assert len(wm.fingerprint(r)) == 16
    assert wm.fingerprint(r) == wm.fingerprint(replace(r, row_number=99))
    assert wm.fingerprint(r) == wm.fingerprint(replace(r, title=r.title + "  ", raw_timestamp=r.raw_timestamp + " "))
    assert wm.fingerprint(replace(r, raw_timestamp="46090")) == wm.fingerprint(replace(r, raw_timestamp="46090.0"))
    assert wm.fingerprint(r) != wm.fingerprint(replace(r, raw_timestamp="46090.36"))
    assert wm.fingerprint(r) != wm.fingerprint(replace(r, body=r.body + "!"))


def test_identical_rows_get_occurrence_suffixes() -> None:
    """A double-tapped submit would be silently dropped (or one copy lost on a later read)."""
    a = make_response(row_number=2)
    b = make_response(row_number=3, title="lain")
    pairs = assign_fingerprints([a, replace(a, row_number=4), b, replace(a, row_number=5)])
    base = wm.fingerprint(a)
    assert [fp for _, fp in pairs] == [base, f"{base}-2", wm.fingerprint(b), f"{base}-3"]
    assert wm.split_fingerprint(f"{base}-3") == (base, 3) and wm.split_fingerprint(base) == (base, 1)


def test_plan_read_starts_at_the_watermark_row() -> None:
    """Each cycle would re-read the whole tab (slow, quota) or skip the row it must verify."""
    assert wm.plan_read(None) == "A2:ZZ"
    assert wm.plan_read(Watermark(row=57, fingerprint="x")) == "A57:ZZ"


def test_appended_rows_are_new_exactly_once() -> None:
    """New news would be missed, or queued again on every cycle."""
    intake = Intake()
    tab = sheet("a", "b")
    assert intake.cycle(tab) == ["a", "b"]
    assert intake.cycle(tab) == []
    tab = renumber(sheet("a", "b", "c", "d"))
    assert intake.cycle(tab) == ["c", "d"]
    assert intake.mark == Watermark(row=5, fingerprint=wm.fingerprint(tab[-1]))
    assert intake.cycle(tab) == [] and intake.rescans == 0


def test_verified_decision_from_the_watermark() -> None:
    """A normal cycle would not recognise its own watermark and rescan every time."""
    tab = sheet("a", "b", "c")
    fps = {fp for _, fp in assign_fingerprints(tab)}
    mark = Watermark(row=3, fingerprint=wm.fingerprint(tab[1]))
    d = decide(tab[1:], mark, fps - {wm.fingerprint(tab[2])})
    assert d.verified and not d.rescan_needed
    assert [r.title for r, _ in d.new] == ["c"] and d.next_watermark == Watermark(4, wm.fingerprint(tab[2]))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda rows: rows[::-1], id="sorted-descending"),
        pytest.param(lambda rows: rows[1:], id="first-row-deleted"),
        pytest.param(lambda rows: [rows[0], *sheet("sisipan"), *rows[1:]], id="row-inserted-above"),
        pytest.param(lambda rows: rows[:-1], id="watermark-row-deleted"),
    ],
)
def test_sort_delete_insert_trigger_rescan_and_miss_nothing(change) -> None:  # type: ignore[no-untyped-def]
    """After officers sort or edit the responses tab, news would be missed or queued twice."""
    intake = Intake()
    original = sheet("a", "b", "c")
    intake.cycle(original)
    changed = renumber(change(original) + sheet("baru"))
    new = intake.cycle(changed)
    expected = ["baru"] + (["sisipan"] if "sisipan" in [r.title for r in changed] else [])
    assert sorted(new) == sorted(expected)
    assert intake.rescans == 1
    assert intake.cycle(changed) == []
    assert len(intake.queued) == len(set(intake.queued))


def test_double_tap_across_cycles() -> None:
    """A second identical submission arriving a cycle later would be taken for the first."""
    intake = Intake()
    a = make_response(row_number=2)
    assert intake.cycle([a]) == [a.title]
    tab = [a, replace(a, row_number=3)]
    assert intake.cycle(tab) == [a.title]
    tab3 = tab + [replace(a, row_number=4)]
    assert intake.cycle(tab3) == [a.title]
    assert intake.rescans == 0 and len(intake.known) == 3


def test_crash_before_watermark_advanced_is_idempotent() -> None:
    """A crash after queueing would queue the same rows again on restart."""
    tab = sheet("a", "b", "c")
    pairs = assign_fingerprints(tab)
    known = {fp for _, fp in pairs}  # all queued, but the watermark still points at row 2
    d = decide(tab, Watermark(2, pairs[0][1]), known)
    assert d.rescan_needed and d.verified
    full = decide_full(tab, known)
    assert full.new == [] and full.next_watermark == Watermark(4, pairs[2][1])


def test_lost_state_rebuilt_from_fingerprints() -> None:
    """After the local ledger is lost, every old response would be queued again."""
    tab = sheet("a", "b", "c", "d")
    first = Intake()
    first.cycle(tab[:3])
    rebuilt = Intake()
    rebuilt.known = set(first.known)  # e.g. read back from the Review tab's Sidik Jari column
    assert rebuilt.cycle(tab) == ["d"]


def test_restart_with_same_known_set_is_idempotent() -> None:
    """Restarting the bridge would requeue or drop responses."""
    tab = sheet("a", "b", "c")
    known = {fp for _, fp in assign_fingerprints(tab[:2])}
    first = decide_full(tab, known)
    second = decide_full(tab, known)
    assert first == second and [r.title for r, _ in first.new] == ["c"]


def test_empty_or_missing_watermark_row_rescans() -> None:
    """An emptied watermark row would make the bridge stop seeing new responses."""
    tab = sheet("a", "b")
    mark = Watermark(3, wm.fingerprint(tab[1]))
    assert decide([], mark, set()).rescan_needed
    assert decide(tab[:1], mark, set()).rescan_needed
    assert decide_full([], set()).next_watermark is None


def test_edited_row_is_linked_to_its_earlier_submission_but_moved_rows_are_not() -> None:
    """An edited response would look brand new; a sorted tab must not look like edits."""
    tab = sheet("Satu", "Dua", "Tiga")
    queued = [wm.Queued(f"MM-2026-000{i}", fp, r.row_number, r.operator, r.email) for i, (r, fp) in enumerate(assign_fingerprints(tab), 1)]
    known = {q.fingerprint for q in queued}
    edit = replace(tab[1], title="Dua (revisi)", raw_timestamp="46095.5")
    full = decide_full([tab[0], edit, tab[2]], known)
    assert [q.id for q in wm.replaced(full.new, full.seen, queued).values()] == ["MM-2026-0002"]

    moved = renumber([tab[2], tab[0], tab[1], replace(tab[0], title="Empat", raw_timestamp="46096.5")])  # sorted + a new one
    full = decide_full(moved, known)
    assert len(full.new) == 1 and wm.replaced(full.new, full.seen, queued) == {}

    queued.append(wm.Queued("MM-2026-0004", wm.fingerprint(edit), 3, edit.operator, edit.email))  # the first edit, queued
    second = replace(edit, title="Dua (revisi lagi)", raw_timestamp="46097.5")
    full = decide_full([tab[0], second, tab[2]], known | {wm.fingerprint(edit)})
    assert [q.id for q in wm.replaced(full.new, full.seen, queued).values()] == ["MM-2026-0004"]


def test_page_scan_gives_the_one_read_answer_page_by_page() -> None:
    """A tab read in pages queues the same rows, repeats numbered across pages, as one read of it all."""
    tab = sheet("a", "b", "a", "c", "a", "d", "b")
    tab = [replace(r, raw_timestamp="46090") if r.title in ("a", "b") else r for r in tab]  # true repeats
    whole = decide_full(tab, {wm.fingerprint(tab[1])})
    scan = wm.PageScan({wm.fingerprint(tab[1])})
    per_page = [scan.page(tab[i:i + 3]) for i in range(0, len(tab), 3)]
    paged = scan.decision()
    assert [fp for page in per_page for _, fp in page] == [fp for _, fp in whole.new]
    assert [len(p) for p in per_page] == [2, 3, 1]
    assert paged.new == [] and paged.seen == whole.seen and paged.next_watermark == whole.next_watermark and paged.full
    assert wm.decide_pages([tab[i:i + 3] for i in range(0, len(tab), 3)], {wm.fingerprint(tab[1])}) == whole


def test_a_scan_tells_every_fingerprint_it_saw_from_its_counts() -> None:
    """An edited response is told from a moved one by whether its earlier fingerprint is anywhere in the tab."""
    seen = wm.Occurrences({"aaaa": 3, "bbbb": 1})
    assert set(seen) == {"aaaa", "aaaa-2", "aaaa-3", "bbbb"} and len(seen) == 4
    assert "aaaa-3" in seen and "bbbb" in seen
    assert all(fp not in seen for fp in ("aaaa-4", "aaaa-1", "aaaa-0", "aaaa-02", "bbbb-2", "cccc", "aaaa-x"))
    assert seen == frozenset({"aaaa", "aaaa-2", "aaaa-3", "bbbb"})


class _KnowsAll:
    def __contains__(self, fp: object) -> bool:
        return True


def test_a_full_scan_counts_each_response_in_a_few_dozen_bytes() -> None:
    """The daily full scan at 100k responses held two counts of every fingerprint as texts (about 12 MiB), over the 150 MiB target (issue 22)."""
    import tracemalloc

    tab = [make_response(row_number=n + 2, title=f"t{n}", raw_timestamp="46090") for n in range(5_000)]
    scan = wm.PageScan(_KnowsAll(), legacy=False)
    tracemalloc.start()
    try:
        for at in range(0, len(tab), 2_500):
            scan.page(tab[at:at + 2_500])
        size, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size < len(tab) * 80, size  # one dict of 64-bit keys: about 69 bytes a response (was 130)
    assert len(scan.seen) == 5_000 and wm.fingerprint(tab[7]) in scan.seen and f"{wm.fingerprint(tab[7])}-2" not in scan.seen


def test_count_keys_are_numbers_only_for_a_fingerprint_s_own_spelling() -> None:
    """A Sidik Jari typed in another case or shape would be taken for a response the tab holds, and a new one skipped."""
    fp = "0123456789abcdef"
    assert wm.count_key(fp) == 0x0123456789ABCDEF
    for other in ("0123456789ABCDEF", "0x23456789abcdef", "123456789abcdef", "0123456789abcdef0", "_123456789abcdef", " 123456789abcdef"):
        assert wm.count_key(other) == other
    seen = wm.Occurrences({wm.count_key(fp): 2})
    assert fp in seen and f"{fp}-2" in seen and "0123456789ABCDEF" not in seen and set(seen) == {fp, f"{fp}-2"}


def test_a_response_known_by_its_legacy_fingerprint_is_seen_as_that_one() -> None:
    """An edited response would be told from a moved one wrongly after an upgrade (issue 17's legacy fingerprints)."""
    tab = sheet("a", "b")
    old = wm.legacy_fingerprint(tab[0])
    scan = wm.PageScan({old}, legacy_known={old})
    assert scan.page(tab) == [(tab[1], wm.fingerprint(tab[1]))]
    assert set(scan.seen) == {old, wm.fingerprint(tab[1])} and len(scan.seen) == 2
    assert wm.fingerprint(tab[0]) not in scan.seen and old in scan.seen
    assert scan.seen == decide_full(tab, {old}, legacy_known={old}).seen
