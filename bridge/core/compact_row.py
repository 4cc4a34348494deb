"""A Review row read whole, held as a tuple of its cells until a step needs it as a dict (pure, issue 22).

A whole read of Review holds every row of the tab for the rest of the cycle. As a
:class:`~bridge.core.model.ReviewRow` each row's cells are a dict of 22 entries (1,168 bytes before
its texts: 1.26 KiB a row with the row object, 63 MiB at 50,000 rows); as a tuple they are 216
bytes. Most steps only ask a row's ID, status or a few cells (:meth:`CompactRow.get`), which the
tuple answers; the dict is made (once, and kept) only for a row a step reads or edits whole
(``row.values``): the rows with work, a few a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bridge.core.model import ReviewColumn, ReviewRow, Status


class RowLayout:
    """The columns of one read, in the order a :class:`CompactRow`'s cells are kept (shared by its rows)."""

    __slots__ = ("columns", "position")

    def __init__(self, columns: Sequence[ReviewColumn]) -> None:
        self.columns = tuple(columns)
        self.position = {c: i for i, c in enumerate(self.columns)}


class CompactRow(ReviewRow):
    """A :class:`ReviewRow` whose cells are a tuple (in ``layout`` order) until ``values`` is asked for."""

    def __init__(self, row_number: int, layout: RowLayout, cells: tuple[str, ...]) -> None:  # noqa: D107
        self.row_number = row_number
        self.cached = False
        self._layout = layout
        self._cells = cells
        self._values: dict[ReviewColumn, str] | None = None

    @property
    def values(self) -> dict[ReviewColumn, str]:
        if self._values is None:
            self._values = dict(zip(self._layout.columns, self._cells, strict=True))
        return self._values

    @values.setter
    def values(self, values: dict[ReviewColumn, str]) -> None:
        self._values = values

    def cells(self) -> Mapping[ReviewColumn, str]:
        """The cells as a mapping, without keeping a dict on the row (a step that only reads them)."""
        if self._values is not None:
            return self._values
        return dict(zip(self._layout.columns, self._cells, strict=True))

    def texts(self) -> tuple[str, ...]:
        """The cells in ``layout`` order (from the row's dict once a step made it)."""
        return self._cells if self._values is None else tuple(self._values.get(c, "") for c in self._layout.columns)

    def get(self, column: ReviewColumn) -> str:
        if self._values is not None:
            return self._values.get(column, "")
        at = self._layout.position.get(column)
        return "" if at is None else self._cells[at]

    @property
    def id(self) -> str:
        return self.get(ReviewColumn.ID).strip()

    @property
    def status(self) -> Status | None:
        return Status.parse(self.get(ReviewColumn.STATUS))


def cells_of(row: ReviewRow) -> Mapping[ReviewColumn, str]:
    """A row's cells to read, not to edit: a compact row's without making its dict."""
    return row.cells() if isinstance(row, CompactRow) else row.values


__all__ = ["CompactRow", "RowLayout", "cells_of"]
