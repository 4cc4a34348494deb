"""Only the form's own uploads are photos (issue 18): where a Drive file lives decides, not who can read it.

The bridge reads Drive as the blog author (``drive.readonly``), so a Foto link can name
*any* file that account can open: a private photo in its own Drive, or a file someone
shared with it alone. Re-hosted, such a file would become readable by anyone. So a
photo is accepted only when it lies in the form's upload folder tree.

Google Forms stores uploads in the form owner's Drive, in a folder "<form title> (File
responses)" with one "<question> (File responses)" folder per upload question inside
(https://support.google.com/docs/answer/7322334, "Where uploaded files are stored").
That top folder is the *upload root*:

* ``[photos] upload_folder_id`` when IT staff set it;
* otherwise learnt once from the responses tab's first photo (the oldest responses came
  through the form): its file's folder is the question folder, and that folder's parent,
  when the bridge can see it, the root. It is kept in the ledger's meta (a cache: a lost
  ledger learns it again from the same first rows).

A file is accepted when its folder, or that folder's parent (at most ``MAX_DEPTH`` folders
up), is the root. Folders found inside the root are remembered, so the usual upload costs
no Drive call beyond its own metadata. Drive lists only the parents the bridge can open, so
a file shared alone shows no folder at all and is refused.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from bridge.adapters.drive import FileInfo
from bridge.core.columns import HeaderMap, drive_file_id
from bridge.core.model import Field
from bridge.exceptions import SubmissionError
from bridge.photos.process import PhotoProblem
from bridge.photos.rules import photo_links

if TYPE_CHECKING:
    from bridge.app import Deps

log = logging.getLogger("bridge.photos")

ROOT_KEY = "photos.upload_root"
FOLDERS_KEY = "photos.upload_folders"
#: Folders walked up from a file: question folder → root, with one level to spare.
MAX_DEPTH = 3
#: Responses rows read to learn the root, and links tried there (a deleted first photo is skipped).
LEARN_ROWS = 50
LEARN_LINKS = 5


def _known(deps: Deps, root: str) -> set[str]:
    """Folders found inside ``root`` before (kept per root: a changed upload_folder_id starts afresh)."""
    try:
        return set(json.loads(deps.ledger.get_meta(f"{FOLDERS_KEY}:{root}") or "[]"))
    except ValueError:
        return set()


def _remember(deps: Deps, root: str, folders: set[str]) -> None:
    if deps.dry_run or not folders:
        return
    known = _known(deps, root)
    if not folders <= known:
        deps.ledger.set_meta(f"{FOLDERS_KEY}:{root}", json.dumps(sorted(known | folders)))


def _learn_root(deps: Deps, item: str) -> str:
    """The root from the responses tab's first photo links (one Sheets read, two Drive calls), or ''."""
    from bridge.adapters.sheets import a1_tab, column_letter

    s = deps.settings
    stored = deps.ledger.header_map(s.responses_tab)
    cols = HeaderMap.from_json(stored).columns_of(Field.PHOTO) if stored else ()
    if not cols:
        return ""
    letter = column_letter(cols[0])
    (values,) = deps.sheets.batch_get(s.spreadsheet_id, [f"{a1_tab(s.responses_tab)}!{letter}2:{letter}{LEARN_ROWS + 1}"])
    tried = 0
    for offset, row in enumerate(values):
        for link in photo_links(row[0] if row else ""):
            file_id = drive_file_id(link)
            if not file_id:
                continue
            tried += 1
            if tried > LEARN_LINKS:
                return ""
            try:
                first = deps.drive.info(file_id, item=item)
                if not first.parents:
                    continue
                folder = deps.drive.info(first.parents[0], item=item)
            except SubmissionError:  # deleted or unreadable: the next response's photo
                continue
            root = folder.parents[0] if folder.parents else folder.id
            log.info("form upload folder learnt from the photo of responses row %d: %s (folder %r inside it)",
                     offset + 2, root, folder.name)
            if not deps.dry_run:
                deps.ledger.set_meta(ROOT_KEY, root)
            if folder.id != root:
                _remember(deps, root, {folder.id})
            return root
    return ""


def upload_root(deps: Deps, item: str = "") -> str:
    """The form's upload folder: configured, remembered, or learnt now ('' when none can be found)."""
    configured = deps.settings.photos.upload_folder_id
    if configured:
        return configured
    return deps.ledger.get_meta(ROOT_KEY) or _learn_root(deps, item)


def origin_problem(deps: Deps, info: FileInfo, item: str) -> PhotoProblem | None:
    """Why ``info`` is not a form upload the bridge may publish, or ``None`` when it is.

    Raises:
        SubmissionError: Drive refused to show one of its folders (treated like the photo itself).
        RetriableError: Drive is unreachable for now.
    """
    if info.trashed:
        return PhotoProblem("trashed", f"file {info.id} is in its owner's trash")
    root = upload_root(deps, item)
    if not root:
        return PhotoProblem("no_upload_folder", "the form's upload folder is unknown: no readable photo in the first "
                            f"{LEARN_ROWS} responses and [photos] upload_folder_id is empty")
    known = _known(deps, root)
    walked: set[str] = set()
    folder_id = info.parents[0] if info.parents else ""
    for _ in range(MAX_DEPTH):
        if not folder_id:
            break
        if folder_id == root or folder_id in known:
            _remember(deps, root, walked)
            return None
        walked.add(folder_id)
        folder = deps.drive.info(folder_id, item=item)
        folder_id = folder.parents[0] if folder.parents else ""
    where = f"folder {info.parents[0]}" if info.parents else "no folder the bridge can see"
    owner = f", owner {info.owner}" if info.owner else ""
    return PhotoProblem("not_form_upload", f"file {info.id} is in {where}{owner}, outside the form's upload folder {root}",
                        owner=info.owner)


__all__ = ["FOLDERS_KEY", "ROOT_KEY", "origin_problem", "upload_root"]
