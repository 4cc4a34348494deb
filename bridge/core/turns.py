"""Taking turns: which of many waiting items a capped check looks at this time.

A check that may look at only ``limit`` items (each costs a request) must not look at the same
first ``limit`` every time: the others would never be looked at while those stay. Items are taken
in the order of their keys (an item's ID), starting after the key looked at last and wrapping
around, so each of ``n`` waiting items is looked at within ``ceil(n / limit)`` checks, whichever
items come or go meanwhile. Pure: the caller keeps the last key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def in_turn(items: Iterable[T], key: Callable[[T], str], after: str, limit: int) -> list[T]:
    """Up to ``limit`` of ``items`` by their keys, the first being the one after ``after`` ('' or a
    key that is gone: the one after where it would be)."""
    ordered = sorted(items, key=key)
    later = [item for item in ordered if key(item) > after]
    again = [item for item in ordered if key(item) <= after]
    return (later + again)[:max(limit, 0)]
