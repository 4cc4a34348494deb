"""Copies of Review rows as the ledger keeps them (``submissions.last_row``, JSON), decoded in bulk.

A reading cycle at 10k Review rows decodes thousands of copies: how they are decoded, and which
texts are shared across them, is most of its CPU and memory (issues 13 and 22).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable

#: Texts up to this long are shared across the rows of one listing (longer ones are unique).
_SHARED_TEXT = 100
DECODE_PAGE = 500  # row copies (or briefs) decoded by one json.loads
#: Columns whose texts repeat across rows (or, for ID, with the submission's own ID): one string
#: object each after decoding (issue 13's memory).
_REPEATED = ("ID", "STATUS", "KECAMATAN", "DESA", "KIM", "OPERATOR", "EMAIL", "SYSTEM_NOTE", "FINGERPRINT")


def shared_texts() -> Callable[[str], str]:
    """One memo of short texts for a whole listing: equal short texts come back as one object."""
    memo: dict[str, str] = {}
    keep = memo.setdefault

    def shared(text: str) -> str:
        return keep(text, text) if len(text) <= _SHARED_TEXT else text

    return shared


def row_copies(rows: Iterable[tuple[str, str]], shared: Callable[[str], str] | None = None) -> dict[str, dict[str, str]]:
    """(id, last_row JSON) pairs as ID → row, repeated texts shared; empty or unreadable copies left out.

    Decoded ``DECODE_PAGE`` copies per ``json.loads`` (its C scanner shares the column names
    across them), then only the columns that repeat are shared: a decode per row with a Python hook
    sharing every short text cost a reading cycle at 10k Review rows more CPU than a naive poller
    spends on its whole cycle (issue 22). An unreadable copy sends its page back to one decode per
    row, which leaves it out alone.
    """
    if shared is None:
        shared = shared_texts()
    out: dict[str, dict[str, str]] = {}
    rows = iter(rows)
    while True:  # a page at a time: the joined text of every copy would be a transient as big as them all
        page = list(itertools.islice(rows, DECODE_PAGE))
        if not page:
            break
        pairs = [(sub_id, text) for sub_id, text in page if text]
        try:
            decoded = json.loads("[" + ",".join(text for _, text in pairs) + "]")
        except ValueError:
            decoded = None
        if decoded is None or len(decoded) != len(pairs):
            decoded = []
            for _, text in pairs:
                try:
                    decoded.append(json.loads(text))
                except ValueError:
                    decoded.append(None)
        for (sub_id, _), row in zip(pairs, decoded, strict=True):  # one decoded value per copy, by construction
            if row.__class__ is not dict or not row:
                continue
            for name in _REPEATED:
                cell = row.get(name)
                if cell.__class__ is str:
                    row[name] = shared(cell)
            out[sub_id] = row
    return out


def encode(row: dict[str, str]) -> str:
    """A row copy as stored."""
    return json.dumps(row, ensure_ascii=False, sort_keys=True)


__all__ = ["DECODE_PAGE", "encode", "row_copies", "shared_texts"]
