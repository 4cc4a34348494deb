"""Which post belongs to which submission, and which Review row is which submission: pure matching.

The sheet and the blog are the truth; the ledger is a cache. These functions
decide from plain data what the sheet and the blog say, so that a lost ledger,
a deleted row or a cleared cell never leads to a lost or a second post.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from bridge.core.render import Marker

#: How much earlier than the journal's intent a post may carry as its time (clocks differ a little).
CLOCK_SLACK = timedelta(minutes=5)


@dataclass(frozen=True)
class BlogPost:
    """A post as read back from the blog (all statuses), with its markers parsed."""

    id: str
    url: str
    status: str
    published: str
    updated: str
    title: str
    labels: tuple[str, ...] = ()
    markers: frozenset[Marker] = field(default_factory=frozenset)


def _time(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def match_post(
    posts: Sequence[BlogPost],
    submission_id: str,
    fingerprint: str = "",
    *,
    title: str = "",
    labels: Iterable[str] = (),
    since: datetime | None = None,
    claimed: frozenset[str] = frozenset(),
) -> BlogPost | None:
    """The post of one submission, or None.

    In order of certainty:
    1. a marker with the submission's fingerprint (whatever ID a rebuild gave it);
    2. a marker with its ID and no fingerprint (posts from before fingerprints), or with
       its ID when the caller knows no fingerprint;
    3. when Blogger dropped every marker: a post with no marker at all, the same title
       and labels, made no earlier than the intent (``since``). Posts in ``claimed``
       belong to others already.
    A marker with this ID but another fingerprint is another submission's post.
    """
    if fingerprint:
        for post in posts:
            if any(m.fingerprint == fingerprint for m in post.markers):
                return post
    for post in posts:
        if any(m.id == submission_id and (not m.fingerprint or not fingerprint) for m in post.markers):
            return post
    if not title or since is None:
        return None
    want_labels = {_norm(x) for x in labels}
    floor = since - CLOCK_SLACK
    candidates = []
    for post in posts:
        if post.markers or post.id in claimed:
            continue
        if _norm(post.title) != _norm(title) or {_norm(x) for x in post.labels} != want_labels:
            continue
        made = max((t for t in (_time(post.updated), _time(post.published)) if t is not None), default=None)
        if made is not None and made >= floor:
            candidates.append((made, post))
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def by_fingerprint(posts: Sequence[BlogPost]) -> dict[str, BlogPost]:
    """Posts by the fingerprint their markers carry (the first post wins; others are duplicates)."""
    out: dict[str, BlogPost] = {}
    for post in posts:
        for m in post.markers:
            if m.fingerprint:
                out.setdefault(m.fingerprint, post)
    return out


__all__ = ["BlogPost", "by_fingerprint", "match_post"]
