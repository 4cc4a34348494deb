"""Coordination before publishing, and who decided (issue 20): plain rules, no I/O.

The MY MEIN technical guide (step 4) has KIM officers coordinate with the *JF Pranata Humas Ahli Muda*
or the *Kepala Bidang Pengelolaan Informasi Komunikasi Publik* before news is published. With
``[review] coordination`` on, an item that needs it is published only when an officer approved it
(``DISETUJUI`` or ``PERLU KOORDINASI``) **and** a coordinator chose ``SETUJU`` in the Review column
``Persetujuan Pimpinan`` (the status machine, :mod:`bridge.core.review_machine`, decides that). This
module answers the smaller questions around it:

* :func:`needs_coordination`: which items need it (none, all, or the rules: labels, words in the
  title, a KIM under ``DITINJAU``, an officer's ``PERLU KOORDINASI``);
* :func:`decided_by`: the text of ``Diputuskan Oleh``: the role that made each decision, and what
  the sheet proves of it. Anybody who may edit the spreadsheet may set ``Status`` (the column is the
  officers'), so the sheet does not prove which person chose it: the record says so rather than guess.
  ``Persetujuan Pimpinan`` is protected so that only the coordinators' accounts can edit it (``init``
  makes the protection, ``check`` verifies it): a value there was written by one of them, though the
  sheet does not say which one;
* :func:`coordination_table`: the report's figures for a period.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bridge.core.model import PARTNERSHIP_ALIASES, Partnership
from bridge.core.review_machine import APPROVING, DECISIONS, Leader, Status
from bridge.core.waiting import percentile

NONE, ALL, RULES = "none", "all", "rules"


@dataclass(frozen=True)
class Policy:
    """``[review]`` coordination settings as plain values."""

    mode: str = NONE
    labels: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    ditinjau: bool = True
    roles: tuple[str, ...] = ()  # the coordinators' roles, in config order (duplicates dropped)
    emails: tuple[str, ...] = ()  # the coordinators' accounts

    @property
    def on(self) -> bool:
        return self.mode in (ALL, RULES)

    @property
    def roles_text(self) -> str:
        """The roles as the notes name them: "A atau B"."""
        roles = list(dict.fromkeys(self.roles))
        return " atau ".join(roles)


def _under_review(partnership: str) -> bool:
    text = " ".join(partnership.split()).upper()
    return text == Partnership.DITINJAU.value or PARTNERSHIP_ALIASES.get(text) == Partnership.DITINJAU


def needs_coordination(policy: Policy, status: Status | None, title: str, labels: Iterable[str], partnerships: Iterable[str]) -> bool:
    """Whether an item waits for a coordinator's SETUJU before it is published.

    Args:
        status: the row's Status (``PERLU KOORDINASI`` always needs it while coordination is on).
        title: the row's Judul; ``coordination_words`` match it case-insensitively, as whole text pieces.
        labels: the labels its post would carry.
        partnerships: the ``Status Kemitraan`` of the registry's KIM(s) the row names.
    """
    if not policy.on:
        return False
    if policy.mode == ALL or status == Status.PERLU_KOORDINASI:
        return True
    wanted = {lb.strip().casefold() for lb in policy.labels if lb.strip()}
    if wanted & {lb.strip().casefold() for lb in labels}:
        return True
    folded = title.casefold()
    if any(w.strip() and w.strip().casefold() in folded for w in policy.words):
        return True
    return policy.ditinjau and any(_under_review(p) for p in partnerships)


OFFICER_PROOF = "kolom Status dapat diubah semua petugas yang menjadi editor; tidak membuktikan siapa"


def decided_by(policy: Policy, status: Status | None, leader: str, needed: bool) -> str:
    """``Diputuskan Oleh`` for a row: who made each decision on it, and what the sheet proves of it.

    Empty while nobody decided (MENUNGGU, TIDAK VALID) and for statuses that are the bridge's."""
    if status not in DECISIONS:
        return ""  # nobody decided yet, or the bridge's status: the record written at the decision stays
    parts = [f"Petugas: {status.value} ({OFFICER_PROOF})"]
    chosen = Leader.parse(leader)
    if chosen is not None and (needed or status in APPROVING):
        who = ", ".join(policy.emails) or "tidak ada akun (belum diatur)"
        role = policy.roles_text or "koordinator"
        parts.append(f"Koordinator ({role}): {chosen.value} (kolom Persetujuan Pimpinan terlindungi: hanya dapat diubah oleh {who})")
    return "; ".join(parts)


# --- the report's coordination table ---------------------------------------------------------------


@dataclass(frozen=True)
class Coordinated:
    """One item that needed coordination in the period."""

    id: str
    leader: str  # Persetujuan Pimpinan as written
    approved_at: datetime | None = None  # when the officer's decision was seen (Diputuskan (WITA))
    agreed_at: datetime | None = None  # when the bridge published it after SETUJU (Waktu Terbit), if it did


@dataclass(frozen=True)
class CoordinationTable:
    needed: int
    agreed: int
    held: int
    refused: int
    waiting: int  # nobody chose yet
    median_hours: float | None
    p90_hours: float | None


def coordination_table(items: Sequence[Coordinated]) -> CoordinationTable:
    """Counts by the coordinator's choice, and the hours agreed items waited (officer's decision → published)."""
    by = {v: 0 for v in Leader}
    waits: list[float] = []
    for item in items:
        chosen = Leader.parse(item.leader)
        if chosen is not None:
            by[chosen] += 1
        if chosen == Leader.SETUJU and item.approved_at and item.agreed_at and item.agreed_at >= item.approved_at:
            waits.append((item.agreed_at - item.approved_at).total_seconds() / 3600)
    return CoordinationTable(
        needed=len(items), agreed=by[Leader.SETUJU], held=by[Leader.TAHAN], refused=by[Leader.TOLAK],
        waiting=len(items) - sum(by.values()), median_hours=statistics.median(waits) if waits else None,
        p90_hours=percentile(waits, 90) if waits else None,
    )


__all__ = ["ALL", "NONE", "RULES", "Coordinated", "CoordinationTable", "Policy", "coordination_table", "decided_by",
           "needs_coordination"]
