"""The Arsip note of a Review row an officer deleted: when, its last status, and what became of its post.

Written by :mod:`bridge.cycle.archive` when it records the deletion, and again by :mod:`bridge.cycle.tabs`
when a deleted Arsip tab is made again from the ledger, so both say the same words.
"""

from __future__ import annotations

from datetime import datetime

from bridge.adapters.ledger import JournalEntry
from bridge.app import Deps
from bridge.core import review_machine as machine
from bridge.core.columns import TIME_CELL_FORMAT
from bridge.core.review_machine import Fate
from bridge.cycle.facts import journal_facts


def post_fate(entry: JournalEntry | None) -> Fate:
    """What became of an item's post, from the ledger's journal: live, draft, withdrawn or none."""
    return machine.post_fate(journal_facts(entry))


def deleted_note(status: str, fate: Fate, when: str) -> str:
    """The note (Indonesian) for a row deleted at ``when`` (WITA) with ``status``, its post's ``fate`` said plainly."""
    head = f"Baris dihapus dari Review pada {when} WITA (status terakhir: {status or 'kosong'})."
    if fate == Fate.LIVE:
        return head + " Post di blog tetap seperti adanya; sistem tidak mengubah atau menghapusnya. Bila post harus turun, tarik lewat Blogger."
    if fate == Fate.WITHDRAWN:
        return head + " Post-nya sudah ditarik menjadi draf dan tidak tayang di website; sistem tidak menerbitkannya lagi. Bila harus terbit, operator mengirimnya ulang lewat formulir."
    if fate == Fate.DRAFT:
        return head + " Post-nya masih draf di Blogger (tidak tayang); sistem tidak menerbitkannya. Bila harus terbit, operator mengirimnya ulang lewat formulir."
    return head + " Kiriman ini tidak akan diterbitkan dan tidak masuk antrean lagi; bila harus terbit, operator mengirimnya ulang lewat formulir."


def deleted_note_text(deps: Deps, sub_id: str, status: str, deleted_at: str) -> str:
    """The Arsip note of a deleted row, from the ledger alone (a rebuilt Arsip tab)."""
    try:
        when = datetime.fromisoformat(deleted_at).astimezone(deps.settings.tz).strftime(TIME_CELL_FORMAT)
    except ValueError:
        when = deleted_at
    return deleted_note(status, post_fate(deps.ledger.journal(sub_id)), when)


__all__ = ["deleted_note", "deleted_note_text", "post_fate"]
