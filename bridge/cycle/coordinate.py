"""Coordination before publishing (issue 20), the cycle's side: which rows need a coordinator, and the
``Diputuskan Oleh`` record. Only reads and puts cells into the cycle's one write-back; what to do with
an approved row is the status machine's (:func:`bridge.core.review_machine.decide`)."""

from __future__ import annotations

from collections.abc import Sequence

from bridge.config import Settings
from bridge.core import render
from bridge.core.coordination import Policy, decided_by, needs_coordination
from bridge.core.model import KimRecord, ReviewColumn, ReviewRow
from bridge.core.plaintext import fit_labels
from bridge.core.review_machine import DECISIONS
from bridge.core.wilayah import WilayahIndex


def policy_of(settings: Settings) -> Policy:
    """``[review]`` coordination as the pure rules read it."""
    c = settings.coordination
    return Policy(mode=c.mode, labels=c.labels, words=c.words, ditinjau=c.ditinjau,
                  roles=tuple(p.role for p in c.coordinators), emails=tuple(p.email for p in c.coordinators))


def _partnerships(row: ReviewRow, kims: Sequence[KimRecord]) -> list[str]:
    """Status Kemitraan of the registry's KIM the row names (by name; by its desa when the KIM cell is empty)."""
    name = " ".join(row.get(ReviewColumn.KIM).split()).casefold()
    desa = " ".join(row.get(ReviewColumn.DESA).split()).casefold()
    if name:
        return [k.partnership for k in kims if " ".join(k.name.split()).casefold() == name]
    return [k.partnership for k in kims if " ".join(k.desa.split()).casefold() == desa]


def needing(settings: Settings, wilayah: WilayahIndex, rows: Sequence[ReviewRow], kims: Sequence[KimRecord] = ()) -> set[str]:
    """IDs of the rows that wait for a coordinator's SETUJU before they are published."""
    policy = policy_of(settings)
    if not policy.on:
        return set()
    s = settings
    found: set[str] = set()
    for row in rows:
        if not row.id:
            continue
        kecamatan, desa, kim = row.get(ReviewColumn.KECAMATAN), row.get(ReviewColumn.DESA), row.get(ReviewColumn.KIM)
        labels: list[str] = []
        if policy.mode == "rules" and policy.labels:
            desa_label = wilayah.desa_label(kecamatan, desa)
            labels = fit_labels(render.labels_for(kecamatan, desa, kim, s.labels, s.extra_labels, desa_label=desa_label))[0]
        if needs_coordination(policy, row.status, row.get(ReviewColumn.TITLE), labels, _partnerships(row, kims)):
            found.add(row.id)
    return found


def record_deciders(settings: Settings, rows: Sequence[ReviewRow], needs: set[str], updates: dict[str, dict[ReviewColumn, str]], *, dry_run: bool) -> int:
    """``Diputuskan Oleh`` for rows an officer decided, when it says something new (no extra request:
    the cells go into the cycle's write-back), while ``[review] coordination`` is on. Returns how many rows get it."""
    policy = policy_of(settings)
    if dry_run or not policy.on:
        return 0  # coordination off: every decision is an officer's, and the sheet proves nothing of who
    written = 0
    for row in rows:
        if not row.id or row.status not in DECISIONS:
            continue
        text = decided_by(policy, row.status, row.get(ReviewColumn.LEADER), row.id in needs)
        if text and text != row.get(ReviewColumn.DECIDED_BY).strip():
            updates.setdefault(row.id, {})[ReviewColumn.DECIDED_BY] = text
            written += 1
    return written


__all__ = ["needing", "policy_of", "record_deciders"]
