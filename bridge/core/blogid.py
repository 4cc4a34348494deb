"""What IT staff put in ``[blog] blog_id``: the id, or an address they pasted instead.

Blogger's blog id is a number (``7000000000000000001``); it is shown in the Blogger dashboard's
address (``https://www.blogger.com/blog/posts/<id>``, older ``blogger.g?blogID=<id>``). The blog's
own address (``https://kimbalangan.blogspot.com/``) does not carry it: only Blogger can say which
blog is there (``blogs.getByUrl``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

DASHBOARD_HINT = "the number in the Blogger dashboard's address, https://www.blogger.com/blog/posts/<id>"

_ID = re.compile(r"^\d+$")
#: /blog/posts/ID, /blog/post/edit/ID/POST, /blog/stats/week/ID, /blog/settings/ID ...; blogID=ID
_DASHBOARD_PATH = re.compile(r"/blog/(?:[a-z]+/)+(\d+)(?:/|$)", re.IGNORECASE)
_DASHBOARD_QUERY = re.compile(r"(?:^|[?&#])blogID=(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class BlogIdValue:
    """``[blog] blog_id`` as written: ``id`` when it is a blog id or carries one (a dashboard address),
    ``address`` when it is the address of a blog (whose id Blogger must be asked for)."""

    written: str
    id: str = ""
    address: str = ""

    @property
    def is_id(self) -> bool:
        return bool(self.id) and self.id == self.written


def read_blog_id(value: str) -> BlogIdValue:
    """Read ``[blog] blog_id``; neither ``id`` nor ``address`` when it is neither."""
    text = str(value).strip()
    if _ID.match(text):
        return BlogIdValue(text, id=text)
    try:
        parts = urlsplit(text if "://" in text else "https://" + text)
        host = (parts.hostname or "").lower()
    except ValueError:
        return BlogIdValue(text)
    if host == "blogger.com" or host.endswith(".blogger.com"):
        m = _DASHBOARD_PATH.search(parts.path) or _DASHBOARD_QUERY.search(f"?{parts.query}#{parts.fragment}")
        return BlogIdValue(text, id=m.group(1)) if m else BlogIdValue(text)
    if "." in host and " " not in text:
        return BlogIdValue(text, address=f"{parts.scheme}://{host}/")
    return BlogIdValue(text)


__all__ = ["BlogIdValue", "DASHBOARD_HINT", "read_blog_id"]
