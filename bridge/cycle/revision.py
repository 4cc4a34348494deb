"""Revise and resubmit (issue 20): a resubmission replaces its ``PERLU REVISI`` item, exactly once.

The matching is pure (:mod:`bridge.core.revision`); this module records and writes it. Order of
durability, as intake's (checkpoint after write):

1. inside intake's transaction, the response's fingerprint is recorded as taken (``skipped``: never
   queued as a new item) together with the replacement waiting to be written (the ledger's
   ``state.revisions_pending``), so both or neither survive a stop;
2. the Review row is read again by its ID and, in one RAW write, gets the new Judul/Isi/Foto/Operator/
   Email, Status back to ``MENUNGGU`` (``TIDAK VALID`` if the new text fails validation), a note of what
   changed, and ``Sidik Jari`` with the resubmission's fingerprint after the row's own;
3. the ledger forgets the pending replacement.

A stop between 2 and 3 is seen at the next cycle: the row's ``Sidik Jari`` already carries the
fingerprint, so nothing is written twice. A lost ledger is rebuilt from ``Sidik Jari``: both the original
response and the resubmission are known, so neither is queued again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from bridge.adapters.ledger import Ledger
from bridge.adapters.sheets import a1_tab, column_letter
from bridge.core import revision
from bridge.core.model import FormResponse, Reason, ReviewColumn, ReviewRow, Submission
from bridge.core.notices import Event, format_marks, parse_marks
from bridge.core.review_machine import REVISABLE, REVISION_APPLIES, after_revision
from bridge.cycle.context import CycleContext

log = logging.getLogger("bridge.revision")

#: The Review cells a resubmission replaces, by the keys of :data:`bridge.core.revision.CHANGED_WORDS`.
REPLACED = {"title": ReviewColumn.TITLE, "body": ReviewColumn.BODY, "photos": ReviewColumn.PHOTOS,
            "operator": ReviewColumn.OPERATOR, "email": ReviewColumn.EMAIL}


def _pending(ledger: Ledger) -> dict[str, dict[str, object]]:
    return ledger.state.revisions_pending


def _open(row: ReviewRow) -> revision.Open:
    g = row.get
    return revision.Open(row.id, g(ReviewColumn.KIM), g(ReviewColumn.DESA), g(ReviewColumn.TITLE), g(ReviewColumn.BODY))


@dataclass
class Revisions:
    """The open ``PERLU REVISI`` items of this cycle's Review, as intake matches new responses to them."""

    deps: CycleContext
    items: dict[str, revision.Open]

    @classmethod
    def of(cls, deps: CycleContext, rows: Iterable[ReviewRow]) -> Revisions:
        waiting = _pending(deps.ledger)  # replaced already, not written yet: not open again
        return cls(deps, {r.id: _open(r) for r in rows if r.status in REVISABLE and r.id not in waiting})

    def match(self, sub: Submission) -> revision.Match:
        if not self.items:
            return revision.NO_MATCH
        return revision.match(revision.Incoming(sub.kim, sub.desa, sub.title, sub.body), self.items.values())

    def take(self, response: FormResponse, fp: str, sub: Submission, item_id: str, note: str, when: str) -> None:
        """Record that ``response`` replaces ``item_id`` (inside intake's transaction)."""
        ledger = self.deps.ledger
        ledger.submissions.add_skipped(fp, response.row_number, f"resubmission of {item_id}")
        pending = _pending(self.deps.ledger)
        pending[item_id] = {
            "fp": fp, "title": sub.title, "body": sub.body, "photos": ", ".join(sub.photos), "operator": sub.operator,
            "email": sub.email, "status": after_revision(sub.valid).value, "note": note, "when": when,
            "content_key": sub.content_key, "reasons": " | ".join(r.en for r in sub.reasons),
        }
        ledger.state.revisions_pending = pending
        del self.items[item_id]  # one resubmission per request for revision
        log.info("row %d replaces %s (resubmission of an item sent back for revision)", response.row_number, item_id)


def without_self_duplicate(sub: Submission, item_id: str) -> Submission:
    """A resubmission identical to the item it replaces is not a duplicate of it."""
    import dataclasses

    kept = tuple(r for r in sub.reasons if not (r.code == "duplicate" and item_id in r.en))
    return dataclasses.replace(sub, reasons=kept)


def ambiguous(sub: Submission, ids: tuple[str, ...]) -> Submission:
    """Queued as new, with a note naming the items it may revise."""
    import dataclasses

    reason = Reason("revision_unclear", revision.ambiguous_note(ids), f"may revise {' or '.join(ids)}: unclear which")
    return dataclasses.replace(sub, reasons=sub.reasons + (reason,))


def apply_revisions(deps: CycleContext, rows: list[ReviewRow], problems: list[str]) -> list[str]:
    """Write the replacements intake recorded (this cycle's, and any a stop left): returns the IDs revised.

    ``rows``: this cycle's Review rows; a revised one is changed in place, so the rest of the cycle
    (publishing, messages, the ledger's copy of the row) sees it as written."""
    from bridge.cycle.locate import locate_ids
    from bridge.cycle.snapshot import read_review_rows

    pending = _pending(deps.ledger)
    if not pending or deps.dry_run:
        return []
    s = deps.settings
    review = locate_ids(deps, [s.review_tab])[s.review_tab]
    numbers = {i: review.rows[i] for i in pending if i in review.rows}
    fresh = read_review_rows(deps, review.index, sorted(numbers.values()), tab=s.review_tab) if numbers else {}
    data: list[tuple[str, list[list[str]]]] = []
    written: dict[str, dict[ReviewColumn, str]] = {}
    recorded: dict[str, dict[ReviewColumn, str]] = {}  # on the sheet already: the ledger catches up
    done: list[str] = []
    for sub_id, p in pending.items():
        fp = str(p.get("fp", ""))
        row = fresh.get(numbers.get(sub_id, 0))
        if row is None or row.id != sub_id:
            done.append(sub_id)
            line = f"{sub_id}: its Review row is gone; the resubmission (row fingerprint {fp}) was not written"
            problems.append(line)
            log.warning(line)
            continue
        held = revision.fingerprints(row.get(ReviewColumn.FINGERPRINT))
        if fp in held:  # written before a stop: only the ledger's record was left
            recorded[sub_id] = {ReviewColumn.OPERATOR: str(p.get("operator", "")), ReviewColumn.EMAIL: str(p.get("email", "")),
                                ReviewColumn.TITLE: str(p.get("title", "")), ReviewColumn.STATUS: str(p.get("status", ""))}
            continue
        if row.status not in REVISION_APPLIES:
            done.append(sub_id)
            line = f"{sub_id}: status {row.get(ReviewColumn.STATUS)} since the resubmission was matched; not replaced"
            problems.append(line)
            log.warning(line)
            continue
        before = {k: row.get(c) for k, c in REPLACED.items()}
        after = {k: str(p.get(k, "")) for k in REPLACED}
        note = revision.revised_note(revision.changed(before, after), str(p.get("when", "")))
        marks = parse_marks(row.get(ReviewColumn.NOTICES))
        marks.pop(Event.PERLU_REVISI, None)  # a later request for revision is told again
        cells = {c: after[k] for k, c in REPLACED.items()}
        cells[ReviewColumn.STATUS] = str(p.get("status", ""))
        cells[ReviewColumn.SYSTEM_NOTE] = f"{note}\n{p.get('note', '')}".strip()
        cells[ReviewColumn.FINGERPRINT] = revision.fingerprint_cell(held[0] if held else "", [*held[1:], fp])
        cells[ReviewColumn.NOTICES] = format_marks(marks)
        if ReviewColumn.LEADER in review.index and row.get(ReviewColumn.LEADER).strip():
            # A coordinator agreed to the old text: the new one needs their eyes again. The bridge only ever
            # clears this protected cell, so a SETUJU in it still proves a coordinator chose it (issue 20).
            cells[ReviewColumn.LEADER] = ""
            cells[ReviewColumn.SYSTEM_NOTE] += "\n" + revision.leader_cleared_note(row.get(ReviewColumn.LEADER).strip())
        for c, v in cells.items():
            if c in review.index:
                data.append((f"{a1_tab(s.review_tab)}!{column_letter(review.index[c])}{row.row_number}", [[v]]))
        written[sub_id] = cells
    if data:
        deps.sheets.update_ranges(s.review_spreadsheet_id, data, retry=False)  # row numbers just read
    ledger = deps.ledger
    with ledger.transaction():
        for sub_id, cells in {**recorded, **written}.items():
            p = pending[sub_id]
            ledger.submissions.revise(
                sub_id, operator=cells[ReviewColumn.OPERATOR], email=cells[ReviewColumn.EMAIL], title=cells[ReviewColumn.TITLE],
                content_key=str(p.get("content_key", "")), status=cells[ReviewColumn.STATUS], reasons=str(p.get("reasons", "")),
            )
        for sub_id in [*written, *recorded, *done]:
            ledger.state.set_notice(sub_id, Event.PERLU_REVISI.value, "")
            pending.pop(sub_id, None)
        ledger.state.revisions_pending = pending
        copies = ledger.submissions.last_rows_of(written)
        ledger.submissions.set_last_rows({i: {**copy, **{c.name: v for c, v in written[i].items()}} for i, copy in copies.items()})
    for r in rows:
        if r.id in written:
            r.values.update(written[r.id])
    for sub_id, cells in written.items():
        log.info("%s replaced by the operator's resubmission: %s", sub_id, cells[ReviewColumn.SYSTEM_NOTE].splitlines()[0])
    return list(written)


__all__ = ["Revisions", "ambiguous", "apply_revisions", "without_self_duplicate"]
