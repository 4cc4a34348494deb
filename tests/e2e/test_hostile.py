"""Hostile submissions through the whole pipeline: no submitter markup on the blog, no formula in the sheet."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from bridge.core.model import Status
from bridge.core.render import find_marker_ids

from .conftest import Bridge

HOSTILE_TITLES = [
    "<script>alert('x')</script>Berita",
    '<img src=x onerror="alert(1)">Foto',
    "=IMPORTXML(\"http://evil.example\",\"//a\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd",
    "@SUM(1+1)*cmd",
    "Judul \u202etxt.exe\u202c dengan bidi",
    "Zero\u200bwidth\u2060joiner\ufeff",
    '<a href="javascript:alert(1)">klik</a>',
]
HOSTILE_BODIES = [
    "Paragraf satu yang cukup panjang untuk lolos batas minimal isi berita desa.\n\n<script>document.cookie</script>",
    '<a href="javascript:alert(1)">tautan</a> dan <div style="background:url(javascript:x)">gaya</div> cukup panjang untuk isi.',
    "<!-- komentar --><iframe src=//evil.example></iframe> lalu data:text/html;base64,PHNjcmlwdD4= cukup panjang juga.",
    "&lt;script&gt;alert(1)&lt;/script&gt; teks yang sudah di-encode, dan onmouseover=alert(1) cukup panjang.",
    "Isi sangat panjang. " * 10_000,  # ~200 KB
]

OUR_TAGS = {"figure", "img", "figcaption", "div", "p", "br", "a"}
OUR_ATTRS = {"class", "src", "alt", "loading", "width", "height", "href", "rel"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def test_hostile_corpus(bridge: Bridge) -> None:
    """Script tags, event handlers, javascript: links, formulas and bidi tricks never reach readers or the sheet."""
    rows = bridge.responses()
    template = list(rows[1])
    new: list[list[Any]] = [rows[0]]
    for i, title in enumerate(HOSTILE_TITLES):
        row = list(template)
        row[0] = {"datetime": f"2026-11-22T0{i}:00:00"}
        row[5] = title
        row[6] = HOSTILE_BODIES[i % len(HOSTILE_BODIES)]
        new.append(row)
    big = list(template)
    big[0] = {"datetime": "2026-11-22T11:00:00"}
    big[5] = "Isi raksasa"
    big[6] = HOSTILE_BODIES[-1]
    new.append(big)
    bridge.set_responses(new)
    assert bridge.cycle().intake.queued == len(new) - 1

    cells = [c for row in bridge.rows("Review") for c in row]
    assert not any(isinstance(c, dict) for c in cells), "a formula (or other non-text) cell was written"
    assert all(len(str(c)) <= 50_000 for c in cells), "Sheets rejects cells over 50,000 characters"
    assert not any("\u202e" in str(c) or "\u200b" in str(c) for c in cells)

    review = bridge.review()
    bridge.officer_sets({r["ID"]: Status.DISETUJUI.value for r in review})  # even TIDAK VALID ones, after "checking"
    report = bridge.cycle()
    assert report.publish.published == len(review)
    posts = [p for p in bridge.posts() if find_marker_ids(p.get("content", ""))]
    assert len(posts) == len(review)
    for post in posts:
        parser = _Tags()
        parser.feed(post["content"])
        for tag, attrs in parser.tags:
            assert tag in OUR_TAGS, (tag, post["title"])
            for name, value in attrs:
                if tag == "a" and name == "name":  # the bridge's own anchor marker, and nothing else
                    assert str(value).startswith("mymein.") and attrs == [("name", value)], attrs
                    continue
                assert name in OUR_ATTRS, (tag, name)
                if name in ("href", "src"):
                    assert str(value).startswith(("http://", "https://")), value
        for bad in ("<script", "<iframe", "<svg", "\u202e", "\u200b"):  # escaped text (&lt;script) is harmless
            assert bad not in post["content"]
