"""Capped checks take turns over every waiting item (bridge.core.turns)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.core.turns import in_turn


def test_the_next_check_starts_after_the_item_looked_at_last() -> None:
    """With more drafts than one check looks up, the ones after the first twenty would never be looked at."""
    ids = [f"MM-2026-{n:04d}" for n in range(1, 6)]

    assert in_turn(ids, str, "", 2) == ["MM-2026-0001", "MM-2026-0002"]
    assert in_turn(ids, str, "MM-2026-0002", 2) == ["MM-2026-0003", "MM-2026-0004"]
    assert in_turn(ids, str, "MM-2026-0004", 2) == ["MM-2026-0005", "MM-2026-0001"]
    assert in_turn(ids, str, "MM-2026-0003", 10) == ["MM-2026-0004", "MM-2026-0005", "MM-2026-0001", "MM-2026-0002", "MM-2026-0003"]


def test_a_last_item_that_is_gone_still_moves_the_turn_on() -> None:
    """A draft published in Blogger after it was looked at would send the next check back to the first drafts."""
    assert in_turn(["MM-2026-0001", "MM-2026-0004", "MM-2026-0005"], str, "MM-2026-0003", 2) == ["MM-2026-0004", "MM-2026-0005"]


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.sets(st.integers(0, 60), min_size=1, max_size=40), st.integers(1, 8), st.integers(0, 60))
def test_every_waiting_item_is_looked_at_within_its_share_of_checks(waiting: set[int], limit: int, start: int) -> None:
    """Some drafts would wait for ever while others are looked at again and again."""
    ids = [f"MM-2026-{n:04d}" for n in sorted(waiting)]
    after, seen = f"MM-2026-{start:04d}", set()
    for _ in range(math.ceil(len(ids) / limit)):
        turn = in_turn(ids, str, after, limit)
        seen.update(turn)
        after = turn[-1]
    assert seen == set(ids)
