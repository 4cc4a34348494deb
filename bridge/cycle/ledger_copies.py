"""The ledger's copies of settled Review rows, decoded only when a step asks (issue 22)."""

from __future__ import annotations

from collections.abc import Sequence

from bridge.adapters.ledger import Ledger


class CopiesOnDemand:
    """The ledger's copies of settled rows, decoded only for the rows a step asks a cell outside their
    brief of (:class:`bridge.core.review_view.SettledRow`), ``PAGE`` neighbours at a time (a step
    that asks every row costs one query per page, not one per row). ``decoded`` counts them."""

    PAGE = 100

    def __init__(self, ledger: Ledger, ids: Sequence[str]) -> None:
        self._ledger = ledger
        self._ids = list(ids)
        self._at: dict[str, int] | None = None
        self._ready: dict[str, dict[str, str]] = {}
        self.decoded = 0

    def expect(self, sub_id: str) -> None:
        """One more settled row this loader may be asked for (a whole read adds them page by page)."""
        self._ids.append(sub_id)
        self._at = None

    def __call__(self, sub_id: str) -> dict[str, str]:
        if sub_id not in self._ready:
            if self._at is None:
                self._at = {i: n for n, i in enumerate(self._ids)}
            n = self._at.get(sub_id)
            page = [sub_id] if n is None else self._ids[n - n % self.PAGE:n - n % self.PAGE + self.PAGE]
            got = self._ledger.submissions.last_rows_of(page)
            self.decoded += len(got)
            for i in page:
                self._ready.setdefault(i, got.get(i, {}))
        return self._ready.pop(sub_id)  # the row keeps its cells; nothing else needs the copy


__all__ = ["CopiesOnDemand"]
