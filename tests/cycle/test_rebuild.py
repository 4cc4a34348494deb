"""A ledger rebuilt from Review, Arsip and the blog's markers, pinned on plain data (no sandbox)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bridge.adapters.ledger import Ledger
from bridge.core.identity import BlogPost
from bridge.core.model import ReviewColumn, ReviewRow
from bridge.core.render import Marker
from bridge.cycle.intake import rebuild_ledger
from tests.conftest import TEST_NOW, WITA


def _post(pid: str, *markers: Marker, status: str = "LIVE") -> BlogPost:
    return BlogPost(pid, f"https://blog.example/{pid}", status, "2026-11-20T02:00:00Z", "2026-11-20T02:00:00Z", "T",
                    ("Juai",), frozenset(markers))


def _row(n: int, sid: str, fp: str, status: str = "MENUNGGU", received: str = "20/11/2026 09:00:00") -> ReviewRow:
    return ReviewRow(n, {
        ReviewColumn.ID: sid, ReviewColumn.FINGERPRINT: fp, ReviewColumn.STATUS: status, ReviewColumn.RECEIVED: received,
        ReviewColumn.OPERATOR: "Siti", ReviewColumn.EMAIL: "s@x.id", ReviewColumn.TITLE: f"Judul {n}",
        ReviewColumn.BODY: f"Isi {n}",
    })


class CountedPosts(list):
    """The blog's posts, counting how often a rebuild walks through them."""

    walks = 0

    def __iter__(self) -> Iterator[BlogPost]:
        CountedPosts.walks += 1
        return super().__iter__()


def _deps(tmp_path: Path, name: str = "ledger.db") -> Any:
    return SimpleNamespace(ledger=Ledger(tmp_path / name), settings=SimpleNamespace(tz=WITA), now=lambda: TEST_NOW)


POSTS = [
    _post("p1", Marker("MM-2026-0001", "fpA")),
    _post("p2", Marker("MM-2026-0002", "fpB")),
    _post("p2dup", Marker("MM-2026-0002", "fpB")),  # a duplicate post: the first one counts
    _post("p4", Marker("MM-2026-0004", "fpD"), status="DRAFT"),
    _post("p5", Marker("MM-2026-0005")),  # from before fingerprints
    _post("p9", Marker("MM-2026-0009", "fpI")),  # its response is in neither tab
    _post("p10", Marker("MM-2026-0010", "fpJ")),  # the same ID as another response's row
    _post("x"),  # no marker at all: no response of a rebuild
]

REVIEW = [
    _row(2, "MM-2026-0001", "fpA", "DISETUJUI"),
    _row(3, "", "fpB", "DISETUJUI"),  # the ID cleared: its post's marker gives it back
    _row(4, "MM-2026-0004", "", "DITARIK"),  # the fingerprint cleared: the marker gives it back
    _row(5, "MM-2026-0005", "fpE", "DISETUJUI"),  # an old marker: matched by ID
    _row(6, "MM-2026-0001", "fpA", "DISETUJUI"),  # a copied row: not a second submission
    _row(7, "MM-2026-0006", "fpF", "DISETUJUI"),  # approved, but no post carries its marker
    _row(8, "", "", "MENUNGGU"),  # nothing identifies it
    _row(9, "MM-2026-0010", "fpK", "MENUNGGU"),  # its ID is another response's (below): a new ID
    _row(10, "", "fpL", "MENUNGGU"),  # the ID cleared, no post: a new ID
]
ARSIP = [_row(11, "MM-2026-0010", "fpJ", "DISETUJUI"), _row(12, "MM-2026-0003", "fpC", "DITOLAK")]


def test_rebuild_learns_the_same_submissions_and_posts(tmp_path: Path) -> None:
    """After a lost ledger, each row is known as the submission it was, with its post: nothing is published twice."""
    deps = _deps(tmp_path)
    plan: list[str] = []
    count = rebuild_ledger(deps, REVIEW, ARSIP, POSTS, plan)
    subs = [(r["id"], r["fingerprint"], r["status"], r["origin"]) for r in deps.ledger.db.execute("SELECT * FROM submissions ORDER BY id")]
    journal = [(e.submission_id, e.state, e.post_id, e.post_status, e.error) for e in deps.ledger.journal.entries()]
    posts = {fp: (p.submission_id, p.post_id) for fp, p in deps.ledger.blog_posts.all().items()}
    deps.ledger.close()
    assert count == 9
    assert subs == [
        ("MM-2026-0001", "fpA", "DISETUJUI", "rebuilt"),
        ("MM-2026-0002", "fpB", "DISETUJUI", "rebuilt"),
        ("MM-2026-0003", "fpC", "ARSIP", "rebuilt"),
        ("MM-2026-0004", "fpD", "DITARIK", "rebuilt"),
        ("MM-2026-0005", "fpE", "DISETUJUI", "rebuilt"),
        ("MM-2026-0006", "fpF", "DISETUJUI", "rebuilt"),
        ("MM-2026-0010", "fpK", "MENUNGGU", "rebuilt"),
        ("MM-2026-0011", "fpL", "MENUNGGU", "renumbered"),
        ("MM-2026-0012", "fpJ", "ARSIP", "renumbered"),
    ]
    assert journal == [
        ("MM-2026-0001", "done", "p1", "LIVE", ""),
        ("MM-2026-0002", "done", "p2", "LIVE", ""),
        ("MM-2026-0004", "done", "p4", "DRAFT", ""),
        ("MM-2026-0005", "done", "p5", "LIVE", ""),
        ("MM-2026-0006", "failed", "", "", "no post carries its marker"),
        ("MM-2026-0012", "done", "p10", "LIVE", ""),
    ]
    assert posts == {"fpI": ("MM-2026-0009", "p9")}
    assert plan == [
        "rebuild: row with fingerprint fpL gets ID MM-2026-0011 (its ID was cleared or used twice)",
        "rebuild: row with fingerprint fpJ gets ID MM-2026-0012 (its ID was cleared or used twice)",
        "rebuild: 9 submissions from Review/Arsip, 5 bridge posts on the blog, 1 to restore as TERBIT",
    ]


def test_rebuild_walks_the_posts_a_fixed_number_of_times(tmp_path: Path) -> None:
    """A rebuild at 10k rows and 5,000 posts takes seconds, not minutes: each row looks its post up, never scans the blog."""
    walks = []
    for n, rows in enumerate((10, 100)):
        posts = CountedPosts(_post(f"p{i}", Marker(f"MM-2026-{i:04d}", f"fp{i}")) for i in range(1, rows + 1))
        review = [_row(i + 1, f"MM-2026-{i:04d}" if i % 3 else "", f"fp{i}" if i % 5 else "", "DISETUJUI") for i in range(1, rows + 1)]
        deps = _deps(tmp_path, f"ledger{n}.db")
        CountedPosts.walks = 0
        rebuild_ledger(deps, review, (), posts)
        deps.ledger.close()
        walks.append(CountedPosts.walks)
    assert walks[0] == walks[1], f"walks through the posts grow with the rows: {walks}"
