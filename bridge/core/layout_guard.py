"""When rows vanishing from Review mean "the tab's layout changed", not "officers deleted them".

A Review row whose ID disappears is normally an officer's deletion, recorded in Arsip for good
(:func:`bridge.cycle.archive.record_deleted`): the submission is never published or queued again.
Officers delete a handful of rows at a time. Many IDs vanishing in one cycle is what a changed layout
looks like instead: a tab swapped for another, rows moved under other columns, a whole block cut to
be pasted back, headers written beside a title row. Reading that as deletions would retire every
waiting submission at once, so the cycle records nothing and says why; once the rows are back it goes
on as before, and if the officers really did delete them all, they can delete fewer at a time.
"""

from __future__ import annotations

#: More rows than this must vanish at once ...
MASS_VANISH_MIN_ROWS = 10
#: ... and more than this share of the rows with IDs the bridge expected in Review.
MASS_VANISH_SHARE = 0.20


def looks_like_layout_change(vanished: int, expected: int) -> bool:
    """True when ``vanished`` of the ``expected`` Review rows with IDs are gone in one cycle, and that
    many is not a clean-up but a layout change: more than 10 rows AND more than 20 % of them.

    Both limits together: 10 keeps a small tab's clean-up (an officer removing 3 of 5 test rows)
    an ordinary deletion, 20 % keeps a big tab's daily clean-up of 15 finished rows out of 400 one.
    """
    if vanished <= 0 or expected <= 0:
        return False
    return vanished > MASS_VANISH_MIN_ROWS and vanished > MASS_VANISH_SHARE * expected


def explain_mass_vanish(vanished: int, expected: int, tab: str) -> str:
    """The plain explanation for the log and the cycle report (English)."""
    return (
        f"{vanished} of {expected} rows with IDs vanished from the Review tab '{tab}' in one cycle: that looks like "
        "a changed layout (a tab swapped, rows moved, headers moved), not officers' deletions, so none of them is "
        "recorded as deleted. Put the rows back (Undo in Google Sheets, or restore the tab from File > Version "
        "history) and the next cycle goes on as usual; if they really were deleted, delete at most "
        f"{MASS_VANISH_MIN_ROWS} rows per cycle."
    )
