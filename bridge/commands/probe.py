"""`check --probe-blog`: measure on the office's own blog what the bridge relies on.

Creates one DRAFT post (never visible to readers) built exactly as the bridge builds posts
(:func:`bridge.core.render.render_post`, so whatever markers render puts in are probed), with
one small photo re-hosted as the bridge re-hosts photos; reads it back through ``posts.get``
and ``posts.list`` (what reconciliation after a crash uses); reports which marker fragments
Blogger kept; fetches the hosted photo without any credentials, as a reader's browser does;
then deletes the draft and the photo. Costs: 1 Drive upload + 1 share, 1 insert, 1 get,
1 list, 1 anonymous GET, 2 deletes.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

import requests

from bridge.core.review_machine import PostState
from bridge.exceptions import BridgeError

if TYPE_CHECKING:
    from bridge.cycle.context import CycleContext

OK, BAD, WARN = "OK  ", "FAIL", "WARN"


def _fragments(html: str, probe_id: str) -> list[str]:
    """The pieces of the sent HTML that carry the probe's ID: comments and tags (the markers)."""
    found = re.findall(r"<!--.*?-->", html, flags=re.S) + re.findall(r"<[A-Za-z][^<>]*>", html)
    return [f for f in found if probe_id in f]


def _kept(fragment: str, content: str) -> bool:
    """Whether Blogger kept a fragment (spacing and attribute quoting may change; the ID must stay in kind)."""
    if fragment in content:
        return True
    if fragment.startswith("<!--"):
        return re.sub(r"\s+", " ", fragment) in re.sub(r"\s+", " ", content)
    tag = re.match(r"<([A-Za-z0-9]+)", fragment)
    return tag is not None and any(tag.group(1).lower() == t.lower() for t in re.findall(r"<([A-Za-z0-9]+)[^<>]*" + re.escape(_id_of(fragment)), content))


def _id_of(fragment: str) -> str:
    m = re.search(r"MM-PROBE-[0-9]+", fragment)
    return m.group(0) if m else fragment


def probe_blog(deps: CycleContext) -> list[str]:
    """Report lines (OK/WARN/FAIL) of one probe; never leaves a post or a file behind if it can help it."""
    from bridge.core import render
    from bridge.sandbox.seed import png_bytes

    s = deps.settings
    probe_id = "MM-PROBE-" + deps.now().strftime("%Y%m%d%H%M%S")
    lines: list[str] = []
    photo_id = post_id = ""
    try:
        photo_id = deps.drive.upload_public(name=f"{probe_id}.png", mime_type="image/png",
                                            content=png_bytes(32, 24, (11, 93, 59)), folder_id=s.photo_folder_id, item=probe_id)
        photo_url = s.photo_url.format(id=photo_id)
        rendered = render.render_post(deps.template, render.PostContext(
            title=f"Uji sistem MY MEIN {probe_id} (draf, akan dihapus)",
            body_text="Draf uji dari `mymein-bridge check --probe-blog`. Boleh dihapus.\n\nParagraf kedua.",
            photos=[(photo_url, "Foto uji")], operator="Staf TI", kim="KIM Uji", desa="Uji", kecamatan="Uji",
            desa_label="Desa", received_at=None, submission_id=probe_id, labels=["Uji MY MEIN"],
            fingerprint=hashlib.sha256(probe_id.encode()).hexdigest()[:16],  # both markers, as a real post has
        ))
        sent = _fragments(rendered.html, probe_id)
        ref = deps.blogger.insert(title=rendered.title, html=rendered.html, labels=list(rendered.labels), draft=True,
                                  item=probe_id, marker="")
        post_id = ref.id
        lines.append(f"{OK} probe: draft post {post_id} created on the blog (not visible to readers)")
        service = deps.blogger.service
        got = service.posts().get(blogId=s.blog_id, postId=post_id, fetchBody=True, view="AUTHOR").execute(num_retries=0)
        listed = service.posts().list(blogId=s.blog_id, status=PostState.DRAFT.value, fetchBodies=True, view="AUTHOR", maxResults=20,
                                      fields="items(id,content)").execute(num_retries=0)
        listed_content = next((str(p.get("content", "")) for p in listed.get("items", []) or [] if p.get("id") == post_id), None)
        for where, content in (("posts.get", str(got.get("content", ""))), ("posts.list", listed_content)):
            if content is None:
                lines.append(f"{WARN} probe: the draft is not in {where} (drafts listing); reconciliation after a crash "
                             "could not find it")
                continue
            for fragment in sent:
                kept = _kept(fragment, content)
                lines.append(f"{OK if kept else WARN} probe: {where} {'kept' if kept else 'DROPPED'} marker {fragment[:80]}")
            found = render.find_marker_ids(content)
            lines.append(f"{OK if probe_id in found else WARN} probe: the bridge {'finds' if probe_id in found else 'does NOT find'} "
                         f"its post by marker in {where}")
        lines.extend(_fetch_photo(photo_url))
    except BridgeError as exc:
        lines.append(f"{BAD} probe: {exc}")
    except Exception as exc:  # noqa: BLE001 - a probe reports, it does not crash check
        lines.append(f"{BAD} probe: {type(exc).__name__}: {exc}")
    finally:
        lines.extend(_clean_up(deps, post_id, photo_id))
    return lines


def _fetch_photo(url: str) -> list[str]:
    try:
        resp = requests.get(url, timeout=30)  # no credentials: what a reader's browser does
    except requests.RequestException as exc:
        return [f"{BAD} probe: the hosted photo {url} could not be fetched anonymously ({exc})"]
    ctype = resp.headers.get("Content-Type", "")
    if resp.status_code == 200 and ctype.startswith("image/"):
        return [f"{OK} probe: the hosted photo displays for anyone ({ctype}, {len(resp.content)} bytes): {url}"]
    return [f"{BAD} probe: the hosted photo does not display for readers (HTTP {resp.status_code}, {ctype or 'no type'}): "
            f"{url}. Change [blog] photo_url, or report it: Google may have changed the image address"]


def _clean_up(deps: CycleContext, post_id: str, photo_id: str) -> list[str]:
    lines: list[str] = []
    if post_id:
        try:
            deps.blogger.service.posts().delete(blogId=deps.settings.blog_id, postId=post_id).execute(num_retries=0)
            lines.append(f"{OK} probe: draft {post_id} deleted")
        except Exception as exc:  # noqa: BLE001 - cleaning up never hides the probe's result; say what is left
            lines.append(f"{WARN} probe: delete the draft {post_id} by hand in Blogger ({exc})")
    if photo_id:
        try:
            deps.drive.upload_service.files().delete(fileId=photo_id).execute(num_retries=0)
        except Exception as exc:  # noqa: BLE001 - cleaning up never hides the probe's result; say what is left
            lines.append(f"{WARN} probe: delete the test photo {photo_id} by hand in Google Drive ({exc})")
    return lines


__all__ = ["probe_blog"]
