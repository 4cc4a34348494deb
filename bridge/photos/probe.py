"""`check`'s photo lines: can the store be written, and does a hosted photo display for a reader?

The probe fetches one hosted image the way a reader's browser does: no
credentials, a browser's ``Accept`` header, redirects followed. It then asks
Pillow whether the bytes are an image. A Drive copy whose sharing was undone,
an address Google stopped serving, or a web server that does not publish the
local folder all show up here, instead of as broken images on the website.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.adapters.files import write_atomic
from bridge.adapters.ledger import Ledger
from bridge.photos.process import PhotoProblem, image_size, sample_jpeg

if TYPE_CHECKING:
    from bridge.config import Settings

TIMEOUT_S = 15
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36 mymein-bridge-check",
    "Accept": "image/avif,image/webp,image/apng,image/*,*/*;q=0.8",
}
MAX_BYTES = 20 * 1024 * 1024


def fetch_as_reader(url: str) -> tuple[bool, str]:
    """Whether ``url`` displays as an image in a reader's browser, and what was seen."""
    request = urllib.request.Request(url, headers=BROWSER_HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as resp:  # noqa: S310 - http(s) URL from our ledger
            ctype = resp.headers.get("Content-Type", "")
            data = resp.read(MAX_BYTES)
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return False, f"cannot connect ({getattr(exc, 'reason', exc)})"
    if not ctype.lower().startswith("image/"):
        return False, f"the server answers with {ctype or 'no content type'}, not an image (a login or error page?)"
    try:
        width, height = image_size(data)
    except PhotoProblem as exc:
        return False, f"{ctype} that is not a readable image ({exc.detail})"
    return True, f"{ctype}, {width}x{height}, {len(data):,} bytes"


PROBE_NAME = "mymein-check.jpg"


def _probe_local(folder: Path, base_url: str) -> tuple[str, str]:
    """Write a tiny JPEG into the folder, fetch it through base_url as a reader would, remove it."""
    probe = folder / PROBE_NAME
    try:
        write_atomic(probe, sample_jpeg(), mode=0o644)  # a link planted at the name is replaced, not followed
    except OSError as exc:
        return "fail", f"cannot write a test photo into {folder} ({exc})"
    url = base_url.rstrip("/") + "/" + PROBE_NAME
    try:
        ok, seen = fetch_as_reader(url)
    finally:
        probe.unlink(missing_ok=True)
    if ok:
        return "ok", f"the web server publishes the photo folder: {url} displays ({seen})"
    return "fail", f"a test photo written to {folder} does NOT display at {url}: {seen}; check [photos] base_url and the web server"


def check_photo_lines(settings: Settings, ledger: Ledger) -> list[tuple[str, str]]:
    """(level, text) lines for ``check``: level is ``ok``, ``warn`` or ``fail``."""
    p = settings.photos
    lines: list[tuple[str, str]] = []
    if p.store == "local":
        folder = p.local_dir
        if folder is None or not folder.is_dir():
            lines.append(("fail", f"photo folder {folder} does not exist; create it and let the web server publish it at {p.base_url}"))
        elif not os.access(folder, os.W_OK | os.X_OK):
            lines.append(("fail", f"photo folder {folder} is not writable by this user (sudo chown mymein: {folder})"))
        else:
            lines.append(("ok", f"photo store: local folder {folder}, published at {p.base_url}"))
            lines.append(_probe_local(folder, p.base_url))
    else:
        where = settings.photo_folder_id or "the blog author's My Drive"
        lines.append(("ok", f"photo store: public Drive copies in {where}, shown as {settings.photo_url}"))
        if "googleusercontent.com" in settings.photo_url:
            lines.append(("warn", "photos are shown through lh3.googleusercontent.com, an address Google does not document; "
                                  "README 'Photos' explains the local store, which no third party can break"))
    hosted = [c for c in ledger.photo_copies() if c.store == p.store and c.url]
    if not hosted:
        lines.append(("warn", "no photo hosted yet, so none could be fetched as a reader would; run check again after the first post with a photo"))
        return lines
    ok, seen = fetch_as_reader(hosted[0].url)
    if ok:
        lines.append(("ok", f"a hosted photo displays for readers: {hosted[0].url} ({seen})"))
    else:
        lines.append(("fail", f"a hosted photo does NOT display for readers: {hosted[0].url}: {seen}"))
    return lines


__all__ = ["check_photo_lines", "fetch_as_reader"]
