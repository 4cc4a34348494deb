"""Map sheet rows to domain objects by header text, never by column position.

Google Forms adds a column when a question is added and renames the header when
a question is renamed; officers may reorder Review columns. Everything here
finds columns by their (normalised) header text and reports what it could not
find, so the pipeline can stop with a clear message instead of mis-reading.

Cell values: the pipeline reads with ``valueRenderOption=UNFORMATTED_VALUE`` and
``dateTimeRenderOption=SERIAL_NUMBER``, so timestamps arrive as serial numbers
(days since 1899-12-30, naive local time of the spreadsheet's time zone).
Parsing date *strings* is a lenient last resort: ``05/03/2026`` is ambiguous and
is read day-first (Indonesian), unless only month-first makes sense.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from bridge.core.model import (
    REQUIRED_FIELDS,
    REVIEW_HEADERS,
    Field,
    FormResponse,
    KimColumn,
    KimRecord,
    ReviewColumn,
    ReviewRow,
)
from bridge.exceptions import SchemaError

#: Day 0 of Google Sheets (and Lotus/Excel 1900 with the leap-year bug) serial numbers.
SERIAL_EPOCH = datetime(1899, 12, 30)

DEFAULT_ALIASES: dict[Field, tuple[str, ...]] = {
    Field.TIMESTAMP: ("Timestamp", "Stempel waktu", "Cap waktu"),
    Field.EMAIL: ("Email Address", "Alamat email", "Email", "Email Operator"),
    Field.KECAMATAN: ("Kecamatan", "Nama Kecamatan", "District"),
    Field.DESA: ("Desa", "Desa/Kelurahan", "Kelurahan", "Nama Desa", "Village"),
    Field.OPERATOR: ("Nama Operator", "Operator", "Nama", "Operator Name", "Nama Operator KIM"),
    Field.TITLE: ("Judul Berita", "Judul", "News Title", "Title"),
    Field.BODY: ("Isi Berita", "Isi", "Berita", "News Body", "Body", "Content"),
    Field.PHOTO: ("Foto Berita", "Foto", "News Photo", "Photo", "Unggah Foto"),
}

OPTIONAL_FIELDS: tuple[Field, ...] = tuple(f for f in Field if f not in REQUIRED_FIELDS)

_PUNCT = re.compile(r"[/():.\-_?!,;'\"\[\]*#]+")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_INWORD_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
_DRIVE_HOSTS = ("drive.google.com", "docs.google.com", "drive.usercontent.google.com")
_FILE_ID = re.compile(r"^[A-Za-z0-9_-]{10,}$")
_PATH_ID = re.compile(r"/(?:file/)?d/([A-Za-z0-9_-]{10,})")


def normalise_header(text: str) -> str:
    """Header text for comparison: lowercase, punctuation dropped, whitespace collapsed."""
    return " ".join(_PUNCT.sub(" ", str(text).casefold()).split())


def _header_keys(text: str) -> list[str]:
    """The full normalised header, then the same without parenthetical hints; each also with
    in-word hyphens dropped, so "Alamat E-mail" finds the alias "Alamat email"."""
    keys: list[str] = []
    for variant in (str(text), _PARENS.sub(" ", str(text))):
        for key in (normalise_header(variant), normalise_header(_INWORD_HYPHEN.sub("", variant))):
            if key and key not in keys:
                keys.append(key)
    return keys


def _aliases(extra_aliases: Mapping[str, Sequence[str]] | None) -> dict[Field, tuple[str, ...]]:
    """Configured aliases first (they win), then the defaults; unknown field names are ignored."""
    merged = {f: tuple(DEFAULT_ALIASES[f]) for f in Field}
    for name, titles in (extra_aliases or {}).items():
        try:
            fld = Field(str(name).strip().lower())
        except ValueError:
            continue
        merged[fld] = tuple(titles) + tuple(t for t in merged[fld] if t not in titles)
    return merged


@dataclass(frozen=True)
class HeaderMap:
    """Where each field's question is in the responses tab, and what did not match."""

    index: dict[Field, int]
    headers: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    #: further columns of a field, left to right: a question deleted and re-created in the
    #: form keeps its old column and gets a new one with the same title
    repeats: dict[Field, tuple[int, ...]] = field(default_factory=dict)
    missing_required: tuple[Field, ...] = ()
    missing_optional: tuple[Field, ...] = ()
    looked_for: dict[Field, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @property
    def has_email(self) -> bool:
        """Whether the form collects respondent e-mails."""
        return Field.EMAIL in self.index

    @property
    def duplicates(self) -> tuple[tuple[Field, str], ...]:
        """(field, header) of every further column of a field, in sheet order."""
        pairs = [(i, fld) for fld, cols in self.repeats.items() for i in cols]
        return tuple((fld, self._header(i)) for i, fld in sorted(pairs))

    def columns_of(self, fld: Field) -> tuple[int, ...]:
        """Every column of the field, left to right (empty if missing)."""
        return ((self.index[fld],) if fld in self.index else ()) + self.repeats.get(fld, ())

    def _header(self, i: int) -> str:
        return self.headers[i] if 0 <= i < len(self.headers) else ""

    def header_of(self, fld: Field) -> str:
        """The header text the field was found under ('' if missing)."""
        i = self.index.get(fld)
        return self._header(i) if i is not None else ""

    def to_json(self) -> str:
        """Serialise for the ledger (so the next cycle can report drift)."""
        return json.dumps(
            {
                "headers": list(self.headers),
                "index": {f.value: i for f, i in self.index.items()},
                "repeats": {f.value: list(cols) for f, cols in self.repeats.items()},
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> HeaderMap:
        """Rebuild a stored map (only what drift reports need)."""
        data = json.loads(text)
        fields = {f.value for f in Field}
        headers = tuple(str(h) for h in data.get("headers", []))
        index = {Field(k): int(v) for k, v in data.get("index", {}).items() if k in fields}
        repeats = {Field(k): tuple(int(i) for i in v) for k, v in data.get("repeats", {}).items() if k in fields}
        used = set(index.values()) | {i for cols in repeats.values() for i in cols}
        unknown = tuple(h for i, h in enumerate(headers) if i not in used and str(h).strip())
        return cls(
            index=index,
            headers=headers,
            unknown=unknown,
            repeats=repeats,
            missing_required=tuple(f for f in REQUIRED_FIELDS if f not in index),
            missing_optional=tuple(f for f in OPTIONAL_FIELDS if f not in index),
        )

    def drift_report(self, previous: HeaderMap | None) -> list[str]:
        """English lines describing question changes since ``previous`` (empty if none).

        Without a previous map (first run) only what needs a look is reported:
        questions the bridge does not recognise and questions found in several columns.
        """
        lines: list[str] = []
        if previous is not None:
            lines += self._field_changes(previous)
        old_unknown = {normalise_header(h) for h in previous.unknown} if previous else set()
        new_unknown = {normalise_header(h) for h in self.unknown}
        for h in self.unknown:
            if normalise_header(h) not in old_unknown:
                lines.append(f"{'new ' if previous else ''}question '{h}' is not used by the bridge")
        for h in previous.unknown if previous else ():
            if normalise_header(h) not in new_unknown:
                lines.append(f"unused question '{h}' removed")
        for fld in Field:
            cols = self.columns_of(fld)
            if len(cols) > 1 and (previous is None or previous.columns_of(fld) != cols):
                where = ", ".join(f"'{self._header(i)}' in column {i + 1}" for i in cols)
                lines.append(
                    f"question for '{fld}' is in {len(cols)} columns ({where}; deleted and re-created?): "
                    "each response is read from the rightmost non-empty one"
                )
        return lines

    def _field_changes(self, previous: HeaderMap) -> list[str]:
        lines: list[str] = []
        for fld in Field:
            old_i, new_i = previous.index.get(fld), self.index.get(fld)
            old_h, new_h = previous.header_of(fld), self.header_of(fld)
            if old_i is not None and new_i is None:
                lines.append(f"question for '{fld}' removed (was '{old_h}' in column {old_i + 1})")
            elif old_i is None and new_i is not None:
                lines.append(f"question for '{fld}' added: '{new_h}' in column {new_i + 1}")
            elif old_i is not None and new_i is not None:
                if normalise_header(old_h) != normalise_header(new_h):
                    lines.append(f"question for '{fld}' renamed: '{old_h}' -> '{new_h}'")
                if old_i != new_i:
                    lines.append(f"question for '{fld}' moved: column {old_i + 1} -> {new_i + 1}")
        return lines

    def is_blank(self, row: Sequence[Any]) -> bool:
        """True when none of the form's questions has an answer in the row (other columns,
        such as an officer's checkbox column, do not make a submission)."""
        return not any(cell_text(_cell(row, i)).strip() for fld in self.index for i in self.columns_of(fld))

    def cell(self, row: Sequence[Any], fld: Field) -> Any:
        """The field's cell in a row: of several columns, the rightmost non-empty one."""
        cells = [_cell(row, i) for i in self.columns_of(fld)]
        return next((c for c in reversed(cells) if cell_text(c).strip()), cells[0] if cells else "")


def map_headers(headers: Sequence[str], extra_aliases: Mapping[str, Sequence[str]] | None = None) -> HeaderMap:
    """Find each field's column by header text (configured aliases win over defaults).

    Exact match of the normalised header is tried first; then the header without
    parenthetical hints, so "Judul Berita (maks. 150 karakter)" still maps. A
    second column with a field's title is kept in ``repeats``.
    """
    aliases = _aliases(extra_aliases)
    lookup: dict[str, Field] = {}
    for fld, titles in aliases.items():
        for title in titles:
            lookup.setdefault(normalise_header(title), fld)
    index: dict[Field, int] = {}
    unknown: list[str] = []
    repeats: dict[Field, tuple[int, ...]] = {}
    for i, raw in enumerate(headers):
        text = "" if raw is None else str(raw)
        if not text.strip():
            continue
        found = next((lookup[k] for k in _header_keys(text) if k in lookup), None)
        if found is None:
            unknown.append(text)
        elif found in index:
            repeats[found] = repeats.get(found, ()) + (i,)
        else:
            index[found] = i
    return HeaderMap(
        index=index,
        headers=tuple("" if h is None else str(h) for h in headers),
        unknown=tuple(unknown),
        repeats=repeats,
        missing_required=tuple(f for f in REQUIRED_FIELDS if f not in index),
        missing_optional=tuple(f for f in OPTIONAL_FIELDS if f not in index),
        looked_for=aliases,
    )


def require(header_map: HeaderMap, tab: str = "responses tab") -> None:
    """Stop intake when a required question is missing.

    Raises:
        SchemaError: naming each missing question, in English and Indonesian.
    """
    if not header_map.missing_required:
        return
    looked = header_map.looked_for or DEFAULT_ALIASES
    seen = ", ".join(h for h in header_map.headers if h.strip()) or "(none)"
    en, idn = [], []
    for fld in header_map.missing_required:
        titles = ", ".join(looked.get(fld, DEFAULT_ALIASES[fld]))
        en.append(f"{tab}: required question for '{fld}' not found (looked for: {titles})")
        idn.append(f"pertanyaan wajib untuk '{fld}' tidak ditemukan (dicari: {titles})")
    raise SchemaError(
        "; ".join(en)
        + f"; headers seen: {seen}. Add [sheets.aliases] {header_map.missing_required[0]} = [\"<question title>\"] "
        + "to the config if the question was renamed. / "
        + "; ".join(idn)
        + "."
    )


# ---------------------------------------------------------------- cell values


#: A UTF-16 surrogate on its own. JSON may carry one as ``"\\ud800"`` (RFC 8259, section 8.2: such
#: strings are legal JSON and decoders differ), and Python then holds a ``str`` that no UTF-8
#: encoder accepts: hashing it for the fingerprint raised for the whole cycle (issue 18).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, the replacement character."""
    if text.isascii() or not _LONE_SURROGATE.search(text):
        return text
    return _LONE_SURROGATE.sub("\ufffd", text)


def cell_text(cell: Any) -> str:
    """A cell as text: integral numbers without '.0', booleans as TRUE/FALSE, None as '';
    lone surrogates as U+FFFD (every tab is read through here)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return clean_text(str(cell))


def _cell(row: Sequence[Any], i: int | None) -> Any:
    """Cell ``i`` of a row that Sheets may have trimmed (missing trailing cells are empty)."""
    if i is None or i >= len(row):
        return ""
    return row[i]


#: The calendar the bridge reads dates in: a day inside Python's (years 1 to 9999) at each end, so
#: a date can be shown in any time zone and moved by a day without leaving it. A cell outside it
#: (``9999-12-31T23:59:59Z``, ``0001-01-01T00:00:00+14:00``) is unreadable, with a reason, like any
#: other unreadable date: it used to raise OverflowError and stop every cycle (issue 18).
EARLIEST = datetime(1, 1, 2)
LATEST = datetime(9999, 12, 30)


def _in_calendar(dt: datetime, tz: ZoneInfo) -> datetime | None:
    """``dt`` (naive = local in ``tz``) as an aware datetime in ``tz``; ``None`` when outside the calendar."""
    try:
        local = dt.astimezone(tz) if dt.tzinfo else dt.replace(tzinfo=tz)
    except (OverflowError, ValueError):
        return None
    return local if EARLIEST <= local.replace(tzinfo=None) <= LATEST else None


def serial_to_datetime(serial: float, tz: ZoneInfo) -> datetime:
    """A Sheets serial number (naive local time in ``tz``) as an aware datetime, to the millisecond.

    Raises:
        ValueError: the serial number lies outside the calendar (see :data:`LATEST`).
    """
    ms = round(float(serial) * 86_400_000)
    try:
        local = SERIAL_EPOCH + timedelta(milliseconds=ms)
    except OverflowError as exc:
        raise ValueError(f"serial number {serial!r} is outside the calendar") from exc
    if not EARLIEST <= local <= LATEST:
        raise ValueError(f"serial number {serial!r} is outside the calendar")
    return local.replace(tzinfo=tz)


def datetime_to_serial(dt: datetime, tz: ZoneInfo) -> float:
    """The Sheets serial number of ``dt`` as shown in time zone ``tz`` (naive = already local)."""
    local = dt.astimezone(tz).replace(tzinfo=None) if dt.tzinfo else dt
    return (local - SERIAL_EPOCH) / timedelta(days=1)


_DMY = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
    r"(?:[\sT,]+(\d{1,2})[.:](\d{2})(?:[.:](\d{2})(?:[.,](\d{1,6}))?)?\s*([AaPp][Mm])?)?$"
)
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def _from_parts(a: int, b: int, y: int, hh: int, mm: int, ss: int, frac: str, ampm: str, day_first: bool) -> datetime | None:
    if ampm:
        if not 1 <= hh <= 12:
            return None
        hh = hh % 12 + (12 if ampm.lower() == "pm" else 0)
    micro = int((frac + "000000")[:6]) if frac else 0
    orders = [(a, b), (b, a)] if day_first and not ampm else [(b, a), (a, b)]
    for d, m in orders:
        try:
            return datetime(y, m, d, hh, mm, ss, micro)
        except ValueError:
            continue
    return None


#: How the bridge writes a date-time cell (Diterima, Terbit, Diputuskan; WITA): read back by :func:`parse_datetime_cell`.
TIME_CELL_FORMAT = "%d/%m/%Y %H:%M:%S"


def parse_datetime_cell(value: Any, tz: ZoneInfo, *, day_first: bool = True) -> datetime | None:
    """Read a date-time cell leniently; ``None`` when it cannot be read.

    Accepts a serial number (number or numeric text), ``dd/mm/yyyy HH.MM.SS``
    (id_ID), ``dd/mm/yyyy HH:MM[:SS]``, ``m/d/yyyy H:MM:SS [AM|PM]`` (en_US, used
    when day-first is impossible or AM/PM is present) and ISO 8601. Naive values
    are local time in ``tz``; the result is aware, in ``tz``.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _in_calendar(value, tz)
    if isinstance(value, (int, float)):
        try:
            return serial_to_datetime(value, tz) if 0 < value < 2_958_466 else None
        except ValueError:  # NaN, or so close to the end that it rounds past it
            return None
    text = " ".join(clean_text(str(value)).split())
    if not text:
        return None
    if _NUMBER.match(text):
        return parse_datetime_cell(float(text), tz)
    m = _DMY.match(text)
    if m:
        a, b, y, hh, mi, ss, frac, ampm = m.groups()
        dt = _from_parts(int(a), int(b), int(y), int(hh or 0), int(mi or 0), int(ss or 0), frac or "", ampm or "", day_first)
        return _in_calendar(dt, tz) if dt else None
    try:
        dt = datetime.fromisoformat(text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d\d-\d\d \d", text) else text)
    except ValueError:
        return None
    return _in_calendar(dt, tz)


#: Month names and abbreviations as officers type them (Indonesian first, English too).
_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "pebruari", "february", "feb", "peb"),
            ("maret", "march", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("agustus", "august", "agu", "agt", "ags", "aug"),
            ("september", "sept", "sep"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nopember", "nov", "nop"),
            ("desember", "december", "des", "dec"),
        ),
        start=1,
    )
    for name in names
}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[\s./-]*([^\W\d_]+)\.?[\s./,-]*(\d{4})$")


def _named_month_date(text: str) -> date | None:
    """``15 Januari 2025``, ``1 Agt 2027``, ``15-Jan-2025`` as a date, else ``None``."""
    m = _DAY_MONTH_YEAR.match(" ".join(text.split()))
    month = _MONTHS.get(m.group(2).casefold()) if m else None
    if m is None or month is None:
        return None
    try:
        return date(int(m.group(3)), month, int(m.group(1)))
    except ValueError:
        return None


def parse_date_cell(value: Any, tz: ZoneInfo) -> date | None:
    """A date cell (``2025-01-15``, ``15/01/2025``, ``15 Januari 2025``, a serial number or a
    date-time) as a date; ``None`` when it cannot be read."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        named = _named_month_date(value) or _plain_date(value)
        if named is not None:
            return named
    dt = parse_datetime_cell(value, tz)
    return dt.date() if dt else None


_ISO_DATE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _plain_date(text: str) -> date | None:
    """``2027-12-31`` or ``31/12/2027`` (day first) as a date: a date with no time needs no time
    zone, so every date of the calendar is one (``31/12/9999`` for an SK with no end)."""
    text = text.strip()
    m = _ISO_DATE.match(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    elif (m := _DMY_DATE.match(text)) is not None:
        d, mo, y = (int(g) for g in m.groups())
    else:
        return None
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def drive_file_id(link: str) -> str | None:
    """The Drive file id of a Google Drive link (open?id=, /file/d/ID/view, uc?id=), else ``None``."""
    text = str(link).strip()
    if not text:
        return None
    try:
        parts = urlsplit(text if "://" in text else "https://" + text)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in _DRIVE_HOSTS:
        return None
    ids = parse_qs(parts.query).get("id")
    if ids and _FILE_ID.match(ids[0]):
        return ids[0]
    m = _PATH_ID.search(parts.path)
    return m.group(1) if m else None


def split_photo_links(cell: Any) -> tuple[str, ...]:
    """The links in a form's file-upload cell (comma and/or whitespace separated)."""
    return tuple(p for p in re.split(r"[,\s]+", cell_text(cell)) if p)


#: Spreadsheet locales that write dates month first (3/11/2026 is 11 March).
MONTH_FIRST_LOCALES = frozenset({"en_us", "en_ph", "fil_ph"})


def day_first(locale: str) -> bool:
    """Whether dates typed as text in a spreadsheet of ``locale`` put the day first."""
    return locale.strip().lower().replace("-", "_") not in MONTH_FIRST_LOCALES


def row_to_response(
    row: Sequence[Any], row_number: int, header_map: HeaderMap, tz: ZoneInfo, *, locale: str = ""
) -> FormResponse:
    """One responses-tab row as a :class:`FormResponse` (text still raw; see sanitize/validate).

    Google Forms writes real date values; a timestamp typed as text is read in the
    spreadsheet's ``locale`` order.
    """

    def text(fld: Field) -> str:
        return cell_text(header_map.cell(row, fld))

    stamp = header_map.cell(row, Field.TIMESTAMP)
    return FormResponse(
        row_number=row_number,
        received_at=parse_datetime_cell(stamp, tz, day_first=day_first(locale)),
        email=text(Field.EMAIL).strip(),
        kecamatan=text(Field.KECAMATAN),
        desa=text(Field.DESA),
        operator=text(Field.OPERATOR),
        title=text(Field.TITLE),
        body=text(Field.BODY),
        photos=split_photo_links(header_map.cell(row, Field.PHOTO)),
        raw_timestamp=cell_text(stamp).strip(),
    )


# ---------------------------------------------------------------- Review and KIM tabs


def _exact_index(headers: Sequence[str], wanted: Sequence[Any]) -> tuple[dict[Any, int], list[str]]:
    """Columns by normalised header text; first occurrence wins. Returns (index, missing header names)."""
    norm = {normalise_header(w.value): w for w in wanted}
    index: dict[Any, int] = {}
    for i, h in enumerate(headers):
        col = norm.get(normalise_header(cell_text(h)))
        if col is not None and col not in index:
            index[col] = i
    return index, [w.value for w in wanted if w not in index]


def review_header_index(headers: Sequence[str]) -> tuple[dict[ReviewColumn, int], list[str]]:
    """Review-tab columns by header (case/space tolerant). Returns (index, missing headers)."""
    return _exact_index(headers, list(ReviewColumn))


def row_to_review(row: Sequence[Any], row_number: int, index: Mapping[ReviewColumn, int]) -> ReviewRow:
    """One Review-tab row, every known column as text."""
    return ReviewRow(row_number=row_number, values={c: cell_text(_cell(row, i)) for c, i in index.items()})


def review_to_row(values: Mapping[ReviewColumn, str], index: Mapping[ReviewColumn, int] | None = None) -> list[str]:
    """Cells of a Review/Arsip row: placed by the tab's actual header positions (``index``,
    officers may reorder columns), or in :data:`REVIEW_HEADERS` order when it has no headers."""
    if not index:
        return [str(values.get(ReviewColumn(h), "")) for h in REVIEW_HEADERS]
    row = [""] * (max(index.values()) + 1)
    for column, value in values.items():
        if column in index:
            row[index[column]] = str(value)
    return row


def kim_header_index(headers: Sequence[str]) -> tuple[dict[KimColumn, int], list[str]]:
    """KIM-registry columns by header (case/space tolerant). Returns (index, missing headers)."""
    return _exact_index(headers, list(KimColumn))


def parse_emails(cell: Any) -> frozenset[str]:
    """E-mail addresses in a cell (comma, semicolon or whitespace separated), lowercased."""
    return frozenset(p.lower() for p in re.split(r"[,;\s]+", cell_text(cell)) if "@" in p)


def _whole_number(text: str) -> int | None:
    """'1.250', '1,250', '1250 pengikut' → 1250; ``None`` when there is no number."""
    m = re.search(r"\d[\d.,\s]*", text)
    if not m:
        return None
    digits = re.sub(r"\D", "", m.group(0))
    return int(digits) if digits else None


def row_to_kim(row: Sequence[Any], row_number: int, index: Mapping[KimColumn, int], tz: ZoneInfo) -> KimRecord:
    """One KIM-registry row; unreadable dates become ``None`` (an unreadable SK date or expiry
    is kept as typed in ``sk_date_unreadable``/``sk_until_unreadable``), partnership is upper-cased."""

    def text(col: KimColumn) -> str:
        return " ".join(cell_text(_cell(row, index.get(col))).split())

    def number(col: KimColumn) -> tuple[int | None, str]:
        raw = _cell(row, index.get(col))
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return (int(raw), "") if raw >= 0 else (None, text(col))
        typed = text(col)
        value = _whole_number(typed) if typed else None
        return value, (typed if typed and value is None else "")

    sk_until = parse_date_cell(_cell(row, index.get(KimColumn.SK_UNTIL)), tz)
    sk_date = parse_date_cell(_cell(row, index.get(KimColumn.SK_DATE)), tz)
    power, power_bad = number(KimColumn.POWER)
    influence, influence_bad = number(KimColumn.INFLUENCE)
    emails_cell = cell_text(_cell(row, index.get(KimColumn.OPERATOR_EMAILS)))

    return KimRecord(
        name=text(KimColumn.NAME),
        kecamatan=text(KimColumn.KECAMATAN),
        desa=text(KimColumn.DESA),
        nomor_induk=text(KimColumn.NOMOR_INDUK),
        sk_number=text(KimColumn.SK_NUMBER),
        sk_date=sk_date,
        sk_until=sk_until,
        sk_until_unreadable=text(KimColumn.SK_UNTIL) if sk_until is None else "",
        partnership=text(KimColumn.PARTNERSHIP).upper(),
        chair=text(KimColumn.CHAIR),
        board=cell_text(_cell(row, index.get(KimColumn.BOARD))).strip(),
        operator_emails=parse_emails(emails_cell),
        phone=text(KimColumn.PHONE),
        note=cell_text(_cell(row, index.get(KimColumn.NOTE))).strip(),
        row_number=row_number,
        sk_date_unreadable=text(KimColumn.SK_DATE) if sk_date is None else "",
        tipe=text(KimColumn.TIPE).upper(),
        address=text(KimColumn.ADDRESS),
        kim_email=text(KimColumn.KIM_EMAIL),
        audience=text(KimColumn.AUDIENCE),
        media=text(KimColumn.MEDIA),
        activity=text(KimColumn.ACTIVITY),
        issues=text(KimColumn.ISSUES),
        frequency=text(KimColumn.FREQUENCY),
        content=text(KimColumn.CONTENT),
        term=text(KimColumn.TERM),
        power=power,
        power_unreadable=power_bad,
        influence=influence,
        influence_unreadable=influence_bad,
        status_reason=text(KimColumn.STATUS_REASON),
        ended=parse_date_cell(_cell(row, index.get(KimColumn.ENDED)), tz),
        notify_channel=text(KimColumn.CHANNEL),
        notify_address=text(KimColumn.CHANNEL_ADDRESS),
        emails_typed=tuple(p for p in re.split(r"[,;\s]+", emails_cell) if p),
    )


__all__ = [
    "DEFAULT_ALIASES",
    "HeaderMap",
    "cell_text",
    "datetime_to_serial",
    "drive_file_id",
    "kim_header_index",
    "map_headers",
    "normalise_header",
    "parse_date_cell",
    "day_first",
    "parse_datetime_cell",
    "parse_emails",
    "require",
    "review_header_index",
    "review_to_row",
    "row_to_kim",
    "row_to_response",
    "row_to_review",
    "serial_to_datetime",
    "split_photo_links",
]
