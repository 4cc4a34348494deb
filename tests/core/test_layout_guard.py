"""The rule that tells a changed Review layout from officers deleting rows."""

from __future__ import annotations

import pytest

from bridge.core.layout_guard import explain_mass_vanish, looks_like_layout_change


@pytest.mark.parametrize(("vanished", "expected", "layout"), [
    (0, 0, False), (0, 100, False),
    (3, 5, False),      # a small tab's clean-up: most rows, but few
    (10, 10, False),    # exactly 10 is still a clean-up
    (11, 11, True),     # every row of a tab with 11
    (11, 55, False),    # 20 % exactly is still a clean-up
    (12, 55, True),
    (15, 400, False),   # a big tab's daily clean-up
    (200, 400, True),
])
def test_more_than_ten_and_more_than_a_fifth(vanished: int, expected: int, layout: bool) -> None:
    """Officers' deletions would be ignored, or a layout change retire every waiting submission."""
    assert looks_like_layout_change(vanished, expected) is layout


def test_the_explanation_says_what_to_do() -> None:
    """An IT officer reading the log would not know the rows were kept, or how to go on."""
    text = explain_mass_vanish(12, 12, "Review")
    assert text.startswith("12 of 12 rows with IDs vanished from the Review tab 'Review'")
    assert "none of them is recorded as deleted" in text and "Undo" in text
