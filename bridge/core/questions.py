"""Form questions the bridge can no longer find: stop intake loudly, and say the exact fix (pure).

A question renamed in the form renames its column header in the responses tab; an officer
may also delete a column. When a question the bridge needs cannot be mapped any more, reading
on would queue every new response without it (a photo question renamed: new items queued with
an empty Foto, and published without their photo). So intake stops until the header maps again,
and the log names the old header, the new one (when it can be told) and the ``[sheets.aliases]``
line that maps it.

Needed are the required fields (:data:`bridge.core.model.REQUIRED_FIELDS`) and the photo when
the form had a photo question: the remembered map says so (the ledger keeps it), and without
one, a Review row with a photo does (the sheet is the truth when the ledger is lost). A form that
drops its photo question on purpose says so in the config: ``photo = []`` under
``[sheets.aliases]``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bridge.core.columns import HeaderMap, normalise_header
from bridge.core.model import REQUIRED_FIELDS, Field


@dataclass(frozen=True)
class LostQuestion:
    """A needed field that no header maps to any more."""

    field: Field
    old_header: str  # the header it was found under before ('' if never seen)
    new_header: str  # the header that seems to be it now ('' when that cannot be told)

    @property
    def alias_line(self) -> str:
        """The line under ``[sheets.aliases]`` that maps the new header to the field."""
        title = self.new_header or "<the question's title now>"
        return f"{self.field.value} = [{json.dumps(title, ensure_ascii=False)}]"

    def describe(self) -> str:
        """English, for the log and `check`."""
        if self.old_header and self.new_header:
            what = f"question for '{self.field}' renamed: '{self.old_header}' -> '{self.new_header}'"
        elif self.old_header:
            what = f"question for '{self.field}' ('{self.old_header}') renamed or removed"
        elif self.new_header:
            what = f"no question for '{self.field}' found ('{self.new_header}' is the only question not recognised)"
        else:
            what = f"no question for '{self.field}' found"
        return f"{what}; add this line under [sheets.aliases] in the config: {self.alias_line}"


def photo_dropped(aliases: Mapping[str, Sequence[str]] | None) -> bool:
    """``photo = []`` under ``[sheets.aliases]``: the form has no photo question any more, on purpose."""
    return any(str(k).strip().lower() == Field.PHOTO.value and not tuple(v) for k, v in (aliases or {}).items())


def needed_fields(previous: HeaderMap | None, photos_in_review: bool, aliases: Mapping[str, Sequence[str]] | None) -> tuple[Field, ...]:
    """The fields intake cannot go on without: the required ones, and the photo when the form had one."""
    had_photo = Field.PHOTO in previous.index if previous is not None else photos_in_review
    return REQUIRED_FIELDS + ((Field.PHOTO,) if had_photo and not photo_dropped(aliases) else ())


def _guess(now: HeaderMap, previous: HeaderMap | None, fld: Field) -> str:
    """The header that seems to be the field's now: an unrecognised header in its old column, else the
    only unrecognised header that is new since the remembered map."""
    unknown = {normalise_header(h): h for h in now.unknown}
    if previous is None:  # nothing remembered: only a lone unrecognised header can be told
        return now.unknown[0] if len(unknown) == 1 else ""
    old = previous.index.get(fld)
    if old is not None and old < len(now.headers) and normalise_header(now.headers[old]) in unknown:
        return now.headers[old]
    before = {normalise_header(h) for h in previous.headers}
    fresh = [h for key, h in unknown.items() if key not in before]
    return fresh[0] if len(fresh) == 1 else ""


def lost_questions(
    now: HeaderMap, previous: HeaderMap | None, needed: Sequence[Field]
) -> list[LostQuestion]:
    """The needed fields the headers ``now`` no longer map, with their old and likely new headers."""
    return [
        LostQuestion(fld, previous.header_of(fld) if previous is not None else "", _guess(now, previous, fld))
        for fld in needed
        if fld not in now.index
    ]


def halt_message(lost: Sequence[LostQuestion], tab: str) -> str:
    """Why intake stopped, in English (the log, `once`), with every fix."""
    return (
        f"responses tab '{tab}': " + "; ".join(q.describe() for q in lost)
        + ". New responses wait (none is lost or queued twice) and are queued once the config maps the question"
        " (or the header is renamed back)"
    )


__all__ = ["LostQuestion", "halt_message", "lost_questions", "needed_fields", "photo_dropped"]
