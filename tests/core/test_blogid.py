"""Reading [blog] blog_id: an id, or an address IT staff pasted instead."""

from __future__ import annotations

import pytest

from bridge.core.blogid import BlogIdValue, read_blog_id

ID = "7000000000000000001"


@pytest.mark.parametrize(("written", "expected"), [
    (ID, BlogIdValue(ID, id=ID)),
    (f" {ID} ", BlogIdValue(ID, id=ID)),
    (f"https://www.blogger.com/blog/posts/{ID}", BlogIdValue(f"https://www.blogger.com/blog/posts/{ID}", id=ID)),
    (f"https://www.blogger.com/blog/post/edit/{ID}/123456", BlogIdValue(f"https://www.blogger.com/blog/post/edit/{ID}/123456", id=ID)),
    (f"https://www.blogger.com/blogger.g?blogID={ID}#allposts", BlogIdValue(f"https://www.blogger.com/blogger.g?blogID={ID}#allposts", id=ID)),
    (f"draft.blogger.com/blog/stats/week/{ID}", BlogIdValue(f"draft.blogger.com/blog/stats/week/{ID}", id=ID)),
    ("https://kimbalangan.blogspot.com/", BlogIdValue("https://kimbalangan.blogspot.com/", address="https://kimbalangan.blogspot.com/")),
    ("kimbalangan.blogspot.com", BlogIdValue("kimbalangan.blogspot.com", address="https://kimbalangan.blogspot.com/")),
    ("https://www.blogger.com/", BlogIdValue("https://www.blogger.com/")),
    ("blog kim", BlogIdValue("blog kim")),
])
def test_what_is_pasted_as_blog_id_is_recognised(written: str, expected: BlogIdValue) -> None:
    """A pasted dashboard or blog address was sent to Blogger as an id, and IT staff were told only 'not found'."""
    assert read_blog_id(written) == expected
