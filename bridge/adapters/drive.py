"""Drive v3: read form-uploaded photos and re-host them publicly.

Drive ``open?id=`` links in ``<img>`` stopped displaying reliably in 2024, so a
photo is downloaded, uploaded as a copy the bridge owns, shared with
``anyone``/``reader``, and embedded via the configured public URL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from googleapiclient.http import MediaInMemoryUpload

from bridge.adapters.apiclient import execute
from bridge.adapters.retry import NO_RETRY, RetryPolicy
from bridge.exceptions import BridgeError, FatalError, PublishError

log = logging.getLogger("bridge.drive")

IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}


FOLDER_MIME = "application/vnd.google-apps.folder"
#: What ``info`` asks for. Drive v3 File: ``parents`` ("The ID of the parent folder containing the file"),
#: ``owners`` ("The owner of this file"), ``trashed`` ("other users can still access the file in the owner's
#: trash until it's permanently deleted"): the descriptions in the discovery document google-api-python-client ships.
INFO_FIELDS = "id,name,mimeType,size,parents,owners(emailAddress),trashed"


@dataclass(frozen=True)
class FileInfo:
    id: str
    name: str
    mime_type: str
    size: int
    parents: tuple[str, ...] = ()  # only the folders the bridge's account can open
    owner: str = ""  # e-mail, when Drive shows it
    trashed: bool = False


@dataclass(frozen=True)
class FileVersion:
    """What Drive says about a file's last change: ``version`` grows on every change to it."""

    version: int
    modified_time: str


class DriveGateway:
    """Reads form uploads with ``service``; writes the public copies with ``upload_service``.

    With a service account for Drive, the copies are still made by the blog author's
    account: a service account has no Drive storage of its own.
    """

    def __init__(self, service: Any, retry: RetryPolicy = NO_RETRY, *, upload_service: Any = None) -> None:
        self.service = service
        self.upload_service = upload_service if upload_service is not None else service
        self.retry = retry

    def _call(self, what: str, request: Callable[[], Any], item: str, retry: RetryPolicy | None = None) -> Any:
        def permanent(status: int, message: str, reasons: frozenset[str] = frozenset()) -> BridgeError:
            why = {
                404: "file foto tidak ditemukan di Drive (mungkin sudah dihapus, atau akun sistem tidak diberi akses)",
                403: "akun sistem tidak punya akses ke file foto di Drive",
            }.get(status, f"Drive menolak permintaan (HTTP {status})")
            if reasons & {"storageQuotaExceeded", "dailyLimitExceeded"}:
                why = "ruang atau kuota Google Drive akun sistem habis; hubungi staf TI"
            return PublishError(
                f"Foto tidak dapat diproses: {why}. Minta operator mengirim ulang foto lewat formulir, atau kosongkan "
                "kolom Foto agar terbit tanpa foto, lalu ubah Status menjadi DISETUJUI lagi.",
                f"{what}: HTTP {status}: {message}",
                submission_id=item,
            )

        return execute(what, request, self.retry if retry is None else retry, permanent)

    def info(self, file_id: str, *, item: str = "") -> FileInfo:
        data = self._call(
            f"files.get {file_id}",
            lambda: self.service.files().get(fileId=file_id, fields=INFO_FIELDS, supportsAllDrives=True),
            item,
        )
        owners = data.get("owners") or [{}]
        return FileInfo(
            id=str(data.get("id", file_id)),
            name=str(data.get("name", "")),
            mime_type=str(data.get("mimeType", "")),
            size=int(data.get("size", 0) or 0),
            parents=tuple(str(p) for p in data.get("parents") or ()),
            owner=str(owners[0].get("emailAddress", "")),
            trashed=bool(data.get("trashed", False)),
        )

    def download(self, file_id: str, *, item: str = "") -> bytes:
        data = self._call(
            f"files.get media {file_id}",
            lambda: self.service.files().get_media(fileId=file_id, supportsAllDrives=True),
            item,
        )
        return bytes(data)

    def upload_public(
        self, *, name: str, mime_type: str, content: bytes, folder_id: str = "", item: str = "",
        app_properties: dict[str, str] | None = None,
    ) -> str:
        """Upload ``content`` as a new file shared with anyone (reader); returns its id.

        ``app_properties`` (private to this OAuth client) let :meth:`find_own` find the file
        again when the ledger that knew its id is lost, or a crash came before it was recorded.
        With them, a retry after an error first looks for the copy the failed attempt may have
        made (by the first property), so an upload applied but answered with an error leaves no
        orphan copy behind.
        """
        meta: dict[str, Any] = {"name": name, "mimeType": mime_type}
        if folder_id:
            meta["parents"] = [folder_id]
        if app_properties:
            meta["appProperties"] = dict(app_properties)
        media = MediaInMemoryUpload(content, mimetype=mime_type, resumable=False)
        what = f"files.create {name}"
        find = next(iter(app_properties.items()), None) if app_properties else None
        tries = 0

        def once() -> str:
            nonlocal tries
            tries += 1
            if tries > 1 and find is not None:
                # The failed attempt may have been applied (Google answered 5xx after creating the
                # file, or the answer was lost): look for that copy before making another one.
                found = self._find(find[0], find[1], item, NO_RETRY)
                if found is not None:
                    log.warning("%s: an earlier attempt did create %s (its answer was lost); no second copy", what, found[0])
                    return found[0]
            created = self._call(
                what,
                lambda: self.upload_service.files().create(body=meta, media_body=media, fields="id", supportsAllDrives=True),
                item,
                NO_RETRY,
            )
            return str(created["id"])

        file_id = self.retry.call(what, once)
        self.share_public(file_id, item=item)
        return file_id

    def upload_to_folder(self, *, name: str, mime_type: str, content: bytes, folder_id: str,
                         app_properties: dict[str, str]) -> str:
        """Upload ``content`` as a new file in ``folder_id``, shared as the folder is (not public); returns its id."""
        meta: dict[str, Any] = {"name": name, "mimeType": mime_type, "parents": [folder_id],
                                "appProperties": dict(app_properties)}
        media = MediaInMemoryUpload(content, mimetype=mime_type, resumable=False)
        created = execute(
            f"files.create {name}",
            lambda: self.upload_service.files().create(body=meta, media_body=media, fields="id", supportsAllDrives=True),
            self.retry, _report_error(folder_id),
        )
        return str(created["id"])

    def delete_own(self, file_id: str, folder_id: str) -> None:
        """Delete a file the bridge wrote in ``folder_id`` (an earlier copy of a report it replaced)."""
        execute(f"files.delete {file_id}",
                lambda: self.upload_service.files().delete(fileId=file_id, supportsAllDrives=True),
                self.retry, _report_error(folder_id))

    def find_own(self, key: str, value: str, *, item: str = "") -> tuple[str, bool] | None:
        """The first untrashed file written by the bridge with appProperty ``key = value``: (id, shared).

        Drive search syntax: https://developers.google.com/drive/api/guides/ref-search-terms
        (``appProperties has { key='k' and value='v' }``).
        """
        return self._find(key, value, item, None)

    def _find(self, key: str, value: str, item: str, retry: RetryPolicy | None) -> tuple[str, bool] | None:
        q = f"appProperties has {{ key='{_q(key)}' and value='{_q(value)}' }} and trashed = false"
        data = self._call(
            f"files.list {key}={value}",
            lambda: self.upload_service.files().list(
                q=q, fields="files(id,shared)", pageSize=10, spaces="drive",
                supportsAllDrives=True, includeItemsFromAllDrives=True,
            ),
            item,
            retry,
        )
        files = data.get("files") or []
        if not files:
            return None
        return str(files[0]["id"]), bool(files[0].get("shared"))

    def share_public(self, file_id: str, *, item: str = "") -> None:
        """Share a file the bridge wrote with anyone who has the link (reader)."""
        self._call(
            f"permissions.create {file_id}",
            lambda: self.upload_service.permissions().create(
                fileId=file_id, body={"type": "anyone", "role": "reader"}, fields="id", supportsAllDrives=True
            ),
            item,
        )

    def file_version(self, file_id: str) -> FileVersion:
        """The file's Drive ``version`` and ``modifiedTime`` in one ``files.get`` (a few hundred bytes).

        For the spreadsheet this is the change signal (issue 13): Drive documents ``version``
        as monotonically increasing with every change to the file, so an unchanged version
        means no tab changed since it was last read. Any failure raises a ``BridgeError``;
        a caller treats that as "changed" and reads the tabs.
        """

        def permanent(status: int, message: str, reasons: frozenset[str] = frozenset()) -> BridgeError:
            # Not retriable: a 404 or 403 stays one on the next try. It was retried four times with
            # backoff before the cycle read the sheet and said what is wrong (issue 18).
            return FatalError(f"files.get {file_id} (version): HTTP {status}: {message}")

        data = execute(
            f"files.get {file_id} version",
            lambda: self.service.files().get(fileId=file_id, fields="version,modifiedTime", supportsAllDrives=True),
            self.retry,
            permanent,
        )
        return FileVersion(version=int(data.get("version", 0) or 0), modified_time=str(data.get("modifiedTime", "")))


def _report_error(folder_id: str) -> Callable[..., BridgeError]:
    """A refused upload of a report file: what IT staff can do (not the photo wording of ``_call``)."""

    def permanent(status: int, message: str, reasons: frozenset[str] = frozenset()) -> BridgeError:
        return FatalError(f"Drive refused the report file in folder {folder_id} ([report] drive_folder_id): HTTP {status}: "
                          f"{message}; share the folder with the bridge's account as Editor, or empty drive_folder_id")

    return permanent


def _q(text: str) -> str:
    """A value inside a Drive query string literal (backslash and quote escaped)."""
    return text.replace("\\", "\\\\").replace("'", "\\'")
