"""The publish journal's entries of many rows, read in one query (issue 22).

Steps that ask the journal about every TERBIT or DITOLAK row (the draft check, archiving, when the
next cycle must read) asked it once per row each, about four look-ups per published row every
reading cycle. Each now reads the entries of the rows it will ask about at once, when it starts;
a row it did not list is still looked up on its own, so an answer is never missing.
"""

from __future__ import annotations

from collections.abc import Iterable

from bridge.adapters.ledger import JournalEntry, Ledger


class JournalView:
    """The journal as it was when the view was made, for the rows it was made for."""

    def __init__(self, ledger: Ledger, ids: Iterable[str]) -> None:
        self._ledger = ledger
        self._ids = set(ids)
        self._entries = ledger.journal.entries_of(self._ids) if self._ids else {}

    def get(self, sub_id: str) -> JournalEntry | None:
        """The entry of ``sub_id`` (None: it has none)."""
        if sub_id in self._ids:
            return self._entries.get(sub_id)
        return self._ledger.journal.entry(sub_id)


__all__ = ["JournalView"]
