"""Before `run` (and `once`) start cycles: the blog the config names exists, or exit 2 saying what to put.

A wrong ``[blog] blog_id`` used to keep `run` going with an error each cycle while approved rows
turned GAGAL one by one (issue 18); only an edit of the config fixes it, so it stops the command
with exit 2 (systemd does not restart on it), as a spreadsheet id that does not exist does. An
address pasted instead of the id is recognised: a Blogger dashboard address carries the id; for
the blog's own address Blogger is asked (``blogs.getByUrl``) which id to put.
"""

from __future__ import annotations

from pathlib import Path

from bridge.adapters.blogger import BloggerGateway, BlogInfo
from bridge.core.blogid import DASHBOARD_HINT, read_blog_id
from bridge.exceptions import AuthError, BridgeError, NotFoundError


def require_blog(blog_id: str, source: Path | str, blogger: BloggerGateway) -> BlogInfo:
    """The blog ``[blog] blog_id`` names (one ``blogs.get``; one ``blogs.getByUrl`` for an address).

    Raises:
        NotFoundError: the value is not a blog id, or Blogger knows no blog with it (exit 2).
        FatalError, RetriableError, AuthError: as :meth:`BloggerGateway.blog` (no access, network).
    """
    value = read_blog_id(blog_id)
    where = f"[blog] blog_id in {source}"
    if value.id and not value.is_id:
        raise NotFoundError(f"{where} is a Blogger dashboard address ({blog_id}), not the blog's id: "
                            f'put blog_id = "{value.id}" (the number in that address)')
    if value.address:
        try:
            found = blogger.blog_by_url(value.address)
        except NotFoundError:
            raise NotFoundError(f"{where} is a web address ({blog_id}), not a blog id, and Blogger knows no blog "
                                f"there: put the blog's id, {DASHBOARD_HINT}") from None
        raise NotFoundError(f"{where} is the blog's address ({blog_id}), not its id: put "
                            f'blog_id = "{found.id}" (Blogger\'s id of \'{found.name}\', also {DASHBOARD_HINT})')
    if not value.is_id:
        raise NotFoundError(f"{where} is {blog_id!r}, not a blog id: put the blog's id, {DASHBOARD_HINT}")
    try:
        return blogger.blog()
    except NotFoundError as exc:
        raise NotFoundError(f"{where}: Blogger knows no blog {blog_id} ({exc}); check the id: it is {DASHBOARD_HINT} "
                            "of the blog the bridge's account writes for") from exc


def refuse_a_wrong_blog_id(blog_id: str, source: Path | str, blogger: BloggerGateway) -> None:
    """:func:`require_blog` for `run` and `once`: only what a config edit fixes stops them here.

    Google not answering is the cycle's to report (75 at start), no author access (403) may be
    granted while `run` goes on; a refused token still ends the command (AuthError, exit 3).

    Raises:
        NotFoundError: as :func:`require_blog`.
        AuthError: Google refused the credentials.
    """
    try:
        require_blog(blog_id, source, blogger)
    except (NotFoundError, AuthError):
        raise
    except BridgeError:
        return


__all__ = ["refuse_a_wrong_blog_id", "require_blog"]
