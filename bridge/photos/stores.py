"""Where processed photos live: pluggable stores, each able to say where an image is.

Every copy is named by its *copy key* (the SHA-256 of the source bytes plus the
processing recipe, see :func:`bridge.photos.process.copy_key`), and a store can
find a copy by that key alone. That is what makes the ledger a cache here: after
a crash between upload and ledger write, or after the ledger file is lost, the
next cycle finds the copy instead of uploading a second one.

* :class:`DriveFolderStore` - public copies in a Drive folder of the blog
  author's account, found again by ``appProperties``.
* :class:`LocalFolderStore` - files in a folder the office's own web server
  publishes under a base URL, found again by file name.

An S3-compatible store is left out on purpose (README, "Photos").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bridge.adapters.drive import DriveGateway
from bridge.adapters.files import write_atomic
from bridge.exceptions import PublishError

if TYPE_CHECKING:
    from bridge.config import Settings

log = logging.getLogger("bridge.photos")

#: appProperties keys on Drive copies (private to the bridge's OAuth client).
APP_KEY = "mymein_photo"
APP_SOURCE = "mymein_source_sha256"


@dataclass(frozen=True)
class Hosted:
    """One hosted copy: the store's own handle (Drive id or file name) and the public URL."""

    location: str
    url: str


class PhotoStore(Protocol):
    """Hosts processed photos under their copy key."""

    name: str

    def find(self, key: str, suffix: str, *, item: str = "") -> Hosted | None:
        """The copy stored under ``key`` already (made public if it was not), or None."""
        ...

    def put(self, key: str, suffix: str, mime_type: str, content: bytes, *, sha256: str, item: str = "") -> Hosted:
        """Store ``content`` under ``key`` and make it public."""
        ...


class DriveFolderStore:
    """Public copies in one Drive folder, written by the blog author's account.

    Readers see them through ``url_format`` (``[blog] photo_url``), today
    ``https://lh3.googleusercontent.com/d/{id}``: an undocumented address that
    Google may change (README, "Photos").
    """

    name = "drive"

    def __init__(self, drive: DriveGateway, folder_id: str, url_format: str) -> None:
        self.drive = drive
        self.folder_id = folder_id
        self.url_format = url_format

    def find(self, key: str, suffix: str, *, item: str = "") -> Hosted | None:
        found = self.drive.find_own(APP_KEY, key, item=item)
        if found is None:
            return None
        file_id, shared = found
        if not shared:  # created, then the process stopped before sharing it
            self.drive.share_public(file_id, item=item)
        return Hosted(file_id, self.url_format.format(id=file_id))

    def put(self, key: str, suffix: str, mime_type: str, content: bytes, *, sha256: str, item: str = "") -> Hosted:
        file_id = self.drive.upload_public(
            name=f"mymein-{key}{suffix}", mime_type=mime_type, content=content, folder_id=self.folder_id,
            item=item, app_properties={APP_KEY: key, APP_SOURCE: sha256},
        )
        return Hosted(file_id, self.url_format.format(id=file_id))


class LocalFolderStore:
    """Files in ``folder``, which the office's web server publishes under ``base_url``.

    Written atomically (a random temporary name in the same folder, then a rename), so a
    reader or a crash never sees half a photo, and a symbolic link planted in the folder
    (which the web server's users may write too) is replaced, never written through.
    """

    name = "local"

    def __init__(self, folder: Path, base_url: str) -> None:
        self.folder = folder
        self.base_url = base_url.rstrip("/") + "/"

    def _hosted(self, name: str) -> Hosted:
        return Hosted(name, self.base_url + name)

    def find(self, key: str, suffix: str, *, item: str = "") -> Hosted | None:
        name = f"mymein-{key}{suffix}"
        path = self.folder / name
        return self._hosted(name) if path.is_file() and not path.is_symlink() else None

    def put(self, key: str, suffix: str, mime_type: str, content: bytes, *, sha256: str, item: str = "") -> Hosted:
        name = f"mymein-{key}{suffix}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / name, content, mode=0o644)  # the web server runs as another user
        except OSError as exc:  # wrong owner, disk full: this post waits, posts without photos go on
            raise PublishError(
                "Foto tidak dapat disimpan di folder foto server kantor; hubungi staf TI (mymein-bridge check), lalu "
                "ubah Status menjadi DISETUJUI lagi. Atau kosongkan kolom Foto agar terbit tanpa foto.",
                f"cannot write {self.folder / name} ({exc}); the folder must exist and be writable by the bridge's "
                "user (sudo chown mymein: FOLDER)",
                submission_id=item,
            ) from exc
        return self._hosted(name)


def build_store(settings: Settings, drive: DriveGateway) -> PhotoStore:
    """The store ``[photos] store`` names."""
    p = settings.photos
    if p.store == "local":
        assert p.local_dir is not None  # checked by the config loader
        return LocalFolderStore(p.local_dir, p.base_url)
    return DriveFolderStore(drive, settings.photo_folder_id, settings.photo_url)


__all__ = ["APP_KEY", "APP_SOURCE", "DriveFolderStore", "Hosted", "LocalFolderStore", "PhotoStore", "build_store"]
