"""Revise and resubmit (issue 20): which open ``PERLU REVISI`` item a new response replaces, and what changed.

Pure: the cycle (``bridge.cycle.revision``) gathers the open items and writes the result.

A new response revises an open item when it comes from the same KIM and desa and

1. names the item's ID in its title or body (``MM-2026-0007``), or else
2. has the same title (case and spacing ignored), or a body nearly the same (:data:`NEAR`), as the
   item as it stands: the operator filled the form again for the same news.

With two open items of the same KIM, a named ID decides; else the one whose title is closest. When two
are equally close (or the response names two), nothing is replaced: the response is queued as a new
item with a note saying which items it may revise.

The Review row's ``Sidik Jari`` carries the replaced row's own fingerprint first, then the
fingerprint of each resubmission it took in (:func:`fingerprint_cell`): a ledger lost after the
replacement still knows the resubmission (and the original response) as queued.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bridge.core.model import kim_key

#: A body at least this similar (difflib ratio, on the words) to the item's is the same news revised.
NEAR = 0.8
ID_MENTION = re.compile(r"\bMM-\d{4}-\d+\b", re.IGNORECASE)


@dataclass(frozen=True)
class Open:
    """An open ``PERLU REVISI`` item as its Review row shows it."""

    id: str
    kim: str
    desa: str
    title: str
    body: str


@dataclass(frozen=True)
class Incoming:
    """What a new response says (after validation has found its KIM)."""

    kim: str
    desa: str
    title: str
    body: str


@dataclass(frozen=True)
class Match:
    """``id``: the item the response replaces ('' for none); ``ambiguous``: the items it may revise, when it
    cannot be told which (queued as new, with a note)."""

    id: str = ""
    how: str = ""  # "id", "title" or "body" (for the log)
    ambiguous: tuple[str, ...] = ()


NO_MATCH = Match()


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _norm(a).split(), _norm(b).split(), autojunk=False).ratio()


def mentioned_ids(*texts: str) -> set[str]:
    """Submission IDs written in the texts (upper-cased)."""
    return {m.group(0).upper() for t in texts for m in ID_MENTION.finditer(str(t))}


def match(new: Incoming, items: Iterable[Open]) -> Match:
    """The open item ``new`` revises, by the rules in the module's docstring."""
    same_kim = [o for o in items if kim_key(o.kim) == kim_key(new.kim) and _norm(o.desa) == _norm(new.desa) and kim_key(new.kim)]
    if not same_kim:
        return NO_MATCH
    named = mentioned_ids(new.title, new.body)
    by_id = [o for o in same_kim if o.id.upper() in named]
    if len(by_id) == 1:
        return Match(by_id[0].id, "id")
    if len(by_id) > 1:
        return Match(ambiguous=tuple(sorted(o.id for o in by_id)))
    fits: list[tuple[float, Open, str]] = []
    for o in same_kim:
        if _norm(o.title) and _norm(o.title) == _norm(new.title):
            fits.append((1.0, o, "title"))
        elif _ratio(o.body, new.body) >= NEAR:
            fits.append((_ratio(o.title, new.title), o, "body"))
    if not fits:
        return NO_MATCH
    fits.sort(key=lambda f: f[0], reverse=True)
    if len(fits) > 1 and fits[0][0] == fits[1][0]:
        return Match(ambiguous=tuple(sorted(f[1].id for f in fits if f[0] == fits[0][0])))
    return Match(fits[0][1].id, fits[0][2])


#: The Review columns a resubmission replaces, with the words the note uses for them.
CHANGED_WORDS = {"title": "Judul", "body": "Isi", "photos": "Foto", "operator": "Operator", "email": "Email"}


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The Indonesian names of what a resubmission changed (keys of :data:`CHANGED_WORDS`), in that order."""
    return [word for key, word in CHANGED_WORDS.items() if _norm(before.get(key, "")) != _norm(after.get(key, ""))]


def revised_note(words: Sequence[str], when: str) -> str:
    """The Catatan Sistem line of a replaced item."""
    what = ", ".join(words) if words else "tidak ada yang berubah"
    return f"Diperbarui oleh operator ({when} WITA): {what}."


def ambiguous_note(ids: Sequence[str]) -> str:
    """Catatan Sistem of a response queued as new because it may revise more than one item."""
    return (f"Kiriman ini mungkin revisi dari {' atau '.join(ids)} (PERLU REVISI), tetapi tidak jelas yang mana, jadi masuk "
            "sebagai kiriman baru. Bandingkan, lalu tolak salah satunya.")


def fingerprints(cell: str) -> list[str]:
    """The fingerprints a ``Sidik Jari`` cell carries: the row's own first, then its resubmissions'.

    A cell of one fingerprint gives the cell's own text, not a copy: intake's set of Review's
    fingerprints then costs no text of its own (3.4 MiB at 50k rows, issue 22)."""
    text = str(cell)
    found = text.split()
    return [text] if len(found) == 1 and found[0] == text else found


def own_fingerprint(cell: str) -> str:
    """The row's own fingerprint in a ``Sidik Jari`` cell ('' for an empty cell)."""
    found = fingerprints(cell)
    return found[0] if found else ""


def fingerprint_cell(own: str, taken_in: Iterable[str]) -> str:
    """A ``Sidik Jari`` cell: the row's own fingerprint, then each resubmission's (no repeats)."""
    out = [own]
    for fp in taken_in:
        if fp and fp not in out:
            out.append(fp)
    return " ".join(out)


__all__ = ["CHANGED_WORDS", "Incoming", "Match", "NEAR", "NO_MATCH", "Open", "ambiguous_note", "changed", "leader_cleared_note", "fingerprint_cell",
           "fingerprints", "match", "own_fingerprint", "mentioned_ids", "revised_note"]


def leader_cleared_note(was: str) -> str:
    """The note when a resubmission empties a coordinator's earlier choice (it was about the old text)."""
    return (f"Persetujuan Pimpinan ({was}) dikosongkan karena isinya diperbarui operator; "
            "koordinator perlu memeriksa dan memilih lagi sebelum berita ini terbit.")
