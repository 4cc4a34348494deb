"""Posts found on the blog whose rows are in neither tab: kept by fingerprint, first one wins."""

from __future__ import annotations

from pathlib import Path

from bridge.adapters.ledger import BlogPostRecord, Ledger


def test_a_post_found_on_the_blog_is_known_by_its_fingerprint_until_forgotten(tmp_path: Path) -> None:
    """A response already published, whose row was archived and lost, would be queued and published again."""
    first = BlogPostRecord("fp1", "MM-2026-0001", "99", "https://b/x.html", "LIVE", "2026-11-22T02:00:00Z")
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        ledger.blog_posts.add(first)
        ledger.blog_posts.add(BlogPostRecord("fp1", "MM-2026-0005", "98", "https://b/y.html", "DRAFT", ""))
        assert ledger.blog_posts.has("fp1") and not ledger.blog_posts.has("fp2")
        assert ledger.blog_posts.all() == {"fp1": first}
        ledger.blog_posts.forget("fp1")
        assert not ledger.blog_posts.has("fp1") and ledger.blog_posts.all() == {}
