"""Blogger titles and labels are plain text: no markup, no control characters, labels within 200.

Themes and feeds escape titles and labels differently (some not at all), so operator markup
such as ``<script>`` in a label must not reach Blogger as markup. A control character is
replaced by a space, never just removed, so ``Gotong\\x0bRoyong`` stays two words.
Blogger refuses a post whose labels total more than 200 characters, the ", " between them
included: ``400 ... value for field labels was not valid`` (issue 12, measured on a blog).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

from bridge.core import sanitize

LABELS_TOTAL_MAX = 200
LABEL_SEPARATOR = ", "
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*>")


def plain_line(text: object, max_len: int) -> str:
    """One line of plain text: entities decoded, tags removed, controls as spaces, capped."""
    raw = html.unescape(str(text or ""))
    for _ in range(3):  # "<scr<b></b>ipt>" must not become "<script>" after one pass
        stripped = _TAG.sub(" ", raw)
        if stripped == raw:
            break
        raw = stripped
    raw = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in raw)
    return sanitize.clean_line(raw.replace("<", "‹").replace(">", "›"), max_len).text


def labels_length(labels: Sequence[str]) -> int:
    """What Blogger counts: every label and the ", " between them."""
    return sum(len(x) for x in labels) + len(LABEL_SEPARATOR) * max(len(labels) - 1, 0)


def fit_labels(labels: Sequence[str], limit: int = LABELS_TOTAL_MAX) -> tuple[list[str], list[str]]:
    """``(kept, dropped)``: the labels in order of importance (most important first), dropping
    from the least important end until the total fits."""
    kept = list(labels)
    dropped: list[str] = []
    while kept and labels_length(kept) > limit:
        dropped.insert(0, kept.pop())
    return kept, dropped


def dropped_labels_note(dropped: Sequence[str]) -> str:
    """The officers' note (Indonesian) for labels left out."""
    names = ", ".join(f"'{x}'" for x in dropped)
    return (f"Label {names} tidak dipasang: total label Blogger paling banyak {LABELS_TOTAL_MAX} karakter "
            "(termasuk koma dan spasi). Tambahkan sendiri di Blogger bila perlu.")


__all__ = ["plain_line", "fit_labels", "labels_length", "dropped_labels_note", "LABELS_TOTAL_MAX"]
