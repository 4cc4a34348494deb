"""How long submissions waited for an officer's decision (issue 19), pure.

From the submission's ``Diterima (WITA)`` to ``Diputuskan (WITA)``, the time the bridge first saw
the decision (:mod:`bridge.cycle.decided`). A decided row without that time (decided before the
column existed, or while the bridge's ledger was lost) is counted as *tidak tercatat*, never given a
guessed time: the figures say how many such rows were left out.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bridge.core.model import Status

#: Statuses that mean an officer has decided (approved, whatever came after, or rejected).
DECIDED = frozenset({Status.DISETUJUI, Status.TERBIT, Status.GAGAL, Status.DITARIK, Status.DITOLAK,
                     Status.PERLU_KOORDINASI})  # issue 20: the officer's approval, pending a coordinator
NOT_RECORDED = "tidak tercatat"
NONE = "-"


@dataclass(frozen=True)
class Waiting:
    """The hours each decided item waited, and how many decided items have no usable decision time."""

    hours: tuple[float, ...]
    unrecorded: int

    @property
    def decided(self) -> int:
        return len(self.hours) + self.unrecorded


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def waiting_of(items: Iterable[tuple[Status | None, datetime | None, datetime | None]]) -> Waiting:
    """The waiting times of ``(status, received, decided)`` triples.

    A decided item (see :data:`DECIDED`) counts with ``decided - received`` hours when both times are
    known and the decision is not before the submission (a hand-edited cell); otherwise as unrecorded.
    Items not decided (MENUNGGU, TIDAK VALID, no status) are left out whatever their cells hold.
    """
    hours: list[float] = []
    unrecorded = 0
    for status, received, decided in items:
        if status not in DECIDED:
            continue
        if received is None or decided is None or decided < received:
            unrecorded += 1
            continue
        hours.append((decided - received).total_seconds() / 3600)
    return Waiting(tuple(hours), unrecorded)


def _fmt(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def waiting_cells(w: Waiting) -> tuple[str, str]:
    """(median, p90) in hours with an Indonesian decimal comma; "tidak tercatat" when every decided item
    lacks its time, "-" when nothing was decided."""
    if w.hours:
        return _fmt(statistics.median(w.hours)), _fmt(percentile(w.hours, 90))
    if w.unrecorded:
        return NOT_RECORDED, NOT_RECORDED
    return NONE, NONE


def waiting_note(w: Waiting) -> str:
    """One sentence for the report's notes on what the decision-time figures cover."""
    base = ("Lama sampai keputusan: dari Diterima (WITA) sampai Diputuskan (WITA), yaitu saat bridge pertama melihat "
            "keputusan petugas (disetujui atau ditolak).")
    if not w.unrecorded:
        return base
    return (f"{base} {w.unrecorded} dari {w.decided} kiriman yang sudah diputuskan tidak tercatat waktu keputusannya "
            "(baris lama dari sebelum kolom itu ada, atau diputuskan saat catatan bridge hilang) dan tidak dihitung.")


def waiting_line(w: Waiting) -> str:
    """`report`'s summary line (English, as the CLI's other lines) of the overall waiting times."""
    unrecorded = f"; {w.unrecorded} without a recorded decision time (older rows), not counted" if w.unrecorded else ""
    if not w.hours:
        return f"waiting for a decision: no decision time recorded in the period{unrecorded}"
    med, p90 = (c.replace(",", ".") for c in waiting_cells(w))  # English, as the CLI's other lines
    return f"waiting for a decision: median {med} h, p90 {p90} h over {len(w.hours)} decision(s){unrecorded}"


__all__ = ["DECIDED", "NOT_RECORDED", "Waiting", "percentile", "waiting_cells", "waiting_line", "waiting_note", "waiting_of"]
