"""One refused row never blocks the others: split a refused batched write and go on.

Google refuses a whole ``values.append`` or ``values.batchUpdate`` for one bad cell (too
long, protected, outside a dropdown). Re-sending the same batch every cycle would then block
every later submission. Here a refused batch is written again row by row; a row Google still
refuses is written in a reduced form that carries the reason (Bahasa Indonesia, for officers),
and only when even that fails is it left pending. If the very first row fails both ways, the
tab itself refuses (protection, cell limit): nothing more is tried this cycle.

Costs: nothing extra while Google accepts the batch; one request per row after a refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bridge.adapters.sheets import SheetsGateway
from bridge.exceptions import FatalError, LeaseHeldError

log = logging.getLogger("bridge.isolate")


@dataclass
class AppendOutcome:
    written: list[str] = field(default_factory=list)  # appended as they were
    reduced: list[str] = field(default_factory=list)  # appended in the reduced form with a reason
    pending: list[str] = field(default_factory=list)  # not appended; tried again next cycle
    problems: list[str] = field(default_factory=list)


def append_isolating(
    sheets: SheetsGateway,
    spreadsheet_id: str,
    tab: str,
    rows: Sequence[tuple[str, list[Any]]],
    *,
    below_row: int,
    reduced: Callable[[str, str], list[Any]],
) -> AppendOutcome:
    """Append ``(id, row)`` pairs; ``reduced(id, why)`` is the row to write when Google refuses one.

    Raises:
        FatalError: Google refused the batch and the first row in every form (the tab refuses).
        RetriableError, AuthError: as :meth:`SheetsGateway.append_rows`.
    """
    out = AppendOutcome()
    try:
        sheets.append_rows(spreadsheet_id, tab, [r for _, r in rows], below_row=below_row)
        out.written = [i for i, _ in rows]
        return out
    except LeaseHeldError:  # another bridge writes now: no write, and no "refused" story
        raise
    except FatalError as exc:
        batch_error, batch_why = exc, str(exc)
        log.warning("Google refused %d row(s) for '%s' (%s); writing them one by one", len(rows), tab, exc)
    last = below_row
    for n, (item, row) in enumerate(rows):
        if len(rows) == 1:
            why = batch_why  # that one row was just refused as it is
        else:
            try:
                sheets.append_rows(spreadsheet_id, tab, [row], below_row=last)
                out.written.append(item)
                last += 1
                continue
            except LeaseHeldError:  # another bridge writes now: no write, and no "refused" story
                raise
            except FatalError as exc:
                why = str(exc)
        try:
            sheets.append_rows(spreadsheet_id, tab, [reduced(item, why)], below_row=last)
        except LeaseHeldError:  # another bridge writes now: no write, and no "refused" story
            raise
        except FatalError as exc:
            if n == 0 and not out.written:  # the tab refuses (protection, cell limit), not one row
                raise batch_error from exc
            out.pending.append(item)
            out.problems.append(f"{item}: not written to '{tab}' (Google refused it: {why}); tried again next cycle")
            log.error("%s: Google refused the row and its reduced form for '%s': %s", item, tab, exc)
            continue
        out.reduced.append(item)
        last += 1
        out.problems.append(f"{item}: Google refused the row for '{tab}' ({why}); written without the refused text")
        log.error("%s: Google refused the row for '%s' (%s); written in reduced form with the reason", item, tab, why)
    return out


def update_isolating(
    sheets: SheetsGateway, spreadsheet_id: str, groups: dict[str, list[tuple[str, list[list[Any]]]]], *, retry: bool = True
) -> list[str]:
    """Write each item's cells in one batch; after a refusal, item by item. Returns the items refused."""
    data = [cell for cells in groups.values() for cell in cells]
    try:
        sheets.update_ranges(spreadsheet_id, data, retry=retry)
        return []
    except LeaseHeldError:  # another bridge writes now: no write, and no "refused" story
        raise
    except FatalError as exc:
        if len(groups) <= 1:
            log.error("Google refused the write-back of %s: %s", ", ".join(groups), exc)
            return list(groups)
        log.warning("Google refused the write-back of %d rows at once (%s); writing them one by one", len(groups), exc)
    refused = []
    for item, cells in groups.items():
        try:
            sheets.update_ranges(spreadsheet_id, cells, retry=retry)
        except LeaseHeldError:  # another bridge writes now: no write, and no "refused" story
            raise
        except FatalError as exc:
            refused.append(item)
            log.error("%s: Google refused its write-back (%s); the ledger keeps the result", item, exc)
    return refused


#: Catatan Sistem of a row whose handling failed in a way the bridge did not foresee (issue 18).
ROW_FAILED_NOTE = (
    "Baris ini tidak dapat diproses karena kesalahan sistem ({cause}); baris lain tetap diproses. "
    "Staf TI dapat melihat rinciannya di log; periksa isi baris ini."
)
_reported: set[tuple[str, str, str]] = set()


def row_failed(step: str, row: str, exc: BaseException) -> tuple[str, str]:
    """One row's unforeseen failure in ``step``: logged once per process with the row, the cause and
    its traceback (a row that fails the same way every cycle does not fill the log), the cycle goes on.

    Returns:
        The cause in one line (for the cycle's problems) and the Catatan Sistem note for officers.
    """
    cause = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    key = (step, row, cause)
    if key in _reported:
        log.debug("%s: %s failed again (%s)", row, step, cause)
    else:
        if len(_reported) >= 10_000:  # a service running for months: forget, rather than grow without end
            _reported.clear()
        _reported.add(key)
        log.error("%s: %s failed for this row only, the others go on: %s", row, step, cause, exc_info=exc)
    return cause, ROW_FAILED_NOTE.format(cause=cause)


__all__ = ["AppendOutcome", "ROW_FAILED_NOTE", "append_isolating", "row_failed", "update_isolating"]
