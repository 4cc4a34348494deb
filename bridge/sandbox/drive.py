"""Drive v3 handlers: files.get/create/delete (metadata, media, multipart, resumable) and permissions.

``GET /_sandbox/files/{id}`` (in the server) serves a file's bytes only when it has
an ``anyone`` permission, standing in for ``https://lh3.googleusercontent.com/d/{id}``.

Access is decided by the token's account (``Ctx.account``), as Drive does:

* a file is visible to its owner, to accounts named in a ``user``/``group`` permission, to a
  ``domain`` permission's domain, to ``anyone``, and to whoever may see one of its parent
  folders: "permissions on a folder propagate to all its child files and folders"
  (https://developers.google.com/drive/api/guides/manage-sharing#permission-propagation);
* a file the account cannot see does not exist for it: ``404 File not found: <id>.``, reason
  ``notFound`` (https://developers.google.com/drive/api/guides/handle-errors#file-not-found);
* changing it (delete, share, upload into a folder) needs ``writer`` or more; a reader gets
  ``403 The user does not have sufficient permissions for this file.``, reason
  ``insufficientFilePermissions`` (same page, "403: Insufficient permissions for this file").
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from typing import Any

from bridge.sandbox import discovery
from bridge.sandbox.common import Ctx, Raw, apply_fields, parse_fields
from bridge.sandbox.errors import ApiError, bad_request
from bridge.sandbox.state import NotFound

DEFAULT_FIELDS = "kind,id,name,mimeType"
DEFAULT_OWNER = "kimbalangan.sandbox@gmail.com"
_sessions: dict[str, dict[str, Any]] = {}


def _now(ctx: Ctx) -> str:
    return ctx.state.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")


ROLES = {"reader": 1, "commenter": 2, "writer": 3, "fileOrganizer": 4, "organizer": 4, "owner": 5}


def owner_of(state: Any, record: dict[str, Any]) -> str:
    """The file's owner (a record without one belongs to the sandbox's default account)."""
    from bridge.sandbox.oauth import default_account

    return str(record.get("owner") or default_account(state))


def role_of(state: Any, record: dict[str, Any], account: str, _depth: int = 0) -> int:
    """The strongest role ``account`` has on the file (0 = none), folders' permissions included."""
    who = account.lower()
    if owner_of(state, record).lower() == who:
        return ROLES["owner"]
    best = 0
    for perm in record.get("permissions", []):
        kind = perm.get("type")
        match = (
            kind == "anyone"
            or (kind in ("user", "group") and str(perm.get("emailAddress", "")).lower() == who)
            or (kind == "domain" and who.endswith("@" + str(perm.get("domain", "")).lower()))
        )
        if match:
            best = max(best, ROLES.get(str(perm.get("role")), 0))
    if _depth < 20:
        for parent in record.get("parents", []) or []:
            try:
                folder = state.drive_file(parent)
            except NotFound:
                continue
            best = max(best, role_of(state, folder, account, _depth + 1))
    return best


def _file(ctx: Ctx, file_id: str | None = None, *, need: str = "reader") -> dict[str, Any]:
    fid = file_id or ctx.params["fileId"]
    try:
        record = ctx.state.drive_file(fid)
    except NotFound:
        raise ApiError(404, f"File not found: {fid}.", reason="notFound") from None
    if ctx.account:
        role = role_of(ctx.state, record, ctx.account)
        if role == 0:
            raise ApiError(404, f"File not found: {fid}.", reason="notFound")
        if role < ROLES[need]:
            raise ApiError(403, "The user does not have sufficient permissions for this file.",
                           reason="insufficientFilePermissions")
    return record


def content(record: dict[str, Any]) -> bytes:
    return base64.b64decode(record.get("content_b64", "") or b"")


def resource(record: dict[str, Any], owner: str = "") -> dict[str, Any]:
    """A stored file as the Drive v3 File resource (all fields)."""
    data = content(record)
    owner = owner or record.get("owner") or DEFAULT_OWNER
    res: dict[str, Any] = {
        "kind": "drive#file",
        "id": record["id"],
        "name": record.get("name", "Untitled"),
        "mimeType": record.get("mimeType", "application/octet-stream"),
        "parents": list(record.get("parents", [])),
        # Drive v3 File.owners: "The owner of this file" (User: displayName, emailAddress, permissionId, me);
        # File.parents: "The ID of the parent folder containing the file" (the discovery document's descriptions).
        "owners": [{"kind": "drive#user", "displayName": owner.split("@")[0], "emailAddress": owner, "me": False,
                    "permissionId": permission_id(owner)}],
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


def permission_id(email: str) -> str:
    """The account's Drive ``permissionId`` (the same in ``about.get``'s user and in a file's ``owners``)."""
    return hashlib.sha256(email.lower().encode()).hexdigest()[:20]


def visible_parents(state: Any, record: dict[str, Any], account: str) -> list[str]:
    """The file's parents as ``account`` sees them: a folder it cannot open is left out.

    Drive reports no parent for a file "Shared with me" whose folder was not shared too
    (https://github.com/tidyverse/googledrive/issues/60: "The parents field is frequently NULL
    for files that are 'Shared with me'"); the bridge must not learn folders it cannot see.
    """
    out = []
    for parent in record.get("parents", []) or []:
        try:
            folder = state.drive_file(parent)
        except NotFound:
            continue
        if not account or role_of(state, folder, account) > 0:
            out.append(parent)
    return out


def _fields(ctx: Ctx, record: dict[str, Any]) -> dict[str, Any]:
    res = resource(record, owner_of(ctx.state, record))
    if ctx.account:
        res["owners"][0]["me"] = res["owners"][0]["emailAddress"].lower() == ctx.account.lower()
        res["parents"] = visible_parents(ctx.state, record, ctx.account)
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


def _sees_spreadsheet(ctx: Ctx, ss: dict[str, Any]) -> bool:
    """Whether the caller may see a spreadsheet's Drive file: its owner, an account it is shared with, or
    ``anyone`` (the same sharing Sheets checks, bridge.sandbox.sheets). Drive answers any other caller
    ``404 File not found`` ("The user doesn't have read access to a file, or the file doesn't exist",
    https://developers.google.com/drive/api/guides/handle-errors#resolve_a_404_error_file_not_found).
    Without ``permissions`` anyone may, as in Sheets."""
    from bridge.sandbox import strict

    perms = ss.get("permissions")
    if perms is None or not ctx.account:
        return True
    who = ctx.account.lower()
    return strict.owner_of(ss, ctx.state).lower() == who or any(
        p.get("type") == "anyone" or str(p.get("emailAddress", "")).lower() == who for p in perms)


def files_get(ctx: Ctx) -> Any:
    with ctx.state.lock:
        try:
            ss = ctx.state.spreadsheet(ctx.params["fileId"])
        except NotFound:
            pass
        else:
            if not _sees_spreadsheet(ctx, ss):
                raise ApiError(404, f"File not found: {ss['id']}.", reason="notFound")
            if ctx.params.get("alt") == "media":
                raise ApiError(403, "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
                               reason="fileNotDownloadable")
            return apply_fields(spreadsheet_resource(ss), parse_fields(ctx.params.get("fields") or DEFAULT_FIELDS))
        record = _file(ctx)
        if ctx.params.get("alt") == "media":
            if record.get("mimeType", "").startswith("application/vnd.google-apps."):
                raise ApiError(403, "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
                               reason="fileNotDownloadable")
            return Raw(200, content(record), record.get("mimeType", "application/octet-stream"))
        return _fields(ctx, record)


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
            _file(ctx, parent, need="writer")
        from bridge.sandbox.oauth import default_account

        owner = ctx.account or default_account(ctx.state)
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
        return _fields(ctx, record)


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
        record = _file(ctx, need="owner")
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
        record = _file(ctx, need="writer")
        perm = _permission(record, ctx.body or {})
        return apply_fields(copy.deepcopy(perm), parse_fields(ctx.params.get("fields")))


def permissions_list(ctx: Ctx) -> Any:
    with ctx.state.lock:
        record = _file(ctx)
        res = {"kind": "drive#permissionList", "permissions": copy.deepcopy(record["permissions"])}
        return apply_fields(res, parse_fields(ctx.params.get("fields")))


def permissions_delete(ctx: Ctx) -> Raw:
    with ctx.state.lock:
        record = _file(ctx, need="writer")
        before = len(record["permissions"])
        record["permissions"] = [p for p in record["permissions"] if p.get("id") != ctx.params["permissionId"]]
        if len(record["permissions"]) == before:
            raise ApiError(404, f"Permission not found: {ctx.params['permissionId']}.", reason="notFound")
        return Raw(204, b"", "text/plain")


# files.list ``q``: the subset of the Drive search language the bridge uses, with Google's rules:
# terms joined by ``and``; string literals in single quotes, with \' and \\ escapes; a query
# that cannot be parsed is HTTP 400 "Invalid Value".
# https://developers.google.com/drive/api/guides/ref-search-terms and .../guides/search-files
_LIT = r"'((?:[^'\\]|\\.)*)'"
_TERMS = [
    ("app", re.compile(r"appProperties\s+has\s*\{\s*key\s*=\s*" + _LIT + r"\s+and\s+value\s*=\s*" + _LIT + r"\s*\}")),
    ("trashed", re.compile(r"trashed\s*=\s*(true|false)")),
    ("parent", re.compile(_LIT + r"\s+in\s+parents")),
    ("name", re.compile(r"name\s*=\s*" + _LIT)),
]


def _unq(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


_Test = Callable[[dict[str, Any]], bool]


def _has_app_property(key: str, value: str) -> _Test:
    return lambda r: (r.get("appProperties") or {}).get(key) == value


def _is_trashed(want: bool) -> _Test:
    return lambda r: bool(r.get("trashed", False)) == want


def _in_folder(folder_id: str) -> _Test:
    return lambda r: folder_id in (r.get("parents") or [])


def _is_named(name: str) -> _Test:
    return lambda r: r.get("name") == name


def _query(q: str) -> list[_Test]:
    tests: list[_Test] = []
    rest = q.strip()
    while rest:
        found = next(((kind, m) for kind, pattern in _TERMS if (m := pattern.match(rest))), None)
        if found is None:
            raise ApiError(400, "Invalid Value", reason="invalid")
        kind, m = found
        if kind == "app":
            tests.append(_has_app_property(_unq(m.group(1)), _unq(m.group(2))))
        elif kind == "trashed":
            tests.append(_is_trashed(m.group(1) == "true"))
        elif kind == "parent":
            tests.append(_in_folder(_unq(m.group(1))))
        else:
            tests.append(_is_named(_unq(m.group(1))))
        rest = rest[m.end():].strip()
        if rest:
            joiner = re.match(r"and\s+", rest)
            if not joiner:
                raise ApiError(400, "Invalid Value", reason="invalid")
            rest = rest[joiner.end():]
    return tests


def files_list(ctx: Ctx) -> Any:
    """files.list with ``q`` (see _query), ``pageSize`` and ``fields``; one page (no pageToken needed here)."""
    tests = _query(str(ctx.params.get("q") or ""))
    size = int(ctx.params.get("pageSize") or 100)
    with ctx.state.lock:
        # Only files the token's account can open are listed (files.list searches "files the user
        # has access to" by default: https://developers.google.com/drive/api/guides/search-files).
        found = [r for r in ctx.state.data["drive"]["files"] if all(t(r) for t in tests)
                 and (not ctx.account or role_of(ctx.state, r, ctx.account) > 0)]
        files = [{**resource(r, owner_of(ctx.state, r)), "parents": visible_parents(ctx.state, r, ctx.account)}
                 if ctx.account else resource(r, owner_of(ctx.state, r)) for r in found[:size]]
    res = {"kind": "drive#fileList", "incompleteSearch": False, "files": files}
    return apply_fields(res, parse_fields(ctx.params.get("fields") or "kind,incompleteSearch,files(kind,id,name,mimeType)"))


def is_public(record: dict[str, Any]) -> bool:
    return any(p.get("type") == "anyone" for p in record.get("permissions", []))


def about_get(ctx: Ctx) -> Any:
    """``about.get``: who the token belongs to (``fields=user`` is required by Drive v3)."""
    if not ctx.params.get("fields"):
        raise bad_request("The 'fields' parameter is required for this operation.")
    from bridge.sandbox.oauth import default_account

    email = ctx.account or default_account(ctx.state)
    res = {"kind": "drive#about", "user": {"kind": "drive#user", "displayName": email.split("@")[0],
                                           "emailAddress": email, "me": True, "permissionId": permission_id(email)}}
    return apply_fields(res, parse_fields(ctx.params.get("fields")))


HANDLERS: dict[str, Callable[[Ctx], Any]] = {
    "drive.about.get": about_get,
    "drive.files.get": files_get,
    "drive.files.list": files_list,
    "drive.files.create": files_create,
    "drive.files.delete": files_delete,
    "drive.permissions.create": permissions_create,
    "drive.permissions.list": permissions_list,
    "drive.permissions.delete": permissions_delete,
}
