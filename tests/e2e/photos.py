"""Making form photos in the sandbox: the one place tests put operator uploads into Drive.

Google Forms stores an upload in the form owner's Drive, in the form's upload
folder, and names its type by the file's extension; the sheet gets an
``open?id=`` link. If the sandbox's Drive access rules change (who may read what),
adapt :func:`add_form_photo` only.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from bridge.sandbox.seed import FORM_OWNER

from .conftest import Bridge

FORM_FOLDER = "1FormUploadsFolderKIMBalangan000"
#: Drive names the type from the extension, not the bytes (so a PDF called .jpg is image/jpeg).
BY_EXTENSION = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "heic": "image/heif", "pdf": "application/pdf"}


def add_form_photo(bridge: Bridge, data: bytes, name: str) -> str:
    """Upload ``data`` as an operator's form photo called ``name``; returns the link the sheet holds."""
    file_id = "1Up" + hashlib.sha256(name.encode() + data[:4096]).hexdigest()[:30]
    record: dict[str, Any] = {
        "id": file_id,
        "name": name,
        "mimeType": BY_EXTENSION.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream"),
        "owner": FORM_OWNER,
        "parents": [FORM_FOLDER],
        "permissions": [],
        "createdTime": "2026-11-23T01:00:00.000Z",
        "content_b64": base64.b64encode(data).decode(),
    }
    with bridge.sandbox.state.lock:
        bridge.sandbox.state.data["drive"]["files"].append(record)
    return f"https://drive.google.com/open?id={file_id}"


def submit(bridge: Bridge, title: str, *links: str) -> None:
    """An operator (the seed's first, a registered KIM) sends one more news item with these photo links."""
    rows = bridge.responses()
    template = list(rows[1])
    photo_col = len(template) - 1
    template[0] = {"datetime": f"2026-11-23T09:{len(rows):02d}:00"}
    template[5] = title
    template[6] = f"{title}. " + "Warga desa bergotong royong membersihkan saluran dan jalan desa bersama perangkat desa. " * 2
    template[photo_col] = ", ".join(links)
    bridge.set_responses(rows + [template])


def uploads(bridge: Bridge) -> int:
    """files.create requests the sandbox received since the last stats reset."""
    return int(bridge.stats()["by_method"].get("drive.files.create", {}).get("requests", 0))


def calls(bridge: Bridge, method: str) -> int:
    return int(bridge.stats()["by_method"].get(method, {}).get("requests", 0))
