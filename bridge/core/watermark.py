"""Which responses are new: fingerprints and the watermark decision, as pure functions.

The rule that makes intake exactly-once is simple: a response is new if and only
if its fingerprint is not in the known set (ledger + Review tab). The watermark
is only an optimisation that lets a cycle read from the last processed row on.
Whenever the watermark cannot be trusted (the row there is gone or different,
because the tab was sorted, or rows were deleted or inserted) the caller
re-reads the whole tab and :func:`decide_full` decides against the known set
alone. Re-running with the same known set gives the same answer (idempotent).

Fingerprints hash the response's raw timestamp and the answers of the required
questions, by field (never by column position or header text), not its row number,
so they survive sorting, and a question added, renamed, moved or deleted in the
form never changes the fingerprint of a response already queued (issue 17): the
e-mail and the photo links are left out, as the e-mail question may be deleted
and the photo question renamed. Fingerprints written before (Review, Arsip, blog
markers, ledger) hashed those too (:func:`legacy_fingerprint`); a response queued
under one is still recognised by it (:class:`Fingerprinter`), and the pair is
remembered so that it stays recognised after the e-mail or photo column is gone.
Identical rows (a double-tapped submit in the same second) get ``hash``,
``hash-2``, ``hash-3`` in sheet order.
Caveat: a response edited in place in the responses tab gets a new fingerprint
and is therefore queued again; :func:`replaced` spots it (same row, earlier
fingerprint gone from the tab) so officers are told which item it seems to edit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from bridge.core.model import FormResponse

LAST_COLUMN = "ZZ"
FIRST_DATA_ROW = 2
START_MODES = ("backfill", "now")


def _norm(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _timestamp_key(raw: str) -> str:
    """The raw timestamp, with serial numbers in one canonical spelling ("46000" = "46000.0")."""
    text = _norm(raw)
    try:
        return repr(float(text))
    except ValueError:
        return text


def fingerprint(response: FormResponse) -> str:
    """16 hex characters identifying a response by its raw timestamp and required answers (not its row).

    Only what every form must ask (:data:`bridge.core.model.REQUIRED_FIELDS`) counts, so a
    question added, renamed, moved or deleted never changes it."""
    parts = [
        "v2",  # never equal to a legacy fingerprint's input
        _timestamp_key(response.raw_timestamp),
        _norm(response.kecamatan),
        _norm(response.desa),
        _norm(response.operator),
        _norm(response.title),
        _norm(response.body),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def legacy_fingerprint(response: FormResponse) -> str:
    """The fingerprint as bridges before issue 17 wrote it (e-mail and photo links hashed too):
    only to recognise responses queued under it."""
    parts = [
        _timestamp_key(response.raw_timestamp),
        _norm(response.email).lower(),
        _norm(response.kecamatan),
        _norm(response.desa),
        _norm(response.operator),
        _norm(response.title),
        _norm(response.body),
        " ".join(_norm(p) for p in response.photos),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def split_fingerprint(fp: str) -> tuple[str, int]:
    """``"abc-3"`` → ``("abc", 3)``; ``"abc"`` → ``("abc", 1)``."""
    base, sep, n = fp.partition("-")
    return (base, int(n)) if sep and n.isdigit() else (fp, 1)


def count_key(base: str) -> int | str:
    """A base hash as the key of a count of occurrences: 16 lower-case hex digits (every fingerprint
    this module makes) as the 64-bit number they spell, anything else as it is.

    Lossless, so exactly-once is as strong as with the text: one number has exactly one such
    spelling (``f"{n:016x}"``), and a text of any other shape stays a text, never equal to a number.
    A number costs 40 bytes where the text costs 72: at 100k responses a full scan's count is 3 MiB
    smaller (issue 22)."""
    if len(base) == 16 and _HEX.fullmatch(base):
        return int(base, 16)
    return base


def _base_text(key: int | str) -> str:
    return f"{key:016x}" if isinstance(key, int) else key


_HEX = re.compile(r"[0-9a-f]{16}")


def _occurrence(counts: dict[int | str, int], base: str) -> str:
    """Count one more occurrence of ``base``, a hash this module made (16 hex digits: keyed by
    :func:`count_key`'s number without its check); returns the occurrence's fingerprint."""
    key = int(base, 16)
    n = counts[key] = counts.get(key, 0) + 1
    return base if n == 1 else f"{base}-{n}"


class Fingerprinter:
    """Each response's fingerprint in sheet order (repeats ``-2``, ``-3``...), as the ledger knows it.

    A response gets the current scheme's fingerprint, unless it was queued (or skipped, or
    published) under the legacy one: then it keeps that one, so what Review, Arsip and the blog
    markers carry still matches after an upgrade and nothing is queued twice. Each response newly
    recognised by its legacy fingerprint is listed in ``recognised`` (current → legacy) for the
    caller to remember (``legacy_of``): the legacy fingerprint hashes the e-mail and photo links,
    which a form change may take away later.

    Args:
        known: fingerprints already queued or skipped.
        legacy_of: current fingerprint → the legacy one it was recognised as before ('' if none).
        legacy_known: fingerprints a legacy one is looked up in (default ``known``).
        seed: occurrences of a base hash already seen above the first response.
        legacy: whether to look for legacy fingerprints at all. Once every response of the tab has
            been read under the current scheme (its pairs remembered), only ``legacy_of`` is asked:
            a second hash of every row (~20 µs each, 2 s at 100k rows) is not worth it.
    """

    def __init__(
        self,
        known: Container[str] = frozenset(),
        legacy_of: Callable[[str], str] | None = None,
        legacy_known: Container[str] | None = None,
        seed: Mapping[str, int] | None = None,
        legacy: bool = True,
    ) -> None:
        self.known = known
        self.legacy = legacy
        self.legacy_of = legacy_of or (lambda fp: "")
        self.legacy_known = known if legacy_known is None else legacy_known
        # Keys as :func:`count_key` gives them. The two schemes count apart, though their bases never collide.
        self.counts: dict[int | str, int] = {count_key(base): n for base, n in (seed or {}).items()}
        self.legacy_counts: dict[int | str, int] = dict(self.counts) if legacy else {}
        self.recognised: dict[str, str] = {}
        #: the current scheme's fingerprint of the response last fingerprinted (what it returned may be another)
        self.current = ""

    def __call__(self, response: FormResponse) -> str:
        base = fingerprint(response)
        fp = self.current = _occurrence(self.counts, base)
        old = _occurrence(self.legacy_counts, legacy_fingerprint(response)) if self.legacy else ""
        if fp in self.known:
            return fp
        remembered = self.legacy_of(fp)
        if remembered:
            return remembered
        if old and old in self.legacy_known:
            self.recognised[fp] = old
            return old
        return fp


def assign_fingerprints(
    responses: Iterable[FormResponse], seed: Mapping[str, int] | None = None, fingerprinter: Fingerprinter | None = None
) -> list[tuple[FormResponse, str]]:
    """Fingerprint responses in sheet order; repeats get ``-2``, ``-3``...

    Args:
        seed: occurrences of a base hash already seen above the first response
            (used when reading from the watermark rather than from row 2).
        fingerprinter: one that knows the legacy fingerprints (and keeps counting across calls).
    """
    fpr = fingerprinter or Fingerprinter(seed=seed)
    return [(r, fpr(r)) for r in responses]


@dataclass(frozen=True)
class Watermark:
    """The last processed responses row (1-based; the header is row 1) and its fingerprint."""

    row: int
    fingerprint: str


@dataclass(frozen=True)
class Decision:
    """What a cycle should queue, and where the watermark goes after queueing succeeds."""

    verified: bool
    new: list[tuple[FormResponse, str]] = field(default_factory=list)
    rescan_needed: bool = False
    next_watermark: Watermark | None = None
    reason: str = ""  # English, for the log, when a rescan is needed
    seen: Set[str] = frozenset()  # every fingerprint in the tab (only from a read of every row)
    full: bool = False  # decided from a read of every row, so ``seen`` is complete
    #: responses newly recognised by their legacy fingerprint: current → legacy (to remember)
    recognised: Mapping[str, str] = field(default_factory=dict)


def start_row(watermark: Watermark | None) -> int:
    """First sheet row to read: the watermark row itself (to verify it), else the first data row."""
    return max(watermark.row, FIRST_DATA_ROW) if watermark else FIRST_DATA_ROW


def plan_read(watermark: Watermark | None) -> str:
    """The A1 range (without tab name) to read: ``A{row}:ZZ`` from the watermark, else all data rows."""
    return f"A{start_row(watermark)}:{LAST_COLUMN}"


def _last(pairs: Sequence[tuple[FormResponse, str]]) -> Watermark | None:
    if not pairs:
        return None
    response, fp = max(pairs, key=lambda p: p[0].row_number)
    return Watermark(row=response.row_number, fingerprint=fp)


def decide(
    rows_from_watermark: Sequence[FormResponse],
    watermark: Watermark,
    known_fingerprints: Container[str],
    legacy_of: Callable[[str], str] | None = None,
    legacy_known: Container[str] | None = None,
    legacy: bool = True,
) -> Decision:
    """Decide from a read that starts at the watermark row.

    Args:
        rows_from_watermark: non-empty responses read from ``watermark.row`` on, in sheet order.
        known_fingerprints: every fingerprint already queued or skipped.
        legacy_of, legacy_known, legacy: see :class:`Fingerprinter`.

    Returns:
        A verified decision, or one with ``rescan_needed`` (then read the whole tab
        and call :func:`decide_full`). Any row after the watermark whose
        fingerprint is already known also forces a rescan: it is either a row
        queued before a crash, or a repeat of a row above the watermark whose
        occurrence number only a full read can tell.
    """
    rows = list(rows_from_watermark)
    if not rows or rows[0].row_number != watermark.row:
        return Decision(verified=False, rescan_needed=True, reason=f"row {watermark.row} (the watermark) is empty or gone")
    base, n = split_fingerprint(watermark.fingerprint)
    fpr = Fingerprinter(known_fingerprints, legacy_of, legacy_known, seed={base: n - 1}, legacy=legacy)
    pairs = assign_fingerprints(rows, fingerprinter=fpr)
    if pairs[0][1] != watermark.fingerprint:
        return Decision(verified=False, rescan_needed=True, reason=f"row {watermark.row} (the watermark) holds another response")
    after = pairs[1:]
    if any(fp in known_fingerprints for _, fp in after):
        return Decision(verified=True, rescan_needed=True, reason="a response below the watermark is already known")
    return Decision(verified=True, new=after, next_watermark=_last(pairs), recognised=dict(fpr.recognised))


def decide_full(
    all_rows: Sequence[FormResponse],
    known_fingerprints: Container[str],
    legacy_of: Callable[[str], str] | None = None,
    legacy_known: Container[str] | None = None,
    legacy: bool = True,
) -> Decision:
    """Decide from a read of every data row: new = fingerprint not known. Idempotent."""
    fpr = Fingerprinter(known_fingerprints, legacy_of, legacy_known, legacy=legacy)
    pairs = assign_fingerprints(all_rows, fingerprinter=fpr)
    return Decision(
        verified=False,
        new=[(r, fp) for r, fp in pairs if fp not in known_fingerprints],
        next_watermark=_last(pairs),
        seen=frozenset(fp for _, fp in pairs),
        full=True,
        recognised=dict(fpr.recognised),
    )


class Occurrences(Set[str]):
    """The fingerprints of a read, told from each base hash's count of occurrences (``abc``,
    ``abc-2`` … ``abc-n`` for a count of n; keys as :func:`count_key` gives them): a page scan keeps
    one dict, not a set of every fingerprint as well (at 100k rows each costs megabytes, issue 13).

    ``also``: fingerprints seen besides the counted ones; ``but_not``: counted ones not seen (a
    response known by its legacy fingerprint is seen as that one, not as its count's)."""

    def __init__(self, counts: Mapping[Any, int], also: Set[str] = frozenset(), but_not: Set[str] = frozenset()) -> None:
        self.counts = counts  # keys: int | str (a text count key, e.g. in a test, is one too)
        self.also, self.but_not = also, but_not

    def _counted(self, fp: str) -> bool:
        base, n = split_fingerprint(fp)
        return 1 <= n <= self.counts.get(count_key(base), 0) and fp == (base if n == 1 else f"{base}-{n}")

    def __contains__(self, fp: object) -> bool:
        if not isinstance(fp, str):
            return False
        return fp in self.also or (fp not in self.but_not and self._counted(fp))

    def __iter__(self) -> Iterator[str]:
        for key, count in self.counts.items():
            base = _base_text(key)
            for fp in (base, *(f"{base}-{n}" for n in range(2, count + 1))):
                if fp not in self.but_not:
                    yield fp
        for fp in self.also:
            if fp in self.but_not or not self._counted(fp):
                yield fp

    def __len__(self) -> int:
        if self.also or self.but_not:
            return sum(1 for _ in self)
        return sum(self.counts.values())


class PageScan:
    """:func:`decide_full` over a read of every data row that arrives page by page, in sheet order.

    :meth:`page` returns a page's new rows as soon as it is read, so the caller can record them
    and let the page go: memory is bounded by a page plus one count per response (``seen``),
    whatever the tab's size or the number of new rows (issue 13). Feeding every page, then
    :meth:`decision`, gives the same answer as :func:`decide_full` on all rows at once.
    """

    def __init__(
        self,
        known_fingerprints: Container[str],
        legacy_of: Callable[[str], str] | None = None,
        legacy_known: Container[str] | None = None,
        legacy: bool = True,
    ) -> None:
        self.known = known_fingerprints
        self.fingerprinter = Fingerprinter(known_fingerprints, legacy_of, legacy_known, legacy=legacy)
        # What the scan saw is the fingerprinter's own count of every response (one dict, not two:
        # issue 22), with the few responses it gave another fingerprint (a legacy one) told apart.
        self._other: set[str] = set()
        self._shadowed: set[str] = set()
        self.seen = Occurrences(self.fingerprinter.counts, self._other, self._shadowed)  # grows with the count
        self.last: Watermark | None = None

    def page(self, responses: Sequence[FormResponse]) -> list[tuple[FormResponse, str]]:
        """Fingerprint the next page (occurrences counted across pages); returns its new rows."""
        new: list[tuple[FormResponse, str]] = []
        fpr = self.fingerprinter
        for response in responses:
            fp = fpr(response)
            if fp != fpr.current:
                self._other.add(fp)
                self._shadowed.add(fpr.current)
            if fp not in self.known:
                new.append((response, fp))
            if self.last is None or response.row_number > self.last.row:
                self.last = Watermark(row=response.row_number, fingerprint=fp)
        return new

    def decision(self, new: Sequence[tuple[FormResponse, str]] = ()) -> Decision:
        """The decision once every page was fed (``new``: the new rows the caller kept, if any)."""
        return Decision(
            verified=False, new=list(new), next_watermark=self.last, seen=self.seen, full=True,
            recognised=dict(self.fingerprinter.recognised),
        )


def decide_pages(pages: Iterable[Sequence[FormResponse]], known_fingerprints: Container[str]) -> Decision:
    """:func:`decide_full` over pages, keeping every new row (see :class:`PageScan` to let them go)."""
    scan = PageScan(known_fingerprints)
    new = [pair for page in pages for pair in scan.page(page)]
    return scan.decision(new)


@dataclass(frozen=True)
class Queued:
    """A queued submission as the ledger remembers it: where it was read, and from whom."""

    id: str
    fingerprint: str
    row_number: int
    operator: str
    email: str


def replaced(new: Sequence[tuple[FormResponse, str]], seen: Set[str], queued: Iterable[Queued]) -> dict[str, Queued]:
    """New fingerprint → the queued submission whose row it now occupies (an edited response?).

    Google Forms' "edit after submit" rewrites the response's row in place, timestamp
    included. Sorting and deleting move rows too, but keep their fingerprints in
    the tab, so a row counts only when the fingerprint last queued from it is in
    none of ``seen`` (every fingerprint of a read of the whole tab). ``queued`` is
    in queue order. Known limit: a row deleted and then refilled by a new response
    from the same sender looks exactly like an edit (Forms appends new responses at
    the bottom, so this needs the last rows deleted); officers are told to compare.
    """
    latest = {q.row_number: q for q in queued if q.row_number > 0}
    gone = {row: q for row, q in latest.items() if q.fingerprint not in seen}
    return {fp: gone[r.row_number] for r, fp in new if r.row_number in gone}


__all__ = [
    "Decision",
    "Fingerprinter",
    "Occurrences",
    "PageScan",
    "Queued",
    "Watermark",
    "assign_fingerprints",
    "count_key",
    "decide",
    "decide_full",
    "decide_pages",
    "fingerprint",
    "legacy_fingerprint",
    "plan_read",
    "replaced",
    "split_fingerprint",
    "start_row",
]
