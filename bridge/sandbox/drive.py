"""Drive v3 handlers: files.get/create/delete (metadata, media, multipart, resumable) and permissions.

``GET /_sandbox/files/{id}`` (in the server) serves a file's bytes only when it has
an ``anyone`` permission, standing in for ``https://lh3.googleusercontent.com/d/{id}``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import secrets
from typing import Any, Callable

from bridge.sandbox import discovery
from bridge.sandbox.common import Ctx, Raw, apply_fields, parse_fields
from bridge.sandbox.errors import ApiError, bad_request
from bridge.sandbox.state import NotFound

DEFAULT_FIELDS = "kind,id,name,mimeType"
DEFAULT_OWNER = "kimbalangan.sandbox@gmail.com"
_sessions: dict[str, dict[str, Any]] = {}


def _now(ctx: Ctx) -> str:
    return ctx.state.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _file(ctx: Ctx, file_id: str | None = None) -> dict[str, Any]:
    fid = file_id or ctx.params["fileId"]
    try:
        return ctx.state.drive_file(fid)
    except NotFound:
        raise ApiError(404, f"File not found: {fid}.", reason="notFound") from None


def content(record: dict[str, Any]) -> bytes:
    return base64.b64decode(record.get("content_b64", "") or b"")


def resource(record: dict[str, Any]) -> dict[str, Any]:
    """A stored file as the Drive v3 File resource (all fields)."""
    data = content(record)
    owner = record.get("owner", DEFAULT_OWNER)
    res: dict[str, Any] = {
        "kind": "drive#file",
        "id": record["id"],
        "name": record.get("name", "Untitled"),
        "mimeType": record.get("mimeType", "application/octet-stream"),
        "parents": list(record.get("parents", [])),
        "owners": [{"kind": "drive#user", "displayName": owner.split("@")[0], "emailAddress": owner, "me": False}],
        "createdTime": record.get("createdTime", "2026-11-01T00:00:00.000Z"),
        "modifiedTime": record.get("modifiedTime", record.get("createdTime", "2026-11-01T00:00:00.000Z")),
        "trashed": bool(record.get("trashed", False)),
        "webViewLink": f"https://drive.google.com/file/d/{record['id']}/view?usp=drivesdk",
        "permissions": copy.deepcopy(record.get("permissions", [])),
        "shared": any(p.get("type") == "anyone" for p in record.get("permissions", [])),
    }
    if res["mimeType"] != "application/vnd.google-apps.folder":
        res["size"] = str(len(data))
        res["md5Checksum"] = hashlib.md5(data).hexdigest()  # noqa: S324 - Drive's checksum
        res["webContentLink"] = f"https://drive.google.com/uc?id={record['id']}&export=download"
    for key in ("description", "appProperties", "properties"):
        if key in record:
            res[key] = copy.deepcopy(record[key])
    return res


def _fields(ctx: Ctx, res: dict[str, Any]) -> dict[str, Any]:
    return apply_fields(res, parse_fields(ctx.params.get("fields") or DEFAULT_FIELDS))


SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"


def spreadsheet_resource(ss: dict[str, Any]) -> dict[str, Any]:
    """A sandbox spreadsheet as its Drive File resource: ``version``/``modifiedTime`` move on every write."""
    modified = ss.get("modifiedTime", "2026-11-01T00:00:00.000Z")
    return {
        "kind": "drive#file",
        "id": ss["id"],
        "name": ss.get("title", "Untitled spreadsheet"),
        "mimeType": SPREADSHEET_MIME,
        "createdTime": ss.get("createdTime", "2026-11-01T00:00:00.000Z"),
        "modifiedTime": modified,
        "version": str(ss.get("version", 1)),
        "trashed": False,
        "webViewLink": f"https://docs.google.com/spreadsheets/d/{ss['id']}/edit?usp=drivesdk",
    }


def files_get(ctx: Ctx) -> Any:
    with ctx.state.lock:
        try:
            ss = ctx.state.spreadsheet(ctx.params["fileId"])
        except NotFound:
            pass
        else:
            if ctx.params.get("alt") == "media":
                raise ApiError(403, "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
                               reason="fileNotDownloadable")
            return _fields(ctx, spreadsheet_resource(ss))
        record = _file(ctx)
        if ctx.params.get("alt") == "media":
            if record.get("mimeType", "").startswith("application/vnd.google-apps."):
                raise ApiError(403, "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
                               reason="fileNotDownloadable")
            return Raw(200, content(record), record.get("mimeType", "application/octet-stream"))
        return _fields(ctx, resource(record))


def _new_id() -> str:
    return "1" + secrets.token_urlsafe(24).replace("-", "x").replace("_", "y")[:32]


def _multipart(ctx: Ctx) -> tuple[dict[str, Any], bytes, str]:
    ctype = ctx.headers.get("content-type", "")
    m = re.search(r'boundary="?([^";]+)"?', ctype)
    if not ctype.startswith("multipart/related") or not m:
        raise bad_request("Bad content type. Please use multipart.")
    boundary = m.group(1).encode()
    parts = []
    for chunk in ctx.raw_body.split(b"--" + boundary)[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith(b"\n"):
            chunk = chunk[1:]
        crlf, lf = chunk.find(b"\r\n\r\n"), chunk.find(b"\n\n")
        if crlf != -1 and (lf == -1 or crlf < lf):
            head, payload = chunk[:crlf], chunk[crlf + 4 :]
        elif lf != -1:
            head, payload = chunk[:lf], chunk[lf + 2 :]
        else:
            head, payload = b"", chunk
        if payload.endswith(b"\r\n"):
            payload = payload[:-2]
        elif payload.endswith(b"\n"):
            payload = payload[:-1]
        headers = {}
        for line in head.decode("latin-1").splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        parts.append((headers, payload))
    if len(parts) != 2:
        raise bad_request("Multipart upload must have exactly two parts: metadata and media.")
    try:
        meta = json.loads(parts[0][1].decode("utf-8") or "{}")
    except ValueError:
        raise bad_request("Invalid JSON payload received in the metadata part.") from None
    return meta, parts[1][1], parts[1][0].get("content-type", "application/octet-stream")


def _check_meta(meta: Any) -> None:
    discovery.check_body(discovery.load_document("drive.v3"), {"$ref": "File"}, meta)


def _store(ctx: Ctx, meta: dict[str, Any], data: bytes | None, media_type: str | None) -> dict[str, Any]:
    with ctx.state.lock:
        for parent in meta.get("parents", []) or []:
            _file(ctx, parent)
        owner = ctx.state.data.get("drive", {}).get("me", DEFAULT_OWNER)
        now = _now(ctx)
        record: dict[str, Any] = {
            "id": meta.get("id") or _new_id(),
            "name": meta.get("name") or "Untitled",
            "mimeType": meta.get("mimeType") or media_type or "application/octet-stream",
            "owner": owner,
            "parents": list(meta.get("parents") or []),
            "permissions": [],
            "content_b64": base64.b64encode(data or b"").decode(),
            "createdTime": now,
            "modifiedTime": now,
        }
        for key in ("description", "appProperties", "properties"):
            if key in meta:
                record[key] = copy.deepcopy(meta[key])
        ctx.state.data["drive"]["files"].append(record)
        return _fields(ctx, resource(record))


def files_create(ctx: Ctx) -> Any:
    upload_type = ctx.params.get("uploadType")
    if not ctx.upload:
        if upload_type:
            raise bad_request("Media upload is only supported on the /upload/ path.")
        meta = ctx.body or {}
        return _store(ctx, meta, None, None)
    if upload_type == "multipart":
        meta, data, media_type = _multipart(ctx)
        _check_meta(meta)
        return _store(ctx, meta, data, media_type)
    if upload_type == "media":
        ctype = ctx.headers.get("content-type", "application/octet-stream").split(";")[0]
        return _store(ctx, {}, ctx.raw_body, ctype)
    if upload_type == "resumable":
        upload_id = ctx.params.get("upload_id")
        if not upload_id:
            meta = json.loads(ctx.raw_body.decode("utf-8") or "{}") if ctx.raw_body else {}
            _check_meta(meta)
            sid = secrets.token_urlsafe(16)
            _sessions[sid] = {"meta": meta, "type": ctx.headers.get("x-upload-content-type"), "params": dict(ctx.params)}
            location = f"{ctx.base_url}/upload/drive/v3/files?uploadType=resumable&upload_id={sid}"
            return Raw(200, b"", "text/plain", {"Location": location, "X-GUploader-UploadID": sid})
        raise bad_request("Resumable upload sessions continue with PUT.")
    raise bad_request(f"Invalid upload type: {upload_type}")


def resumable_put(ctx: Ctx, upload_id: str) -> Any:
    """PUT /upload/drive/v3/files?uploadType=resumable&upload_id=... (single chunk)."""
    session = _sessions.get(upload_id)
    if session is None:
        raise ApiError(404, "No such upload session.", reason="notFound")
    crange = ctx.headers.get("content-range", "")
    m = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", crange)
    buf: bytearray = session.setdefault("buffer", bytearray())
    if m:
        buf[int(m.group(1)) :] = ctx.raw_body
        total = m.group(3)
        if total == "*" or int(total) > len(buf):
            return Raw(308, b"", "text/plain", {"Range": f"bytes=0-{len(buf) - 1}"})
    else:
        buf[:] = ctx.raw_body
    _sessions.pop(upload_id, None)
    ctx.params = session.get("params", {})
    return _store(ctx, session["meta"], bytes(buf), session.get("type"))


def files_delete(ctx: Ctx) -> Raw:
    with ctx.state.lock:
        record = _file(ctx)
        ctx.state.data["drive"]["files"].remove(record)
        return Raw(204, b"", "text/plain")


def _permission(record: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    kind = body.get("type")
    role = body.get("role")
    if kind not in ("user", "group", "domain", "anyone"):
        raise bad_request("The permission type field is required.", ) if not kind else bad_request(f"Invalid permission type: {kind}")
    if role not in ("owner", "organizer", "fileOrganizer", "writer", "commenter", "reader"):
        raise bad_request("The permission role field is required.") if not role else bad_request(f"Invalid permission role: {role}")
    if kind == "anyone":
        pid = "anyoneWithLink" if not body.get("allowFileDiscovery") else "anyone"
    else:
        pid = str(10**19 + len(record["permissions"]) + 1)
    perm = {"kind": "drive#permission", "id": pid, "type": kind, "role": role}
    for key in ("emailAddress", "domain", "allowFileDiscovery"):
        if key in body:
            perm[key] = body[key]
    record["permissions"] = [p for p in record["permissions"] if p.get("id") != pid] + [perm]
    return perm


def permissions_create(ctx: Ctx) -> Any:
    with ctx.state.lock:
        record = _file(ctx)
        perm = _permission(record, ctx.body or {})
        return apply_fields(copy.deepcopy(perm), parse_fields(ctx.params.get("fields")))


def permissions_list(ctx: Ctx) -> Any:
    with ctx.state.lock:
        record = _file(ctx)
        res = {"kind": "drive#permissionList", "permissions": copy.deepcopy(record["permissions"])}
        return apply_fields(res, parse_fields(ctx.params.get("fields")))


def permissions_delete(ctx: Ctx) -> Raw:
    with ctx.state.lock:
        record = _file(ctx)
        before = len(record["permissions"])
        record["permissions"] = [p for p in record["permissions"] if p.get("id") != ctx.params["permissionId"]]
        if len(record["permissions"]) == before:
            raise ApiError(404, f"Permission not found: {ctx.params['permissionId']}.", reason="notFound")
        return Raw(204, b"", "text/plain")


def is_public(record: dict[str, Any]) -> bool:
    return any(p.get("type") == "anyone" for p in record.get("permissions", []))


HANDLERS: dict[str, Callable[[Ctx], Any]] = {
    "drive.files.get": files_get,
    "drive.files.create": files_create,
    "drive.files.delete": files_delete,
    "drive.permissions.create": permissions_create,
    "drive.permissions.list": permissions_list,
    "drive.permissions.delete": permissions_delete,
}
