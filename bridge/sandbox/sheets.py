"""Sheets v4 handlers: spreadsheets.get/batchUpdate and the values.* family.

Modelled on purpose (these break naive code): trailing empty rows/cells are
omitted from ``values``; USER_ENTERED turns ``=``/``+``/``-``/``@`` text into
formulas, numbers into numbers and ``2025-01-15`` into dates, ``'`` forces text;
RAW keeps text; formulas are not evaluated (``#NAME?``); date-times render per
locale; writes beyond the grid fail with Google's "exceeds grid limits" while
append grows the grid; batch updates are all-or-nothing.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from bridge.sandbox import a1, devmeta, strict
from bridge.sandbox.a1 import GridRange, format_range, is_empty, parse_input, parse_range, render
from bridge.sandbox.common import Ctx, apply_fields, parse_fields
from bridge.sandbox.errors import ApiError, bad_request
from bridge.sandbox.state import NotFound

READS = frozenset({"sheets.spreadsheets.get", "sheets.spreadsheets.values.get", "sheets.spreadsheets.values.batchGet",
                   "sheets.spreadsheets.developerMetadata.search", "sheets.spreadsheets.developerMetadata.get"})


def _ss(ctx: Ctx) -> dict[str, Any]:
    try:
        ss = ctx.state.spreadsheet(ctx.params["spreadsheetId"])
    except NotFound:
        raise ApiError(404, "Requested entity was not found.") from None
    _check_shared(ctx, ss)
    return ss


def _check_shared(ctx: Ctx, ss: dict[str, Any]) -> None:
    """A spreadsheet with ``permissions`` (Drive's, on the spreadsheet file) is open to its owner and to
    the accounts listed; Sheets answers others ``403 The caller does not have permission``
    (PERMISSION_DENIED), and a Viewer that writes likewise (https://developers.google.com/sheets/api/guides/authorizing,
    "Share a spreadsheet": https://support.google.com/docs/answer/2494822). Without ``permissions`` anyone may."""
    perms = ss.get("permissions")
    if perms is None or not ctx.account:
        return
    who = ctx.account.lower()
    if strict.owner_of(ss, ctx.state).lower() == who:
        return
    need = 1 if ctx.method_id in READS else 3
    roles = {"reader": 1, "commenter": 2, "writer": 3, "owner": 5}
    best = max((roles.get(str(p.get("role")), 0) for p in perms
                if p.get("type") == "anyone" or str(p.get("emailAddress", "")).lower() == who), default=0)
    if best < need:
        raise ApiError(403, "The caller does not have permission")


def _grid_error(title: str, r0: int, r1: int, c0: int, c1: int, sheet: dict[str, Any]) -> ApiError:
    start = f"{a1.col_letters(c0)}{r0 + 1}"
    end = f"{a1.col_letters(c1 - 1)}{r1}"
    ref = start if start == end else f"{start}:{end}"
    return bad_request(
        f"Range ('{title}'!{ref}) exceeds grid limits. Max rows: {sheet['rowCount']}, max columns: {sheet['columnCount']}"
    )


def _value_input(ctx: Ctx, body: dict[str, Any] | None = None) -> str:
    option = (body or {}).get("valueInputOption") or ctx.params.get("valueInputOption")
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request(f"Invalid valueInputOption: {option or 'INPUT_VALUE_OPTION_UNSPECIFIED'}")
    return str(option)


def _trim(matrix: list[list[Any]]) -> list[list[Any]]:
    out = []
    for row in matrix:
        row = list(row)
        while row and is_empty(row[-1]):
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def read_range(ss: dict[str, Any], gr: GridRange, major: str, vro: str, dtro: str) -> dict[str, Any]:
    sheet = gr.sheet
    r0, r1, c0, c1 = gr.clamp()
    if r0 >= sheet["rowCount"] or c0 >= sheet["columnCount"]:
        raise _grid_error(gr.title, r0, r0 + 1, c0, c0 + 1, sheet)
    r1 = min(r1, sheet["rowCount"])
    c1 = min(c1, sheet["columnCount"])
    rows = sheet["rows"]
    locale = ss.get("locale", "en_US")
    matrix = []
    for r in range(r0, min(r1, len(rows))):
        row = rows[r]
        matrix.append([render(row[c] if c < len(row) else None, vro, dtro, locale) for c in range(c0, min(c1, max(len(row), c0)))])
    if major == "COLUMNS":
        width = max((len(r) for r in matrix), default=0)
        matrix = [[r[c] if c < len(r) else "" for r in matrix] for c in range(width)]
    values = _trim(matrix)
    out: dict[str, Any] = {"range": format_range(gr.title, r0, r1, c0, c1), "majorDimension": major}
    if values:
        out["values"] = values
    return out


def _render_opts(ctx: Ctx, prefix: str = "") -> tuple[str, str, str]:
    p = ctx.params
    if prefix:
        vro = p.get("responseValueRenderOption", "FORMATTED_VALUE")
        dtro = p.get("responseDateTimeRenderOption", "SERIAL_NUMBER")
        return "ROWS", vro, dtro
    return p.get("majorDimension", "ROWS"), p.get("valueRenderOption", "FORMATTED_VALUE"), p.get("dateTimeRenderOption", "SERIAL_NUMBER")


def values_get(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        ss = _ss(ctx)
        return read_range(ss, parse_range(ss, ctx.params["range"]), *_render_opts(ctx))


def values_batch_get(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        ss = _ss(ctx)
        ranges = ctx.params.get("ranges", [])
        out: dict[str, Any] = {"spreadsheetId": ss["id"]}
        if ranges:
            out["valueRanges"] = [read_range(ss, parse_range(ss, r), *_render_opts(ctx)) for r in ranges]
        return out


def _ensure_cell(sheet: dict[str, Any], r: int, c: int) -> list[Any]:
    """Grow the stored grid to hold cell (r, c); returns row ``r``, owned by the write under way."""
    rows = sheet["rows"]
    while len(rows) <= r:
        rows.append([])
    row = _own(rows, r)
    while len(row) <= c:
        row.append(None)
    return row


def _write(ss: dict[str, Any], gr: GridRange, values: list[Any], major: str, option: str, ctx: Ctx | None = None) -> dict[str, Any]:
    if not isinstance(values, list) or any(not isinstance(v, list) for v in values):
        raise bad_request("Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue)")
    if major == "COLUMNS":
        width = max((len(v) for v in values), default=0)
        values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
    sheet = gr.sheet
    r0, c0 = gr.start_row, gr.start_col
    n_rows = len(values)
    n_cols = max((len(v) for v in values), default=0)
    if n_rows == 0 or n_cols == 0:
        return {"spreadsheetId": ss["id"], "updatedRange": format_range(gr.title, r0, r0 + 1, c0, c0 + 1)}
    _check_fits(gr, n_rows, n_cols)
    locale = ss.get("locale", "en_US")
    cells = 0
    parsed = [[None if v is None else parse_input(v, option, locale) for v in row] for row in values]
    if ctx is not None:  # refuse what Google refuses before changing anything (see bridge.sandbox.strict)
        _check_strict(ctx, ss, sheet, r0, c0, parsed, locale)
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if value is None:
                continue
            stored = parsed[i][j]
            _ensure_cell(sheet, r0 + i, c0 + j)[c0 + j] = stored
            cells += 1
    return {
        "spreadsheetId": ss["id"],
        "updatedRange": format_range(gr.title, r0, r0 + n_rows, c0, c0 + n_cols),
        "updatedRows": n_rows,
        "updatedColumns": n_cols,
        "updatedCells": cells,
    }


def _check_fits(gr: GridRange, n_rows: int, n_cols: int) -> None:
    """Values larger than the range they are written to, or than the sheet's grid, are refused."""
    r0, c0, sheet = gr.start_row, gr.start_col, gr.sheet
    anchor = gr.end_row == r0 + 1 and gr.end_col == c0 + 1  # a single cell is only the top-left anchor
    if not anchor and gr.end_row is not None and r0 + n_rows > gr.end_row:
        raise bad_request(
            f"Requested writing within range [{format_range(gr.title, *_bounded(gr))}], but tried writing to row [{r0 + n_rows}]"
        )
    if not anchor and gr.end_col is not None and c0 + n_cols > gr.end_col:
        raise bad_request(
            f"Requested writing within range [{format_range(gr.title, *_bounded(gr))}], "
            f"but tried writing to column [{a1.col_letters(c0 + n_cols - 1)}]"
        )
    if r0 + n_rows > sheet["rowCount"] or c0 + n_cols > sheet["columnCount"]:
        raise _grid_error(gr.title, r0, r0 + n_rows, c0, c0 + n_cols, sheet)


def _check_strict(ctx: Ctx, ss: dict[str, Any], sheet: dict[str, Any], r0: int, c0: int, parsed: list[list[Any]],
                  locale: str) -> None:
    """Cell size, strict data validation and protected ranges, checked for every cell the write sets."""
    rules = any(rule.get("rule", {}).get("strict") for rule in sheet.get("dataValidation", []))
    written = []
    for i, row in enumerate(parsed):
        for j, stored in enumerate(row):
            if stored is None:
                continue
            strict.check_cell_size(stored)
            if rules:
                strict.check_validation(sheet, r0 + i, c0 + j, stored, locale)
            written.append((r0 + i, c0 + j))
    if sheet.get("protectedRanges"):
        strict.check_protected(ss, sheet, written, ctx.account, ctx.state)


def _bounded(gr: GridRange) -> tuple[int, int, int, int]:
    r0, r1, c0, c1 = gr.clamp()
    return r0, r1, c0, c1


def _with_response_values(ctx: Ctx, ss: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    if ctx.params.get("includeValuesInResponse") and "updatedRange" in result:
        major, vro, dtro = _render_opts(ctx, "response")
        data = read_range(ss, parse_range(ss, result["updatedRange"]), major, vro, dtro)
        result["updatedData"] = data
    return result


class _Tx(threading.local):
    """The write under way in this thread: which row lists it already owns (copy-on-write)."""

    owned: dict[int, list[Any]] | None = None


_TX = _Tx()


def _own(rows: list[list[Any]], r: int) -> list[Any]:
    """Row ``r`` of ``rows``, copied first if the live spreadsheet still shares it (then written back).

    Inside :func:`_atomic` the working copy shares every row list with the live spreadsheet;
    a row is copied only when a write is about to change it, so a write costs what it changes.
    """
    row = rows[r]
    owned = _TX.owned
    if owned is not None and id(row) not in owned:
        row = list(row)
        rows[r] = row
        owned[id(row)] = row
    return row


def _own_all(rows: list[list[Any]]) -> None:
    """Own every row (a column insert/delete/resize changes them all anyway)."""
    for r in range(len(rows)):
        _own(rows, r)


def _working_copy(live: dict[str, Any]) -> dict[str, Any]:
    """A copy of the spreadsheet that shares its row lists: O(sheets + rows) pointers, no cells copied."""
    work = dict(live)
    sheets = []
    for sheet in live["sheets"]:
        copied = {k: (v if k == "rows" else copy.deepcopy(v)) for k, v in sheet.items()}
        copied["rows"] = list(sheet["rows"])  # the outer list only; rows are copied on write (_own)
        sheets.append(copied)
    work["sheets"] = sheets
    for key, value in live.items():
        if key != "sheets":
            work[key] = copy.deepcopy(value)
    return work


def _atomic(ctx: Ctx, fn: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """Apply ``fn`` to a working copy of the spreadsheet and swap it in only if nothing failed.

    The working copy shares row lists with the live spreadsheet; writers copy a row before
    changing it (:func:`_own`), so a failed batch leaves the live rows as they were and a
    write to one row of a 100k-row tab copies one row, not the tab. Every successful write
    moves the spreadsheet's Drive ``version``/``modifiedTime`` on (``SandboxState.touch``).
    """
    with ctx.state.lock:
        live = _ss(ctx)
        work = _working_copy(live)
        _TX.owned = {}
        try:
            result = fn(work)
        finally:
            _TX.owned = None
        ctx.state.touch(work)
        ctx.state.journal_rows(live, work)
        live.clear()
        live.update(work)
        return result


def values_update(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body or {}
    option = _value_input(ctx)

    def run(ss: dict[str, Any]) -> dict[str, Any]:
        gr = parse_range(ss, ctx.params["range"])
        result = _write(ss, gr, body.get("values", []), body.get("majorDimension", "ROWS"), option, ctx)
        return _with_response_values(ctx, ss, result)

    return _atomic(ctx, run)


def values_batch_update(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body or {}
    option = _value_input(ctx, body)

    def run(ss: dict[str, Any]) -> dict[str, Any]:
        responses = []
        sheets_touched = set()
        for vr in body.get("data", []):
            gr = parse_range(ss, vr.get("range", ""))
            res = _write(ss, gr, vr.get("values", []), vr.get("majorDimension", "ROWS"), option, ctx)
            if body.get("includeValuesInResponse") and "updatedRange" in res:
                res["updatedData"] = read_range(
                    ss, parse_range(ss, res["updatedRange"]), "ROWS",
                    body.get("responseValueRenderOption", "FORMATTED_VALUE"),
                    body.get("responseDateTimeRenderOption", "SERIAL_NUMBER"),
                )
            responses.append(res)
            if res.get("updatedCells"):
                sheets_touched.add(gr.title)
        out: dict[str, Any] = {"spreadsheetId": ss["id"]}
        total_rows = sum(r.get("updatedRows", 0) for r in responses)
        if responses and total_rows:
            out.update(
                totalUpdatedRows=total_rows,
                totalUpdatedColumns=sum(r.get("updatedColumns", 0) for r in responses),
                totalUpdatedCells=sum(r.get("updatedCells", 0) for r in responses),
                totalUpdatedSheets=len(sheets_touched),
            )
        if responses:
            out["responses"] = responses
        return out

    return _atomic(ctx, run)


def _last_nonempty_row(sheet: dict[str, Any], start: int, c0: int, c1: int | None) -> int | None:
    rows = sheet["rows"]
    for r in range(len(rows) - 1, start - 1, -1):
        row = rows[r]
        hi = len(row) if c1 is None else min(c1, len(row))
        if any(not is_empty(row[c]) for c in range(c0, hi)):
            return r
    return None


def _table(sheet: dict[str, Any], gr: GridRange) -> tuple[int, int, int, int] | None:
    """The "table" values.append finds: the first run of non-blank rows from the range's start;
    a blank row ends it, so rows below a gap are not part of it. "The input range is used to
    search for existing data and find a table within that range. Values will be appended to the
    next row of the table" (https://developers.google.com/sheets/api/guides/values#append_values,
    and "Table detection" on https://developers.google.com/sheets/api/samples/writing)."""
    rows = sheet["rows"]

    def blank(r: int) -> bool:
        return r >= len(rows) or not any(not is_empty(v) for v in rows[r][gr.start_col : gr.end_col])

    limit = len(rows)  # the table extends past the range's own rows (``A1`` finds the whole table)
    first = gr.start_row
    while first < limit and blank(first):
        first += 1
    if first >= limit:
        return None
    last = first
    while last + 1 < limit and not blank(last + 1):
        last += 1
    width = 0
    for r in range(first, last + 1):
        row = rows[r]
        hi = len(row) if gr.end_col is None else min(gr.end_col, len(row))
        for c in range(hi - 1, gr.start_col - 1, -1):
            if not is_empty(row[c]):
                width = max(width, c + 1)
                break
    return first, last + 1, gr.start_col, max(width, gr.start_col + 1)


def values_append(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body or {}
    option = _value_input(ctx)
    insert = ctx.params.get("insertDataOption", "OVERWRITE")

    def run(ss: dict[str, Any]) -> dict[str, Any]:
        gr = parse_range(ss, ctx.params["range"])
        sheet = gr.sheet
        values = body.get("values", [])
        if body.get("majorDimension") == "COLUMNS":
            width = max((len(v) for v in values), default=0)
            values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
        table = _table(sheet, gr)
        at = table[1] if table else gr.start_row
        n_rows = len(values)
        n_cols = max((len(v) for v in values), default=0)
        if insert == "INSERT_ROWS" and n_rows:
            rows = sheet["rows"]
            if at < len(rows):
                rows[at:at] = [[] for _ in range(n_rows)]
            sheet["rowCount"] += n_rows
        if at + n_rows > sheet["rowCount"]:
            sheet["rowCount"] = at + n_rows
        if gr.start_col + n_cols > sheet["columnCount"]:
            sheet["columnCount"] = gr.start_col + n_cols
        strict.check_cell_limit(ss)
        target = GridRange(sheet, at, None, gr.start_col, None)
        updates = _write(ss, target, [[None if v is None else v for v in row] for row in values], "ROWS", option, ctx)
        out: dict[str, Any] = {"spreadsheetId": ss["id"]}
        if table:
            out["tableRange"] = format_range(gr.title, *_order(table))
        if ctx.params.get("includeValuesInResponse") and "updatedRange" in updates:
            _, vro, dtro = _render_opts(ctx, "response")
            updates["updatedData"] = read_range(ss, parse_range(ss, updates["updatedRange"]), "ROWS", vro, dtro)
        out["updates"] = updates
        return out

    return _atomic(ctx, run)


def _order(t: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return t[0], t[1], t[2], t[3]


def _clear(ss: dict[str, Any], text: str, ctx: Ctx | None = None) -> str:
    gr = parse_range(ss, text)
    sheet = gr.sheet
    r0, r1, c0, c1 = gr.clamp()
    r1, c1 = min(r1, sheet["rowCount"]), min(c1, sheet["columnCount"])
    if ctx is not None:
        rows = sheet["rows"]
        filled = [(r, c) for r in range(r0, min(r1, len(rows))) for c in range(c0, min(c1, len(rows[r])))
                  if not is_empty(rows[r][c])]
        strict.check_protected(ss, sheet, filled, ctx.account, ctx.state)
    for r in range(r0, min(r1, len(sheet["rows"]))):
        stored = sheet["rows"][r]
        if c0 >= len(stored) and not (stored and is_empty(stored[-1])):
            continue  # nothing to clear or trim in this row: leave it shared (copy-on-write)
        row = _own(sheet["rows"], r)
        for c in range(c0, min(c1, len(row))):
            row[c] = None
        while row and is_empty(row[-1]):
            row.pop()
    while sheet["rows"] and not sheet["rows"][-1]:
        sheet["rows"].pop()
    return format_range(gr.title, r0, r1, c0, c1)


def values_clear(ctx: Ctx) -> dict[str, Any]:
    return _atomic(ctx, lambda ss: {"spreadsheetId": ss["id"], "clearedRange": _clear(ss, ctx.params["range"], ctx)})


def values_batch_clear(ctx: Ctx) -> dict[str, Any]:
    ranges = (ctx.body or {}).get("ranges", [])
    return _atomic(ctx, lambda ss: {"spreadsheetId": ss["id"], "clearedRanges": [_clear(ss, r, ctx) for r in ranges]})


# -- spreadsheets.get ----------------------------------------------------------

def sheet_properties(sheet: dict[str, Any], index: int) -> dict[str, Any]:
    grid: dict[str, Any] = {"rowCount": sheet["rowCount"], "columnCount": sheet["columnCount"]}
    if sheet.get("frozenRowCount"):
        grid["frozenRowCount"] = sheet["frozenRowCount"]
    if sheet.get("frozenColumnCount"):
        grid["frozenColumnCount"] = sheet["frozenColumnCount"]
    props: dict[str, Any] = {
        "sheetId": sheet["sheetId"],
        "title": sheet["title"],
        "index": index,
        "sheetType": "GRID",
        "gridProperties": grid,
    }
    if sheet.get("hidden"):
        props["hidden"] = True
    for key in ("tabColor", "tabColorStyle", "rightToLeft"):
        if key in sheet:
            props[key] = sheet[key]
    return props


def _in_range(rule_range: dict[str, Any], r: int, c: int) -> bool:
    return (
        rule_range.get("startRowIndex", 0) <= r < rule_range.get("endRowIndex", 10**9)
        and rule_range.get("startColumnIndex", 0) <= c < rule_range.get("endColumnIndex", 10**9)
    )


def _grid_data(ss: dict[str, Any], gr: GridRange) -> dict[str, Any]:
    sheet = gr.sheet
    r0, r1, c0, c1 = gr.clamp()
    rows = sheet["rows"]
    locale = ss.get("locale", "en_US")
    rules = sheet.get("dataValidation", [])
    row_data = []
    for r in range(r0, min(r1, len(rows))):
        row = rows[r]
        cells = []
        for c in range(c0, min(c1, len(row))):
            cd = a1.cell_data(row[c], locale)
            for rule in rules:
                if _in_range(rule.get("range", {}), r, c):
                    cd["dataValidation"] = rule.get("rule", {})
            cells.append(cd)
        while cells and not cells[-1]:
            cells.pop()
        row_data.append({"values": cells} if cells else {})
    while row_data and not row_data[-1]:
        row_data.pop()
    data: dict[str, Any] = {}
    if r0:
        data["startRow"] = r0
    if c0:
        data["startColumn"] = c0
    if row_data:
        data["rowData"] = row_data
    return data


def spreadsheet_resource(ss: dict[str, Any], base_url: str, include_grid: bool, ranges: list[str]) -> dict[str, Any]:
    wanted: dict[int, list[GridRange]] = {}
    for text in ranges:
        gr = parse_range(ss, text)
        wanted.setdefault(gr.sheet["sheetId"], []).append(gr)
    sheets = []
    for index, sheet in enumerate(ss["sheets"]):
        if ranges and sheet["sheetId"] not in wanted:
            continue
        res: dict[str, Any] = {"properties": sheet_properties(sheet, index)}
        if include_grid:
            grs = wanted.get(sheet["sheetId"]) or [GridRange(sheet, 0, None, 0, None)]
            res["data"] = [_grid_data(ss, gr) for gr in grs]
        for key in ("protectedRanges", "charts"):
            if sheet.get(key):
                res[key] = copy.deepcopy(sheet[key])
        if sheet.get("basicFilter"):
            res["basicFilter"] = copy.deepcopy(sheet["basicFilter"])
        sheet_meta = devmeta.on_sheet(ss, sheet["sheetId"])
        if sheet_meta:
            res["developerMetadata"] = sheet_meta
        sheets.append(res)
    out: dict[str, Any] = {
        "spreadsheetId": ss["id"],
        "properties": {
            "title": ss["title"],
            "locale": ss.get("locale", "en_US"),
            "autoRecalc": "ON_CHANGE",
            "timeZone": ss.get("timeZone", "Etc/GMT"),
            "defaultFormat": {"verticalAlignment": "BOTTOM", "wrapStrategy": "OVERFLOW_CELL"},
        },
        "sheets": sheets,
        "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{ss['id']}/edit",
    }
    book_meta = devmeta.on_spreadsheet(ss)
    if book_meta:
        out["developerMetadata"] = book_meta
    return out


def spreadsheets_get(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        ss = _ss(ctx)
        res = spreadsheet_resource(ss, ctx.base_url, bool(ctx.params.get("includeGridData")), ctx.params.get("ranges", []))
        return apply_fields(res, parse_fields(ctx.params.get("fields")))


# -- spreadsheets.batchUpdate ------------------------------------------------------

def _sheet_by_id(ss: dict[str, Any], sheet_id: Any) -> tuple[int, dict[str, Any]]:
    for i, sheet in enumerate(ss["sheets"]):
        if sheet["sheetId"] == (sheet_id or 0):
            return i, sheet
    raise ValueError(f"No grid with id: {sheet_id or 0}")


def _cell_from_celldata(cd: dict[str, Any]) -> Any:
    return a1.from_extended(cd.get("userEnteredValue"))


def _rows_from_rowdata(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[_cell_from_celldata(cd) for cd in rd.get("values", [])] for rd in rows]


def _set_cells(sheet: dict[str, Any], r0: int, c0: int, rows: list[list[Any]], grow: bool = False) -> None:
    width = max((len(r) for r in rows), default=0)
    if grow:
        sheet["rowCount"] = max(sheet["rowCount"], r0 + len(rows))
        sheet["columnCount"] = max(sheet["columnCount"], c0 + width)
    if r0 + len(rows) > sheet["rowCount"] or c0 + width > sheet["columnCount"]:
        raise ValueError(
            f"Range ('{sheet['title']}'!{a1.col_letters(c0)}{r0 + 1}:{a1.col_letters(c0 + max(width, 1) - 1)}{r0 + len(rows)}) "
            f"exceeds grid limits. Max rows: {sheet['rowCount']}, max columns: {sheet['columnCount']}"
        )
    for row in rows:
        for value in row:
            strict.check_cell_size(value)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            _ensure_cell(sheet, r0 + i, c0 + j)[c0 + j] = value


def _gr_bounds(sheet: dict[str, Any], rng: dict[str, Any]) -> tuple[int, int, int, int]:
    return (
        rng.get("startRowIndex", 0),
        rng.get("endRowIndex", sheet["rowCount"]),
        rng.get("startColumnIndex", 0),
        rng.get("endColumnIndex", sheet["columnCount"]),
    )


def _sort_key(value: Any) -> tuple[int, Any]:
    if is_empty(value):
        return (3, "")
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, dict):
        if "datetime" in value or "date" in value:
            return (0, a1.serial(a1._as_datetime(value)[0]))
        return (1, str(value.get("formula", "")).lower())
    return (1, str(value).lower())


#: One batchUpdate request: the spreadsheet and the request's body → its reply.
_Request = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


def _add_sheet(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    sheets = ss["sheets"]
    props = req.get("properties", {})
    title = props.get("title") or f"Sheet{len(sheets) + 1}"
    if any(s["title"] == title for s in sheets):
        raise ValueError(f'A sheet with the name "{title}" already exists. Please enter another name.')
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = max((s["sheetId"] for s in sheets), default=0) + 1
        sheet_id = sheet_id if sheet_id > 1000 else 1000000 + sheet_id * 7919
    elif any(s["sheetId"] == sheet_id for s in sheets):
        raise ValueError(f"A sheet with the id {sheet_id} already exists.")
    grid = props.get("gridProperties", {})
    sheet = {
        "sheetId": sheet_id, "title": title, "rowCount": grid.get("rowCount", 1000),
        "columnCount": grid.get("columnCount", 26), "rows": [], "protectedRanges": [], "dataValidation": [], "charts": [],
    }
    for key in ("frozenRowCount", "frozenColumnCount"):
        if grid.get(key):
            sheet[key] = grid[key]
    if props.get("hidden"):
        sheet["hidden"] = True
    if "tabColor" in props:
        sheet["tabColor"] = props["tabColor"]
    index = props.get("index", len(sheets))
    sheets.insert(min(index, len(sheets)), sheet)
    return {"addSheet": {"properties": sheet_properties(sheet, sheets.index(sheet))}}


def _delete_sheet(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    sheets = ss["sheets"]
    i, _ = _sheet_by_id(ss, req.get("sheetId"))
    if len(sheets) == 1:
        raise ValueError("You can't remove all the sheets in a document.")
    devmeta.drop_sheet(ss, sheets.pop(i)["sheetId"])
    return {}


def _set_grid_properties(sheet: dict[str, Any], grid: dict[str, Any], name: str) -> None:
    """``gridProperties`` or one of its fields (``gridProperties.rowCount``); a smaller grid drops the cells outside."""
    for key in name.split(".", 1)[1:] or ["rowCount", "columnCount", "frozenRowCount", "frozenColumnCount"]:
        value = grid.get(key, 0)
        if key not in ("rowCount", "columnCount"):
            sheet[key] = value
        elif value:
            sheet[key] = value
            if key == "rowCount":
                del sheet["rows"][value:]
            else:
                _own_all(sheet["rows"])
                for row in sheet["rows"]:
                    del row[value:]


def _update_sheet_properties(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    sheets = ss["sheets"]
    props = req.get("properties", {})
    fields = req.get("fields", "")
    if not fields:
        raise ValueError("At least one field must be updated, but 'fields' is empty.")
    i, sheet = _sheet_by_id(ss, props.get("sheetId"))
    names = [f.strip() for f in fields.split(",")]
    if "*" in names:
        names = ["title", "index", "hidden", "tabColor", "gridProperties"]
    for name in names:
        if name == "title":
            title = props.get("title", "")
            if any(s["title"] == title and s is not sheet for s in sheets):
                raise ValueError(f'A sheet with the name "{title}" already exists. Please enter another name.')
            sheet["title"] = title
        elif name == "hidden":
            if props.get("hidden") and all(s.get("hidden") or s is sheet for s in sheets):
                raise ValueError("You can't hide all the sheets in a document.")
            sheet["hidden"] = bool(props.get("hidden"))
        elif name == "index":
            sheets.pop(i)
            sheets.insert(min(props.get("index", 0), len(sheets)), sheet)
        elif name.startswith("gridProperties"):
            _set_grid_properties(sheet, props.get("gridProperties", {}), name)
        elif name in props:
            sheet[name.split(".")[0]] = props[name.split(".")[0]]
    return {}


def _update_spreadsheet_properties(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    props = req.get("properties", {})
    for name in [f.strip() for f in req.get("fields", "").split(",") if f.strip()]:
        if name in ("title", "locale", "timeZone") and name in props:
            ss[name] = props[name]
    return {}


def _append_dimension(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    _, sheet = _sheet_by_id(ss, req.get("sheetId"))
    key = "rowCount" if req.get("dimension") == "ROWS" else "columnCount"
    sheet[key] += int(req.get("length", 0))
    return {}


def _dimension_range(ss: dict[str, Any], req: dict[str, Any]) -> tuple[dict[str, Any], int, int, bool, int]:
    """The sheet, start, end, whether it is rows, and the grid's size in that dimension."""
    rng = req.get("range", {})
    _, sheet = _sheet_by_id(ss, rng.get("sheetId"))
    start, end = rng.get("startIndex", 0), rng.get("endIndex")
    rows_dim = rng.get("dimension") == "ROWS"
    limit = sheet["rowCount"] if rows_dim else sheet["columnCount"]
    if end is None or end <= start:
        raise ValueError("Invalid dimension range: endIndex must be greater than startIndex.")
    return sheet, start, end, rows_dim, limit


def _insert_dimension(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    sheet, start, end, rows_dim, limit = _dimension_range(ss, req)
    n = end - start
    if start > limit:
        raise ValueError(f"Invalid range: startIndex ({start}) is beyond the grid ({limit}).")
    if rows_dim:
        if start < len(sheet["rows"]):
            sheet["rows"][start:start] = [[] for _ in range(n)]
        sheet["rowCount"] += n
    else:
        _own_all(sheet["rows"])
        for row in sheet["rows"]:
            if start < len(row):
                row[start:start] = [None] * n
        sheet["columnCount"] += n
    return {}


def _delete_dimension(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    sheet, start, end, rows_dim, limit = _dimension_range(ss, req)
    n = end - start
    if end > limit:
        raise ValueError(f"Invalid range: endIndex ({end}) is beyond the grid ({limit}).")
    if rows_dim:
        frozen = sheet.get("frozenRowCount", 0)
        if limit - n <= frozen:
            raise ValueError("Sorry, it is not possible to delete all non-frozen rows.")
        del sheet["rows"][start:end]
        sheet["rowCount"] -= n
    else:
        if start == 0 and end >= limit:
            raise ValueError("Sorry, it is not possible to delete all non-frozen columns.")
        _own_all(sheet["rows"])
        for row in sheet["rows"]:
            del row[start:end]
        sheet["columnCount"] -= n
    return {}


def _update_cells(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    _, sheet = _sheet_by_id(ss, (req.get("start") or req.get("range") or {}).get("sheetId"))
    rows = _rows_from_rowdata(req.get("rows", []))
    if "start" in req:
        r0, c0 = req["start"].get("rowIndex", 0), req["start"].get("columnIndex", 0)
    else:
        r0, _, c0, _ = _gr_bounds(sheet, req.get("range", {}))
    fields = req.get("fields", "")
    if "userEnteredValue" in fields or fields == "*":
        _set_cells(sheet, r0, c0, rows)
    return {}


def _append_cells(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    _, sheet = _sheet_by_id(ss, req.get("sheetId"))
    rows = _rows_from_rowdata(req.get("rows", []))
    last = _last_nonempty_row(sheet, 0, 0, None)
    _set_cells(sheet, 0 if last is None else last + 1, 0, rows, grow=True)
    return {}


def _repeat_cell(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    rng = req.get("range", {})
    _, sheet = _sheet_by_id(ss, rng.get("sheetId"))
    fields = req.get("fields", "")
    if "userEnteredValue" in fields or fields == "*":
        r0, r1, c0, c1 = _gr_bounds(sheet, rng)
        value = _cell_from_celldata(req.get("cell", {}))
        _set_cells(sheet, r0, c0, [[value] * (c1 - c0) for _ in range(r1 - r0)])
    return {}


def _set_data_validation(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    rng = req.get("range", {})
    _, sheet = _sheet_by_id(ss, rng.get("sheetId"))
    sheet.setdefault("dataValidation", [])
    sheet["dataValidation"] = [v for v in sheet["dataValidation"] if v.get("range") != rng]
    if req.get("rule"):
        sheet["dataValidation"].append({"range": rng, "rule": req["rule"]})
    return {}


def _add_protected_range(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    pr = copy.deepcopy(req.get("protectedRange", {}))
    _, sheet = _sheet_by_id(ss, pr.get("range", {}).get("sheetId"))
    all_ids = [p.get("protectedRangeId", 0) for s in ss["sheets"] for p in s.get("protectedRanges", [])]
    pr.setdefault("protectedRangeId", max(all_ids, default=100000000) + 1)
    pr.setdefault("editors", {"users": []})
    sheet.setdefault("protectedRanges", []).append(pr)
    return {"addProtectedRange": {"protectedRange": copy.deepcopy(pr)}}


def _update_protected_range(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    new = req.get("protectedRange", {})
    pid = new.get("protectedRangeId")
    names = [f.strip() for f in req.get("fields", "").split(",") if f.strip()]
    if not names:
        raise ValueError("At least one field must be updated, but 'fields' is empty.")
    pr = next((p for s in ss["sheets"] for p in s.get("protectedRanges", []) if p.get("protectedRangeId") == pid), None)
    if pr is None:
        raise ValueError(f"No protected range with id: {pid}")
    for name in names:
        if name == "*":
            pr.update(copy.deepcopy({k: v for k, v in new.items() if k != "protectedRangeId"}))
        elif name in new:
            pr[name] = copy.deepcopy(new[name])
    return {}


def _delete_protected_range(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    pid = req.get("protectedRangeId")
    for s in ss["sheets"]:
        before = len(s.get("protectedRanges", []))
        s["protectedRanges"] = [p for p in s.get("protectedRanges", []) if p.get("protectedRangeId") != pid]
        if len(s["protectedRanges"]) != before:
            return {}
    raise ValueError(f"No protected range with id: {pid}")


def _add_chart(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    sheets = ss["sheets"]
    chart = copy.deepcopy(req.get("chart", {}))
    all_ids = [c.get("chartId", 0) for s in sheets for c in s.get("charts", [])]
    chart.setdefault("chartId", max(all_ids, default=200000000) + 1)
    anchor = chart.get("position", {}).get("overlayPosition", {}).get("anchorCell", {})
    sheet_id = anchor.get("sheetId", chart.get("position", {}).get("sheetId", sheets[0]["sheetId"]))
    _, sheet = _sheet_by_id(ss, sheet_id)
    sheet.setdefault("charts", []).append(chart)
    return {"addChart": {"chart": copy.deepcopy(chart)}}


def _sort_range(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    rng = req.get("range", {})
    _, sheet = _sheet_by_id(ss, rng.get("sheetId"))
    r0, r1, c0, c1 = _gr_bounds(sheet, rng)
    rows = sheet["rows"]
    while len(rows) < min(r1, max(len(rows), r0)):
        rows.append([])
    block = [list(r) for r in rows[r0:r1]]
    segs = [[(row[c] if c < len(row) else None) for c in range(c0, c1)] for row in block]
    for spec in reversed(req.get("sortSpecs", [])):
        segs = _sorted_by(segs, spec.get("dimensionIndex", 0) - c0, spec.get("sortOrder") == "DESCENDING")
    for i, seg in enumerate(segs):
        row = block[i]
        while len(row) < c1:
            row.append(None)
        row[c0:c1] = seg
        while row and is_empty(row[-1]):
            row.pop()
        rows[r0 + i] = row
    return {}


def _sorted_by(segs: list[list[Any]], col: int, desc: bool) -> list[list[Any]]:
    """Rows (cut to the sorted columns) by one column; empty cells last in either order, as Sheets does."""
    filled = [s for s in segs if not is_empty(s[col] if col < len(s) else None)]
    empty = [s for s in segs if is_empty(s[col] if col < len(s) else None)]
    filled.sort(key=lambda s: _sort_key(s[col]), reverse=desc)
    return filled + empty


def _check_target_sheet(ss: dict[str, Any], req: dict[str, Any]) -> None:
    """A request that only formats (the sandbox keeps no formatting) still names an existing sheet."""
    target = req.get("range") or req.get("dimensions") or req.get("rule", {}).get("ranges", [{}])[0] or {}
    if isinstance(target, dict) and "sheetId" in target:
        _sheet_by_id(ss, target["sheetId"])


def _format_only(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    _check_target_sheet(ss, req)
    return {}


def _set_basic_filter(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    _check_target_sheet(ss, req)
    _, sheet = _sheet_by_id(ss, req.get("filter", {}).get("range", {}).get("sheetId"))
    sheet["basicFilter"] = copy.deepcopy(req.get("filter", {}))
    return {}


def _clear_basic_filter(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    _check_target_sheet(ss, req)
    _, sheet = _sheet_by_id(ss, req.get("sheetId"))
    sheet.pop("basicFilter", None)
    return {}


#: batchUpdate's request kinds the sandbox applies, each by one handler (any other kind answers 501).
_REQUESTS: dict[str, _Request] = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "updateSheetProperties": _update_sheet_properties,
    "updateSpreadsheetProperties": _update_spreadsheet_properties,
    "appendDimension": _append_dimension,
    "insertDimension": _insert_dimension,
    "deleteDimension": _delete_dimension,
    "updateCells": _update_cells,
    "appendCells": _append_cells,
    "repeatCell": _repeat_cell,
    "setDataValidation": _set_data_validation,
    "addProtectedRange": _add_protected_range,
    "updateProtectedRange": _update_protected_range,
    "deleteProtectedRange": _delete_protected_range,
    "addChart": _add_chart,
    "sortRange": _sort_range,
    **dict.fromkeys(("updateDimensionProperties", "autoResizeDimensions", "updateBorders", "addConditionalFormatRule",
                     "mergeCells", "unmergeCells"), _format_only),
    "setBasicFilter": _set_basic_filter,
    "clearBasicFilter": _clear_basic_filter,
    **devmeta.REQUESTS,
}


def _apply_request(ss: dict[str, Any], kind: str, req: dict[str, Any]) -> dict[str, Any]:
    handler = _REQUESTS.get(kind)
    if handler is None:
        raise NotImplementedError(kind)
    return handler(ss, req)


def _check_may_change_protection(ctx: Ctx, ss: dict[str, Any], req: dict[str, Any]) -> None:
    """Only the owner and the range's editors may change or remove a protection."""
    pid = (req.get("protectedRange") or {}).get("protectedRangeId", req.get("protectedRangeId"))
    for sheet in ss["sheets"]:
        for pr in sheet.get("protectedRanges", []):
            if pr.get("protectedRangeId") == pid and not strict.may_edit(ss, dict(pr, warningOnly=False), ctx.account, ctx.state):
                raise bad_request(strict.PROTECTED)


def _check_may_delete(ctx: Ctx, ss: dict[str, Any], req: dict[str, Any]) -> None:
    """Deleting rows or columns that hold protected cells is editing them (strict.PROTECTED)."""
    rng = req.get("range", {})
    try:
        _, sheet = _sheet_by_id(ss, rng.get("sheetId"))
    except ValueError:
        return  # _apply_request reports the unknown sheet
    if not sheet.get("protectedRanges"):
        return
    start = int(rng.get("startIndex", 0))
    end = int(rng.get("endIndex") or start + 1)
    if rng.get("dimension") == "ROWS":
        cells = [(r, c) for r in range(start, end) for c in range(sheet["columnCount"])]
    else:
        cells = [(r, c) for r in range(min(sheet["rowCount"], len(sheet["rows"]) + 1)) for c in range(start, end)]
    strict.check_protected(ss, sheet, cells, ctx.account, ctx.state)


def spreadsheets_batch_update(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body or {}
    requests = body.get("requests", [])

    def run(ss: dict[str, Any]) -> dict[str, Any]:
        replies = []
        for i, req in enumerate(requests):
            kinds = [k for k in req if req[k] is not None]
            if len(kinds) != 1:
                raise bad_request(f"Invalid requests[{i}]: exactly one kind of request must be set.")
            kind = kinds[0]
            try:
                if kind == "addProtectedRange" and ctx.account:
                    # The account that adds a protection can always edit it (it may not lock itself out).
                    pr = (req[kind] or {}).setdefault("protectedRange", {})
                    users = pr.setdefault("editors", {}).setdefault("users", [])
                    if ctx.account.lower() not in {u.lower() for u in users}:
                        users.append(ctx.account)
                if kind in ("updateProtectedRange", "deleteProtectedRange"):
                    _check_may_change_protection(ctx, ss, req[kind] or {})
                if kind == "deleteDimension":
                    _check_may_delete(ctx, ss, req[kind] or {})
                replies.append(_apply_request(ss, kind, req[kind] or {}))
                strict.check_cell_limit(ss, f"Invalid requests[{i}].{kind}: ")
            except NotImplementedError as exc:
                what = f"the request kind '{kind}'" if str(exc) == kind else str(exc)
                raise bad_request(f"Invalid requests[{i}]: the sandbox does not support {what}.") from None
            except ValueError as exc:
                raise bad_request(f"Invalid requests[{i}].{kind}: {exc}") from None
            except ApiError:
                raise
        out: dict[str, Any] = {"spreadsheetId": ss["id"], "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            out["updatedSpreadsheet"] = spreadsheet_resource(
                ss, ctx.base_url, bool(body.get("responseIncludeGridData")), body.get("responseRanges", [])
            )
        return out

    return _atomic(ctx, run)


def developer_metadata_search(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        return devmeta.search(ctx, _ss(ctx))


def developer_metadata_get(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        return devmeta.get(ctx, _ss(ctx))


HANDLERS: dict[str, Callable[[Ctx], Any]] = {
    "sheets.spreadsheets.get": spreadsheets_get,
    "sheets.spreadsheets.batchUpdate": spreadsheets_batch_update,
    "sheets.spreadsheets.values.get": values_get,
    "sheets.spreadsheets.values.batchGet": values_batch_get,
    "sheets.spreadsheets.values.update": values_update,
    "sheets.spreadsheets.values.batchUpdate": values_batch_update,
    "sheets.spreadsheets.values.append": values_append,
    "sheets.spreadsheets.values.clear": values_clear,
    "sheets.spreadsheets.values.batchClear": values_batch_clear,
    "sheets.spreadsheets.developerMetadata.search": developer_metadata_search,
    "sheets.spreadsheets.developerMetadata.get": developer_metadata_get,
}
