"""A1 notation and cell rendering/parsing as Google Sheets does it.

Ranges are parsed into :class:`GridRange` (0-based, end exclusive, ``None`` = open).
Cell values are stored as JSON (see :mod:`bridge.sandbox.state`) and rendered per
``valueRenderOption`` / ``dateTimeRenderOption`` and the spreadsheet's locale.

The sandbox does **not** evaluate formulas: a formula cell reads back as its text
with ``FORMULA`` and as ``"#NAME?"`` otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bridge.sandbox.errors import ApiError, bad_request

EPOCH = datetime(1899, 12, 30)
FORMULA_NOT_EVALUATED = "#NAME?"


@dataclass
class GridRange:
    sheet: dict[str, Any]
    start_row: int
    end_row: int | None
    start_col: int
    end_col: int | None

    @property
    def title(self) -> str:
        return str(self.sheet["title"])

    def clamp(self) -> tuple[int, int, int, int]:
        """(r0, r1, c0, c1) with open ends replaced by the grid size."""
        r1 = self.sheet["rowCount"] if self.end_row is None else self.end_row
        c1 = self.sheet["columnCount"] if self.end_col is None else self.end_col
        return self.start_row, r1, self.start_col, c1


def col_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def quote_title(title: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) and not re.fullmatch(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*", title):
        return title
    return "'" + title.replace("'", "''") + "'"


def format_range(title: str, r0: int, r1: int, c0: int, c1: int) -> str:
    """``'Form Responses 1'!A1:H12`` (a single cell gives ``Sheet!A1``)."""
    start = f"{col_letters(c0)}{r0 + 1}"
    if r1 - r0 <= 1 and c1 - c0 <= 1:
        return f"{quote_title(title)}!{start}"
    return f"{quote_title(title)}!{start}:{col_letters(max(c1 - 1, c0))}{max(r1, r0 + 1)}"


_REF = re.compile(r"^([A-Za-z]{0,3})([0-9]*)$")


def _split_sheet(text: str) -> tuple[str | None, str]:
    if text.startswith("'"):
        i = 1
        name = ""
        while i < len(text):
            if text[i] == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    name += "'"
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return name, ""
                if rest.startswith("!"):
                    return name, rest[1:]
                raise ValueError(text)
            name += text[i]
            i += 1
        raise ValueError(text)
    if "!" in text:
        name, _, ref = text.rpartition("!")
        return name, ref
    return None, text


def parse_range(spreadsheet: dict[str, Any], text: str) -> GridRange:
    """Parse ``Sheet!A1:C5``, ``'Name'!A:C``, ``Sheet!A2:Z``, ``Sheet!1:1``, ``Sheet``, ``A1:B2``."""
    sheets = spreadsheet["sheets"]
    error = bad_request(f"Unable to parse range: {text}")
    try:
        name, ref = _split_sheet(text.strip())
    except ValueError:
        raise error from None
    if name is None and (by_title := [s for s in sheets if s["title"] == ref]):
        return GridRange(by_title[0], 0, None, 0, None)
    sheet = _named_sheet(sheets, name, error)
    if ref == "":
        return GridRange(sheet, 0, None, 0, None)
    refs = _cell_refs(ref, error)
    if len(refs) == 1:
        (c_a, r_a) = refs[0]
        if not (c_a and r_a):
            raise error
        r0, c0 = int(r_a) - 1, col_index(c_a)
        return GridRange(sheet, r0, r0 + 1, c0, c0 + 1)
    (c_a, r_a), (c_b, r_b) = refs
    if c_a and c_b:
        c0, c1 = col_index(c_a), col_index(c_b) + 1
    elif not c_a and not c_b:
        c0, c1 = 0, None
    else:
        raise error
    r0, r1 = _row_span(r_a, r_b)
    # Corners given the other way round (B5:A1) name the same range.
    if r1 is not None and r1 <= r0:
        r0, r1 = r1 - 1, r0 + 1
    if c1 is not None and c1 <= c0:
        c0, c1 = c1 - 1, c0 + 1
    if r0 < 0:
        raise error
    return GridRange(sheet, r0, r1, c0, c1)


def _named_sheet(sheets: list[dict[str, Any]], name: str | None, error: ApiError) -> dict[str, Any]:
    """The sheet a range names (the first sheet when it names none)."""
    if name is None:
        if not sheets:
            raise error
        return sheets[0]
    found = [s for s in sheets if s["title"] == name]
    if not found:
        raise error
    return found[0]


def _cell_refs(ref: str, error: ApiError) -> list[tuple[str, str]]:
    """``A1:C5`` → [("A", "1"), ("C", "5")]; a column or a row alone leaves the other empty."""
    parts = ref.split(":")
    if len(parts) > 2:
        raise error
    refs = []
    for part in parts:
        m = _REF.match(part)
        if not m or (not m.group(1) and not m.group(2)):
            raise error
        refs.append((m.group(1), m.group(2)))
    return refs


def _row_span(r_a: str, r_b: str) -> tuple[int, int | None]:
    """Rows of a two-part range as [start, end) (end None: to the grid's end)."""
    if r_a and r_b:
        return int(r_a) - 1, int(r_b)
    if r_a:
        return int(r_a) - 1, None
    if not r_b:
        return 0, None
    return 0, int(r_b)  # A:B5 -> rows 1..5


# -- rendering -------------------------------------------------------------

def is_empty(cell: Any) -> bool:
    return cell is None or cell == ""


def serial(dt: datetime) -> float | int:
    delta = dt - EPOCH
    value = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return int(value) if float(value).is_integer() else value


def _locale(locale: str) -> str:
    return (locale or "en_US").replace("-", "_")


def format_number(value: float | int, locale: str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = repr(value) if isinstance(value, float) else str(value)
    if "e" in text or "E" in text:
        text = f"{value:f}".rstrip("0").rstrip(".")
    if _locale(locale) in ("in_ID", "id_ID", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR"):
        text = text.replace(".", ",")
    return text


def format_datetime(dt: datetime, locale: str, with_time: bool = True) -> str:
    loc = _locale(locale)
    if loc in ("in_ID", "id_ID"):
        d = f"{dt.day:02d}/{dt.month:02d}/{dt.year}"
        t = f"{dt.hour:02d}.{dt.minute:02d}.{dt.second:02d}"
    elif loc == "en_US" or not loc.startswith("en_") and loc not in ("de_DE", "fr_FR", "nl_NL"):
        d = f"{dt.month}/{dt.day}/{dt.year}"
        t = f"{dt.hour}:{dt.minute:02d}:{dt.second:02d}"
    else:  # en_GB and other day-first locales
        d = f"{dt.day:02d}/{dt.month:02d}/{dt.year}"
        t = f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
    return f"{d} {t}" if with_time else d


def _as_datetime(cell: dict[str, Any]) -> tuple[datetime, bool]:
    if "datetime" in cell:
        return datetime.fromisoformat(str(cell["datetime"])).replace(tzinfo=None), True
    d = date.fromisoformat(str(cell["date"]))
    return datetime(d.year, d.month, d.day), False


def render(cell: Any, value_render: str, dt_render: str, locale: str) -> Any:
    """One stored cell as the Sheets API returns it in ``values``."""
    if cell is None:
        return ""
    if isinstance(cell, dict):
        if "formula" in cell:
            return cell["formula"] if value_render == "FORMULA" else FORMULA_NOT_EVALUATED
        if "datetime" in cell or "date" in cell:
            dt, with_time = _as_datetime(cell)
            if value_render == "FORMATTED_VALUE" or dt_render == "FORMATTED_STRING":
                return format_datetime(dt, locale, with_time)
            return serial(dt)
        return ""
    if isinstance(cell, bool):
        return ("TRUE" if cell else "FALSE") if value_render == "FORMATTED_VALUE" else cell
    if isinstance(cell, (int, float)):
        if value_render == "FORMATTED_VALUE":
            return format_number(cell, locale)
        return int(cell) if isinstance(cell, float) and cell.is_integer() else cell
    return str(cell)


def extended_value(cell: Any) -> dict[str, Any] | None:
    """Stored cell -> Sheets ``ExtendedValue`` (userEnteredValue)."""
    if is_empty(cell):
        return None
    if isinstance(cell, dict):
        if "formula" in cell:
            return {"formulaValue": cell["formula"]}
        if "datetime" in cell or "date" in cell:
            return {"numberValue": serial(_as_datetime(cell)[0])}
        return None
    if isinstance(cell, bool):
        return {"boolValue": cell}
    if isinstance(cell, (int, float)):
        return {"numberValue": cell}
    return {"stringValue": str(cell)}


def cell_data(cell: Any, locale: str) -> dict[str, Any]:
    """Stored cell -> Sheets ``CellData`` (userEnteredValue, effectiveValue, formattedValue)."""
    uev = extended_value(cell)
    if uev is None:
        return {}
    out: dict[str, Any] = {"userEnteredValue": uev}
    if "formulaValue" in uev:
        out["effectiveValue"] = {"errorValue": {"type": "NAME", "message": "The sandbox does not evaluate formulas."}}
    else:
        out["effectiveValue"] = dict(uev)
    out["formattedValue"] = render(cell, "FORMATTED_VALUE", "FORMATTED_STRING", locale)
    if isinstance(cell, dict) and ("datetime" in cell or "date" in cell):
        out["userEnteredFormat"] = {"numberFormat": {"type": "DATE_TIME" if "datetime" in cell else "DATE"}}
    return out


def from_extended(value: dict[str, Any] | None) -> Any:
    """Sheets ``ExtendedValue`` -> stored cell."""
    if not value:
        return None
    if "formulaValue" in value:
        return {"formula": value["formulaValue"]}
    if "stringValue" in value:
        return value["stringValue"]
    if "numberValue" in value:
        n = value["numberValue"]
        return int(n) if isinstance(n, float) and n.is_integer() else n
    if "boolValue" in value:
        return bool(value["boolValue"])
    return None


# -- parsing user input ----------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_NUMBER_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _number(text: str, locale: str) -> int | float | None:
    t = text.strip()
    if _NUMBER.match(t):
        n = float(t)
        return int(n) if n.is_integer() and abs(n) < 2**53 and "." not in t and "e" not in t.lower() else n
    if _locale(locale) in ("in_ID", "id_ID") and _NUMBER_COMMA.match(t):
        return float(t.replace(",", "."))
    return None


def parse_input(value: Any, option: str, locale: str) -> Any:
    """A value from a ``values`` write -> stored cell (``RAW`` or ``USER_ENTERED``)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (dict, list)):
        raise bad_request(f"Invalid values[0][0]: {type(value).__name__}_value")
    text = str(value)
    if option == "RAW" or text == "":
        return text
    if text.startswith("'"):
        return text[1:]
    number = _number(text, locale)
    if number is not None:
        return number
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    m = _DATETIME.match(text.strip())
    if m:
        try:
            y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
            return {"datetime": datetime(y, mo, d, h, mi, s).isoformat()}
        except ValueError:
            pass
    m = _DATE.match(text.strip())
    if m:
        try:
            return {"date": date(*(int(g) for g in m.groups())).isoformat()}
        except ValueError:
            pass
    if text[0] in "=+-@":
        return {"formula": text}
    return text
