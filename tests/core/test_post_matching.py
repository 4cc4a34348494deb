"""Which post is whose, pinned on plain data: IDs, fingerprints, duplicates, old markers, unmarked posts."""

from __future__ import annotations

from datetime import datetime

import pytest

from bridge.core.identity import BlogPost, match_post
from bridge.core.render import Marker
from tests.conftest import WITA


def _post(pid: str, *markers: Marker, title: str = "T", labels: tuple[str, ...] = ("Juai",), at: str = "") -> BlogPost:
    return BlogPost(pid, f"u{pid}", "LIVE", at, at, title, labels, frozenset(markers))


SINCE = datetime(2026, 11, 23, 10, 0, tzinfo=WITA)

#: One blog with every kind of post a rebuild meets.
POSTS = [
    _post("p1", Marker("MM-2026-0001", "fpA")),
    _post("p2", Marker("MM-2026-0002", "fpB")),
    _post("p3", Marker("MM-2026-0002", "fpB")),  # a duplicate of p2: the first post wins
    _post("p4", Marker("MM-2026-0003")),  # from before fingerprints
    _post("p5", Marker("MM-2026-0003", "fpC")),  # the same ID, now with a fingerprint
    _post("p6", Marker("MM-2026-0004", "fpD"), Marker("MM-2026-0005", "fpE")),  # two markers (an edited body)
    _post("p7", Marker("MM-2026-0006", "fpF")),
    _post("p8", Marker("MM-2026-0006", "fpG")),  # the same ID on two responses (a rebuild renumbered)
    _post("p9", Marker("MM-2026-0007")),
    _post("p10", Marker("MM-2026-0007")),  # two old markers with one ID: the first wins
    _post("u1", title="Judul", at="2026-11-23T10:03:00+08:00"),  # no marker at all
    _post("u2", title="Judul", at="2026-11-23T10:01:00+08:00"),  # the same, made earlier: the earliest wins
    _post("u3", title="Judul", at="2026-11-20T10:00:00+08:00"),  # too old for SINCE
    _post("u4", title="judul  ", labels=("juai", "Wisata"), at="2026-11-23T10:02:00+08:00"),
    _post("u5", title="Lain", at="not a time"),
    _post("u6", title="Lain"),  # no time at all: never matched by the fallback
]

CASES = [
    # (submission ID, fingerprint, keyword arguments, expected post ID or None)
    ("MM-2026-0001", "fpA", {}, "p1"),
    ("MM-2026-0099", "fpA", {}, "p1"),  # the fingerprint wins over the ID a rebuild gave
    ("MM-2026-0001", "fpZ", {}, None),  # the ID's marker carries another fingerprint: another's post
    ("MM-2026-0001", "", {}, "p1"),  # no fingerprint known: the ID alone
    ("MM-2026-0002", "fpB", {}, "p2"),
    ("MM-2026-0002", "", {}, "p2"),
    ("MM-2026-0003", "fpC", {}, "p5"),  # the fingerprint first, though the old marker comes earlier
    ("MM-2026-0003", "fpX", {}, "p4"),  # only the old marker (no fingerprint) can be this response's
    ("MM-2026-0003", "", {}, "p4"),  # no fingerprint known: the first post with the ID
    ("MM-2026-0004", "fpD", {}, "p6"),
    ("MM-2026-0005", "fpE", {}, "p6"),
    ("MM-2026-0005", "", {}, "p6"),
    ("MM-2026-0006", "fpG", {}, "p8"),
    ("MM-2026-0006", "fpF", {}, "p7"),
    ("MM-2026-0006", "", {}, "p7"),
    ("MM-2026-0006", "fpH", {}, None),  # both markers with this ID carry other fingerprints
    ("MM-2026-0007", "fpQ", {}, "p9"),
    ("MM-2026-0007", "", {}, "p9"),
    ("MM-2026-0008", "", {}, None),
    ("", "", {}, None),
    ("", "fpE", {}, "p6"),
    # Markers dropped by Blogger: title, labels and time, among unmarked posts only.
    ("MM-2026-0010", "fp10", {"title": "Judul", "labels": ["Juai"], "since": SINCE}, "u2"),
    ("MM-2026-0010", "fp10", {"title": " JUDUL ", "labels": ["juai"], "since": SINCE}, "u2"),
    ("MM-2026-0010", "fp10", {"title": "Judul", "labels": ["Juai"], "since": SINCE, "claimed": frozenset({"u2"})}, "u1"),
    ("MM-2026-0010", "fp10", {"title": "Judul", "labels": ["Juai"], "since": SINCE, "claimed": frozenset({"u1", "u2"})}, None),
    ("MM-2026-0010", "fp10", {"title": "Judul", "labels": ["Wisata", "JUAI"], "since": SINCE}, "u4"),
    ("MM-2026-0010", "fp10", {"title": "Judul", "labels": [], "since": SINCE}, None),
    ("MM-2026-0010", "fp10", {"title": "Judul", "labels": ["Juai"], "since": datetime(2026, 11, 19, tzinfo=WITA)}, "u3"),
    ("MM-2026-0010", "fp10", {"title": "Judul", "labels": ["Juai"]}, None),  # no time to compare: no fallback
    ("MM-2026-0010", "fp10", {"title": "Lain", "labels": ["Juai"], "since": SINCE}, None),
    ("MM-2026-0010", "fp10", {"title": "T", "labels": ["Juai"], "since": SINCE}, None),  # marked posts never
    ("MM-2026-0001", "fpA", {"title": "Judul", "labels": ["Juai"], "since": SINCE}, "p1"),  # a marker first
    ("MM-2026-0001", "fpZ", {"title": "Judul", "labels": ["Juai"], "since": SINCE}, "u2"),
]


@pytest.mark.parametrize(("sub_id", "fp", "kwargs", "expected"), CASES)
def test_match_post_cases(sub_id: str, fp: str, kwargs: dict, expected: str | None) -> None:
    """A rebuilt or restored ledger links each response to the same post as before: never another's, never a copy."""
    post = match_post(POSTS, sub_id, fp, **kwargs)
    assert (post.id if post else None) == expected


def test_posts_in_another_order_follow_their_order() -> None:
    """Of two posts that fit equally (duplicates), the one the blog lists first is taken, as always."""
    reordered = list(reversed(POSTS))
    assert match_post(reordered, "MM-2026-0002", "fpB").id == "p3"
    assert match_post(reordered, "MM-2026-0007", "").id == "p10"
    assert match_post(reordered, "MM-2026-0003", "").id == "p5"
    assert match_post(reordered, "MM-2026-0006", "").id == "p8"
