"""A Review row copied and pasted: which row's decision counts, and what both rows are told (pure).

Officers copy rows (to keep a version, or by a slip of copy-paste); the copy carries the same ID
and Sidik Jari, so both rows are the same submission. Two rows may then ask different things
(DISETUJUI on one, DITOLAK on the other). One rule decides, and the notes on both rows state it:

**The upper row counts** (the one with the smallest row number). Its Status is the decision, and
every write-back of the bridge (TERBIT, the link, the time, notes) goes to that row only; a copy
is never written to, so an officer's DITOLAK on a copy is never overwritten.

Why this rule and not "the row whose status an officer changed last": the sheet keeps no
per-cell edit time the bridge can read cheaply, and a rule built on the ledger's memory would
change its answer when the ledger is lost, while the sheet is the truth. "The upper row" is
visible to every officer, needs no history, and is what the bridge already did before issue 17
(it read copies' decisions from the first row). Sorting the tab can change which row is upper; the
notes follow (they name the rows as they are now), and nothing is published twice whatever row
counts: publishing is idempotent per submission ID, and DITOLAK never takes a published post down.
"""

from __future__ import annotations

from collections.abc import Sequence

#: The start of the line on the counting row (so the line can be found, refreshed and taken away).
HAS_COPY_PREFIX = "Ada salinan baris ini"
NOTE_HAS_COPY = (
    HAS_COPY_PREFIX + " (ID dan Sidik Jari sama) di baris {copies}. Aturan sistem: hanya baris paling atas yang "
    "berlaku, yaitu baris ini; keputusan dibaca dari sini dan hasilnya ditulis di sini. Petugas: hapus baris salinan."
)
NOTE_IS_COPY = (
    "Baris ini salinan baris {first} (kiriman {id}, ID dan Sidik Jari sama). Aturan sistem: hanya baris paling "
    "atas yang berlaku, jadi Status di baris ini tidak dipakai dan sistem hanya menulis catatan ini di sini. "
    "Petugas: hapus baris salinan ini (bila keputusan di baris ini yang benar, pilih dulu Status itu di baris {first})."
)


def counting_row(row_numbers: Sequence[int]) -> int:
    """The row whose decision counts among the rows of one submission: the upper one."""
    return min(row_numbers)


def copy_note(sub_id: str, first: int) -> str:
    """The whole note of a copy row (it is never processed)."""
    return NOTE_IS_COPY.format(id=sub_id, first=first)


def with_copy_line(note: str, copies: Sequence[int]) -> str:
    """The counting row's note: its own lines, with the line about its copies first (none: taken away)."""
    lines = [line for line in (note.split("\n") if note else []) if not line.startswith(HAS_COPY_PREFIX)]
    if copies:
        lines.insert(0, NOTE_HAS_COPY.format(copies=", ".join(str(n) for n in sorted(copies))))
    return "\n".join(lines)


def write_row(located: Sequence[int], decided: int | None) -> int | None:
    """The row to write a submission's results to, given where its ID is now (``located``, every row,
    ascending) and the row its decision was read from this cycle (``decided``, when it had copies).

    When this cycle saw no copy: the one row (it may have moved), or of several (a copy pasted since
    the read) the upper one, as the rule says. When it saw copies: the decided row, if it is still the
    upper row holding the ID. Anything else (rows moved, a copy deleted, the upper row's ID cleared)
    cannot be told from the copies: nothing is written (the ledger keeps the result and the next
    cycle writes it), so a copy is never written to.
    """
    if not located:
        return None
    if decided is None:
        return counting_row(located)
    return decided if decided == counting_row(located) else None


__all__ = ["HAS_COPY_PREFIX", "copy_note", "counting_row", "with_copy_line", "write_row"]
